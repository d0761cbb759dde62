"""Check provider: the last recorded test run (diagnose).

OK when the last run passed, is recent and ran on the current commit;
WARNING when there is no run yet, the last one is older than
``[tests] max_age_hours``, or it ran on another commit; CRITICAL when it
failed, errored, timed out or its command was not found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentdeck.ops.checks import Check, CheckResult, Status

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace


def checks(ws: Workspace) -> list[Check]:
    return [Check("tests", lambda: last_run_check(ws), timeout=5.0)]


def last_run_check(ws: Workspace) -> CheckResult:
    """Judge the most recent recorded test run."""
    from agentdeck import clock, vcs
    from agentdeck.ops.testrun import last_run

    run = last_run(ws.store)
    if run is None:
        return CheckResult(
            "tests",
            Status.WARNING,
            None,
            "no test run recorded",
            fix="agentdeck test run",
        )
    age_s = (clock.now() - clock.parse_timestamp(run.finished_at or run.started_at)).total_seconds()
    value = {
        "run": run.id,
        "status": run.status,
        "age_s": round(age_s, 1),
        "passed": run.passed,
        "failed": run.failed,
        "errors": run.errors,
        "commit": run.commit,
    }
    counts = f"{run.passed} passed, {run.failed} failed, {run.errors} errors"
    if run.status != "passed":
        what = {
            "failed": f"last test run #{run.id} failed ({counts})",
            "error": f"last test run #{run.id} errored: {run.message or 'see test show'}",
            "timeout": f"last test run #{run.id} timed out: {run.message}",
            "not_found": f"last test run #{run.id}: {run.message}",
        }.get(run.status, f"last test run #{run.id}: {run.status}")
        return CheckResult(
            "tests", Status.CRITICAL, value, what, fix=f"agentdeck test show {run.id}"
        )
    limit_h = float(ws.config.get("tests", "max_age_hours"))
    try:
        head = vcs.head(ws.root) if vcs.is_repository(ws.root) else None
    except vcs.GitError:
        head = None
    if head and run.commit and head != run.commit:
        return CheckResult(
            "tests",
            Status.WARNING,
            value,
            f"last test run #{run.id} passed on {run.commit[:10]}, not on HEAD {head[:10]}",
            fix="agentdeck test run",
        )
    if limit_h and age_s > limit_h * 3600:
        return CheckResult(
            "tests",
            Status.WARNING,
            value,
            f"last test run #{run.id} passed {age_s / 3600:.1f} h ago (more than {limit_h:g} h)",
            fix="agentdeck test run",
        )
    return CheckResult("tests", Status.OK, value, f"last test run #{run.id} passed ({counts})")
