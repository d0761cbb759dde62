"""What the backlog's busiest commands do once their arguments are parsed.

Shared by the click commands (``task_cmd``, ``next_cmd``) and by the fast
path (``_fast``), which answers the same calls without importing click; so
this module imports no click either, and prints with ``sys.stdout``. One body
per command keeps the two faces saying exactly the same thing, and
``tests/cli/test_fast_path.py`` holds their output, exit codes and stored data
equal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentdeck.backlog import tasks as core
from agentdeck.cli._output import emit_json, table
from agentdeck.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from agentdeck.backlog.model import RankedTask, Task
    from agentdeck.backlog.urgency import UrgencyWeights
    from agentdeck.workspace import Workspace


def echo(text: str = "") -> None:
    """Print one line to standard output."""
    sys.stdout.write(text + "\n")


def weights(ws: Workspace) -> UrgencyWeights:
    """The urgency weights of the workspace's config."""
    from agentdeck.backlog.urgency import UrgencyWeights

    return UrgencyWeights.from_config(ws.config.section("backlog.urgency"))


def print_task(task: Task) -> None:
    """A task's fields, description, acceptance criteria and notes, as ``task show`` prints them."""
    echo(f"{task.id}  {task.title}")
    rows = [
        ("status", task.status + (f" ({task.blocked_reason})" if task.blocked_reason else "")),
        ("priority", task.priority),
        ("category", task.category),
        ("effort", task.effort),
        ("assignee", task.assignee),
        ("tags", ", ".join(task.tags)),
        ("depends on", ", ".join(task.depends_on)),
        ("created", task.created_at),
        ("started", task.started_at),
        ("completed", task.completed_at),
        ("archived", task.archived_at),
        ("found in", task.found_in_session),
        ("finished in", task.completed_in_session),
        ("source", task.source),
    ]
    for name, value in rows:
        if value:
            echo(f"  {name + ':':<12} {value}")
    if task.description:
        echo("\n" + task.description)
    if task.acceptance:
        echo("\nAcceptance criteria:")
        for number, criterion in enumerate(task.acceptance, start=1):
            echo(f"  {number}. [{'x' if criterion.done else ' '}] {criterion.text}")
    if task.notes:
        echo("\nNotes:\n" + "\n".join("  " + line for line in task.notes.splitlines()))


def changed(task: Task, as_json: bool, verb: str) -> None:
    """What a command that changed a task prints: the task as JSON, or one line."""
    if as_json:
        emit_json(task.to_dict())
    else:
        echo(f"{task.id} {verb}: {task.title}")


def add(
    ws: Workspace,
    title: str,
    *,
    description: str = "",
    priority: str | None = None,
    category: str = "",
    effort: str | None = None,
    tags: Sequence[str] = (),
    depends_on: Sequence[str] = (),
    acceptance: Sequence[str] = (),
    assignee: str | None = None,
    notes: str = "",
    agent: str | None = None,
    as_json: bool = False,
) -> None:
    """``task add``."""
    new = core.NewTask(
        title=title,
        description=description,
        priority=priority or ws.config.get("backlog", "default_priority"),
        category=category,
        effort=effort,
        tags=list(tags),
        depends_on=list(depends_on),
        acceptance=list(acceptance),
        assignee=assignee,
        notes=notes,
    )
    changed(core.add_task(ws.store, new, actor=agent), as_json, "added")


def _list_rows(ranked: list[RankedTask]) -> None:
    rows = []
    for item in ranked:
        t = item.task
        state = t.status.replace("_", " ")
        if t.status == "todo" and not item.ready:
            state = "waiting"
        who = t.assignee if t.status == "in_progress" else ""
        rows.append((t.id, t.priority, state, f"{item.score:.1f}", t.title, t.category, who))
    table(("ID", "PRIORITY", "STATUS", "URGENCY", "TITLE", "CATEGORY", "ASSIGNEE"), rows, flex=4)


