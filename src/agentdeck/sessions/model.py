"""A session as stored, and reading sessions back.

``Session.to_dict()`` is the documented JSON shape of ``session show --json``
(README, "Work sessions, evidence and notes"). Live sessions carry measured ``evidence``;
imported ones (status ``imported``, written by ``agentdeck import``) carry
the figures their notes claimed in ``imported.metrics``, kept apart so a
claimed number is never shown as a measured one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from agentdeck import ids
from agentdeck.errors import InvalidInput, NotFound
from agentdeck.store import Store

SESSION_PREFIX = "SESSION"
#: Kinds of ``session log`` entries, in the order the report shows them.
ENTRY_KINDS = ("decision", "challenge", "solution", "lesson", "blocker", "note", "next")
STATUSES = ("open", "ended", "abandoned", "imported")

SESSION_COLUMNS = (
    "id, agent, objective, status, branch, started_at, ended_at, day, when_text, "
    "duration_minutes, duration_text, baseline, evidence, usage, tests, verification, metrics, "
    "source, created_at, updated_at, notes_rendered_at"
)


@dataclass
class Entry:
    """One ``session log`` entry; a solution's ``parent`` is its challenge's number."""

    number: int
    kind: str
    text: str
    at: str | None = None
    parent: int | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "text": self.text,
            "at": self.at,
            "parent": self.parent,
        }


@dataclass
class SessionTask:
    """A task linked to a session: planned, completed, found or worked on."""

    task_id: str
    role: str
    title: str | None = None
    #: The task's status now (``None`` when the task is not in the backlog).
    status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.task_id, "role": self.role, "title": self.title, "status": self.status}


@dataclass
class Commit:
    """A commit made during a session."""

    sha: str
    subject: str
    author: str
    committed_at: str
    files: int | None = None
    added: int | None = None
    removed: int | None = None
    is_merge: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha": self.sha,
            "subject": self.subject,
            "author": self.author,
            "committed_at": self.committed_at,
            "files": self.files,
            "added": self.added,
            "removed": self.removed,
            "merge": self.is_merge,
        }


@dataclass
class SessionFile:
    """A file a session changed (or, for imported sessions, mentioned)."""

    path: str
    change: str
    old_path: str | None = None
    added: int | None = None
    removed: int | None = None
    binary: bool = False
    category: str | None = None
    language: str | None = None
    claimed_lines: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "old_path": self.old_path,
            "change": self.change,
            "added": self.added,
            "removed": self.removed,
            "binary": self.binary,
            "category": self.category,
            "language": self.language,
        }
        if self.claimed_lines is not None:
            out["claimed_lines"] = self.claimed_lines
        return out


@dataclass
class Session:
    """A work session with everything recorded about it."""

    id: str
    agent: str
    objective: str
    status: str
    branch: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    day: str | None = None
    when_text: str | None = None
    duration_minutes: float | None = None
    duration_text: str | None = None
    baseline: dict[str, Any] | None = None
    evidence: dict[str, Any] | None = None
    usage: dict[str, Any] | None = None
    tests: dict[str, Any] | None = None
    verification: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    source: str | None = None
    created_at: str = ""
    updated_at: str = ""
    notes_rendered_at: str | None = None
    entries: list[Entry] = field(default_factory=list)
    tasks: list[SessionTask] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    files: list[SessionFile] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def imported(self) -> bool:
        return self.status == "imported"

    def tasks_with(self, role: str) -> list[SessionTask]:
        return [t for t in self.tasks if t.role == role]

    def entries_of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def task_summary(self) -> dict[str, Any]:
        """Planned vs completed, with the completion rate (``None`` when nothing was planned)."""
        planned = [t.task_id for t in self.tasks_with("planned")]
        completed = [t.task_id for t in self.tasks_with("completed")]
        done_of_plan = [t for t in planned if t in completed]
        return {
            "planned": planned,
            "completed": completed,
            "planned_completed": done_of_plan,
            "unplanned_completed": [t for t in completed if t not in planned],
            "completion_rate": round(len(done_of_plan) / len(planned), 4) if planned else None,
            "found": [t.task_id for t in self.tasks_with("found")],
            "worked": [t.task_id for t in self.tasks_with("worked")],
        }

    def sort_key(self) -> str:
        """When the session happened, for newest-first lists."""
        return self.started_at or (self.day or "") or self.created_at

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a session (README, "JSON shapes" of the sessions)."""
        out: dict[str, Any] = {
            "id": self.id,
            "agent": self.agent,
            "objective": self.objective,
            "status": self.status,
            "branch": self.branch,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_minutes": self.duration_minutes,
            "baseline": self.baseline,
            "evidence": self.evidence,
            "tasks": {
                **self.task_summary(),
                "items": [t.to_dict() for t in self.tasks],
            },
            "entries": [e.to_dict() for e in self.entries],
            "commits": [c.to_dict() for c in self.commits],
            "files": [f.to_dict() for f in self.files],
            "usage": self.usage,
            "tests": self.tests,
            "verification": self.verification,
            "notes_rendered_at": self.notes_rendered_at,
        }
        if self.imported or self.source or self.metrics:
            out["imported"] = {
                "source": self.source,
                "when_text": self.when_text,
                "duration_text": self.duration_text,
                "day": self.day,
                "metrics": self.metrics,
            }
        return out


def check_session_id(value: str) -> str:
    """Normalise a session ID or raise ``InvalidInput``."""
    normal = value.strip().upper()
    match = ids.ID_PATTERN.match(normal)
    if not match or match["prefix"] != SESSION_PREFIX:
        raise InvalidInput(
            f"{value!r} is not a session ID; IDs look like SESSION-20260204-001",
            hint="list them with `agentdeck session list`",
        )
    return normal


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return {"unreadable": text[:200]}


