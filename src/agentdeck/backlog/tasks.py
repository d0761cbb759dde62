"""Tasks: create, read, list, edit, and move through their statuses.

Every write runs in one transaction together with its event row (who, when,
from, to, note), so the event log and the task never disagree. Status changes
made while the actor (or the only agent) has an open session are attributed
to that session.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentdeck import clock, ids
from agentdeck.backlog.model import (
    EFFORTS,
    FINISHED_STATUSES,
    OPEN_STATUSES,
    PRIORITIES,
    STATUSES,
    TASK_COLUMNS,
    Criterion,
    Task,
    TaskEvent,
    task_from_row,
)
from agentdeck.errors import Conflict, InvalidInput, NotFound
from agentdeck.store import Store

TASK_PREFIX = "TASK"
_TAG = re.compile(r"^[\w.:/+-]+$")


def default_actor() -> str:
    """Who is acting when no ``--agent`` is given: ``AGENTDECK_AGENT``, else the login name."""
    named = os.environ.get("AGENTDECK_AGENT") or os.environ.get("USER") or os.environ.get("LOGNAME")
    if named:
        return named
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


# -- validation ------------------------------------------------------------------------


def check_priority(value: str) -> str:
    """Normalise a priority or raise ``InvalidInput`` listing the accepted ones."""
    normal = value.strip().lower()
    if normal not in PRIORITIES:
        raise InvalidInput(f"unknown priority {value!r}; use one of: {', '.join(PRIORITIES)}")
    return normal


def check_status(value: str) -> str:
    """Normalise a status (``in-progress`` is accepted) or raise ``InvalidInput``."""
    normal = value.strip().lower().replace("-", "_").replace(" ", "_")
    if normal not in STATUSES:
        raise InvalidInput(f"unknown status {value!r}; use one of: {', '.join(STATUSES)}")
    return normal


def check_effort(value: str | None) -> str | None:
    """Normalise an effort (S, M, L, XL) or raise ``InvalidInput``."""
    if value is None or value == "":
        return None
    normal = value.strip().upper()
    if normal not in EFFORTS:
        raise InvalidInput(f"unknown effort {value!r}; use one of: {', '.join(EFFORTS)}")
    return normal


def check_category(value: str) -> str:
    """A category is a path such as ``infrastructure/monitoring``."""
    parts = [p.strip() for p in value.strip().strip("/").split("/")]
    if value.strip() and not all(parts):
        raise InvalidInput(
            f"category {value!r} has an empty part; write it like infrastructure/monitoring"
        )
    return "/".join(parts)


def check_tags(values: Iterable[str]) -> list[str]:
    """Tags are single words (letters, digits, ``._:/+-``); duplicates are dropped."""
    out: list[str] = []
    for raw in values:
        for tag in raw.split(","):
            tag = tag.strip()
            if not tag:
                continue
            if not _TAG.match(tag):
                raise InvalidInput(f"tag {tag!r} may hold only letters, digits and ._:/+-")
            if tag not in out:
                out.append(tag)
    return out


def check_title(value: str) -> str:
    title = " ".join(value.split())
    if not title:
        raise InvalidInput("a task needs a title; pass it as the first argument")
    if len(title) > 500:
        raise InvalidInput(
            f"the title is {len(title)} characters long; keep it under 500 and put detail in --description"
        )
    return title


def check_task_id(value: str) -> str:
    """Normalise a task ID (``task-20260204-001`` is accepted) or raise ``InvalidInput``."""
    normal = value.strip().upper()
    if not ids.TASK_ID_PATTERN.match(normal):
        raise InvalidInput(
            f"{value!r} is not a task ID; IDs look like TASK-20260204-001"
            " (or an imported key such as API-21)"
        )
    return normal


# -- reading ----------------------------------------------------------------------------


#: A task's columns, then its tags and dependencies as the sorted JSON arrays the
#: database keeps per task (``task_derived``, migration m080): one query per task
#: or list of tasks, not one more per link table.
TASK_SELECT = (
    "SELECT " + ", ".join(f"t.{c.strip()}" for c in TASK_COLUMNS.split(","))
    + ", k.tags, k.depends_on FROM tasks t JOIN task_derived k ON k.task_id = t.id"
)  # fmt: skip


def json_array(text: str) -> list[str]:
    """A JSON array of strings as kept in ``task_derived``."""
    return json.loads(text) if text != "[]" else []


def task_from_linked_row(row: Any) -> Task:
    """A ``Task`` from a row of ``TASK_SELECT`` (its columns, then the two arrays)."""
    return task_from_row(row[:-2], json_array(row[-2]), json_array(row[-1]))


def get_task(store: Store, task_id: str) -> Task:
    """One task by ID. Raises ``NotFound`` (with how to list IDs) when there is none."""
    task_id = check_task_id(task_id)
    row = store.query_one(f"{TASK_SELECT} WHERE t.id = ?", (task_id,))
    if row is None:
        raise NotFound(f"no task {task_id}", hint="list IDs with `agentdeck task list --all`")
    return task_from_linked_row(row)


def load_tasks(store: Store, where: str = "", params: Sequence[Any] = ()) -> list[Task]:
    """Tasks matching a SQL ``where`` clause (without the keyword; the table's
    alias is ``t``), with tags and dependencies."""
    sql = TASK_SELECT + (f" WHERE {where}" if where else "")
    return [task_from_linked_row(r) for r in store.query(sql, params)]


def task_events(store: Store, task_id: str) -> list[TaskEvent]:
    """The event log of a task, oldest first."""
    rows = store.query(
        "SELECT at, actor, kind, from_status, to_status, note, data, session_id "
        "FROM task_events WHERE task_id = ? ORDER BY num",
        (task_id,),
    )
    return [
        TaskEvent(
            at=r["at"],
            actor=r["actor"],
            kind=r["kind"],
            from_status=r["from_status"],
            to_status=r["to_status"],
            note=r["note"],
            data=json.loads(r["data"]) if r["data"] else None,
            session_id=r["session_id"],
        )
        for r in rows
    ]


def dependents(store: Store, task_id: str) -> list[str]:
    """IDs of tasks that depend on ``task_id``."""
    rows = store.query(
        "SELECT task_id FROM task_deps WHERE depends_on = ? ORDER BY task_id", (task_id,)
    )
    return [r["task_id"] for r in rows]


# -- sessions ---------------------------------------------------------------------------


def open_session_for(store: Store, actor: str) -> str | None:
    """The session a change by ``actor`` belongs to: the actor's open session,
    else the workspace's only open session, else none."""
    rows = store.query(
        "SELECT id, agent FROM sessions WHERE status = 'open' ORDER BY num DESC LIMIT 20"
    )
    for row in rows:
        if row["agent"] == actor:
            return row["id"]
    return rows[0]["id"] if len(rows) == 1 else None


