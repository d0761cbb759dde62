"""``agentdeck export`` and ``agentdeck import``: the backlog in and out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from agentdeck import clock
from agentdeck.backlog.exchange import export_backlog, import_backlog
from agentdeck.backlog.markdown import render_todo
from agentdeck.backlog.tasks import load_tasks
from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.errors import InvalidInput
from agentdeck.fsutil import write_atomic
from agentdeck.workspace import Workspace


@click.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="md: open tasks by priority; json: every task with its events.",
)
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Write here (atomically) instead of stdout; `-o todo` means [notes] todo.",
)
@pass_workspace
def export(ws: Workspace, fmt: str, output: str | None) -> None:
    """Export the backlog: TODO.md (open tasks by priority) or JSON (everything, with events)."""
    if fmt == "json":
        text = json.dumps(export_backlog(ws.store), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_todo(
            load_tasks(ws.store, "t.archived_at IS NULL"), generated_at=clock.now_text()
        )
    if output is None:
        sys.stdout.write(text)
        return
    path = ws.path(ws.config.get("notes", "todo")) if output == "todo" else Path(output).resolve()
    write_atomic(path, text)
    click.echo(f"Wrote {path}", err=True)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--replace", is_flag=True, help="Overwrite stored tasks that differ from the file's.")
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@json_option
@pass_workspace
def import_(
    ws: Workspace, paths: tuple[str, ...], replace: bool, dry_run: bool, as_json: bool
) -> None:
    """Import a backlog JSON export (IDs, timestamps and events kept)."""
    results = {}
    for name in paths:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InvalidInput(f"{name}: no such file") from None
        except (OSError, UnicodeDecodeError) as err:
            raise InvalidInput(f"{name}: cannot read: {err}") from None
        results[name] = import_backlog(ws.store, text, where=name, replace=replace, dry_run=dry_run)
    if as_json:
        emit_json({name: {**r.to_dict(), "dry_run": dry_run} for name, r in results.items()})
        return
    for name, r in results.items():
        verb = "would create" if dry_run else "created"
        click.echo(
            f"{name}: {verb} {len(r.created)}, unchanged {len(r.unchanged)}, "
            f"{'would replace' if dry_run else 'replaced'} {len(r.replaced)}"
        )
