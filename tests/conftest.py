"""Shared fixtures.

* Every test runs with a clean environment (no ``AGENTDECK_*`` from the
  developer's shell), a temporary HOME and a fixed agent name, so no test
  touches a real workspace (llm's ``LLM_USER_PATH`` pattern).
* ``backend`` parametrizes a test over SQLite and PostgreSQL. PostgreSQL comes
  from ``AGENTDECK_TEST_DATABASE_URL`` (CI sets it), else the local server if
  one answers; otherwise those tests skip with the reason shown. Each test
  gets its own PostgreSQL schema, so parallel workers never share tables.
* ``ws`` is an initialised workspace in a temporary git repository on that
  backend; ``deck`` runs the CLI in-process; ``deck_proc`` runs the real
  installed entry point in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from workspace_helpers import git

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
ENTRY_POINT = Path(sys.executable).with_name("agentdeck")


def _pg_base_url() -> tuple[str | None, str]:
    url = os.environ.get("AGENTDECK_TEST_DATABASE_URL")
    explicit = bool(url)
    url = url or DEFAULT_PG_URL
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as err:
        if explicit:
            # CI promised a server: failing loudly beats skipping silently.
            raise RuntimeError(f"AGENTDECK_TEST_DATABASE_URL={url} does not answer: {err}") from err
        return (
            None,
            f"no PostgreSQL: AGENTDECK_TEST_DATABASE_URL unset and {url} does not answer ({err})",
        )
    return url, ""


_PG = _pg_base_url()


def pg_url_or_skip() -> str:
    """The base PostgreSQL URL, or skip the test saying why."""
    url, reason = _PG
    if url is None:
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections see only a fresh, private schema (dropped afterwards)."""
    import psycopg

    base = pg_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(autouse=True)
def clean_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AGENTDECK_") and name != "AGENTDECK_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The database URL of the backend under test ("" means the SQLite default)."""
    if request.param == "sqlite":
        return ""
    url = request.getfixturevalue("pg_schema_url")
    monkeypatch.setenv("AGENTDECK_DATABASE_URL", url)
    return url


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository with one commit."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# test repo\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def ws(repo: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """An initialised workspace at ``repo`` on the backend under test; cwd is the repo."""
    from agentdeck.workspace import init_workspace, open_workspace

    monkeypatch.chdir(repo)
    init_workspace(repo)
    workspace = open_workspace(repo)
    yield workspace
    workspace.close()


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def deck(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the CLI in-process: ``deck("task", "list")`` -> Result(code, out, err).

    Through ``dispatch``, as the entry point runs it: plain backlog calls take
    the click-free fast path, everything else the click application.
    """
    from agentdeck.cli import dispatch

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = dispatch(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def deck_proc():  # type: ignore[no-untyped-def]
    """Run the installed ``agentdeck`` entry point in a subprocess (cwd, env as given)."""

    def invoke(
        *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60
    ) -> Result:
        exe = str(ENTRY_POINT) if ENTRY_POINT.exists() else shutil.which("agentdeck")
        assert exe, "the agentdeck entry point is not installed"
        proc = subprocess.run(
            [exe, *args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return invoke
