"""Project checks against real git repositories, virtualenv layouts and markdown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentdeck import vcs
from agentdeck.ops.checks import Status, shared
from agentdeck.ops.checks_project import (
    agentdeck_migrations_check,
    alembic_check,
    broken_links,
    dependencies_check,
    head_check,
    links_check,
    readme_check,
    upstream_check,
    worktree_check,
)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def state(root: Path):  # type: ignore[no-untyped-def]
    return shared(lambda: vcs.status_summary(root))


# -- git -------------------------------------------------------------------------


def test_clean_repository(repo: Path) -> None:
    assert worktree_check(repo, state(repo)).status is Status.OK
    head = head_check(repo, state(repo))
    assert head.status is Status.OK and head.value == "main"
    upstream = upstream_check(repo, state(repo))
    assert upstream.status is Status.OK and "no upstream" in upstream.message


def test_uncommitted_changes_warn_with_a_fix(repo: Path) -> None:
    (repo / "README.md").write_text("# changed\n")
    (repo / "new file.txt").write_text("x\n")
    git(repo, "mv", "README.md", "README.rst")
    result = worktree_check(repo, state(repo))
    assert result.status is Status.WARNING
    assert result.value == 2
    assert result.message == "2 uncommitted (1 changed, 1 untracked)"
    assert result.details["untracked"] == ["new file.txt"]
    assert result.details["changed"] == ["README.rst"]
    assert result.fix and result.fix.startswith("git add -A && git commit")


@pytest.fixture
def cloned(repo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A bare origin of ``repo`` and a clone tracking it."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(origin))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    return origin, clone


def test_ahead_behind_and_diverged(cloned: tuple[Path, Path], tmp_path: Path) -> None:
    origin, clone = cloned
    (clone / "a.txt").write_text("a\n")
    git(clone, "add", "a.txt")
    git(clone, "commit", "-q", "-m", "ahead")
    ahead = upstream_check(clone, state(clone))
    assert ahead.status is Status.WARNING
    assert ahead.value == {"ahead": 1, "behind": 0}
    assert ahead.fix == "git push"

    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    for name in ("b.txt", "c.txt"):
        (other / name).write_text("b\n")
        git(other, "add", name)
        git(other, "commit", "-q", "-m", name)
    git(other, "push", "-q")
    git(clone, "fetch", "-q")
    diverged = upstream_check(clone, state(clone))
    assert diverged.value == {"ahead": 1, "behind": 2}
    assert "diverged" in diverged.message

    git(clone, "reset", "-q", "--hard", "origin/main~2")
    behind = upstream_check(clone, state(clone))
    assert behind.value == {"ahead": 0, "behind": 2}
    assert behind.fix == "git pull --ff-only"

    git(clone, "merge", "-q", "--ff-only", "origin/main")
    even = upstream_check(clone, state(clone))
    assert even.status is Status.OK and "even with origin/main" in even.message


def test_detached_head_warns_and_names_a_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    result = head_check(repo, state(repo))
    assert result.status is Status.WARNING
    assert result.message.startswith("HEAD is detached at ")
    assert result.fix and result.fix.startswith("git switch main")
    assert upstream_check(repo, state(repo)).status is Status.OK


def test_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "trunk")
    result = head_check(tmp_path, state(tmp_path))
    assert result.status is Status.OK and "no commits yet on trunk" in result.message


def test_not_a_repository_is_unknown_with_a_fix(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    result = worktree_check(folder, state(folder))
    assert result.status is Status.UNKNOWN
    assert "not a git repository" in result.message
    assert result.fix and result.fix.startswith("git init")


# -- dependencies ----------------------------------------------------------------


def install(site: Path, name: str, version: str) -> None:
    """Record an installed distribution the way pip does (a .dist-info with METADATA)."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "proj"
    site = root / ".venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (root / ".venv" / "bin").mkdir()
    (root / ".venv" / "bin" / "python").write_text("")
    return root, site


PATTERNS = ["pyproject.toml", "requirements*.txt"]


def test_no_declared_dependencies(project: tuple[Path, Path]) -> None:
    root, _ = project
    assert dependencies_check(root, PATTERNS, "").status is Status.OK


def test_dependencies_installed_as_required(project: tuple[Path, Path]) -> None:
    root, site = project
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["Click>=8.1", "httpx[http2]~=0.27", '
        "\"pywin32; sys_platform == 'win32'\"]\n"
    )
    (root / "requirements-dev.txt").write_text("# tools\npytest>=8  # the runner\n-e .\n\n")
    install(site, "click", "8.1.7")
    install(site, "httpx", "0.27.2")
    install(site, "pytest", "8.3.0")
    result = dependencies_check(root, PATTERNS, "")
    assert result.status is Status.OK, result.message
    assert result.message == "3 declared, all installed as required"


def test_missing_dependency_is_critical_with_the_install_command(
    project: tuple[Path, Path],
) -> None:
    root, site = project
    (root / "requirements.txt").write_text("click>=8\nrich>=13\npackaging<20\n")
    install(site, "click", "8.1.7")
    install(site, "packaging", "24.0")
    result = dependencies_check(root, PATTERNS, "")
    assert result.status is Status.CRITICAL
    assert result.details["missing"] == ["rich"]
    assert result.details["wrong_version"] == ["packaging 24.0 (needs <20)"]
    assert (
        result.fix
        == f"{root / '.venv' / 'bin' / 'python'} -m pip install 'rich>=13' 'packaging<20'"
    )


