"""Alertmanager-style timelines: scripted check results over rounds give exactly the expected alerts.

The clock is the test's: each round is one minute later. Nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agentdeck.ops.checks import Check, CheckResult, Status
from agentdeck.ops.monitor import Monitor, MonitorSettings, history
from agentdeck.ops.monitor.alerts import AlertPolicy, CheckState, observe

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OK, WARN, CRIT, UNKN = Status.OK, Status.WARNING, Status.CRITICAL, Status.UNKNOWN


def play(
    script: list[Status], policy: AlertPolicy, step: timedelta = timedelta(minutes=1)
) -> list[tuple[int, str, str]]:
    """Feed ``script`` (one status per round) to one check; return (round, kind, status) events."""
    state = CheckState("api")
    incident_start = None
    out = []
    for number, status in enumerate(script):
        event = observe(
            state, status, f"round {number}", T0 + number * step, policy, incident_start
        )
        if event is None:
            continue
        if event.kind == "FIRING":
            incident_start = event.since
        if event.kind == "RESOLVED":
            incident_start = None
        out.append((number, event.kind, event.status.name))
    return out


def test_a_one_round_blip_under_debounce_never_alerts() -> None:
    assert play([OK, CRIT, OK, OK, WARN, OK, UNKN, OK], AlertPolicy(debounce=2)) == []


def test_a_lasting_failure_alerts_once_then_reminds_then_recovers_once() -> None:
    script = [OK, OK, CRIT, CRIT, CRIT, CRIT, CRIT, CRIT, CRIT, CRIT, OK, OK, OK, OK]
    events = play(script, AlertPolicy(debounce=2, reminder=timedelta(minutes=3)))
    assert events == [
        (3, "FIRING", "CRITICAL"),  # bad since round 2, held for 2 rounds
        (6, "REMINDER", "CRITICAL"),  # 3 minutes after the alert
        (9, "REMINDER", "CRITICAL"),
        (11, "RESOLVED", "OK"),  # good since round 10, held for 2 rounds
    ]


def test_no_reminders_when_turned_off() -> None:
    events = play([CRIT] * 20 + [OK] * 2, AlertPolicy(debounce=1, reminder=None))
    assert events == [(0, "FIRING", "CRITICAL"), (20, "RESOLVED", "OK")]


def test_a_change_between_bad_states_is_one_message() -> None:
    events = play(
        [WARN, WARN, WARN, CRIT, CRIT, CRIT, OK, OK], AlertPolicy(debounce=2, reminder=None)
    )
    assert events == [(1, "FIRING", "WARNING"), (4, "CHANGED", "CRITICAL"), (7, "RESOLVED", "OK")]


def test_flapping_under_debounce_stays_in_the_incident() -> None:
    script = [CRIT, CRIT, OK, CRIT, OK, CRIT, OK, OK]
    events = play(script, AlertPolicy(debounce=2, reminder=None))
    assert events == [(1, "FIRING", "CRITICAL"), (7, "RESOLVED", "OK")]


def test_a_reminder_waits_while_a_recovery_is_unconfirmed() -> None:
    # At round 4 the reminder is due, but the check is OK for one round (not yet confirmed).
    script = [CRIT, CRIT, CRIT, CRIT, OK, CRIT, CRIT]
    events = play(script, AlertPolicy(debounce=2, reminder=timedelta(minutes=3)))
    assert events == [(1, "FIRING", "CRITICAL"), (5, "REMINDER", "CRITICAL")]


def test_debounce_of_one_alerts_at_once() -> None:
    assert play([OK, CRIT, OK], AlertPolicy(debounce=1, reminder=None)) == [
        (1, "FIRING", "CRITICAL"),
        (2, "RESOLVED", "OK"),
    ]


def test_durations_and_titles() -> None:
    state = CheckState("service.api")
    policy = AlertPolicy(debounce=2, reminder=None)
    assert observe(state, CRIT, "refused", T0, policy) is None
    firing = observe(state, CRIT, "refused", T0 + timedelta(minutes=1), policy)
    assert firing is not None and firing.kind == "FIRING"
    assert firing.since == T0
    assert firing.title() == "CRITICAL service.api: refused"
    observe(state, OK, "200", T0 + timedelta(minutes=5), policy, T0)
    resolved = observe(state, OK, "200", T0 + timedelta(minutes=6), policy, T0)
    assert resolved is not None
    assert resolved.duration == timedelta(minutes=5)  # first bad round to first good round
    assert resolved.title() == "RESOLVED service.api after 5m 0s: 200"


# -- the same timeline through the monitor, its store and its notifiers ---------


class Recorder:
    """A notifier that keeps what it is given."""

    name = "recorder"
    timeout = 1.0

    def __init__(self) -> None:
        self.events: list[str] = []

    def send(self, event) -> None:  # type: ignore[no-untyped-def]
        self.events.append(f"{event.kind} {event.check} {event.status.name}")


class Script:
    """Checks whose statuses per round come from a table; the clock moves a minute a round."""

    def __init__(self, table: dict[str, list[Status]]) -> None:
        self.table = table
        self.round = 0
        self.now = T0

    def checks(self) -> list[Check]:
        number = self.round
        self.round += 1
        self.now = T0 + timedelta(minutes=number)
        return [
            Check(name, lambda n=name, s=statuses[number]: CheckResult(n, s, 1.0, f"{n} {s.name}"))
            for name, statuses in self.table.items()
        ]

    def monitor(self, ws, settings: MonitorSettings, *, echo=None, notifiers=()) -> Monitor:  # type: ignore[no-untyped-def]
        """A monitor of ``ws`` that runs these checks on this clock."""
        return Monitor(
            ws,
            settings,
            echo=echo or (lambda _: None),
            notifiers=list(notifiers),
            clock=lambda: self.now,
            checks=self.checks,
        )


def test_monitor_timeline_with_store_and_notifier(ws) -> None:
    table = {
        "disk": [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
        "service.api": [OK, CRIT, OK, CRIT, CRIT, CRIT, CRIT, CRIT, CRIT, OK, OK, OK],
    }
    script = Script(table)
    recorder = Recorder()
    lines: list[str] = []
    settings = MonitorSettings(interval=60, debounce=2, reminder_minutes=3)
    monitor = script.monitor(ws, settings, echo=lines.append, notifiers=[recorder])
    for _ in range(12):
        monitor.run_round()
        assert monitor.dispatcher.wait(5)
    assert recorder.events == [
        "FIRING service.api CRITICAL",  # round 4: bad since round 3, held 2 rounds
        "REMINDER service.api CRITICAL",  # round 7: 3 minutes later
        "RESOLVED service.api OK",  # round 10 (index), good since round 9
    ]
    alerts = [line.strip() for line in lines if not line.startswith("round ")]
    assert alerts == [
        "ALERT CRITICAL service.api: service.api CRITICAL",
        "ALERT STILL CRITICAL service.api for 4m 0s: service.api CRITICAL",  # bad since 09:03
        "RESOLVED service.api after 6m 0s: service.api OK",
    ]
    now = T0 + timedelta(minutes=11)
    incidents = history.incidents(ws.store, None, now)
    assert [(i.check, i.status, i.duration_seconds, i.reminders) for i in incidents] == [
        ("service.api", "CRITICAL", 360.0, 1)
    ]
    assert incidents[0].started_at.startswith("2026-03-01T09:03:00")
    assert incidents[0].ended_at and incidents[0].ended_at.startswith("2026-03-01T09:09:00")
    summary = {c.name: c for c in history.report(ws.store, None, now).checks}
    assert summary["disk"].ok_share == 1.0
    assert summary["service.api"].ok == 5 and summary["service.api"].rounds == 12


def test_a_restarted_monitor_keeps_its_alert_state(ws) -> None:
    table = {"service.api": [CRIT] * 6}
    script = Script(table)
    first = Recorder()
    settings = MonitorSettings(interval=60, debounce=2, reminder_minutes=0)
    one = script.monitor(ws, settings, notifiers=[first])
    for _ in range(3):
        one.run_round()
    one.dispatcher.wait(5)
    assert first.events == ["FIRING service.api CRITICAL"]
    second = Recorder()
    two = script.monitor(ws, settings, notifiers=[second])
    for _ in range(3):
        two.run_round()
    two.dispatcher.wait(5)
    assert second.events == []  # still the same incident: no second alert


@pytest.mark.parametrize(("keep_rounds", "kept"), [(3, 3), (0, 7)])
def test_retention_keeps_the_last_rounds(ws, keep_rounds: int, kept: int) -> None:
    script = Script({"disk": [OK] * 7})
    settings = MonitorSettings(interval=60, keep_rounds=keep_rounds, keep_days=0)
    monitor = script.monitor(ws, settings)
    for _ in range(7):
        monitor.run_round()
    assert ws.store.query_value("SELECT count(*) FROM monitor_rounds") == kept
    assert ws.store.query_value("SELECT count(*) FROM monitor_results") == kept
    assert history.latest_round(ws.store).num == 7


def test_retention_by_age(ws) -> None:
    script = Script({"disk": [OK] * 5})
    # One round a minute: keep_days of 2.5 minutes keeps the rounds of the last 2.5 minutes.
    settings = MonitorSettings(interval=60, keep_rounds=0, keep_days=2.5 / 1440)
    monitor = script.monitor(ws, settings)
    for _ in range(5):
        monitor.run_round()
    assert ws.store.query_value("SELECT count(*) FROM monitor_rounds") == 3


def test_a_round_whose_store_write_fails_is_reported_and_the_loop_goes_on(
    ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from agentdeck.errors import StoreError

    script = Script({"service.api": [CRIT] * 6})
    recorder = Recorder()
    lines: list[str] = []
    settings = MonitorSettings(interval=0.01, debounce=2, reminder_minutes=0)
    monitor = script.monitor(ws, settings, echo=lines.append, notifiers=[recorder])
    real = history.save_round
    calls = []

    def flaky_save(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:  # the round that would alert
            raise StoreError("the database stayed locked by another writer for 30s")
        return real(*args, **kwargs)

    monkeypatch.setattr(history, "save_round", flaky_save)
    done = monitor.run(threading.Event(), rounds=4, wait=lambda _: False)
    assert done == 4
    assert (
        "round failed: the database stayed locked by another writer for 30s; retrying in 0.01s"
        in lines
    )
    # The failed round's alert was not lost: it fired on the next round that was kept.
    assert recorder.events == ["FIRING service.api CRITICAL"]
    assert ws.store.query_value("SELECT count(*) FROM monitor_rounds") == 3


def test_values_round_trip_exactly(ws) -> None:
    script = Script({})
    monitor = Monitor(
        ws,
        MonitorSettings(interval=60),
        echo=lambda _: None,
        clock=lambda: script.now,
        checks=lambda: [Check("disk", lambda: CheckResult("disk", OK, 24.2, "24.2% used"))],
    )
    monitor.run_round()
    latest = history.latest_round(ws.store)
    assert latest is not None and latest.results[0]["value"] == 24.2
