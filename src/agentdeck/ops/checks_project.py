"""Project checks for ``diagnose``: git, dependencies, migrations, docs.

* ``git.worktree`` (uncommitted files), ``git.upstream`` (ahead/behind),
  ``git.head`` (detached HEAD): one ``git status`` shared by the three.
* ``dependencies``: the requirements declared in ``pyproject.toml`` and
  ``requirements*.txt`` (``[diagnose] requirements``), read with
  ``packaging``, against the distributions installed in the project's
  virtualenv (read from its ``site-packages``, no interpreter started).
* ``migrations.agentdeck``: agentdeck's own pending migrations, as they stood
  when the checks were collected (before this command opened the store).
* ``migrations.alembic`` (slow): the project's Alembic heads against the
  database's current revision, when ``[diagnose] alembic_ini`` is set.
* ``docs.readme``: a README at the root; ``docs.links`` (slow): relative
  links in markdown files that point at nothing.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck import vcs
from agentdeck.ops.checks import Check, CheckResult, Status, shared

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

_DIAGNOSE = frozenset({"diagnose"})


def checks(ws: Workspace) -> list[Check]:
    """The project checks of the workspace (all in the "diagnose" scope)."""
    root = ws.root
    settings = ws.config.section("diagnose")
    slow_timeout = settings["timeout"]
    git_status = shared(lambda: vcs.status_summary(root))
    migration_state = _migration_snapshot(ws)
    found = [
        Check("git.worktree", lambda: worktree_check(root, git_status), 10.0, scopes=_DIAGNOSE),
        Check("git.upstream", lambda: upstream_check(root, git_status), 10.0, scopes=_DIAGNOSE),
        Check("git.head", lambda: head_check(root, git_status), 10.0, scopes=_DIAGNOSE),
        Check(
            "dependencies",
            lambda: dependencies_check(root, settings["requirements"], settings["venv"]),
            10.0,
            scopes=_DIAGNOSE,
        ),
        Check(
            "migrations.agentdeck",
            lambda: agentdeck_migrations_check(migration_state),
            5.0,
            scopes=_DIAGNOSE,
        ),
        Check("docs.readme", lambda: readme_check(root), 5.0, scopes=_DIAGNOSE),
        Check("docs.links", lambda: links_check(root), slow_timeout, slow=True, scopes=_DIAGNOSE),
    ]
    if settings["alembic_ini"]:
        ini = settings["alembic_ini"]
        found.append(
            Check(
                "migrations.alembic",
                lambda: alembic_check(root, ini, settings["venv"], slow_timeout),
                slow_timeout + 1,
                slow=True,
                scopes=_DIAGNOSE,
            )
        )
    return found


# -- git -------------------------------------------------------------------------


def _git_or_unknown(name: str, root: Path, git_status: Any) -> CheckResult | vcs.StatusSummary:
    try:
        return git_status()  # type: ignore[no-any-return]
    except vcs.GitError as err:
        if not vcs.is_repository(root):
            return CheckResult(
                name,
                Status.UNKNOWN,
                None,
                f"{root} is not a git repository",
                f"git init {shlex.quote(str(root))}",
            )
        return CheckResult(name, Status.UNKNOWN, None, str(err))


def worktree_check(root: Path, git_status: Any) -> CheckResult:
    """Uncommitted changes (tracked and untracked files) warn."""
    state = _git_or_unknown("git.worktree", root, git_status)
    if isinstance(state, CheckResult):
        return state
    changed, untracked = len(state.changed), len(state.untracked)
    total = changed + untracked
    details = {"changed": state.changed[:50], "untracked": state.untracked[:50]}
    if not total:
        return CheckResult("git.worktree", Status.OK, 0, "work tree clean", None, details)
    parts = []
    if changed:
        parts.append(f"{changed} changed")
    if untracked:
        parts.append(f"{untracked} untracked")
    return CheckResult(
        "git.worktree",
        Status.WARNING,
        total,
        f"{total} uncommitted ({', '.join(parts)})",
        'git add -A && git commit -m "Commit work in progress"',
        details,
    )


def upstream_check(root: Path, git_status: Any) -> CheckResult:
    """Commits not pushed (ahead) or not pulled (behind) warn; no upstream is only noted."""
    state = _git_or_unknown("git.upstream", root, git_status)
    if isinstance(state, CheckResult):
        return state
    details = {"branch": state.branch, "upstream": state.upstream}
    if state.branch is None:
        return CheckResult(
            "git.upstream", Status.OK, None, "no branch (detached HEAD)", None, details
        )
    if state.upstream is None:
        return CheckResult(
            "git.upstream", Status.OK, None, f"{state.branch} has no upstream", None, details
        )
    details.update(ahead=state.ahead, behind=state.behind)
    if state.ahead and state.behind:
        return CheckResult(
            "git.upstream",
            Status.WARNING,
            {"ahead": state.ahead, "behind": state.behind},
            f"{state.branch} and {state.upstream} diverged: {state.ahead} ahead, {state.behind} behind",
            "git pull --rebase && git push",
            details,
        )
    if state.ahead:
        return CheckResult(
            "git.upstream",
            Status.WARNING,
            {"ahead": state.ahead, "behind": 0},
            f"{state.ahead} commit(s) not pushed to {state.upstream}",
            "git push",
            details,
        )
    if state.behind:
        return CheckResult(
            "git.upstream",
            Status.WARNING,
            {"ahead": 0, "behind": state.behind},
            f"{state.behind} commit(s) on {state.upstream} not pulled",
            "git pull --ff-only",
            details,
        )
    return CheckResult(
        "git.upstream",
        Status.OK,
        {"ahead": 0, "behind": 0},
        f"{state.branch} is even with {state.upstream}",
        None,
        details,
    )


def head_check(root: Path, git_status: Any) -> CheckResult:
    """A detached HEAD warns (commits made there belong to no branch)."""
    state = _git_or_unknown("git.head", root, git_status)
    if isinstance(state, CheckResult):
        return state
    if state.head is None:
        return CheckResult(
            "git.head",
            Status.OK,
            None,
            f"no commits yet on {state.branch}",
            None,
            {"branch": state.branch},
        )
    if not state.detached:
        return CheckResult(
            "git.head",
            Status.OK,
            state.branch,
            f"on branch {state.branch}",
            None,
            {"branch": state.branch, "commit": state.head},
        )
    branches = vcs.local_branches(root)
    fix = (
        f"git switch {shlex.quote(branches[0])}  # or keep the commits: git switch -c NEW-BRANCH"
        if branches
        else "git switch -c main"
    )
    return CheckResult(
        "git.head",
        Status.WARNING,
        None,
        f"HEAD is detached at {state.head[:12]}",
        fix,
        {"commit": state.head, "branches": branches[:10]},
    )


# -- dependencies ----------------------------------------------------------------


def project_site_packages(root: Path, venv: str) -> tuple[list[Path], str]:
    """Where the project's packages are installed, and the python that installs into them."""
    candidates = [venv] if venv else [".venv", "venv"]
    for name in candidates:
        folder = (root / name).resolve()
        sites = sorted(folder.glob("lib/python*/site-packages")) + sorted(
            folder.glob("Lib/site-packages")
        )
        if sites:
            python = folder / "bin" / "python"
            return sites, str(python if python.exists() else folder / "Scripts" / "python.exe")
    # agentdeck's own environment: the project is installed where agentdeck runs.
    return [Path(p) for p in sys.path if p.endswith("site-packages")], sys.executable


