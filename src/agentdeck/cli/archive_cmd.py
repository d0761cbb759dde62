"""``agentdeck archive``: move finished tasks out of the active list."""

from __future__ import annotations

from datetime import timedelta

import click

from agentdeck import clock
from agentdeck.backlog.archive import archive_finished, write_task_index
from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.errors import CannotWrite, InvalidInput
from agentdeck.workspace import Workspace


@click.command("archive")
@click.option(
    "--before",
    metavar="WHEN",
    help="Archive tasks finished before this (YYYY-MM-DD, 7d, 2w, today). "
    "Default: [backlog] archive_after_days ago.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be archived; change nothing.")
@click.option("--agent", help="Who is archiving.")
@json_option
@pass_workspace
def archive(
    ws: Workspace, before: str | None, dry_run: bool, agent: str | None, as_json: bool
) -> None:
    """Archive done and cancelled tasks, then rewrite TASK_INDEX.md."""
    if before:
        try:
            cutoff = clock.parse_when(before)
        except ValueError as err:
            raise InvalidInput(f"--before: {err}") from None
    else:
        cutoff = clock.now() - timedelta(days=ws.config.get("backlog", "archive_after_days"))
    tasks = archive_finished(ws.store, cutoff, actor=agent, dry_run=dry_run)
    index_path = ws.path(ws.config.get("notes", "task_index"))
    try:
        listed = None if dry_run else write_task_index(ws.store, index_path)
    except CannotWrite as err:
        # The archive itself is committed; only its index is missing.
        err.hint = (
            f"{len(tasks)} task(s) are archived; fix the path ([notes] task_index) and run "
            "`agentdeck archive` again to write the index"
        )
        raise
    if as_json:
        emit_json(
            {
                "archived": [t.id for t in tasks],
                "dry_run": dry_run,
                "index": None if dry_run else str(index_path),
                "indexed": listed,
            }
        )
        return
    verb = "Would archive" if dry_run else "Archived"
    click.echo(
        f"{verb} {len(tasks)} task{'s' if len(tasks) != 1 else ''} finished before {clock.to_text(cutoff)[:10]}."
    )
    for t in tasks:
        click.echo(f"  {t.id}  {t.status:<9}  {t.title}")
    if not dry_run:
        click.echo(f"Wrote {index_path} ({listed} archived task{'s' if listed != 1 else ''}).")
