"""``agentdeck status``: backlog, sessions, last health round, monitor, backup, tests."""

from __future__ import annotations

from typing import Any

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.workspace import Workspace


def _when(text: str | None) -> str:
    return text[:19].replace("T", " ") + " UTC" if text else "?"


def _other(part: dict[str, Any], describe: Any) -> str:
    if part["error"]:
        return f"unknown ({part['error']})"
    if part["latest"] is None:
        return "none yet"
    return describe(part["latest"])


def _size(count: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000  # type: ignore[assignment]
    raise AssertionError  # pragma: no cover


def _describe_backup(data: dict[str, Any]) -> str:
    """``20261121-120000-ab12 (all, 1.2 MB) at 2026-11-21 12:00:00 UTC, verified``."""
    if data.get("verify_ok") is None:
        proof = "never verified"
    elif data["verify_ok"]:
        proof = "verified"
    else:
        proof = "VERIFY FAILED"
    line = f"{data['id']} ({data['type']}, {_size(data.get('bytes') or 0)}) at {_when(data['created_at'])}, {proof}"
    if data.get("suspicious"):
        line += f"; suspicious: {data['suspicious']}"
    return line


def _describe_tests(data: dict[str, Any]) -> str:
    """``#3 passed: 10 passed, 0 failed, 0 errors, 1 skipped at 2026-11-21 12:00:00 UTC``."""
    counts = ", ".join(f"{data[k]} {k}" for k in ("passed", "failed", "errors", "skipped"))
    return f"#{data['id']} {data['status']}: {counts} at {_when(data['finished_at'] or data['started_at'])}"


@click.command("status")
@json_option
@pass_workspace
def status(ws: Workspace, as_json: bool) -> None:
    """One screen: backlog counts, open sessions, last health round, monitor, backup, tests."""
    from agentdeck.ops.status import overview

    view = overview(ws)
    if as_json:
        emit_json(view.to_dict())
        return
    backlog = view.backlog
    by = backlog["by_status"]
    click.echo(
        f"backlog:   {backlog['open']} open ({by['todo']} todo, {by['in_progress']} in progress, "
        f"{by['blocked']} blocked, {by['review']} in review), {by['done']} done, "
        f"{backlog['archived']} archived"
    )
    sessions = view.sessions
    line = f"sessions:  {sessions['open']} open"
    if sessions["list"]:
        line += ": " + ", ".join(f"{s['id']} ({s['agent'] or '?'})" for s in sessions["list"][:3])
    click.echo(line)
    mon = view.monitor
    if mon["running"]:
        click.echo(f"monitor:   running (pid {mon['pid']}, every {mon['interval']:g}s)")
    else:
        click.echo("monitor:   not running")
    health = view.health
    if health is None:
        click.echo("health:    no round recorded (run `agentdeck monitor start`)")
    else:
        problems = ", ".join(f"{p['name']} {p['status']}" for p in health["problems"][:4])
        click.echo(
            f"health:    {health['status']} at {_when(health['started_at'])} (round {health['round']})"
            + (f": {problems}" if problems else "")
        )
    click.echo(f"backup:    {_other(view.backup, _describe_backup)}")
    click.echo(f"tests:     {_other(view.tests, _describe_tests)}")