def declared_requirements(root: Path, patterns: list[str]) -> list[tuple[str, str]]:
    """``(requirement text, file)`` for every requirement the project declares.

    ``pyproject.toml`` contributes ``[project] dependencies``; requirement files
    their lines (comments, options such as ``-e`` or ``--hash``, and ``-r``
    includes are skipped).
    """
    import tomllib

    found: list[tuple[str, str]] = []
    files: list[Path] = []
    for pattern in patterns:
        files.extend(sorted(root.glob(pattern)))
    for path in dict.fromkeys(files):
        relative = str(path.relative_to(root))
        if not path.is_file():
            continue
        if path.name == "pyproject.toml":
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise ValueError(f"{relative}: cannot read: {err}") from None
            deps = data.get("project", {}).get("dependencies", [])
            found.extend((str(d), relative) for d in deps if isinstance(d, str))
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            text = line.split(" #", 1)[0].strip()
            if not text or text.startswith(("#", "-")):
                continue
            found.append((text, relative))
    return found


def dependencies_check(root: Path, patterns: list[str], venv: str) -> CheckResult:
    """Each declared requirement is installed at a version its specifier allows."""
    from importlib.metadata import distributions

    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    try:
        declared = declared_requirements(root, patterns)
    except ValueError as err:
        return CheckResult("dependencies", Status.UNKNOWN, None, str(err))
    if not declared:
        return CheckResult("dependencies", Status.OK, 0, "no dependencies declared")
    sites, python = project_site_packages(root, venv)
    installed: dict[str, str] = {}
    for dist in distributions(path=[str(s) for s in sites]):
        name = dist.metadata["Name"]
        if name:
            installed.setdefault(canonicalize_name(name), dist.version)
    missing: list[str] = []
    wrong: list[str] = []
    invalid: list[str] = []
    to_install: list[str] = []
    checked = 0
    for text, source in declared:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            invalid.append(f"{text!r} ({source})")
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        checked += 1
        have = installed.get(canonicalize_name(req.name))
        if have is None:
            missing.append(req.name)
            to_install.append(str(req))
            continue
        try:
            ok = req.specifier.contains(Version(have), prereleases=True)
        except InvalidVersion:
            ok = False
        if not ok:
            wrong.append(f"{req.name} {have} (needs {req.specifier})")
            to_install.append(str(req))
    details: dict[str, Any] = {
        "checked": checked,
        "missing": missing,
        "wrong_version": wrong,
        "invalid": invalid,
        "site_packages": [str(s) for s in sites],
    }
    fix = None
    if to_install:
        fix = f"{shlex.quote(python)} -m pip install " + " ".join(
            shlex.quote(r) for r in dict.fromkeys(to_install)
        )
    if missing:
        extra = f"; {len(wrong)} at a wrong version" if wrong else ""
        return CheckResult(
            "dependencies",
            Status.CRITICAL,
            len(missing) + len(wrong),
            f"{len(missing)} of {checked} not installed: {', '.join(missing[:5])}{extra}",
            fix,
            details,
        )
    if wrong or invalid:
        parts = []
        if wrong:
            parts.append(f"{len(wrong)} at a version not allowed: {'; '.join(wrong[:3])}")
        if invalid:
            parts.append(f"{len(invalid)} unreadable: {', '.join(invalid[:3])}")
        return CheckResult(
            "dependencies",
            Status.WARNING,
            len(wrong) + len(invalid),
            "; ".join(parts),
            fix,
            details,
        )
    return CheckResult(
        "dependencies",
        Status.OK,
        0,
        f"{checked} declared, all installed as required",
        None,
        details,
    )


