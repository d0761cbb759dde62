"""``agentdeck task …``: the backlog's commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from agentdeck.backlog import tasks as core
from agentdeck.cli import _backlog as run
from agentdeck.cli._backlog import changed
from agentdeck.cli._common import json_option, pass_workspace

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

# The busiest commands' bodies live in the click-free ``_backlog``, shared with
# the fast path (``_fast``); modules used by one subcommand only are imported
# inside it: every agent call pays for the imports on its path.

SORTS = ("urgency", "priority", "created", "id")


@click.group()
def task() -> None:
    """Add, list, show, change and search tasks."""


@task.command("add")
@click.argument("title")
@click.option("-d", "--description", default="", help="Longer description.")
@click.option(
    "-p", "--priority", help="critical, high, medium or low ([backlog] default_priority)."
)
@click.option("-c", "--category", default="", help="A path such as infrastructure/monitoring.")
@click.option("-e", "--effort", help="S, M, L or XL.")
@click.option("-t", "--tag", "tags", multiple=True, help="A tag (repeat, or comma-separate).")
@click.option(
    "--depends-on",
    "depends_on",
    multiple=True,
    metavar="ID",
    help="A task this one waits on (repeat).",
)
@click.option(
    "-a",
    "--accept",
    "acceptance",
    multiple=True,
    metavar="TEXT",
    help="An acceptance criterion (repeat).",
)
@click.option("--assignee", help="Who should do it.")
@click.option("--notes", default="", help="Free-form notes.")
@click.option("--agent", help="Who is adding it (default: AGENTDECK_AGENT or your login).")
@json_option
@pass_workspace
def add(
    ws: Workspace,
    title: str,
    description: str,
    priority: str | None,
    category: str,
    effort: str | None,
    tags: tuple[str, ...],
    depends_on: tuple[str, ...],
    acceptance: tuple[str, ...],
    assignee: str | None,
    notes: str,
    agent: str | None,
    as_json: bool,
) -> None:
    """Add a task; prints its new ID."""
    run.add(
        ws,
        title,
        description=description,
        priority=priority,
        category=category,
        effort=effort,
        tags=tags,
        depends_on=depends_on,
        acceptance=acceptance,
        assignee=assignee,
        notes=notes,
        agent=agent,
        as_json=as_json,
    )


@task.command("list")
@click.option("-s", "--status", "statuses", multiple=True, help="Only this status (repeat).")
@click.option("-p", "--priority", "priorities", multiple=True, help="Only this priority (repeat).")
@click.option("-c", "--category", help="Only this category and those under it.")
@click.option(
    "-t", "--tag", "tags", multiple=True, help="Only tasks with this tag (repeat: all must match)."
)
@click.option("--assignee", help="Only tasks assigned to this agent.")
@click.option(
    "--ready", "ready_only", is_flag=True, help="Only ready tasks (todo, dependencies done)."
)
@click.option("--all", "include_all", is_flag=True, help="Include finished and archived tasks.")
@click.option(
    "--sort", type=click.Choice(SORTS), default="urgency", show_default=True, help="Order."
)
@click.option("-n", "--limit", type=int, help="At most this many.")
@json_option
@pass_workspace
def list_(
    ws: Workspace,
    statuses: tuple[str, ...],
    priorities: tuple[str, ...],
    category: str | None,
    tags: tuple[str, ...],
    assignee: str | None,
    ready_only: bool,
    include_all: bool,
    sort: str,
    limit: int | None,
    as_json: bool,
) -> None:
    """List tasks (open ones unless --all or --status says otherwise)."""
    run.list_(
        ws,
        statuses=statuses,
        priorities=priorities,
        category=category,
        tags=tags,
        assignee=assignee,
        ready_only=ready_only,
        include_all=include_all,
        sort=sort,
        limit=limit,
        as_json=as_json,
    )


@task.command("show")
@click.argument("task_id")
@click.option("--events/--no-events", default=True, help="Show the event log.")
@json_option
@pass_workspace
def show(ws: Workspace, task_id: str, events: bool, as_json: bool) -> None:
    """Show one task with its dependencies, dependents and event log."""
    run.show(ws, task_id, events=events, as_json=as_json)


@task.command("edit")
@click.argument("task_id")
@click.option("--title", help="New title.")
@click.option("-d", "--description", help="New description.")
@click.option("-p", "--priority", help="New priority.")
@click.option("-c", "--category", help="New category path.")
@click.option("-e", "--effort", help="New effort (S, M, L, XL).")
@click.option("--assignee", help="New assignee.")
@click.option("--status", help="Move to this status (same rules as the status commands).")
@click.option("--add-tag", multiple=True, help="Add a tag (repeat).")
@click.option("--remove-tag", multiple=True, help="Remove a tag (repeat).")
@click.option("--note", "append_note", help="Append a dated note.")
@click.option(
    "--accept", "add_criteria", multiple=True, metavar="TEXT", help="Add an acceptance criterion."
)
@click.option(
    "--check", "check_criteria", multiple=True, type=int, metavar="N", help="Tick criterion N."
)
@click.option(
    "--uncheck",
    "uncheck_criteria",
    multiple=True,
    type=int,
    metavar="N",
    help="Untick criterion N.",
)
@click.option("--agent", help="Who is editing.")
@json_option
@pass_workspace
def edit(
    ws: Workspace,
    task_id: str,
    title: str | None,
    description: str | None,
    priority: str | None,
    category: str | None,
    effort: str | None,
    assignee: str | None,
    status: str | None,
    add_tag: tuple[str, ...],
    remove_tag: tuple[str, ...],
    append_note: str | None,
    add_criteria: tuple[str, ...],
    check_criteria: tuple[int, ...],
    uncheck_criteria: tuple[int, ...],
    agent: str | None,
    as_json: bool,
) -> None:
    """Change a task's fields, tags, notes or acceptance criteria."""
    changes = core.TaskChanges(
        fields={
            "title": title,
            "description": description,
            "priority": priority,
            "category": category,
            "effort": effort,
            "assignee": assignee,
        },
        add_tags=list(add_tag),
        remove_tags=list(remove_tag),
        append_note=append_note,
        add_criteria=list(add_criteria),
        check_criteria=list(check_criteria),
        uncheck_criteria=list(uncheck_criteria),
        status=status,
    )
    changed(core.edit_task(ws.store, task_id, changes, actor=agent), as_json, "updated")