#: ``INSERT`` of a task event without its values: ``event_row`` gives them in this order.
INSERT_EVENT = (
    "INSERT INTO task_events (task_id, at, actor, kind, from_status, to_status, note, data, "
    "session_id)"
)


def event_row(
    task_id: str,
    actor: str,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    session_id: str | None = None,
    at: str | None = None,
) -> tuple[Any, ...]:
    """The values of one task event, for ``INSERT_EVENT`` (callers that write many at once)."""
    return (
        task_id,
        at or clock.now_text(),
        actor,
        kind,
        from_status,
        to_status,
        note,
        json.dumps(data, sort_keys=True) if data else None,
        session_id,
    )


def record_event(
    store: Store,
    task_id: str,
    actor: str,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    session_id: str | None = None,
    at: str | None = None,
) -> None:
    """Append one event to a task's log (inside the caller's transaction)."""
    store.execute(
        f"{INSERT_EVENT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        event_row(
            task_id,
            actor,
            kind,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data,
            session_id=session_id,
            at=at,
        ),
    )


# -- creating ---------------------------------------------------------------------------


@dataclass
class NewTask:
    """What ``add_task`` needs; only ``title`` is required."""

    title: str
    description: str = ""
    priority: str = "medium"
    category: str = ""
    effort: str | None = None
    tags: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    acceptance: list[str] = field(default_factory=list)
    assignee: str | None = None
    notes: str = ""
    found_in_session: str | None = None
    source: str | None = None


