"""The health path stays light: no httpx unless an HTTP service is checked; lazy command modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from health_helpers import append_config, readings_file


def imported_after(root: Path, env_file: Path, *args: str) -> set[str]:
    code = (
        "import sys\n"
        "from agentdeck.cli._app import run\n"
        f"code = run({list(args)!r})\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        env={"AGENTDECK_READINGS": str(env_file), "PATH": "/usr/bin:/bin", "HOME": str(root)},
    )
    line = next(x for x in proc.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


def test_importing_the_cli_loads_no_health_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, agentdeck.cli._app; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
    )
    loaded = set(proc.stdout.split())
    assert not {m for m in loaded if m.startswith("agentdeck.ops")}
    assert not loaded & {"httpx", "psutil", "packaging", "smtplib"}


def test_health_without_http_services_never_imports_httpx(ws, tmp_path: Path) -> None:
    env_file = readings_file(tmp_path / "r.json")
    loaded = imported_after(ws.root, env_file, "health", "--json")
    assert "agentdeck.ops.checks_host" in loaded
    assert "httpx" not in loaded and "smtplib" not in loaded


def test_httpx_is_imported_when_an_http_service_is_checked(ws, tmp_path: Path) -> None:
    append_config(
        ws.root, '[[services]]\nname = "web"\nurl = "http://127.0.0.1:9/"\ntimeout = 0.5\n'
    )
    loaded = imported_after(ws.root, readings_file(tmp_path / "r.json"), "health", "--json")
    assert "httpx" in loaded
