"""Storing what was read: sessions, their entries, task links and files; tasks; recommendations.

One file is all or nothing (its own transaction, or its own savepoint inside
the transaction ``import_notes`` holds around a few files): after any failure
nothing of that file remains.
A session whose natural key (``ParsedSession.import_key``) is already stored
is not written again, so importing a file twice, or two files that share
sessions, creates each session once. Tasks keep the IDs the notes give them
(``ids.reserve`` moves the day's sequence past them); a task already in the
backlog is linked, never changed. Recommended tasks become ``todo`` tasks
tagged ``recommended`` with ``source`` = file:line and ``found_in_session``;
one whose title matches an open task is linked to it instead of duplicated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agentdeck import clock, ids
from agentdeck.backlog.deps import find_cycle
from agentdeck.backlog.model import FINISHED_STATUSES, OPEN_STATUSES, STATUSES
from agentdeck.backlog.tasks import (
    INSERT_EVENT,
    TASK_PREFIX,
    check_category,
    check_effort,
    check_priority,
    check_title,
    event_row,
)
from agentdeck.errors import AgentdeckError
from agentdeck.notes.importer.model import BacklogTask, NewTask, ParsedSession, TaskRef
from agentdeck.store import Store

SESSION_PREFIX = "SESSION"
# The rows a file's import writes, queued and inserted several to a statement
# (``Store.insert_rows``) by ``Writer.flush``, parents first.
_SESSIONS = (
    "INSERT INTO sessions (id, agent, objective, status, branch, day, when_text, "
    "duration_minutes, duration_text, metrics, source, import_key, created_at, updated_at, "
    "title, import_digest)"
)
_TASKS = (
    "INSERT INTO tasks (id, title, description, status, priority, category, effort, notes, "
    "source, created_at, updated_at, completed_at, completed_in_session, found_in_session)"
)
_TAGS = "INSERT INTO task_tags (task_id, tag)"
_LINKS = "INSERT INTO session_tasks (session_id, task_id, role, title)"
_ENTRIES = "INSERT INTO session_entries (num, session_id, kind, text, parent, source)"
_FILES = (
    "INSERT INTO session_files (session_id, path, change, claimed_lines, claimed_chars, source)"
)
#: Queued entry rows written as soon as there are this many (bounds memory).
_FLUSH_ROWS = 5000
#: Import keys looked up per query (SQLite allows 32,766 parameters; PostgreSQL 65,535).
_LOOKUP_CHUNK = 500
ACTOR = "import"
_NORMAL_TITLE = re.compile(r"[^\w]+")


def normal_title(text: str) -> str:
    """Titles compared for duplicates: lower case, words only."""
    return _NORMAL_TITLE.sub(" ", text.lower()).strip()


@dataclass
class FileResult:
    """What importing one note did (or, with ``dry_run``, would do). ``to_dict`` is the JSON shape."""

    path: str
    kind: str = ""
    status: str = "imported"
    title: str = ""
    sessions_created: list[str] = field(default_factory=list)
    sessions_unchanged: list[str] = field(default_factory=list)
    sessions_differ: list[str] = field(default_factory=list)
    sessions_replaced: list[str] = field(default_factory=list)
    tasks_created: list[str] = field(default_factory=list)
    tasks_linked: list[str] = field(default_factory=list)
    recommended_created: list[str] = field(default_factory=list)
    recommended_linked: list[str] = field(default_factory=list)
    entries: int = 0
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    repair: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    error: str | None = None
    exit_code: int = 0
    bytes: int = 0
    dry_run: bool = False
    #: Parsed sessions (kept only when asked, for ``--dry-run --json``).
    parsed: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "status": self.status,
            "title": self.title,
            "dry_run": self.dry_run,
            "sessions": {
                "created": self.sessions_created,
                "unchanged": self.sessions_unchanged,
                "differ": self.sessions_differ,
                "replaced": self.sessions_replaced,
            },
            "tasks": {"created": self.tasks_created, "linked": self.tasks_linked},
            "recommended": {
                "created": self.recommended_created,
                "linked": self.recommended_linked,
            },
            "entries": self.entries,
            "files": self.files,
            "repaired": self.repair,
            "warnings": self.warnings,
            "reason": self.reason,
            "error": self.error,
        }
        if self.parsed is not None:
            out["parsed"] = self.parsed
        return out


class _Overlay(dict):  # type: ignore[type-arg]
    """Lookups see the shared titles and this file's; writes go to this file's only."""

    def __init__(self, base: dict[str, str], added: dict[str, str]) -> None:
        super().__init__()
        self.base = base
        self.added = added

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        if key in self.added:
            return self.added[key]
        return self.base.get(key, default)

    def __setitem__(self, key: str, value: str) -> None:
        self.added[key] = value


class Writer:
    """Writes the sessions and tasks of one file inside the caller's transaction."""

    def __init__(
        self,
        store: Store,
        result: FileResult,
        *,
        display: str,
        replace: bool,
        default_priority: str,
        shared: dict[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.result = result
        self.display = display
        self.replace = replace
        self.default_priority = default_priority
        self.keys: dict[str, int] = {}
        self.known_tasks: set[str] = set()
        self._open_titles: dict[str, str] | None = None
        self._added_titles: dict[str, str] = {}
        self._session_rows: list[tuple[Any, ...]] = []
        #: IDs of the queued sessions (not yet in the table).
        self._queued_sessions: set[str] = set()
        self._task_rows: list[tuple[Any, ...]] = []
        self._event_rows: list[tuple[Any, ...]] = []
        self._link_rows: list[tuple[Any, ...]] = []
        self._tag_rows: list[tuple[str, str]] = []
        self._entry_rows: list[tuple[Any, ...]] = []
        self._file_rows: list[tuple[Any, ...]] = []
        #: Sequences to move past the IDs kept from the notes: (prefix, day) -> number.
        self._reserved: dict[tuple[str, str], int] = {}
        #: Caches shared by the files of one run (filled only from committed files).
        self.shared = shared if shared is not None else {}
        # What the transaction that ``import_notes`` holds around a group of files
        # knows of the ID sequences and the next entry number (``shared["group"]``,
        # reset at each group): the last number taken of each sequence this
        # transaction has allocated from (and so locked, on PostgreSQL), and the
        # numbers taken here but not yet written (``flush``). Copied, so that a
        # file that fails leaves the group's as they were.
        group = self.shared.get("group") or {}
        self._sequences: dict[tuple[str, str], int] = dict(group.get("sequences", {}))
        self._taken: dict[tuple[str, str], int] = {}
        self._next_num: int | None = group.get("next_num")
        #: The file's stored sessions by import key, when ``look_up`` read them.
        self._stored: dict[str, Any] | None = None
        self.now = clock.now_text()

    # -- sessions --------------------------------------------------------------------------

    def look_up(self, sessions: Sequence[ParsedSession]) -> None:
        """Read which of ``sessions`` (all the file's, in order) are stored, in a few queries.

        ``session`` then takes its answer from here instead of one query per
        session. Not done when two of the stored keys would be the same (keys
        are cut to 1,000 characters): then a session written for the first
        one is what the second must find, so each is looked up when it comes.
        """
        counts: dict[str, int] = {}
        keys = []
        for parsed in sessions:
            key = parsed.import_key()
            seen = counts.get(key, 0) + 1
            counts[key] = seen
            keys.append((f"{key}#{seen}" if seen > 1 else key)[:1000])
        if len(set(keys)) != len(keys) or self.keys:
            return
        stored: dict[str, Any] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            rows = self.store.query(
                "SELECT import_key, id, import_digest FROM sessions WHERE import_key IN "
                f"({', '.join('?' * len(chunk))})",
                tuple(chunk),
            )
            stored.update((row["import_key"], row) for row in rows)
        self._stored = stored

    def session(self, parsed: ParsedSession) -> None:
        store = self.store
        key = parsed.import_key()
        seen = self.keys.get(key, 0) + 1
        self.keys[key] = seen
        if seen > 1:
            key = f"{key}#{seen}"
        digest = parsed.digest()
        if self._stored is not None:
            row = self._stored.get(key[:1000])
        else:
            self.flush()  # the file's sessions so far are among those to find
            row = store.query_one(
                "SELECT id, import_digest FROM sessions WHERE import_key = ?", (key[:1000],)
            )
        if row is not None:
            if row["import_digest"] == digest:
                self.result.sessions_unchanged.append(row["id"])
                return
            if not self.replace:
                self.result.sessions_differ.append(row["id"])
                return
            session_id = row["id"]
            self.flush()
            store.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            self.result.sessions_replaced.append(session_id)
        # A worker's session is decoded here, once, not through its attribute hook
        # at each field read below (each read failing first as a slot, which costs
        # an AttributeError).
        loaded = parsed.load()
        if row is None:
            session_id = self._session_id(loaded)
            self.result.sessions_created.append(session_id)
        self._insert_session(loaded, session_id, key[:1000], digest)

    def _session_id(self, parsed: ParsedSession) -> str:
        label = (parsed.label or "").upper()
        if ids.ID_PATTERN.match(label):
            taken = label in self._queued_sessions or self.store.query_value(
                "SELECT 1 FROM sessions WHERE id = ?", (label,)
            )
            if not taken:
                self._reserve(label)
                return label
        day = parsed.day.replace("-", "") if parsed.day else clock.local_day()
        return self._allocate(SESSION_PREFIX, day)

    def _allocate(self, prefix: str, day: str) -> str:
        """A fresh ID of ``prefix`` and ``day``, past the IDs kept from the notes.

        The first of a sequence in the transaction is ``ids.allocate``'s (which
        locks its row on PostgreSQL until the commit; SQLite's whole database is
        locked); the next ones follow it here and are written at ``flush``,
        instead of one statement each.
        """
        sequence = (prefix, day)
        if sequence in self._reserved:
            self._flush_reserved()  # the sequence must be past them before it is taken from
            self._sequences.pop(sequence, None)
        last = self._sequences.get(sequence)
        if last is None:
            identifier = ids.allocate(self.store, prefix, day)
            found = ids.sequence_of(identifier)
            if found is not None:
                self._sequences[sequence] = found[2]
            return identifier
        self._sequences[sequence] = self._taken[sequence] = last + 1
        return ids.format_id(prefix, day, last + 1)

    def _reserve(self, identifier: str) -> None:
        """Queue ``ids.reserve`` of an ID kept from the notes (one upsert per sequence)."""
        found = ids.sequence_of(identifier)
        if found is not None:
            prefix, day, number = found
            if number > self._reserved.get((prefix, day), -1):
                self._reserved[prefix, day] = number

    def _flush_reserved(self) -> None:
        """Write the reservations and the numbers ``_allocate`` took, one upsert per sequence."""
        for sequence, number in self._reserved.items():
            # Reserving moves the sequence past the note's ID: what this
            # transaction knows of it moves along.
            last = self._sequences.get(sequence)
            if last is not None and last < number:
                self._sequences[sequence] = number
            self._taken[sequence] = max(number, self._taken.get(sequence, number))
        if self._taken:
            ids.reserve_many(self.store, self._taken)
        self._reserved, self._taken = {}, {}

    def _insert_session(
        self, parsed: ParsedSession, session_id: str, key: str, digest: str
    ) -> None:
        source = f"{self.display}:{parsed.line}"
        self._queued_sessions.add(session_id)
        self._session_rows.append(
            (
                session_id,
                parsed.agent or "",
                parsed.objective or parsed.title or "",
                "imported",
                parsed.branch,
                parsed.day,
                parsed.when_text,
                parsed.duration_minutes,
                parsed.duration_text,
                json.dumps(parsed.metrics, ensure_ascii=False) if parsed.metrics else None,
                source,
                key,
                self.now,
                self.now,
                parsed.title or None,
                digest,
            )
        )
        self._entries(parsed, session_id)
        for ref in parsed.tasks:
            self._link_task(ref, session_id, parsed)
        if parsed.files:
            self._file_rows.extend(
                (session_id, f.path, "mentioned", f.lines, f.chars, f"{self.display}:{f.line}")
                for f in parsed.files
            )
            self.result.files += len(parsed.files)
        for task in parsed.new_tasks:
            self._recommend(task, session_id)

    def _entries(self, parsed: ParsedSession, session_id: str) -> None:
        """Queue the session's entries with numbers taken up front, so that a
        solution can name its challenge's ``num`` and all rows go in one batch."""
        if not parsed.entries:
            return
        nums = self._numbers(len(parsed.entries))
        for index, entry in enumerate(parsed.entries):
            parent = nums[entry.parent] if entry.parent is not None else None
            self._entry_rows.append(
                (
                    nums[index],
                    session_id,
                    entry.kind,
                    entry.text,
                    parent,
                    f"{self.display}:{entry.line}",
                )
            )
        self.result.entries += len(parsed.entries)
        if len(self._entry_rows) >= _FLUSH_ROWS:
            self.flush()

    def _numbers(self, count: int) -> list[int]:
        """``count`` fresh values of ``session_entries.num`` (inside the write transaction)."""
        store = self.store
        if store.dialect.is_postgres:
            rows = store.query(
                "SELECT nextval(pg_get_serial_sequence('session_entries', 'num')) AS n "
                "FROM generate_series(1, ?)",
                (count,),
            )
            return [int(r["n"]) for r in rows]
        if self._next_num is None:
            # SQLite: the transaction holds the write lock, so nobody else takes numbers.
            top = store.query_value(
                "SELECT max(n) FROM (SELECT max(num) AS n FROM session_entries UNION ALL "
                "SELECT seq AS n FROM sqlite_sequence WHERE name = 'session_entries')"
            )
            self._next_num = int(top or 0) + 1
        first = self._next_num
        self._next_num += count
        return list(range(first, first + count))

    def flush(self) -> None:
        """Write the queued rows, parents before the rows that refer to them.

        Called at the end of each file, before anything reads what the queues
        hold (a session looked up by key, a backlog's tags and dependencies),
        and when the queues grow long.
        """
        self._flush_reserved()
        queues = (
            (_SESSIONS, self._session_rows, ""),
            (_TASKS, self._task_rows, ""),
            (_TAGS, self._tag_rows, ""),
            (INSERT_EVENT, self._event_rows, ""),
            (_LINKS, self._link_rows, "ON CONFLICT DO NOTHING"),
            (_ENTRIES, self._entry_rows, ""),
            (_FILES, self._file_rows, ""),
        )
        for head, rows, tail in queues:
            if rows:
                self.store.insert_rows(head, rows, tail)
                rows.clear()
        self._queued_sessions.clear()

    # -- tasks -------------------------------------------------------------------------------

    def _task_exists(self, task_id: str) -> bool:
        if task_id in self.known_tasks:
            return True
        if self.store.query_value("SELECT 1 FROM tasks WHERE id = ?", (task_id,)):
            self.known_tasks.add(task_id)
            return True
        return False

    def _stamp(self, day: str | None) -> str:
        return f"{day}T00:00:00.000000Z" if day else self.now

    def _create_task(
        self, ref: TaskRef, *, session_id: str | None, day: str | None, source: str
    ) -> bool:
        """Insert a task named in a note, keeping its ID. False when it is already stored."""
        if self._task_exists(ref.id):
            if ref.id not in self.result.tasks_linked and ref.id not in self.result.tasks_created:
                self.result.tasks_linked.append(ref.id)
            return False
        status = ref.status if ref.status in STATUSES else None
        status = status or ("done" if ref.role == "completed" else "todo")
        try:
            title = check_title(ref.title or "")
        except AgentdeckError:
            title = f"{ref.id} (no title in {source})"
        try:
            category = check_category(ref.category or "")
        except AgentdeckError:
            category = ""
        try:
            effort = check_effort(ref.effort)
        except AgentdeckError:
            effort = None
        stamp = self._stamp(day)
        finished = status in FINISHED_STATUSES
        self._task_rows.append(
            (
                ref.id,
                title,
                "",
                status,
                ref.priority or self.default_priority,
                category,
                effort,
                "",
                source,
                stamp,
                stamp,
                stamp if finished else None,
                session_id if status == "done" and session_id else None,
                None,
            )
        )
        self._event_rows.append(
            event_row(
                ref.id,
                ACTOR,
                "created",
                to_status=status,
                note=f"imported from {source}",
                session_id=session_id,
                at=stamp,
            )
        )
        self._reserve(ref.id)
        self.known_tasks.add(ref.id)
        self.result.tasks_created.append(ref.id)
        if status in OPEN_STATUSES:
            self.open_titles()[normal_title(title)] = ref.id
        return True

    def _link_task(self, ref: TaskRef, session_id: str, parsed: ParsedSession) -> None:
        self._create_task(
            ref, session_id=session_id, day=parsed.day, source=f"{self.display}:{ref.line}"
        )
        self._link_rows.append((session_id, ref.id, ref.role, ref.title))

    def open_titles(self) -> dict[str, str]:
        """Normalised titles of open tasks -> their IDs (read once per run, kept current)."""
        if self._open_titles is None:
            known = self.shared.get("open_titles")
            if known is None:
                known = {
                    normal_title(r["title"]): r["id"]
                    for r in self.store.query(
                        "SELECT id, title FROM tasks WHERE status IN ('todo', 'in_progress', 'blocked', 'review') "
                        "AND archived_at IS NULL ORDER BY num"
                    )
                }
                self.shared["open_titles"] = known
            self._open_titles = _Overlay(known, self._added_titles)
        return self._open_titles

    def committed(self) -> None:
        """The file's transaction committed: its new titles join the run's shared cache,
        and what it knows of the sequences and entry numbers the group's."""
        if "open_titles" in self.shared:
            self.shared["open_titles"].update(self._added_titles)
        group = self.shared.get("group")
        if group is not None:
            group["sequences"] = self._sequences
            group["next_num"] = self._next_num

    def _recommend(self, task: NewTask, session_id: str) -> None:
        source = f"{self.display}:{task.line}"
        key = normal_title(task.title)
        known = self.open_titles().get(key)
        if known:
            self._link_rows.append((session_id, known, "found", task.title))
            self.result.recommended_linked.append(known)
            return
        notes = (
            f"Recommended as {task.label} in {source}."
            if task.label
            else f"Recommended in {source}."
        )
        # What ``backlog.tasks.add_task`` writes, queued with the file's other rows
        # instead of written at once: a new ID, the task (todo), its tag, its
        # "created" event and its link to the session, with the same checks.
        try:
            title = check_title(task.title)
            priority = check_priority(task.priority or self.default_priority)
            effort = check_effort(task.effort)
        except AgentdeckError as err:
            self.result.warnings.append(f"{source}: recommended task not added: {err}")
            return
        task_id = self._allocate(TASK_PREFIX, clock.local_day())
        self._task_rows.append(
            (
                task_id,
                title,
                "\n".join(task.description).strip(),
                "todo",
                priority,
                "",
                effort,
                notes,
                source,
                self.now,
                self.now,
                None,
                None,
                session_id,
            )
        )
        self._tag_rows.append((task_id, "recommended"))
        self._event_rows.append(
            event_row(
                task_id, ACTOR, "created", to_status="todo", session_id=session_id, at=self.now
            )
        )
        self._link_rows.append((session_id, task_id, "found", title))
        self.known_tasks.add(task_id)  # queued, not yet stored: a later mention links to it
        self.open_titles()[key] = task_id
        self.result.recommended_created.append(task_id)

    # -- backlogs and task indexes -----------------------------------------------------------

    def backlog(self, tasks: list[BacklogTask]) -> None:
        """Tasks of a TODO.md / TASK_INDEX.md: created when missing, with tags and dependencies."""
        created = []
        for task in tasks:
            if self._create_task(
                task, session_id=None, day=None, source=f"{self.display}:{task.line}"
            ):
                created.append(task)
        self.flush()  # the tasks, before their tags and dependencies
        for task in created:
            for tag in task.tags:
                if re.fullmatch(r"[\w.:/+-]+", tag):
                    self.store.execute(
                        "INSERT INTO task_tags (task_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                        (task.id, tag),
                    )
        edges = {
            (r["task_id"], r["depends_on"])
            for r in self.store.query("SELECT task_id, depends_on FROM task_deps")
        }
        for task in created:
            for dep in task.depends_on:
                if dep == task.id or not self._task_exists(dep):
                    continue
                if find_cycle(edges | {(task.id, dep)}) is not None:
                    self.result.warnings.append(
                        f"{self.display}:{task.line}: {task.id} -> {dep} would close a cycle; left out"
                    )
                    continue
                edges.add((task.id, dep))
                self.store.execute(
                    "INSERT INTO task_deps (task_id, depends_on) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (task.id, dep),
                )
