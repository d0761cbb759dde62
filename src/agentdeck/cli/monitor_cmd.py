"""``agentdeck monitor``: start the monitor, ask whether it runs, report on its history."""

from __future__ import annotations

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace, table
from agentdeck.errors import InvalidInput
from agentdeck.workspace import Workspace


@click.group()
def monitor() -> None:
    """Run checks on an interval; alert on state changes; report on the history."""


# ignore_unknown_options: a negative INTERVAL ("-5") reaches the check below
# instead of being taken for an option.
@monitor.command("start", context_settings={"ignore_unknown_options": True})
@click.argument("interval", required=False, type=float)
@click.option("--rounds", type=click.IntRange(1), help="Stop after this many rounds.")
@click.option("--quiet", "-q", is_flag=True, help="Print only alerts and notifier errors.")
@pass_workspace
def start(ws: Workspace, interval: float | None, rounds: int | None, quiet: bool) -> None:
    """Run the checks every INTERVAL seconds, in the foreground.

    INTERVAL defaults to [monitor] interval.
    Each round is kept in the store ([monitor] keep_rounds / keep_days).
    Alerts go to this output and to [notify.webhook] / [notify.email] when a
    check's status holds for [monitor] debounce rounds, with reminders every
    reminder_minutes while it stays bad. SIGINT or SIGTERM stops it after the
    current round. Only one monitor runs per workspace (exit 4 otherwise).
    """
    import signal
    import threading

    from agentdeck.ops.monitor import Monitor, MonitorLock, MonitorSettings, stop_on_signal
    from agentdeck.ops.notify import from_config

    if interval is not None and not interval > 0:
        raise InvalidInput(
            f"INTERVAL must be a positive number of seconds, not {interval:g}",
            hint="e.g. `agentdeck monitor start 60`",
        )
    settings = MonitorSettings.from_config(ws.config.section("monitor"), interval)
    notifiers = from_config(ws.config)
    stop = threading.Event()

    def echo(line: str) -> None:
        click.echo(line)

    with MonitorLock(ws.state_dir, settings.interval):
        ws.store  # noqa: B018  (open and upgrade the store before the first round)

        on_signal = stop_on_signal(stop, lambda line: click.echo(line, err=True))
        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            channels = ", ".join(["console", *(n.name for n in notifiers)])
            click.echo(
                f"monitor: every {settings.interval:g}s, scopes {', '.join(settings.scopes)}, "
                f"debounce {settings.debounce} rounds, alerts to {channels}"
            )
            mon = Monitor(ws, settings, echo=echo, notifiers=notifiers, quiet=quiet)
            done = mon.run(stop, rounds=rounds)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    click.echo(f"monitor: stopped after {done} round{'s' if done != 1 else ''}")


@monitor.command("status")
@json_option
@pass_workspace
def status(ws: Workspace, as_json: bool) -> None:
    """Whether a monitor runs here; its latest round.

    Also lists the open incidents.
    """
    from agentdeck.cli._checks_view import MARKS
    from agentdeck.ops.monitor import status as core_status

    data = core_status(ws)
    if as_json:
        emit_json(data)
        return
    info = data["monitor"]
    if info["running"]:
        click.echo(
            f"monitor: running (pid {info['pid']} on {info['host']}, every {info['interval']:g}s, "
            f"since {info['started_at']})"
        )
    else:
        click.echo("monitor: not running (start it with `agentdeck monitor start`)")
    latest = data["latest_round"]
    if latest is None:
        click.echo("no rounds recorded yet")
    else:
        click.echo(f"latest round {latest['round']} at {latest['started_at']}: {latest['status']}")
        table(
            ("  STATUS", "CHECK", "MESSAGE"),
            [(f"  {MARKS[r['status']]}", r["name"], r["message"]) for r in latest["results"]],
            flex=2,
        )
    for incident in data["open_incidents"]:
        click.echo(
            f"open incident: {incident['check']} {incident['status']} since "
            f"{incident['started_at']}: {incident['message']}"
        )


@monitor.command("report")
@click.option("--since", help="Only rounds since then: 24h, 7d, 2w, a date or timestamp.")
@json_option
@pass_workspace
def report(ws: Workspace, since: str | None, as_json: bool) -> None:
    """Share of rounds OK, trends and incidents.

    Per check: the share of rounds OK, value min/avg/max and trend; incidents
    with start, end and duration.
    """
    from agentdeck import clock
    from agentdeck.ops.monitor import history
    from agentdeck.ops.monitor.alerts import human_duration

    start = None
    if since:
        try:
            start = clock.parse_when(since)
        except ValueError as err:
            raise InvalidInput(str(err)) from None
    data = history.report(ws.store, start, clock.now())
    if as_json:
        emit_json(data.to_dict())
        return
    if not data.rounds:
        click.echo(
            "no rounds recorded"
            + (f" since {since}" if since else "")
            + "; start one with `agentdeck monitor start`"
        )
        return
    click.echo(f"{data.rounds} rounds from {data.first_round} to {data.last_round}")
    rows = []
    for c in data.checks:
        values = ""
        if c.values:
            values = f"{c.values['min']:g} / {c.values['avg']:g} / {c.values['max']:g}"
        rows.append(
            (c.name, f"{100 * c.ok_share:.1f}%", c.rounds, c.last_status, values, c.trend or "")
        )
    table(("CHECK", "OK", "ROUNDS", "LAST", "MIN / AVG / MAX", "TREND"), rows)
    if not data.incidents:
        click.echo("\nno incidents")
        return
    click.echo("\nincidents:")
    from datetime import timedelta

    table(
        ("CHECK", "STATUS", "START", "END", "DURATION", "MESSAGE"),
        [
            (
                i.check,
                i.status,
                i.started_at[:19].replace("T", " "),
                (i.ended_at or "ongoing")[:19].replace("T", " "),
                human_duration(timedelta(seconds=i.duration_seconds)),
                i.message,
            )
            for i in data.incidents
        ],
        flex=5,
    )


@monitor.command("notify-test")
@json_option
@pass_workspace
def notify_test(ws: Workspace, as_json: bool) -> int:
    """Send a test alert to every configured notifier.

    Says which notifiers worked.
    Exits 1 when a notifier failed, 3 when none is configured.
    """
    from agentdeck import clock
    from agentdeck.errors import NotFound
    from agentdeck.ops.notify import from_config, send_test

    notifiers = from_config(ws.config)
    if not notifiers:
        raise NotFound(
            "no notifier configured",
            hint="set [notify.webhook] url or [notify.email] to in agentdeck.toml",
        )
    outcome = send_test(notifiers, clock.now())
    if as_json:
        emit_json(outcome)
    else:
        for item in outcome:
            click.echo(
                f"{item['notifier']}: " + ("sent" if item["ok"] else f"FAILED: {item['error']}")
            )
    return 0 if all(item["ok"] for item in outcome) else 1
