"""``agentdeck migrate``: the database schema's history."""

from __future__ import annotations

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.store import migrate as core
from agentdeck.store import redact_url
from agentdeck.workspace import Workspace


@click.group()
def migrate() -> None:
    """Show or apply schema migrations (commands also apply them on their own)."""


@migrate.command("status")
@json_option
@pass_workspace
def status(ws: Workspace, as_json: bool) -> None:
    """List applied and pending migrations."""
    store = ws.open_store_unchecked()
    try:
        state = core.status(store)
        where = redact_url(store.url)
    finally:
        store.close()
    if as_json:
        emit_json(
            {
                "database": where,
                "applied": [{"name": n, "applied_at": a} for n, a in state.applied],
                "pending": state.pending,
                "unknown": state.unknown,
                "current": state.current,
            }
        )
        return
    click.echo(f"Database: {where}")
    for name, at in state.applied:
        click.echo(f"  applied  {name}  ({at[:19].replace('T', ' ')})")
    for name in state.pending:
        click.echo(f"  pending  {name}")
    for name in state.unknown:
        click.echo(f"  unknown  {name}  (from a newer agentdeck)")
    click.echo(
        "Schema is current."
        if state.current
        else "Schema needs `agentdeck migrate up`."
        if not state.unknown
        else "Schema is newer than this agentdeck: upgrade agentdeck."
    )


@migrate.command("up")
@pass_workspace
def up(ws: Workspace) -> None:
    """Apply pending migrations, each in its own transaction."""
    store = ws.open_store_unchecked()
    try:
        ran = core.upgrade(store)
    finally:
        store.close()
    click.echo(f"Applied {', '.join(ran)}." if ran else "Nothing to apply; the schema is current.")