# -- migrations ------------------------------------------------------------------


def _migration_snapshot(ws: Workspace) -> dict[str, Any]:
    """agentdeck's migration status now, before anything in this run opens (and upgrades) the store."""
    from agentdeck.store.migrate import status

    # A store this process already opened is current (opening it upgrades): ask
    # it, on this thread, instead of opening a second connection (the monitor
    # collects checks every round).
    opened = getattr(ws, "_store", None)
    try:
        store = opened if opened is not None else ws.open_store_unchecked()
    except Exception as err:
        return {"error": str(err)}
    try:
        state = status(store)
        return {"pending": state.pending, "unknown": state.unknown, "applied": len(state.applied)}
    except Exception as err:
        return {"error": str(err)}
    finally:
        if opened is None:
            store.close()


def agentdeck_migrations_check(state: dict[str, Any]) -> CheckResult:
    """agentdeck's own schema is current (pending warns, unknown is critical)."""
    name = "migrations.agentdeck"
    if "error" in state:
        return CheckResult(name, Status.UNKNOWN, None, f"cannot read the schema: {state['error']}")
    if state["unknown"]:
        return CheckResult(
            name,
            Status.CRITICAL,
            len(state["unknown"]),
            f"the database has migrations this agentdeck does not know: {', '.join(state['unknown'])}",
            "pip install -U agentdeck",
            state,
        )
    if state["pending"]:
        return CheckResult(
            name,
            Status.WARNING,
            len(state["pending"]),
            f"{len(state['pending'])} pending: {', '.join(state['pending'])}",
            "agentdeck migrate up",
            state,
        )
    return CheckResult(
        name, Status.OK, 0, f"schema current ({state['applied']} applied)", None, state
    )


_REVISION = re.compile(r"^([0-9a-zA-Z_]+)(?:\s|$)")


def _alembic_ids(output: str) -> set[str]:
    ids = set()
    for line in output.splitlines():
        match = _REVISION.match(line.strip())
        if match and not line.startswith(("INFO", "WARN")):
            ids.add(match.group(1))
    return ids