def session_from_row(row: Any) -> Session:
    """A ``Session`` (without children) from a row selected with ``SESSION_COLUMNS``."""
    return Session(
        id=row["id"],
        agent=row["agent"],
        objective=row["objective"],
        status=row["status"],
        branch=row["branch"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        day=row["day"],
        when_text=row["when_text"],
        duration_minutes=row["duration_minutes"],
        duration_text=row["duration_text"],
        baseline=_json(row["baseline"]),
        evidence=_json(row["evidence"]),
        usage=_json(row["usage"]),
        tests=_json(row["tests"]),
        verification=_json(row["verification"]),
        metrics=_json(row["metrics"]),
        source=row["source"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        notes_rendered_at=row["notes_rendered_at"],
    )


def get_session(
    store: Store, session_id: str, *, children: bool = True, files: bool = True
) -> Session:
    """One session with its entries, tasks, commits and (unless ``files`` is false)
    files. Raises ``NotFound``."""
    session_id = check_session_id(session_id)
    row = store.query_one(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        raise NotFound(f"no session {session_id}", hint="list them with `agentdeck session list`")
    session = session_from_row(row)
    if children:
        load_children(store, session, files=files)
    return session


def load_children(store: Store, session: Session, *, files: bool = True) -> None:
    """Fill a session's entries, tasks, commits and (with ``files``) files from the store."""
    sid = session.id
    session.entries = [
        Entry(r["num"], r["kind"], r["text"], r["at"], r["parent"], r["source"])
        for r in store.query(
            "SELECT num, kind, text, at, parent, source FROM session_entries "
            "WHERE session_id = ? ORDER BY num",
            (sid,),
        )
    ]
    order = {"planned": 0, "completed": 1, "worked": 2, "found": 3}
    tasks = [
        SessionTask(r["task_id"], r["role"], r["current_title"] or r["title"], r["status"])
        for r in store.query(
            "SELECT s.task_id, s.role, s.title, t.title AS current_title, t.status "
            "FROM session_tasks s LEFT JOIN tasks t ON t.id = s.task_id WHERE s.session_id = ?",
            (sid,),
        )
    ]
    session.tasks = sorted(tasks, key=lambda t: (order.get(t.role, 9), ids.sort_key(t.task_id)))
    session.commits = [
        Commit(
            r["sha"],
            r["subject"],
            r["author"],
            r["committed_at"],
            r["files"],
            r["added"],
            r["removed"],
            bool(r["is_merge"]),
        )
        for r in store.query(
            "SELECT sha, subject, author, committed_at, files, added, removed, is_merge "
            "FROM session_commits WHERE session_id = ? ORDER BY position",
            (sid,),
        )
    ]
    if not files:
        return
    session.files = [
        SessionFile(
            r["path"],
            r["change"],
            r["old_path"],
            r["added"],
            r["removed"],
            bool(r["is_binary"]),
            r["category"],
            r["language"],
            r["claimed_lines"],
        )
        for r in store.query(
            "SELECT path, old_path, change, added, removed, is_binary, category, language, "
            "claimed_lines FROM session_files WHERE session_id = ? ORDER BY num",
            (sid,),
        )
    ]


@dataclass
class SessionFilter:
    """What ``list_sessions`` returns; empty means any."""

    statuses: list[str] = field(default_factory=list)
    agent: str | None = None
    limit: int | None = None


def list_sessions(store: Store, spec: SessionFilter | None = None) -> list[Session]:
    """Sessions newest first (without their child rows; ``evidence`` holds the counts)."""
    spec = spec or SessionFilter()
    where, params = [], []
    for status in spec.statuses:
        if status not in STATUSES:
            raise InvalidInput(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}")
    if spec.statuses:
        where.append(f"status IN ({', '.join('?' * len(spec.statuses))})")
        params += spec.statuses
    if spec.agent:
        where.append("agent = ?")
        params.append(spec.agent)
    if spec.limit is not None and spec.limit < 0:
        raise InvalidInput("--limit must be zero or more")
    sql = f"SELECT {SESSION_COLUMNS} FROM sessions" + (
        f" WHERE {' AND '.join(where)}" if where else ""
    )
    sessions = [session_from_row(r) for r in store.query(sql, params)]
    sessions.sort(key=lambda s: (s.sort_key(), ids.sort_key(s.id)), reverse=True)
    return sessions[: spec.limit] if spec.limit is not None else sessions


def open_sessions(store: Store) -> list[Session]:
    """Every open session, oldest first, with children."""
    rows = store.query(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE status = 'open' ORDER BY num")
    sessions = [session_from_row(r) for r in rows]
    for session in sessions:
        load_children(store, session)
    return sessions


def load_task_links(store: Store, sessions: list[Session]) -> None:
    """Fill the task links of many sessions with one query (for lists)."""
    if not sessions:
        return
    by_id = {s.id: s for s in sessions}
    for s in sessions:
        s.tasks = []
    for row in store.query(
        "SELECT s.session_id, s.task_id, s.role, s.title, t.status FROM session_tasks s "
        "LEFT JOIN tasks t ON t.id = s.task_id ORDER BY s.session_id, s.task_id"
    ):
        owner = by_id.get(row["session_id"])
        if owner is not None:
            owner.tasks.append(
                SessionTask(row["task_id"], row["role"], row["title"], row["status"])
            )