def list_(
    ws: Workspace,
    *,
    statuses: Sequence[str] = (),
    priorities: Sequence[str] = (),
    category: str | None = None,
    tags: Sequence[str] = (),
    assignee: str | None = None,
    ready_only: bool = False,
    include_all: bool = False,
    sort: str = "urgency",
    limit: int | None = None,
    as_json: bool = False,
) -> None:
    """``task list``."""
    from agentdeck.backlog.listing import TaskFilter, list_task_json, list_tasks

    spec = TaskFilter(
        list(statuses),
        list(priorities),
        category,
        list(tags),
        assignee,
        ready_only,
        include_all,
        sort,
        limit,
    )
    if as_json:
        text = list_task_json(ws.store, spec, weights(ws))
        if sys.stdout.isatty():
            import orjson

            emit_json(orjson.loads(text))  # indented for a person
        else:
            sys.stdout.write(text + "\n")
        return
    ranked = list_tasks(ws.store, spec, weights(ws))
    if not ranked:
        echo(
            "No tasks match."
            if (statuses or priorities or category or tags or assignee or ready_only)
            else "The backlog is empty. Add a task with `agentdeck task add TITLE`."
        )
    else:
        _list_rows(ranked)


def show(ws: Workspace, task_id: str, *, events: bool = True, as_json: bool = False) -> None:
    """``task show``."""
    item = core.get_task(ws.store, task_id)
    log = core.task_events(ws.store, item.id)
    waiting = core.dependents(ws.store, item.id)
    if as_json:
        emit_json({**item.to_dict(), "dependents": waiting, "events": [e.to_dict() for e in log]})
        return
    print_task(item)
    if waiting:
        echo(f"\nWaiting on it: {', '.join(waiting)}")
    if events and log:
        echo("\nEvents:")
        for e in log:
            move = f" {e.from_status or '-'} -> {e.to_status}" if e.to_status else ""
            note = f": {e.note}" if e.note else ""
            extra = f" {', '.join(sorted(e.data))}" if e.data and e.kind == "edited" else ""
            session = f" [{e.session_id}]" if e.session_id else ""
            echo(
                f"  {e.at[:19].replace('T', ' ')}  {e.actor:<12} {e.kind}{move}{extra}{note}{session}"
            )


def start(
    ws: Workspace, task_id: str, *, agent: str, force: bool = False, as_json: bool = False
) -> None:
    """``task start``."""
    changed(
        core.start_task(ws.store, task_id, agent=agent, force=force),
        as_json,
        f"claimed by {agent}",
    )


#: The status commands: name -> (status, what the one-line answer says).
STATUS_COMMANDS = {
    "done": ("done", "done"),
    "cancel": ("cancelled", "cancelled"),
    "review": ("review", "ready for review"),
    "reopen": ("todo", "reopened"),
}


def set_status(
    ws: Workspace,
    command: str,
    task_id: str,
    *,
    note: str | None = None,
    agent: str | None = None,
    as_json: bool = False,
) -> None:
    """``task done|cancel|review|reopen``."""
    status, verb = STATUS_COMMANDS[command]
    changed(core.set_status(ws.store, task_id, status, actor=agent, note=note), as_json, verb)


def search(
    ws: Workspace,
    words: Sequence[str],
    *,
    limit: int = 20,
    open_only: bool = False,
    as_json: bool = False,
) -> None:
    """``task search``."""
    from agentdeck.backlog.search import search_tasks

    hits = search_tasks(ws.store, " ".join(words), limit=limit, open_only=open_only)
    if as_json:
        emit_json([{**h.task.to_dict(), "rank": round(h.rank, 4)} for h in hits])
    elif not hits:
        echo("No task matches.")
    else:
        table(
            ("ID", "STATUS", "PRIORITY", "TITLE"),
            [(h.task.id, h.task.status, h.task.priority, h.task.title) for h in hits],
            flex=3,
        )


def next_(
    ws: Workspace,
    *,
    explain: bool = False,
    claim: bool = False,
    agent: str | None = None,
    count: int = 1,
    as_json: bool = False,
) -> None:
    """``next``: the most urgent ready task(s); with ``claim``, take the first for ``agent``.

    Raises ``NotFound`` (exit 3) when no task is ready, so an agent can loop
    ``next --claim`` until the backlog is empty.
    """
    from agentdeck.backlog.urgency import next_task

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
        echo(head)
        echo(
            f"  priority {t.priority}, urgency {item.score:.2f}"
            + (f", {t.category}" if t.category else "")
        )
        if explain:
            table(
                ("  PART", "POINTS", "WHY"),
                [(f"  {p.name}", f"{p.points:.2f}", p.why) for p in item.parts],
            )