def alembic_check(root: Path, ini: str, venv: str, timeout: float) -> CheckResult:
    """The project's Alembic database is at its heads (``alembic current`` vs ``heads``)."""
    name = "migrations.alembic"
    config_path = (root / ini).resolve()
    if not config_path.is_file():
        return CheckResult(
            name,
            Status.UNKNOWN,
            None,
            f"[diagnose] alembic_ini: {config_path} does not exist",
            "agentdeck config show  # then fix [diagnose] alembic_ini",
        )
    _, python = project_site_packages(root, venv)
    base = [python, "-m", "alembic", "-c", str(config_path)]
    outputs = {}
    for command in ("heads", "current"):
        try:
            proc = subprocess.run(
                [*base, command],
                cwd=config_path.parent,
                capture_output=True,
                text=True,
                timeout=timeout / 2,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            return CheckResult(name, Status.UNKNOWN, None, f"alembic {command} did not run: {err}")
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            return CheckResult(
                name,
                Status.UNKNOWN,
                None,
                f"alembic {command} failed: {lines[-1] if lines else proc.returncode}",
            )
        outputs[command] = _alembic_ids(proc.stdout)
    heads, current = outputs["heads"], outputs["current"]
    details = {"heads": sorted(heads), "current": sorted(current)}
    fix = f"{shlex.quote(python)} -m alembic -c {shlex.quote(str(config_path))} upgrade heads"
    if heads == current:
        return CheckResult(name, Status.OK, 0, f"at head {', '.join(sorted(heads))}", None, details)
    behind = sorted(heads - current)
    where = ", ".join(sorted(current)) or "no revision"
    return CheckResult(
        name,
        Status.WARNING,
        len(behind),
        f"database at {where}; head {', '.join(behind)} not applied",
        fix,
        details,
    )


# -- docs ------------------------------------------------------------------------

_READMES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md")


def readme_check(root: Path) -> CheckResult:
    """A README at the root of the project."""
    for name in _READMES:
        if (root / name).is_file():
            return CheckResult("docs.readme", Status.OK, name, f"{name} present")
    return CheckResult(
        "docs.readme",
        Status.WARNING,
        None,
        "no README at the project's root",
        f"printf '# {root.name}\\n' > {shlex.quote(str(root / 'README.md'))}",
    )


# [text](target "title") and ![alt](target); reference definitions "[x]: target".
_INLINE = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def broken_links(root: Path, files: list[str]) -> list[dict[str, Any]]:
    """Relative links in the markdown ``files`` whose target does not exist."""
    from urllib.parse import unquote

    broken: list[dict[str, Any]] = []
    for relative in files:
        path = root / relative
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        text = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        text = re.sub(r"`[^`\n]*`", "", text)
        targets = [(m.group(1), m.start()) for m in _INLINE.finditer(text)]
        targets += [(m.group(1), m.start()) for m in _REFERENCE.finditer(text)]
        for target, offset in targets:
            if target.startswith("#") or _SCHEME.match(target) or target.startswith("//"):
                continue
            clean = unquote(target.split("#", 1)[0].split("?", 1)[0])
            if not clean:
                continue
            resolved = root / clean.lstrip("/") if clean.startswith("/") else path.parent / clean
            if not resolved.exists():
                broken.append(
                    {"file": relative, "line": text.count("\n", 0, offset) + 1, "target": target}
                )
    return broken


def links_check(root: Path) -> CheckResult:
    """Relative links in the project's markdown (tracked and untracked, not ignored)."""
    try:
        files = vcs.list_files(root, "*.md", "*.markdown")
    except vcs.GitError:
        files = [str(p.relative_to(root)) for p in root.rglob("*.md") if ".git" not in p.parts]
    broken = broken_links(root, files)
    details = {"files": len(files), "broken": broken[:100]}
    if not broken:
        return CheckResult(
            "docs.links",
            Status.OK,
            0,
            f"no broken relative links in {len(files)} markdown files",
            None,
            details,
        )
    first = broken[0]
    return CheckResult(
        "docs.links",
        Status.WARNING,
        len(broken),
        f"{len(broken)} broken relative link(s), first {first['file']}:{first['line']} -> {first['target']}",
        f"grep -n -F {shlex.quote('(' + first['target'])} {shlex.quote(first['file'])}",
        details,
    )
