"""The session commands stay light to import: agents run them hundreds of times."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("jinja2", "psycopg", "rich", "agentdeck.sessions.lifecycle", "agentdeck.notes.render")


def test_command_modules_import_nothing_heavy() -> None:
    code = (
        "import sys, agentdeck.cli._app, agentdeck.cli.session_cmd, agentdeck.cli.handoff_cmd\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_status_does_not_load_templates(ws, deck) -> None:
    assert deck("session", "status").code == 0
    code = (
        "import sys\nfrom agentdeck.cli._app import run\nrun(['session', 'status', '--json'])\n"
        "print('jinja2' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ws.root)
    assert out.stderr.strip().endswith("False"), out.stderr
