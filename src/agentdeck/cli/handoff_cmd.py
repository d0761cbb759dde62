"""``agentdeck handoff``: the hand-off for the next session (what CURRENT_WORK.md holds)."""

from __future__ import annotations

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.workspace import Workspace


@click.command("handoff")
@click.option("--write", is_flag=True, help="Also rewrite agentdeck's part of CURRENT_WORK.md.")
@json_option
@pass_workspace
def handoff(ws: Workspace, write: bool, as_json: bool) -> None:
    """Print where things stand: branch and HEAD, what the last session did, work in
    progress and blocked, decisions, next steps and the next ready tasks.

    Agents load it at the start of a session (`agentdeck handoff --json`).
    """
    from agentdeck.notes.handoff import build_handoff
    from agentdeck.redact import redact_data

    data = build_handoff(ws)
    if write:
        from agentdeck.notes.render import write_handoff

        write_handoff(ws)
    if as_json:
        emit_json(redact_data(data.to_dict()))
        return
    from agentdeck.notes.render import render_handoff

    click.echo("# Current work\n")
    click.echo(render_handoff(data), nl=False)