def add_task(store: Store, new: NewTask, *, actor: str | None = None) -> Task:
    """Create a task with a fresh ``TASK-YYYYMMDD-NNN`` ID; returns it as stored.

    Raises ``InvalidInput`` for bad fields and ``NotFound`` for unknown dependencies.
    """
    actor = actor or default_actor()
    title = check_title(new.title)
    priority = check_priority(new.priority)
    category = check_category(new.category)
    effort = check_effort(new.effort)
    tags = check_tags(new.tags)
    deps = [check_task_id(d) for d in new.depends_on]
    acceptance = [Criterion(" ".join(text.split())) for text in new.acceptance if text.strip()]
    now = clock.now_text()
    with store.transaction():
        for dep in deps:
            if store.query_value("SELECT 1 FROM tasks WHERE id = ?", (dep,)) is None:
                raise NotFound(
                    f"cannot depend on {dep}: no such task",
                    hint="check the ID with `agentdeck task list --all`",
                )
        session_id = new.found_in_session or open_session_for(store, actor)
        task_id = ids.allocate(store, TASK_PREFIX)
        store.execute(
            "INSERT INTO tasks (id, title, description, status, priority, category, effort, assignee, "
            "notes, acceptance, found_in_session, source, created_at, updated_at) "
            "VALUES (?, ?, ?, 'todo', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                task_id,
                title,
                new.description.strip(),
                priority,
                category,
                effort,
                new.assignee,
                new.notes.strip(),
                json.dumps([c.to_dict() for c in acceptance]),
                new.found_in_session,
                new.source,
                now,
                now,
            ),
        )
        if tags:
            store.executemany(
                "INSERT INTO task_tags (task_id, tag) VALUES (?, ?)", [(task_id, t) for t in tags]
            )
        if deps:
            # A new task cannot close a cycle: nothing depends on it yet.
            store.executemany(
                "INSERT INTO task_deps (task_id, depends_on) VALUES (?, ?)",
                [(task_id, d) for d in deps],
            )
        record_event(
            store, task_id, actor, "created", to_status="todo", session_id=session_id, at=now
        )
        if session_id and new.found_in_session:
            store.execute(
                "INSERT INTO session_tasks (session_id, task_id, role, title) VALUES (?, ?, 'found', ?) "
                "ON CONFLICT DO NOTHING",
                (session_id, task_id, title),
            )
        return get_task(store, task_id)


# -- editing ----------------------------------------------------------------------------

#: Fields ``edit_task`` may change, with their validators.
_EDITABLE = {
    "title": check_title,
    "description": lambda v: v.strip(),
    "priority": check_priority,
    "category": check_category,
    "effort": check_effort,
    "assignee": lambda v: v.strip() or None,
    "notes": lambda v: v.strip(),
}


@dataclass
class TaskChanges:
    """Changes for ``edit_task``; ``None`` leaves a field as it is."""

    fields: dict[str, Any] = field(default_factory=dict)
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    append_note: str | None = None
    add_criteria: list[str] = field(default_factory=list)
    check_criteria: list[int] = field(default_factory=list)
    uncheck_criteria: list[int] = field(default_factory=list)
    status: str | None = None


