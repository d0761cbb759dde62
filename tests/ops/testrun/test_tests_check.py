"""The ``tests`` check of diagnose: the last recorded run."""

from __future__ import annotations

import sys

from trkit import git

from agentdeck.ops.checks import Status
from agentdeck.ops.checks_tests import checks, last_run_check
from agentdeck.ops.testrun import run_tests

PASSING = [sys.executable, "-c", "print('3 passed, 0 failed')"]
FAILING = [sys.executable, "-c", "print('2 passed, 1 failed'); raise SystemExit(1)"]


def test_no_run_then_failed_then_passed_then_stale(project, monkeypatch) -> None:
    [check] = checks(project)
    assert check.name == "tests"
    none = check.run()
    assert (none.status, none.message, none.fix) == (
        Status.WARNING,
        "no test run recorded",
        "agentdeck test run",
    )
    failed = run_tests(project, command=FAILING)
    result = last_run_check(project)
    assert result.status == Status.CRITICAL
    assert result.message == f"last test run #{failed.id} failed (2 passed, 1 failed, 0 errors)"
    assert result.fix == f"agentdeck test show {failed.id}"
    passed = run_tests(project, command=PASSING)
    ok = last_run_check(project)
    assert (ok.status, ok.message) == (
        Status.OK,
        f"last test run #{passed.id} passed (3 passed, 0 failed, 0 errors)",
    )
    (project.root / "new.txt").write_text("x\n")
    git(project.root, "add", "new.txt")
    git(project.root, "commit", "-q", "-m", "more")
    moved = last_run_check(project)
    assert moved.status == Status.WARNING
    assert "not on HEAD" in moved.message
    run_tests(project, command=PASSING)
    monkeypatch.setenv("AGENTDECK_NOW", "2099-01-01T00:00:00Z")
    old = last_run_check(project)
    assert old.status == Status.WARNING and "h ago (more than 24 h)" in old.message
