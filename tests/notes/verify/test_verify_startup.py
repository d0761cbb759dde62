"""``agentdeck verify`` does not load what only a repository or a test run needs."""

from __future__ import annotations

import subprocess
import sys


def test_verify_imports_no_git_or_test_run_code() -> None:
    code = (
        "import sys, agentdeck.cli.verify_cmd, agentdeck.notes.verify\n"
        "print(sorted(m for m in ('agentdeck.vcs', 'agentdeck.ops.testrun') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
