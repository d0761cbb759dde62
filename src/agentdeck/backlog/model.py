"""The backlog's plain data: tasks, their events, and the vocabularies.

``Task.to_dict()`` is the documented JSON shape of a task (README, "JSON
shapes"); ``task list --json``, ``task show --json`` and ``export --format json``
all use it, so a field added here shows up everywhere at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("todo", "in_progress", "blocked", "review", "done", "cancelled")
#: Statuses of work that is still open.
OPEN_STATUSES = ("todo", "in_progress", "blocked", "review")
#: Statuses that resolve a dependency and end a task's life in the active list.
FINISHED_STATUSES = ("done", "cancelled")
PRIORITIES = ("critical", "high", "medium", "low")
EFFORTS = ("S", "M", "L", "XL")


@dataclass
class Criterion:
    """One acceptance criterion: a checklist item."""

    text: str
    done: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "done": self.done}


@dataclass
class Task:
    """A backlog task as stored, with its tags and dependencies."""

    id: str
    title: str
    description: str = ""
    status: str = "todo"
    priority: str = "medium"
    category: str = ""
    effort: str | None = None
    tags: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    acceptance: list[Criterion] = field(default_factory=list)
    assignee: str | None = None
    notes: str = ""
    blocked_reason: str | None = None
    found_in_session: str | None = None
    completed_in_session: str | None = None
    source: str | None = None
    created_at: str = ""
    updated_at: str = ""
    started_at: str | None = None
    completed_at: str | None = None
    archived_at: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """The task's JSON shape (every stored field; see README)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "status": self.status,
            "priority": self.priority,
            "category": self.category,
            "effort": self.effort,
            "tags": list(self.tags),
            "depends_on": list(self.depends_on),
            "acceptance": [c.to_dict() for c in self.acceptance],
            "assignee": self.assignee,
            "notes": self.notes,
            "blocked_reason": self.blocked_reason,
            "found_in_session": self.found_in_session,
            "completed_in_session": self.completed_in_session,
            "source": self.source,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "archived_at": self.archived_at,
        }


#: Columns read for a task, in the order ``task_from_row`` expects.
TASK_COLUMNS = (
    "id, title, description, status, priority, category, effort, assignee, notes, acceptance, "
    "blocked_reason, found_in_session, completed_in_session, source, created_at, updated_at, "
    "started_at, completed_at, archived_at"
)


def task_from_row(row: Any, tags: list[str] | None = None, deps: list[str] | None = None) -> Task:
    """Build a ``Task`` from a row selected with ``TASK_COLUMNS``."""
    return Task(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        status=row["status"],
        priority=row["priority"],
        category=row["category"],
        effort=row["effort"],
        assignee=row["assignee"],
        notes=row["notes"],
        acceptance=[
            Criterion(c["text"], bool(c.get("done"))) for c in json.loads(row["acceptance"])
        ],
        blocked_reason=row["blocked_reason"],
        found_in_session=row["found_in_session"],
        completed_in_session=row["completed_in_session"],
        source=row["source"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        archived_at=row["archived_at"],
        tags=tags or [],
        depends_on=deps or [],
    )


@dataclass
class TaskEvent:
    """One change in a task's life: who, when, what, from which status to which."""

    at: str
    actor: str
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    data: dict[str, Any] | None = None
    session_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor": self.actor,
            "kind": self.kind,
            "from": self.from_status,
            "to": self.to_status,
            "note": self.note,
            "data": self.data,
            "session": self.session_id,
        }


@dataclass
class ScorePart:
    """One term of a task's urgency score, for ``next --explain``."""

    name: str
    points: float
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "points": round(self.points, 3), "why": self.why}


@dataclass
class RankedTask:
    """A ready task with its urgency score and the parts that make it up."""

    task: Task
    score: float
    parts: list[ScorePart]
    waiting: list[str] = field(default_factory=list)
    #: Whether the task is ready (todo, not archived, dependencies resolved).
    ready: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task.to_dict(),
            "score": round(self.score, 3),
            "parts": [p.to_dict() for p in self.parts],
            "unblocks": self.waiting,
        }
