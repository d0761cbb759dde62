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
    # The order above is TASK_COLUMNS' order, so a row unpacks positionally.
    acceptance: list[Criterion] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """The task's JSON shape (every stored field, in field order; see README)."""
        out = {key: getattr(self, key) for key in TASK_KEYS}
        out["acceptance"] = [c.to_dict() for c in self.acceptance]
        out["tags"] = list(self.tags)
        out["depends_on"] = list(self.depends_on)
        return out


#: Columns read for a task: the scalar fields of ``Task`` in its order, then acceptance.
TASK_COLUMNS = (
    "id, title, description, status, priority, category, effort, assignee, notes, "
    "blocked_reason, found_in_session, completed_in_session, source, created_at, updated_at, "
    "started_at, completed_at, archived_at, acceptance"
)
_SCALARS = 18
#: Names of the scalar fields, in ``TASK_COLUMNS`` order (the JSON shape's first keys).
TASK_KEYS = tuple(name.strip() for name in TASK_COLUMNS.split(","))[:_SCALARS]


def task_from_row(row: Any, tags: list[str] | None = None, deps: list[str] | None = None) -> Task:
    """Build a ``Task`` from a row selected with ``TASK_COLUMNS``.

    Positional on purpose: ``task list`` builds thousands of these per call.
    """
    raw = row[_SCALARS]
    acceptance = (
        [Criterion(c["text"], bool(c.get("done"))) for c in json.loads(raw)] if raw != "[]" else []
    )
    return Task(*row[:_SCALARS], acceptance, tags or [], deps or [])  # type: ignore[arg-type]


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
    """A task with its urgency score; ``next`` fills the parts and what it unblocks."""

    task: Task
    score: float
    parts: list[ScorePart] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    #: Whether the task is ready (todo, not archived, dependencies resolved).
    ready: bool = True
    #: The score rounded for display, as the database rounded it (``task list``).
    urgency: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task.to_dict(),
            "score": round(self.score, 3),
            "parts": [p.to_dict() for p in self.parts],
            "unblocks": self.waiting,
        }
