"""``verify --run-tests``: "tests passing" checked by running the project's test command.

The runner is issue 7's ``agentdeck.ops.testrun``; until it is merged the
test that runs it skips, saying so.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agentdeck.notes.verify import verify_report
from workspace_helpers import set_config

REPORT = (
    "# Report\n\n**Date:** 2025-06-10\n\n## Work Completed\n- Parser done; all 2 tests passing\n"
)


def _configure_test_command(root: Path, command: str) -> None:
    """Point the workspace's test command ([tests] command) at ``command``."""
    set_config(root, "tests", command=command)


@pytest.mark.parametrize(("failing", "verdict"), [(False, "confirmed"), (True, "contradicted")])
def test_run_tests_checks_the_claim(
    repo: Path, monkeypatch: pytest.MonkeyPatch, failing: bool, verdict: str
) -> None:
    from agentdeck.workspace import init_workspace, open_workspace

    monkeypatch.chdir(repo)
    (repo / "test_sample.py").write_text(
        f"def test_one():\n    assert True\n\ndef test_two():\n    assert {not failing}\n"
    )
    init_workspace(repo)
    _configure_test_command(
        repo, f"{sys.executable} -m pytest -q -p no:cacheprovider test_sample.py"
    )
    ws = open_workspace(repo)
    try:
        result = verify_report(REPORT, workspace=ws, run_tests=True)
    finally:
        ws.close()
    (claim,) = [c for c in result.claims if c.kind == "tests"]
    assert claim.status == verdict, (claim.to_dict(), result.tests_run)
    assert result.tests_run is not None
