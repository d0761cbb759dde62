"""``agentdeck logs …``: errors grouped by shape, search, tail."""

from __future__ import annotations

import json
import sys

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace, table
from agentdeck.errors import InvalidInput
from agentdeck.workspace import Workspace

LEVELS = ("debug", "info", "warning", "error", "critical")

path_option = click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="GLOB",
    help="Read these files instead of [logs] paths (repeat).",
)
since_option = click.option(
    "--since",
    metavar="WHEN",
    help="Only events since then: 2h, 7d, today, 2026-11-21, an ISO time.",
)


def _level(value: str | None) -> int | None:
    from agentdeck.ops.logs.formats import level_value

    if value is None:
        return None
    try:
        return level_value(value)
    except ValueError as err:
        raise InvalidInput(str(err)) from None


def _short_time(text: str | None) -> str:
    return text[:19].replace("T", " ") if text else "-"


def _problems(problems: list[dict[str, str]], unmatched: list[str], files: list[dict]) -> None:
    for pattern in unmatched:
        click.echo(f"note: {pattern} matches no file", err=True)
    _files_and_problems(problems, files)


def _files_and_problems(problems: list[dict[str, str]], files: list[dict]) -> None:
    for problem in problems:
        click.echo(f"note: {problem['path']}: {problem['message']}", err=True)

    for file in files:
        if file["status"] in ("binary", "error") or file["long_lines"]:
            click.echo(f"note: {file['path']}: {file['note']}", err=True)


@click.group()
def logs() -> None:
    """Find errors in the project's logs, search them, follow them."""


@logs.command("errors")
@since_option
@path_option
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    help="Lowest level reported (default: [logs] level, warning).",
)
@click.option(
    "--new",
    "new_only",
    is_flag=True,
    help="Only what was written since the last `logs errors --new`, and remember where it stopped.",
)
@click.option("-n", "--limit", type=int, default=20, show_default=True, help="Groups shown.")
@click.option("--examples", is_flag=True, help="Print one full example under each group.")
@json_option
@pass_workspace
def errors(
    ws: Workspace,
    since: str | None,
    paths: tuple[str, ...],
    level: str | None,
    new_only: bool,
    limit: int,
    examples: bool,
    as_json: bool,
) -> None:
    """Warnings and errors of the logs, grouped by message shape.

    Numbers, hex, UUIDs, IP addresses, paths and quoted values are masked, so
    each group is one kind of problem: with its count, first and last time
    seen, and its most recent example (a traceback is part of its event).
    """
    from agentdeck.ops.logs import find_errors, parse_since

    report = find_errors(
        ws,
        paths=paths or None,
        since=parse_since(since),
        min_level=_level(level),
        new_only=new_only,
    )
    data = report.to_dict()
    if as_json:
        emit_json(data)
        return
    totals = data["totals"]
    scope = " new" if new_only else ""
    click.echo(
        f"{totals['errors']}{scope} error(s) and {totals['warnings']} warning(s) in "
        f"{totals['groups']} group(s), {totals['files']} file(s), "
        f"{totals['bytes'] / 1e6:.1f} MB read"
    )
    if data["groups"]:
        rows = []
        for group in data["groups"][:limit]:
            what = group["shape"]
            if group["exception"]:
                what += f" | {group['exception']}"
            rows.append(
                (
                    group["level"].upper(),
                    group["count"],
                    _short_time(group["first_seen"]),
                    _short_time(group["last_seen"]),
                    what,
                )
            )
        click.echo()
        table(("LEVEL", "COUNT", "FIRST SEEN", "LAST SEEN", "MESSAGE SHAPE"), rows, flex=4)
        hidden = len(data["groups"]) - limit
        if hidden > 0:
            click.echo(f"... and {hidden} more group(s) (--limit, or --json for all)")
        if examples:
            for group in data["groups"][:limit]:
                example = group["example"]
                if example:
                    click.echo(
                        f"\n-- {group['level'].upper()} x{group['count']}: {example['path']}:{example['line']}"
                    )
                    click.echo(example["text"])
    _problems(data["problems"], _unmatched(ws, paths, data["unmatched"]), data["files"])


def _unmatched(ws: Workspace, paths: tuple[str, ...], unmatched: list[str]) -> list[str]:
    """Globs worth a note: those the user gave, not the defaults that found nothing."""
    from agentdeck.config import SCHEMA

    default = SCHEMA["logs"].keys["paths"].default
    if not paths and list(ws.config.get("logs", "paths")) == default:
        return []
    return unmatched


def _print_event(data: dict, with_path: bool = True) -> None:
    lines = data["text"].splitlines() or [""]
    where = f"{data['path']}:{data['line']}: " if with_path else ""
    click.echo(where + lines[0])
    for line in lines[1:]:
        click.echo("    " + line)


@logs.command("search")
@click.argument("pattern")
@since_option
@path_option
@click.option("--level", type=click.Choice(LEVELS), help="Only events at this level or above.")
@click.option("-i", "--ignore-case", is_flag=True, help="Match regardless of case.")
@click.option("-n", "--limit", type=int, default=100, show_default=True, help="At most this many.")
@json_option
@pass_workspace
def search_cmd(
    ws: Workspace,
    pattern: str,
    since: str | None,
    paths: tuple[str, ...],
    level: str | None,
    ignore_case: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Events whose text matches the regex PATTERN (whole events: tracebacks included)."""
    from agentdeck.ops.logs import parse_since, search

    result = search(
        ws,
        pattern,
        paths=paths or None,
        since=parse_since(since),
        min_level=_level(level) or 0,
        ignore_case=ignore_case,
        limit=limit,
    )
    data = result.to_dict()
    if as_json:
        emit_json(data)
        return
    for event in data["events"]:
        _print_event(event)
    if not data["events"]:
        click.echo("No event matches.")
    elif result.truncated:
        click.echo(f"... stopped after {limit} events (--limit)")
    _problems(data["problems"], _unmatched(ws, paths, data["unmatched"]), data["files"])


@logs.command("tail")
@path_option
@click.option("--level", type=click.Choice(LEVELS), help="Only events at this level or above.")
@click.option("--grep", "pattern", metavar="REGEX", help="Only events whose text matches.")
@click.option("-i", "--ignore-case", is_flag=True, help="--grep regardless of case.")
@click.option(
    "-n",
    "--lines",
    "last",
    type=int,
    default=10,
    show_default=True,
    help="Recent events shown first.",
)
@click.option("--follow/--no-follow", default=True, help="Keep printing new events (Ctrl-C stops).")
@click.option(
    "--interval", type=float, default=0.5, show_default=True, help="Seconds between looks."
)
@json_option
@pass_workspace
def tail_cmd(
    ws: Workspace,
    paths: tuple[str, ...],
    level: str | None,
    pattern: str | None,
    ignore_case: bool,
    last: int,
    follow: bool,
    interval: float,
    as_json: bool,
) -> None:
    """Print the last events of the logs, then new ones as they are written (rotation followed).

    --json prints one JSON object per line (JSON lines).
    """
    from agentdeck.ops.logs import event_dict, tail

    events = tail(
        ws,
        paths=paths or None,
        min_level=_level(level) or 0,
        pattern=pattern,
        ignore_case=ignore_case,
        last=last,
        follow=follow,
        interval=max(interval, 0.05),
    )
    multiple = len(paths) != 1
    try:
        for event in events:
            data = event_dict(event)
            if as_json:
                sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            else:
                _print_event(data, with_path=multiple)
            sys.stdout.flush()
    except KeyboardInterrupt:
        return