def edit_task(
    store: Store, task_id: str, changes: TaskChanges, *, actor: str | None = None
) -> Task:
    """Change fields, tags, notes and acceptance criteria of a task; one event records it all.

    A ``status`` change goes through the same rules as the status commands.
    """
    actor = actor or default_actor()
    clean: dict[str, Any] = {}
    for name, value in changes.fields.items():
        if value is None:
            continue
        if name not in _EDITABLE:
            raise InvalidInput(f"field {name!r} cannot be edited; editable: {', '.join(_EDITABLE)}")
        clean[name] = _EDITABLE[name](value)
    add_tags = check_tags(changes.add_tags)
    remove_tags = check_tags(changes.remove_tags)
    with store.transaction():
        task = _lock(store, task_id)
        before = task.to_dict()
        if changes.append_note:
            stamp = clock.now_text()[:16].replace("T", " ")
            note = f"[{stamp} {actor}] {changes.append_note.strip()}"
            clean["notes"] = f"{task.notes}\n{note}".strip() if task.notes else note
        criteria = [Criterion(c.text, c.done) for c in task.acceptance]
        criteria += [Criterion(" ".join(t.split())) for t in changes.add_criteria if t.strip()]
        for index, done in [(i, True) for i in changes.check_criteria] + [
            (i, False) for i in changes.uncheck_criteria
        ]:
            if not 1 <= index <= len(criteria):
                raise InvalidInput(
                    f"{task.id} has {len(criteria)} acceptance criteria; there is no number {index}"
                )
            criteria[index - 1].done = done
        diff = {k: v for k, v in clean.items() if getattr(task, k) != v}
        if criteria != task.acceptance:
            diff["acceptance"] = json.dumps([c.to_dict() for c in criteria])
        if diff:
            sets = ", ".join(f"{k} = ?" for k in diff)
            store.execute(
                f"UPDATE tasks SET {sets}, updated_at = ? WHERE id = ?",
                (*diff.values(), clock.now_text(), task.id),
            )
        for tag in add_tags:
            store.execute(
                "INSERT INTO task_tags (task_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (task.id, tag),
            )
        for tag in remove_tags:
            store.execute("DELETE FROM task_tags WHERE task_id = ? AND tag = ?", (task.id, tag))
        after = get_task(store, task.id).to_dict()
        changed = {
            k: {"from": before[k], "to": after[k]}
            for k in after
            if before[k] != after[k] and k != "updated_at"
        }
        if changed:
            record_event(
                store,
                task.id,
                actor,
                "edited",
                data=changed,
                session_id=open_session_for(store, actor),
            )
        if changes.status and check_status(changes.status) != task.status:
            return set_status(store, task.id, changes.status, actor=actor)
        return get_task(store, task.id)


def _lock(store: Store, task_id: str) -> Task:
    """Read a task inside a write transaction, holding its row (PostgreSQL) or the
    database write lock (SQLite) until the transaction ends."""
    task_id = check_task_id(task_id)
    row = store.query_one(
        f"{TASK_SELECT} WHERE t.id = ?{store.dialect.lock_clause('t')}", (task_id,)
    )
    if row is None:
        raise NotFound(f"no task {task_id}", hint="list IDs with `agentdeck task list --all`")
    return task_from_linked_row(row)


# -- status changes ---------------------------------------------------------------------


def unresolved_dependencies(store: Store, task_id: str) -> list[str]:
    """Dependencies of ``task_id`` that are neither done nor cancelled."""
    rows = store.query(
        "SELECT d.depends_on FROM task_deps d JOIN tasks t ON t.id = d.depends_on "
        "WHERE d.task_id = ? AND t.status NOT IN ('done', 'cancelled') ORDER BY d.depends_on",
        (task_id,),
    )
    return [r["depends_on"] for r in rows]


def start_task(store: Store, task_id: str, *, agent: str, force: bool = False) -> Task:
    """Claim a task for ``agent`` (status ``in_progress``).

    Raises ``Conflict`` when another agent holds it, when it is finished or
    blocked, or (without ``force``) when its dependencies are not done.
    Starting a task you already hold changes nothing.
    """
    agent = agent.strip()
    if not agent:
        raise InvalidInput("name the agent that takes the task with --agent NAME")
    with store.transaction():
        task = _lock(store, task_id)
        if task.status == "in_progress":
            if task.assignee == agent:
                return task
            raise Conflict(
                f"{task.id} is already claimed by {task.assignee}",
                hint="pick another with `agentdeck next`",
            )
        if task.status in FINISHED_STATUSES:
            raise Conflict(
                f"{task.id} is {task.status}",
                hint=f"reopen it first with `agentdeck task reopen {task.id}`",
            )
        if task.status == "blocked":
            raise Conflict(
                f"{task.id} is blocked ({task.blocked_reason})",
                hint=f"unblock it with `agentdeck task unblock {task.id}`",
            )
        waiting_on = unresolved_dependencies(store, task.id)
        if waiting_on and not force:
            raise Conflict(
                f"{task.id} waits on {', '.join(waiting_on)}",
                hint="finish those first, or pass --force",
            )
        return _change_status(store, task, "in_progress", actor=agent, assignee=agent)