def test_wrong_version_and_unreadable_lines_warn(project: tuple[Path, Path]) -> None:
    root, site = project
    (root / "requirements.txt").write_text("click==7.0\nthis is not a requirement!\n")
    install(site, "click", "8.1.7")
    result = dependencies_check(root, PATTERNS, "")
    assert result.status is Status.WARNING
    assert "1 at a version not allowed: click 8.1.7 (needs ==7.0)" in result.message
    assert "1 unreadable" in result.message


def test_unreadable_pyproject_is_unknown(project: tuple[Path, Path]) -> None:
    root, _ = project
    (root / "pyproject.toml").write_text("[project\n")
    result = dependencies_check(root, PATTERNS, "")
    assert result.status is Status.UNKNOWN and "pyproject.toml: cannot read" in result.message


def test_without_a_venv_agentdecks_environment_is_used(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("click>=8\n")
    result = dependencies_check(tmp_path, PATTERNS, "")
    assert result.status is Status.OK
    assert any("site-packages" in s for s in result.details["site_packages"])


# -- migrations ------------------------------------------------------------------


def test_agentdeck_migrations() -> None:
    assert (
        agentdeck_migrations_check({"pending": [], "unknown": [], "applied": 3}).status is Status.OK
    )
    pending = agentdeck_migrations_check({"pending": ["m050_monitor"], "unknown": [], "applied": 2})
    assert pending.status is Status.WARNING and pending.fix == "agentdeck migrate up"
    newer = agentdeck_migrations_check({"pending": [], "unknown": ["m999_future"], "applied": 3})
    assert newer.status is Status.CRITICAL
    assert agentdeck_migrations_check({"error": "no answer"}).status is Status.UNKNOWN


def test_pending_migrations_of_a_workspace_are_seen_before_the_store_upgrades(ws, deck) -> None:
    import json

    with ws.open_store_unchecked() as store:
        store.execute("DROP TABLE monitor_results")
        store.execute("DROP TABLE monitor_rounds")
        store.execute("DROP TABLE monitor_checks")
        store.execute("DROP TABLE monitor_incidents")
        store.execute("DELETE FROM agentdeck_migrations WHERE name = 'm050_monitor'")
    ws.close()
    result = deck("diagnose", "--json")
    checks = {c["name"]: c for c in json.loads(result.out)["checks"]}
    assert checks["migrations.agentdeck"]["status"] == "WARNING"
    assert "m050_monitor" in checks["migrations.agentdeck"]["message"]
    # This run opened the store like every command, which applied it.
    again = json.loads(deck("diagnose", "--json").out)
    assert {c["name"]: c["status"] for c in again["checks"]}["migrations.agentdeck"] == "OK"


def test_alembic_pending_then_current(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    root = tmp_path / "app"
    root.mkdir()
    ini = root / "alembic.ini"
    command.init(AlembicConfig(str(ini)), str(root / "migrations"))
    ini.write_text(
        ini.read_text().replace(
            "driver://user:pass@localhost/dbname", f"sqlite:///{root / 'app.db'}"
        )
    )
    setup = AlembicConfig(str(ini))
    command.revision(setup, message="first")
    result = alembic_check(root, "alembic.ini", "", 30)
    assert result.status is Status.WARNING, result.message
    assert "database at no revision" in result.message
    assert result.fix and result.fix.endswith("upgrade heads")
    # In a subprocess: env.py would reconfigure this process's logging.
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "heads"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    current = alembic_check(root, "alembic.ini", "", 30)
    assert current.status is Status.OK, current.message
    missing = alembic_check(root, "nope.ini", "", 30)
    assert missing.status is Status.UNKNOWN and "does not exist" in missing.message


# -- docs ------------------------------------------------------------------------


def test_readme(tmp_path: Path) -> None:
    missing = readme_check(tmp_path)
    assert missing.status is Status.WARNING and "README.md" in (missing.fix or "")
    (tmp_path / "README.rst").write_text("x")
    assert readme_check(tmp_path).status is Status.OK


def test_broken_relative_links(repo: Path) -> None:
    docs = repo / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# guide\n")
    (repo / "image.png").write_bytes(b"")
    (repo / "README.md").write_text(
        "# test\n"
        "[guide](docs/guide.md) [section](docs/guide.md#setup) [anchor](#top)\n"
        "![logo](image.png) [web](https://example.com/x.md) [mail](mailto:a@b.c)\n"
        "[gone](docs/missing.md)\n"
        "```\n[in code](nowhere.md)\n```\n"
        "`[inline code](nowhere.md)`\n"
        "[ref]: ./also-missing.md\n"
        "[spaced](docs/my%20guide.md)\n"
    )
    (docs / "index.md").write_text("[up](../README.md) [root](/docs/guide.md) [bad](../nope/)\n")
    found = broken_links(repo, ["README.md", "docs/index.md", "docs/guide.md"])
    assert [(b["file"], b["line"], b["target"]) for b in found] == [
        ("README.md", 4, "docs/missing.md"),
        ("README.md", 10, "docs/my%20guide.md"),
        ("README.md", 9, "./also-missing.md"),
        ("docs/index.md", 1, "../nope/"),
    ]
    result = links_check(repo)
    assert result.status is Status.WARNING and result.value == 4
    assert "first README.md:4 -> docs/missing.md" in result.message


def test_links_in_ignored_files_are_not_checked(repo: Path) -> None:
    (repo / ".gitignore").write_text("build/\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.md").write_text("[x](missing.md)\n")
    assert links_check(repo).status is Status.OK
