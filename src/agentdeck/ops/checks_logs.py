"""Check provider: new errors in the configured logs since the last check (diagnose).

Reads ``[logs] paths`` from where the consumer ``checks`` stopped last time
(so diagnose and the monitor, which share these checks, report each error
once) and moves that cursor on. OK when nothing new reaches error level;
WARNING for new errors; CRITICAL for new critical events; OK with a note when
no log file exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentdeck.ops.checks import Check, CheckResult, Status

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

CONSUMER = "checks"


def checks(ws: Workspace) -> list[Check]:
    return [Check("logs", lambda: new_errors_check(ws), timeout=60.0, slow=True)]


def new_errors_check(ws: Workspace) -> CheckResult:
    """Count the errors written to the logs since this check last ran."""
    from agentdeck.errors import NotFound
    from agentdeck.ops.logs import find_errors
    from agentdeck.ops.logs.formats import CRITICAL, ERROR, WARNING

    try:
        report = find_errors(ws, min_level=WARNING, new_only=True, consumer=CONSUMER)
    except NotFound as err:
        return CheckResult("logs", Status.OK, {"files": 0}, f"no log file to read ({err.message})")
    errors = [g for g in report.groups if g.level >= ERROR]
    critical = sum(g.count for g in report.groups if g.level >= CRITICAL)
    unreadable = [f.path for f in report.files if f.status == "error"] + [
        p.path for p in report.problems
    ]
    value = {
        "errors": report.errors,
        "warnings": report.warnings,
        "critical": critical,
        "groups": len(errors),
        "files": len(report.files),
        "unreadable": unreadable,
    }
    details = {"groups": [g.to_dict() for g in errors[:5]]}
    if not errors:
        message = f"no new errors in {len(report.files)} log file(s)"
        if report.warnings:
            message += f" ({report.warnings} new warning(s))"
        if unreadable:
            message += f"; cannot read {', '.join(unreadable)}"
        return CheckResult("logs", Status.OK, value, message, details=details)
    top = errors[0]
    message = (
        f"{report.errors} new error(s) in {len(errors)} group(s) since the last check; "
        f"most frequent: {top.shape} (x{top.count})"
    )
    status = Status.CRITICAL if critical else Status.WARNING
    return CheckResult(
        "logs", status, value, message, fix="agentdeck logs errors --level error", details=details
    )