@task.command("start")
@click.argument("task_id")
@click.option("--agent", required=True, envvar="AGENTDECK_AGENT", help="The agent taking the task.")
@click.option("--force", is_flag=True, help="Start even if its dependencies are not done.")
@json_option
@pass_workspace
def start(ws: Workspace, task_id: str, agent: str, force: bool, as_json: bool) -> None:
    """Claim a task for an agent (status in_progress)."""
    run.start(ws, task_id, agent=agent, force=force, as_json=as_json)


def _status_command(name: str, doc: str) -> None:
    @task.command(name, help=doc)
    @click.argument("task_id")
    @click.option("--note", help="Why, for the event log.")
    @click.option("--agent", help="Who is making the change.")
    @json_option
    @pass_workspace
    def command(
        ws: Workspace, task_id: str, note: str | None, agent: str | None, as_json: bool
    ) -> None:
        run.set_status(ws, name, task_id, note=note, agent=agent, as_json=as_json)


_status_command("done", "Mark a task done.")
_status_command("cancel", "Cancel a task.")
_status_command("review", "Mark a task ready for review.")
_status_command("reopen", "Reopen a finished task (status todo).")


@task.command("block")
@click.argument("task_id")
@click.option("--reason", required=True, help="What it waits for.")
@click.option("--agent", help="Who is making the change.")
@json_option
@pass_workspace
def block(ws: Workspace, task_id: str, reason: str, agent: str | None, as_json: bool) -> None:
    """Mark a task blocked, with the reason."""
    changed(
        core.set_status(ws.store, task_id, "blocked", actor=agent, reason=reason),
        as_json,
        "blocked",
    )


@task.command("unblock")
@click.argument("task_id")
@click.option("--note", help="What changed.")
@click.option("--agent", help="Who is making the change.")
@json_option
@pass_workspace
def unblock(
    ws: Workspace, task_id: str, note: str | None, agent: str | None, as_json: bool
) -> None:
    """Return a blocked task to the status it had before."""
    changed(core.unblock_task(ws.store, task_id, actor=agent, note=note), as_json, "unblocked")


@task.group("dep")
def dep() -> None:
    """Add or remove dependencies (cycles are refused)."""


@dep.command("add")
@click.argument("task_id")
@click.argument("depends_on", nargs=-1, required=True)
@click.option("--agent", help="Who is making the change.")
@pass_workspace
def dep_add(ws: Workspace, task_id: str, depends_on: tuple[str, ...], agent: str | None) -> None:
    """Make TASK_ID wait on each DEPENDS_ON."""
    from agentdeck.backlog import deps as deps_core

    for other in depends_on:
        deps_core.add_dependency(ws.store, task_id, other, actor=agent)
    click.echo(
        f"{core.check_task_id(task_id)} now depends on {', '.join(d.upper() for d in depends_on)}"
    )


@dep.command("rm")
@click.argument("task_id")
@click.argument("depends_on", nargs=-1, required=True)
@click.option("--agent", help="Who is making the change.")
@pass_workspace
def dep_rm(ws: Workspace, task_id: str, depends_on: tuple[str, ...], agent: str | None) -> None:
    """Stop TASK_ID waiting on each DEPENDS_ON."""
    from agentdeck.backlog import deps as deps_core

    for other in depends_on:
        deps_core.remove_dependency(ws.store, task_id, other, actor=agent)
    click.echo(
        f"{core.check_task_id(task_id)} no longer depends on {', '.join(d.upper() for d in depends_on)}"
    )


@task.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="At most this many.",
)
@click.option("--open", "open_only", is_flag=True, help="Only open, unarchived tasks.")
@json_option
@pass_workspace
def search(
    ws: Workspace, words: tuple[str, ...], limit: int, open_only: bool, as_json: bool
) -> None:
    """Full-text search over titles, descriptions and notes (word* for prefixes)."""
    run.search(ws, words, limit=limit, open_only=open_only, as_json=as_json)
