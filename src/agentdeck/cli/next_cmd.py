"""``agentdeck next``: the most urgent ready task, explained, optionally claimed."""

from __future__ import annotations

import click

from agentdeck.backlog.urgency import next_task
from agentdeck.cli._common import emit_json, json_option, pass_workspace, table
from agentdeck.cli.task_cmd import weights
from agentdeck.errors import InvalidInput, NotFound
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
    if claim and not agent:
        raise InvalidInput("--claim needs the agent's name: --agent NAME (or AGENTDECK_AGENT)")
    picked = next_task(
        ws.store, weights(ws), claim_for=agent if claim else None, limit=1 if claim else count
    )
    if not picked:
        raise NotFound(
            "no ready task" + (" to claim" if claim else ""),
            hint="see what is waiting with `agentdeck task list`",
        )
    if as_json:
        data = [p.to_dict() for p in picked]
        emit_json(data[0] if claim or count == 1 else data)
        return
    for item in picked:
        t = item.task
        head = f"{t.id}  {t.title}"
        if claim:
            head += f"  (claimed by {t.assignee})"
        click.echo(head)
        click.echo(
            f"  priority {t.priority}, urgency {item.score:.2f}"
            + (f", {t.category}" if t.category else "")
        )
        if explain:
            table(
                ("  PART", "POINTS", "WHY"),
                [(f"  {p.name}", f"{p.points:.2f}", p.why) for p in item.parts],
            )
