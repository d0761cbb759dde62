"""The logs, test and inventory commands stay cheap to load: their core loads when they run."""

from __future__ import annotations

import subprocess
import sys


def test_command_modules_do_not_import_their_core() -> None:
    code = (
        "import sys\n"
        "import agentdeck.cli.logs_cmd, agentdeck.cli.testrun_cmd, agentdeck.cli.inventory_cmd\n"
        "heavy = ('agentdeck.ops.logs', 'agentdeck.ops.testrun', 'agentdeck.ops.inventory',"
        " 'psycopg', 'xml', 'gzip', 'concurrent')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_the_commands(deck) -> None:
    result = deck("--help")
    for line in (
        "logs       Errors in the logs grouped by shape; search; tail.",
        "test       Run the tests and record them; history; flaky tests.",
        "inventory  Parts of the repository nothing uses.",
    ):
        assert line in result.out
    for group in (("logs", "--help"), ("test", "--help"), ("inventory", "--help")):
        assert deck(*group).code == 0
