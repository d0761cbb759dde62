"""The ``logs`` check of diagnose: only errors written since the last check."""

from __future__ import annotations

from logkit import put

from agentdeck.ops.checks import Status
from agentdeck.ops.checks_logs import checks, new_errors_check


def test_check_reports_new_errors_once(ws) -> None:
    [check] = checks(ws)
    assert (check.name, check.scopes) == ("logs", frozenset({"diagnose"}))
    first = check.run()
    assert (first.status, first.message) == (
        Status.OK,
        "no log file to read (no log files match *.log, logs/*.log, log/*.log)",
    )
    log = put(ws.root, "logs/app.log", "python.log")
    found = new_errors_check(ws)
    assert found.status == Status.CRITICAL  # the fixture holds a CRITICAL record
    assert found.value["errors"] == 4 and found.value["critical"] == 1
    assert found.message.startswith(
        "4 new error(s) in 3 group(s) since the last check; most frequent:"
    )
    assert found.fix == "agentdeck logs errors --level error"
    quiet = new_errors_check(ws)
    assert (quiet.status, quiet.message) == (Status.OK, "no new errors in 1 log file(s)")
    with log.open("a") as handle:
        handle.write("2026-11-20 12:00:00,000 ERROR app: payment 12 failed\n")
        handle.write("2026-11-20 12:00:01,000 WARNING app: slow 3\n")
    again = new_errors_check(ws)
    assert again.status == Status.WARNING
    assert again.message == (
        "1 new error(s) in 1 group(s) since the last check; most frequent: app: payment <num> failed (x1)"
    )
    assert again.details["groups"][0]["count"] == 1
