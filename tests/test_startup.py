"""The start-up path stays light: agents run the CLI hundreds of times a session."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "psycopg",
    "jinja2",
    "rich",
    "httpx",
    "cryptography",
    "zstandard",
    "psutil",
    "ftfy",
    "sqlalchemy",
    "fastapi",
    "starlette",
    "uvicorn",
    "mcp",
    "aiohttp",
    "pydantic",
)


def loaded_modules(code: str, cwd: str | None = None) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_importing_the_cli_loads_no_driver_template_web_or_mcp_code() -> None:
    modules = loaded_modules("import agentdeck.cli, agentdeck.cli._app")
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_version_does_not_import_click() -> None:
    code = "import sys\nsys.argv=['agentdeck','--version']\nfrom agentdeck.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
    modules = loaded_modules(code)
    assert "click" not in modules and "sqlite3" not in modules


def test_a_read_command_on_sqlite_loads_only_sqlite3(ws) -> None:  # type: ignore[no-untyped-def]
    if ws.database_url:
        return  # this guard is about the SQLite default
    code = "from agentdeck.cli._app import run\nrun(['task', 'list', '--json'])\nrun(['next', '--explain'])"
    modules = loaded_modules(code, cwd=str(ws.root))
    assert "sqlite3" in modules
    assert not modules & set(HEAVY), modules & set(HEAVY)
