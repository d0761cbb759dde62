"""What the parser reads out of a note, before anything is stored.

Every item keeps the line it came from; ``ParsedSession.to_dict()`` is the
shape ``import --dry-run --json`` shows for each session.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any, Final

from agentdeck.notes.importer.dates import find_dates
from agentdeck.notes.importer.vocab import LIVE_MARKER

#: Kinds of session log entries (the ``session_entries.kind`` values the importer writes).
ENTRY_KINDS = ("work", "decision", "challenge", "solution", "lesson", "blocker", "next", "note")


@dataclass(slots=True)
class Entry:
    """One log entry: a work item, decision, challenge, solution, lesson, blocker, next step or note.

    ``parent`` is the index (in the session's ``entries``) of the entry this one
    belongs to: the challenge of a solution, the work item of a detail.
    """

    kind: str
    text: str
    line: int
    parent: int | None = None

    # Written out (the dataclass would make the same): compiled with mypyc, a
    # generated ``__init__`` stays interpreted, and entries are made per line.
    def __init__(self, kind: str, text: str, line: int, parent: int | None = None) -> None:
        self.kind = kind
        self.text = text
        self.line = line
        self.parent = parent

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "line": self.line, "parent": self.parent}


@dataclass
class TaskRef:
    """A task named by its ID in a note, with what the note says about it."""

    id: str
    title: str | None
    line: int
    role: str = "worked"
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    effort: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "role": self.role,
            "status": self.status,
            "priority": self.priority,
            "category": self.category,
            "effort": self.effort,
            "line": self.line,
        }


@dataclass(slots=True)
class FileRef:
    """A file a note mentions, with the line or character count it claims."""

    path: str
    line: int
    lines: int | None = None
    chars: int | None = None
    #: "created" or "modified" when the note says so, else None (only mentioned).
    change: str | None = None

    # Written out, as ``Entry.__init__`` is (made per file-list line).
    def __init__(
        self,
        path: str,
        line: int,
        lines: int | None = None,
        chars: int | None = None,
        change: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.lines = lines
        self.chars = chars
        self.change = change

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "lines": self.lines,
            "chars": self.chars,
            "change": self.change,
            "line": self.line,
        }


@dataclass
class NewTask:
    """A task the note recommends adding to the backlog."""

    title: str
    line: int
    label: str | None = None
    priority: str | None = None
    effort: str | None = None
    description: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "label": self.label,
            "priority": self.priority,
            "effort": self.effort,
            "description": "\n".join(self.description),
            "line": self.line,
        }


@dataclass
class ParsedSession:
    """One session read from a note."""

    line: int
    end_line: int = 0
    title: str = ""
    objective: str = ""
    when_text: str | None = None
    day: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    duration_minutes: float | None = None
    duration_text: str | None = None
    branch: str | None = None
    agent: str = ""
    #: An explicit session ID written in the note (``SESSION-20260204-001``).
    label: str | None = None
    metrics: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    tasks: list[TaskRef] = field(default_factory=list)
    files: list[FileRef] = field(default_factory=list)
    new_tasks: list[NewTask] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "end_line": self.end_line,
            "title": self.title,
            "objective": self.objective,
            "when": self.when_text,
            "day": self.day,
            "start_time": self.start_time,
            "duration_minutes": self.duration_minutes,
            "duration_text": self.duration_text,
            "branch": self.branch,
            "agent": self.agent,
            "label": self.label,
            "metrics": self.metrics,
            "entries": [e.to_dict() for e in self.entries],
            "tasks": [t.to_dict() for t in self.tasks],
            "files": [f.to_dict() for f in self.files],
            "new_tasks": [t.to_dict() for t in self.new_tasks],
        }

    def load(self) -> ParsedSession:
        """The session itself (what ``ahead.PreparedSession.load`` decodes from a worker's bytes)."""
        return self

    def import_key(self) -> str:
        """The natural key that makes importing this session again a no-op.

        An explicit session ID wins. Otherwise the day (or the date as written)
        with the start time when there is one; without a time, the title with
        dates and markers such as "(LATEST)" removed, and the branch. With
        neither a day nor a title, the first entries stand in for them.
        """
        if self.label:
            return "id:" + self.label.upper()
        when = self.day or _norm(self.when_text or "")
        if self.start_time:
            return f"t:{when}|{self.start_time}"
        title = _norm_title(self.title) or _norm_title(self.objective)
        key = f"d:{when}|{title}|{(self.branch or '').lower()}"
        if not self.day and not title:
            first = "|".join(e.text for e in self.entries[:3])
            key += "|" + hashlib.sha1(first.encode("utf-8", "replace")).hexdigest()[:16]
        return key

    def digest(self) -> str:
        """A fingerprint of the content (line numbers excluded): equal when two notes agree.

        It is the SHA-256 of ``to_dict()`` without its line numbers, with the
        "(LATEST)"-style markers taken out of the title, as JSON with sorted
        keys (``json.dumps(..., sort_keys=True, ensure_ascii=False,
        default=str)``). Stored sessions keep it (``import_digest``), so it must
        never change. The JSON is written here directly, keys in sorted order,
        each string by the very function ``json``'s encoder escapes strings
        with: no dict per entry to build and walk (a third of a session's
        reading time went to its digest). ``tests/notes/importer/
        test_import_digest.py`` holds the two forms equal.
        """
        # Metric names are text (``extract`` reads them from the note), as
        # ``_js(key)`` needs: ``json`` would write any other key as text too.
        metrics = sorted(self.metrics.items())
        # f-strings, not ``+``: one string built per item (mypyc and CPython
        # both join an f-string's pieces at once; a chain of ``+`` copies the
        # text so far at each step).
        entries = ", ".join(
            [
                f'{{"kind": {_js(e.kind)}, "parent": {_js(e.parent)}, "text": {_js(e.text)}}}'
                for e in self.entries
            ]
        )
        files = ", ".join(
            [
                f'{{"change": {_js(f.change)}, "chars": {_js(f.chars)}, '
                f'"lines": {_js(f.lines)}, "path": {_js(f.path)}}}'
                for f in self.files
            ]
        )
        new_tasks = ", ".join(
            [
                f'{{"description": {_js(chr(10).join(t.description))}, "effort": {_js(t.effort)}, '
                f'"label": {_js(t.label)}, "priority": {_js(t.priority)}, "title": {_js(t.title)}}}'
                for t in self.new_tasks
            ]
        )
        tasks = ", ".join(
            [
                f'{{"category": {_js(t.category)}, "effort": {_js(t.effort)}, "id": {_js(t.id)}, '
                f'"priority": {_js(t.priority)}, "role": {_js(t.role)}, '
                f'"status": {_js(t.status)}, "title": {_js(t.title)}}}'
                for t in self.tasks
            ]
        )
        metric_items = ", ".join([f"{_js(key)}: {_js(value)}" for key, value in metrics])
        title = _js(LIVE_MARKER.sub("", self.title).strip())
        text = (
            f'{{"agent": {_js(self.agent)}, "branch": {_js(self.branch)}, "day": {_js(self.day)}, '
            f'"duration_minutes": {_js(self.duration_minutes)}, '
            f'"duration_text": {_js(self.duration_text)}, "entries": [{entries}], '
            f'"files": [{files}], "label": {_js(self.label)}, "metrics": {{{metric_items}}}, '
            f'"new_tasks": [{new_tasks}], "objective": {_js(self.objective)}, '
            f'"start_time": {_js(self.start_time)}, "tasks": [{tasks}], "title": {title}, '
            f'"when": {_js(self.when_text)}}}'
        )
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


@dataclass
class BacklogTask(TaskRef):
    """A task read from a backlog or task index file (outside any session)."""

    depends_on: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


#: ``json.dumps(data, ensure_ascii=False, default=str)``, made once: the same
#: text, without building an encoder per session nor tracking the containers
#: it has entered (a digest's data has no cycle).
_DIGEST_JSON = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False)


def _js(value: object) -> str:
    """``value`` as ``_DIGEST_JSON`` writes it: a string escaped by the same function
    (``encode_basestring``, C), ``null``, an integer; anything else through the encoder."""
    if type(value) is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    return _DIGEST_JSON.encode(value)


_NON_WORD: Final = re.compile(r"[^\w]+")
_CLOCK_WORDS: Final = re.compile(r"\b\d{1,2}:\d{2}\b|\b[ap]\.?m\.?\b", re.I)


def _norm(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def _norm_title(text: str) -> str:
    text = LIVE_MARKER.sub(" ", text or "")
    for found in reversed(find_dates(text)):
        text = text[: found.start] + " " + text[found.end :]
    text = _CLOCK_WORDS.sub(" ", text)
    return _norm(text)


def encode_session(session: ParsedSession) -> bytes:
    """A session as bytes for another process: plain tuples of its fields.

    Pickling the objects themselves cost three times as much (each compiled
    object goes through ``copyreg`` and a dict of its state), and reading the
    fields here, compiled, is direct. A task or recommendation of a subclass
    (a ``BacklogTask``; none is made for a session today) is pickled whole.
    ``decode_session`` is the inverse.
    """
    tasks: list[object] = []
    for t in session.tasks:
        if type(t) is TaskRef:
            tasks.append(
                (t.id, t.title, t.line, t.role, t.status, t.priority, t.category, t.effort)
            )
        else:
            tasks.append(t)
    new_tasks: list[object] = []
    for n in session.new_tasks:
        if type(n) is NewTask:
            new_tasks.append((n.title, n.line, n.label, n.priority, n.effort, n.description))
        else:
            new_tasks.append(n)
    return pickle.dumps(
        (
            (
                session.line,
                session.end_line,
                session.title,
                session.objective,
                session.when_text,
                session.day,
                session.start_time,
                session.end_time,
                session.duration_minutes,
                session.duration_text,
                session.branch,
                session.agent,
                session.label,
            ),
            session.metrics,
            [(e.kind, e.text, e.line, e.parent) for e in session.entries],
            [(f.path, f.line, f.lines, f.chars, f.change) for f in session.files],
            tasks,
            new_tasks,
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def decode_session(payload: bytes) -> ParsedSession:
    """The session ``encode_session`` wrote."""
    fields, metrics, entries, files, tasks, new_tasks = pickle.loads(payload)
    session = ParsedSession(
        fields[0],
        fields[1],
        fields[2],
        fields[3],
        fields[4],
        fields[5],
        fields[6],
        fields[7],
        fields[8],
        fields[9],
        fields[10],
        fields[11],
        fields[12],
    )
    session.metrics = metrics
    session.entries = [Entry(e[0], e[1], e[2], e[3]) for e in entries]
    session.files = [FileRef(f[0], f[1], f[2], f[3], f[4]) for f in files]
    session.tasks = [
        TaskRef(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]) if type(t) is tuple else t
        for t in tasks
    ]
    session.new_tasks = [
        NewTask(n[0], n[1], n[2], n[3], n[4], n[5]) if type(n) is tuple else n for n in new_tasks
    ]
    return session
