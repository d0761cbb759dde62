"""``agentdeck next``: the most urgent ready task, explained, optionally claimed."""

from __future__ import annotations

import click

from agentdeck.cli import _backlog
from agentdeck.cli._common import json_option, pass_workspace
from agentdeck.workspace import Workspace


@click.command("next")
@click.option("--explain", is_flag=True, help="Show the parts of the urgency score.")
@click.option("--claim", is_flag=True, help="Claim the task for --agent in the same transaction.")
@click.option("--agent", envvar="AGENTDECK_AGENT", help="The agent claiming (with --claim).")
@click.option(
    "-n",
    "--count",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="How many to show (without --claim).",
)
@json_option
@pass_workspace
def next_(
    ws: Workspace, explain: bool, claim: bool, agent: str | None, count: int, as_json: bool
) -> None:
    """Show the most urgent ready task; with --claim --agent NAME, take it.

    Exits 3 when no task is ready, so an agent can loop `next --claim` until
    the backlog is empty.
    """
    _backlog.next_(ws, explain=explain, claim=claim, agent=agent, count=count, as_json=as_json)