def set_status(
    store: Store,
    task_id: str,
    status: str,
    *,
    actor: str | None = None,
    note: str | None = None,
    reason: str | None = None,
) -> Task:
    """Move a task to ``status`` with the backlog's rules; records the event.

    ``done`` and ``cancelled`` are final until ``reopen`` (status ``todo``);
    ``blocked`` needs a ``reason``; setting the status a task already has
    changes nothing. Raises ``Conflict`` for a move the rules refuse.
    """
    actor = actor or default_actor()
    status = check_status(status)
    with store.transaction():
        task = _lock(store, task_id)
        if task.status == status and status != "blocked":
            return task
        if status == "blocked":
            if not reason or not reason.strip():
                raise InvalidInput("say why the task is blocked with --reason TEXT")
            if task.status in FINISHED_STATUSES:
                raise Conflict(f"{task.id} is {task.status}; a finished task cannot be blocked")
        elif task.status in FINISHED_STATUSES and status != "todo":
            raise Conflict(
                f"{task.id} is already {task.status}",
                hint=f"reopen it first with `agentdeck task reopen {task.id}`",
            )
        return _change_status(store, task, status, actor=actor, note=note or reason, reason=reason)


def unblock_task(
    store: Store, task_id: str, *, actor: str | None = None, note: str | None = None
) -> Task:
    """Return a blocked task to the status it had before it was blocked."""
    actor = actor or default_actor()
    with store.transaction():
        task = _lock(store, task_id)
        if task.status != "blocked":
            raise Conflict(f"{task.id} is not blocked (it is {task.status})")
        previous = store.query_value(
            "SELECT from_status FROM task_events WHERE task_id = ? AND to_status = 'blocked' "
            "ORDER BY num DESC LIMIT 1",
            (task.id,),
        )
        back = previous if previous in OPEN_STATUSES and previous != "blocked" else "todo"
        return _change_status(store, task, back, actor=actor, note=note)


def _change_status(
    store: Store,
    task: Task,
    status: str,
    *,
    actor: str,
    note: str | None = None,
    reason: str | None = None,
    assignee: str | None = None,
) -> Task:
    now = clock.now_text()
    session_id = open_session_for(store, actor)
    sets: dict[str, Any] = {"status": status, "updated_at": now}
    if status == "in_progress":
        sets["started_at"] = task.started_at or now
        if assignee:
            sets["assignee"] = assignee
    if status == "blocked":
        sets["blocked_reason"] = reason.strip() if reason else None
    elif task.status == "blocked":
        sets["blocked_reason"] = None
    if status in FINISHED_STATUSES:
        sets["completed_at"] = now
        if status == "done":
            sets["completed_in_session"] = session_id
    elif task.status in FINISHED_STATUSES:
        sets.update(completed_at=None, completed_in_session=None, archived_at=None)
    columns = ", ".join(f"{k} = ?" for k in sets)
    store.execute(f"UPDATE tasks SET {columns} WHERE id = ?", (*sets.values(), task.id))
    record_event(
        store,
        task.id,
        actor,
        "status",
        from_status=task.status,
        to_status=status,
        note=note,
        session_id=session_id,
        at=now,
    )
    if session_id and status == "done":
        store.execute(
            "INSERT INTO session_tasks (session_id, task_id, role, title) VALUES (?, ?, 'completed', ?) "
            "ON CONFLICT DO NOTHING",
            (session_id, task.id, task.title),
        )
    return get_task(store, task.id)
