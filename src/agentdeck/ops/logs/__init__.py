"""The log analyzer: errors grouped by message shape, search, and tail.

``find_errors`` reads the configured log files (``[logs] paths``, rotated and
gzip-compressed siblings included), detects each file's format from its first
lines, finds the warnings and errors (a traceback is part of its event), and
groups them by the shape of their message (``agentdeck.ops.logs.shape``) with
a count, the first and last time seen and one full example. With
``new_only`` it starts where the same consumer stopped last time and moves
that cursor on (``diagnose`` and the monitor use the consumer ``checks``).

Nothing here raises for a bad file: a file that cannot be read, is binary, or
is not a regular file becomes a ``Problem`` in the report and the rest is read.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck import clock
from agentdeck.errors import InvalidInput, NotFound
from agentdeck.ops.logs import files as files_mod
from agentdeck.ops.logs.files import Cursor, LogFile, Plan, Problem
from agentdeck.ops.logs.formats import (
    ERROR,
    WARNING,
    Format,
    detect,
    level_name,
    level_value,
)
from agentdeck.ops.logs.scan import Event, Filter, Finder, Scanner, looks_binary, regex_finder
from agentdeck.ops.logs.shape import ShapeCache

if TYPE_CHECKING:
    from agentdeck.store import Store
    from agentdeck.workspace import Workspace

__all__ = [
    "ErrorGroup",
    "ErrorReport",
    "Event",
    "FileReport",
    "SearchResult",
    "find_errors",
    "search",
    "tail",
]

#: At most this many groups are kept; further shapes are counted in one overflow group.
MAX_GROUPS = 2000
_SAMPLE_BYTES = 64 << 10


def _time_text(moment: datetime | None) -> str | None:
    return clock.to_text(moment) if moment is not None else None


def event_dict(event: Event) -> dict[str, Any]:
    """The JSON shape of one event (``logs search``, ``logs tail --json``)."""
    return {
        "path": event.path,
        "line": event.line,
        "time": _ts_text(event.ts),
        "level": level_name(event.level),
        "message": event.message,
        "exception": event.exception,
        "text": event.text,
    }


def _ts_text(ts: float | None) -> str | None:
    return clock.to_text(datetime.fromtimestamp(ts, UTC)) if ts is not None else None


@dataclass
class ErrorGroup:
    """Events of one level whose message (and exception) have the same shape."""

    level: int
    shape: str
    exception: str | None
    count: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    files: set[str] = field(default_factory=set)
    example: Event | None = None

    @property
    def first_seen(self) -> datetime | None:
        return datetime.fromtimestamp(self.first_ts, UTC) if self.first_ts is not None else None

    @property
    def last_seen(self) -> datetime | None:
        return datetime.fromtimestamp(self.last_ts, UTC) if self.last_ts is not None else None

    def add(self, event: Event) -> None:
        self.count += 1
        self.files.add(event.path)
        moment = event.ts
        if moment is not None:
            if self.first_ts is None or moment < self.first_ts:
                self.first_ts = moment
            if self.last_ts is None or moment >= self.last_ts:
                self.last_ts = moment
                self.example = event
        elif self.last_ts is None:
            self.example = event  # no times: the most recent one read

    def merge(self, other: ErrorGroup) -> None:
        self.count += other.count
        self.files |= other.files
        if other.first_ts is not None and (self.first_ts is None or other.first_ts < self.first_ts):
            self.first_ts = other.first_ts
        if other.last_ts is not None and (self.last_ts is None or other.last_ts >= self.last_ts):
            self.last_ts = other.last_ts
            self.example = other.example
        elif self.last_ts is None and other.example is not None:
            self.example = other.example

    def to_dict(self) -> dict[str, Any]:
        example = self.example
        return {
            "level": level_name(self.level),
            "shape": self.shape,
            "exception": self.exception,
            "count": self.count,
            "first_seen": _ts_text(self.first_ts),
            "last_seen": _ts_text(self.last_ts),
            "files": sorted(self.files),
            "example": None
            if example is None
            else {
                "path": example.path,
                "line": example.line,
                "time": _ts_text(example.ts),
                "text": example.text,
            },
        }


@dataclass
class FileReport:
    """What was read of one file."""

    path: str
    source: str
    format: str | None = None
    status: str = "read"  # read | resumed | skipped | unchanged | binary | error
    start: int = 0
    end: int = 0
    bytes: int = 0
    #: None when lines were not counted (``logs errors`` counts only for its examples).
    lines: int | None = 0
    events: int = 0
    long_lines: int = 0
    note: str | None = None
    end_line: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "format": self.format,
            "status": self.status,
            "start": self.start,
            "end": self.end,
            "bytes": self.bytes,
            "lines": self.lines,
            "events": self.events,
            "long_lines": self.long_lines,
            "note": self.note,
        }


@dataclass
class ErrorReport:
    """The result of ``find_errors``."""

    groups: list[ErrorGroup]
    files: list[FileReport]
    problems: list[Problem]
    unmatched: list[str]
    since: datetime | None
    new_only: bool
    min_level: int
    seconds: float = 0.0

    @property
    def events(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def errors(self) -> int:
        return sum(g.count for g in self.groups if g.level >= ERROR)

    @property
    def warnings(self) -> int:
        return sum(g.count for g in self.groups if g.level < ERROR)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": _time_text(self.since),
            "new_only": self.new_only,
            "level": level_name(self.min_level),
            "totals": {
                "events": self.events,
                "errors": self.errors,
                "warnings": self.warnings,
                "groups": len(self.groups),
                "files": len(self.files),
                "bytes": sum(f.bytes for f in self.files),
            },
            "groups": [g.to_dict() for g in self.groups],
            "files": [f.to_dict() for f in self.files],
            "problems": [p.to_dict() for p in self.problems],
            "unmatched": list(self.unmatched),
        }


class _Groups:
    """Events folded into groups by (level, shape of message, shape of exception)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[int, str, str | None], ErrorGroup] = {}
        self._shape = ShapeCache()

    def add(self, event: Event) -> None:
        key = (
            event.level,
            self._shape(event.message),
            self._shape(event.exception) if event.exception else None,
        )
        group = self.groups.get(key)
        if group is None:
            if len(self.groups) >= MAX_GROUPS:
                key = (event.level, "(more message shapes than agentdeck keeps apart)", None)
                group = self.groups.get(key)
            if group is None:
                group = ErrorGroup(event.level, key[1], key[2])
                self.groups[key] = group
        group.add(event)

    def merge(self, other: list[ErrorGroup]) -> None:
        for group in other:
            key = (group.level, group.shape, group.exception)
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = group
            else:
                mine.merge(group)

    def sorted(self) -> list[ErrorGroup]:
        return sorted(
            self.groups.values(),
            key=lambda g: (-g.level, -g.count, -(g.last_ts or 0)),
        )


def log_patterns(ws: Workspace, paths: list[str] | tuple[str, ...] | None) -> list[str]:
    """The globs to read: ``paths`` when given, else ``[logs] paths``."""
    return list(paths) if paths else list(ws.config.get("logs", "paths"))


def _no_files(patterns: list[str], problems: list[Problem]) -> NotFound:
    if problems:
        first = problems[0]
        return NotFound(f"no readable log file: {first.path}: {first.message}")
    return NotFound(
        f"no log files match {', '.join(patterns)}",
        hint="set [logs] paths in agentdeck.toml or pass --path GLOB",
    )


def _scan_file(
    plan: Plan,
    keep: Filter,
    on_event: Callable[[Event], None],
    *,
    final: bool,
    finder_for: Callable[[Format], Finder | None] | None = None,
    count_lines: bool = True,
) -> FileReport:
    """Read one file from the plan's offset; never raises for the file's content or I/O."""
    file = plan.file
    report = FileReport(file.display, file.source, start=plan.offset, end=plan.offset)
    report.status = "resumed" if plan.resumed else "read"
    try:
        sample = files_mod.read_head(file, _SAMPLE_BYTES)
        if looks_binary(sample):
            report.status = "binary"
            report.note = "not a text log (binary content): skipped"
            return report
        fmt = detect(sample)
        report.format = fmt.name
        scanner = Scanner(
            fmt,
            keep,
            on_event,
            path=file.display,
            finder=finder_for(fmt) if finder_for else None,
            count_lines=count_lines,
        )
        with files_mod.open_stream(file) as stream:
            if plan.offset:
                if file.compressed:
                    files_mod._skip(stream, plan.offset)
                else:
                    stream.seek(plan.offset)
            stats = scanner.scan(stream, offset=plan.offset, line=plan.line, final=final)
    except (OSError, EOFError) as err:
        report.status = "error"
        report.note = f"cannot read: {getattr(err, 'strerror', None) or err}"
        return report
    report.end = stats.end_offset
    report.bytes = stats.bytes
    report.lines = stats.lines
    report.events = stats.events
    report.long_lines = stats.long_lines
    report.end_line = stats.end_line
    if stats.long_lines:
        report.note = f"{stats.long_lines} line(s) longer than 1 MiB: only their first MiB was read"
    return report


#: Below this many bytes to read, one process does it all (a pool costs more).
PARALLEL_MIN_BYTES = 64 << 20


def _job(args: tuple[Plan, Filter, bool, bool]) -> tuple[FileReport, list[ErrorGroup]]:
    plan, keep, final, count_lines = args
    groups = _Groups()
    report = _scan_file(plan, keep, groups.add, final=final, count_lines=count_lines)
    return report, list(groups.groups.values())


def _run_jobs(
    jobs: list[tuple[str, Plan, bool, str | None]],
    keep: Filter,
    workers: int | None,
    count_lines: bool,
) -> list[tuple[FileReport, list[ErrorGroup]]]:
    """Scan each planned file; in several processes when it is worth it."""
    work = [(plan, keep, final, count_lines) for _source, plan, final, _note in jobs]
    size = sum(max(plan.file.size - plan.offset, 0) for plan, *_rest in work)
    count = min(workers or default_workers(), len(work))
    if count < 2 or size < PARALLEL_MIN_BYTES:
        return [_job(item) for item in work]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Largest first, so the last file to finish is a small one.
    order = sorted(range(len(work)), key=lambda i: -work[i][0].file.size)
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        done = list(pool.map(_job, [work[i] for i in order]))
    results: list[tuple[FileReport, list[ErrorGroup]]] = [None] * len(work)  # type: ignore[list-item]
    for index, result in zip(order, done, strict=True):
        results[index] = result
    return results


def _number_examples(groups: Any, files: dict[str, LogFile]) -> None:
    """Give the examples their line numbers: count newlines up to each one's offset."""
    wanted: dict[str, list[Event]] = {}
    for group in groups:
        example = group.example
        if example is not None and example.line == 0 and example.path in files:
            wanted.setdefault(example.path, []).append(example)
    for path, events in wanted.items():
        events.sort(key=lambda e: e.offset)
        try:
            with files_mod.open_stream(files[path]) as stream:
                position, line = 0, 1
                for event in events:
                    while position < event.offset:
                        chunk = stream.read(min(event.offset - position, 4 << 20))
                        if not chunk:
                            break
                        line += chunk.count(b"\n")
                        position += len(chunk)
                    event.line = line
        except (OSError, EOFError):
            continue


def find_errors(
    ws: Workspace,
    *,
    paths: list[str] | tuple[str, ...] | None = None,
    since: datetime | None = None,
    min_level: int | None = None,
    new_only: bool = False,
    consumer: str = "cli",
    workers: int | None = None,
) -> ErrorReport:
    """Warnings and errors of the configured logs, grouped by message shape.

    ``new_only`` reads only what was written since ``consumer`` last read each
    source, then records where it stopped. Big reads are spread over
    ``workers`` processes, one file each (default: the CPU count, at most 4).
    Raises ``NotFound`` when no file
    matches at all; every other problem is reported in the result.
    """
    started = time.perf_counter()
    patterns = log_patterns(ws, paths)
    level = min_level if min_level is not None else level_value(ws.config.get("logs", "level"))
    resolved = files_mod.resolve(ws.root, patterns)
    if not resolved.sources:
        raise _no_files(patterns, resolved.problems)
    cursors = load_cursors(ws.store, consumer) if new_only else {}
    keep = Filter(min_level=level, since=since)
    groups = _Groups()
    reports: list[FileReport] = []
    saved: list[Cursor] = []
    jobs: list[tuple[str, Plan, bool, str | None]] = []  # source, plan, final, note
    for source, members in resolved.sources.items():
        plans, note = files_mod.plan_reads(members, cursors.get(source))
        if new_only and not plans:
            reports.append(FileReport(members[-1].display, source, status="unchanged", note=note))
        for plan in plans:
            file = plan.file
            if since is not None and file.mtime < since.timestamp() and not new_only:
                reports.append(
                    FileReport(
                        file.display, source, status="skipped", note="not written since --since"
                    )
                )
                continue
            live = file is members[-1] and file.live and not file.compressed
            jobs.append((source, plan, not (new_only and live), note if plan is plans[0] else None))
    # Counting lines is a pass over every byte: done only where a cursor needs it,
    # else afterwards for the few examples shown.
    results = _run_jobs(jobs, keep, workers, count_lines=new_only)
    last_read: dict[str, tuple[LogFile, int, int]] = {}
    for (source, plan, _final, note), (report, found) in zip(jobs, results, strict=True):
        if note:
            report.note = note if not report.note else f"{note}; {report.note}"
        reports.append(report)
        groups.merge(found)
        if report.status in ("read", "resumed"):
            last_read[source] = (plan.file, report.end, report.end_line)
    if new_only:
        for file, position, line in last_read.values():
            saved.append(files_mod.make_cursor(file, position, line))
    else:
        files_by_path = {f.display: f for members in resolved.sources.values() for f in members}
        _number_examples(groups.groups.values(), files_by_path)
    if saved:
        save_cursors(ws.store, consumer, saved)
    return ErrorReport(
        groups=groups.sorted(),
        files=reports,
        problems=resolved.problems,
        unmatched=resolved.unmatched,
        since=since,
        new_only=new_only,
        min_level=level,
        seconds=time.perf_counter() - started,
    )


# -- cursors in the store -------------------------------------------------------------


def load_cursors(store: Store, consumer: str) -> dict[str, Cursor]:
    """The cursors of ``consumer`` by source."""
    rows = store.query("SELECT * FROM log_cursors WHERE consumer = ?", (consumer,))
    return {row["source"]: Cursor.from_row(row) for row in rows}


def save_cursors(store: Store, consumer: str, cursors: list[Cursor]) -> None:
    """Record where ``consumer`` stopped in each source (one transaction)."""
    now = clock.now_text()
    with store.transaction():
        for c in cursors:
            store.execute(
                "DELETE FROM log_cursors WHERE consumer = ? AND source = ?", (consumer, c.source)
            )
            store.execute(
                "INSERT INTO log_cursors (consumer, source, file, inode, mtime, position, line,"
                " head_hash, head_len, tail_hash, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    consumer,
                    c.source,
                    c.file,
                    c.inode,
                    c.mtime,
                    c.position,
                    c.line,
                    c.head_hash,
                    c.head_len,
                    c.tail_hash,
                    now,
                ),
            )


def forget_cursors(store: Store, consumer: str) -> int:
    """Drop every cursor of ``consumer``; the next ``new_only`` read starts over."""
    with store.transaction():
        return store.execute("DELETE FROM log_cursors WHERE consumer = ?", (consumer,))


# -- search and tail --------------------------------------------------------------------


def compile_pattern(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """A user's regex, or ``InvalidInput`` saying what is wrong with it."""
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as err:
        raise InvalidInput(f"invalid regular expression {pattern!r}: {err}") from None


@dataclass
class SearchResult:
    """Events matching a pattern, oldest file first, in file order."""

    pattern: str
    events: list[Event]
    files: list[FileReport]
    problems: list[Problem]
    unmatched: list[str]
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "count": len(self.events),
            "truncated": self.truncated,
            "events": [event_dict(e) for e in self.events],
            "files": [f.to_dict() for f in self.files],
            "problems": [p.to_dict() for p in self.problems],
            "unmatched": list(self.unmatched),
        }


class _Enough(Exception):
    pass


def search(
    ws: Workspace,
    pattern: str,
    *,
    paths: list[str] | tuple[str, ...] | None = None,
    since: datetime | None = None,
    min_level: int = 0,
    ignore_case: bool = False,
    limit: int | None = None,
) -> SearchResult:
    """Events whose text matches the regex ``pattern`` (with their tracebacks).

    Raises ``InvalidInput`` for a bad regex and ``NotFound`` when no file matches.
    """
    text_pattern = compile_pattern(pattern, ignore_case)
    try:
        bytes_pattern = re.compile(pattern.encode("utf-8"), re.IGNORECASE if ignore_case else 0)
        finder: Finder | None = regex_finder(bytes_pattern)
    except re.error:
        finder = None  # e.g. a pattern only valid on text: check every line instead
    if finder is None:
        from agentdeck.ops.logs.scan import every_line

        finder = every_line
    patterns = log_patterns(ws, paths)
    resolved = files_mod.resolve(ws.root, patterns)
    if not resolved.sources:
        raise _no_files(patterns, resolved.problems)
    keep = Filter(min_level=min_level, since=since, pattern=text_pattern)
    found: list[Event] = []
    reports: list[FileReport] = []
    truncated = False

    def collect(event: Event) -> None:
        found.append(event)
        if limit is not None and len(found) > limit:
            raise _Enough

    try:
        for members in resolved.sources.values():
            for file in members:
                if since is not None and file.mtime < since.timestamp():
                    continue
                reports.append(
                    _scan_file(Plan(file), keep, collect, final=True, finder_for=lambda _f: finder)
                )
    except _Enough:
        truncated = True
        found = found[:limit]
    return SearchResult(pattern, found, reports, resolved.problems, resolved.unmatched, truncated)


def tail(
    ws: Workspace,
    *,
    paths: list[str] | tuple[str, ...] | None = None,
    min_level: int = 0,
    pattern: str | None = None,
    ignore_case: bool = False,
    last: int = 10,
    follow: bool = True,
    interval: float = 0.5,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Event]:
    """The last ``last`` matching events, then (``follow``) each new one as it is written.

    Follows rotation: when a source's live file is replaced or truncated it is
    read again from its start. Stops when ``should_stop()`` says so (or on
    KeyboardInterrupt in the caller).
    """
    keep = Filter(
        min_level=min_level,
        pattern=compile_pattern(pattern, ignore_case) if pattern else None,
    )
    from agentdeck.ops.logs.scan import every_line

    def finder_for(fmt: Format) -> Finder | None:
        return every_line if min_level < WARNING else None

    patterns = log_patterns(ws, paths)
    resolved = files_mod.resolve(ws.root, patterns)
    if not resolved.sources:
        raise _no_files(patterns, resolved.problems)
    positions: dict[str, tuple[int, int, int]] = {}  # source -> (inode, offset, line)
    recent: list[Event] = []
    window = 1 << 20
    for source, members in resolved.sources.items():
        live = members[-1]
        start = max(live.size - window, 0) if not live.compressed else 0
        line = 1
        if start:
            # Begin at a line start inside the window; count the lines before it
            # so line numbers stay true.
            with open(live.path, "rb") as handle:
                handle.seek(start)
                start += len(handle.readline())
                handle.seek(0)
                left = start
                while left > 0:
                    chunk = handle.read(min(left, 8 << 20))
                    if not chunk:
                        break
                    line += chunk.count(b"\n")
                    left -= len(chunk)
        report = _scan_file(
            Plan(live, start, line), keep, recent.append, final=False, finder_for=finder_for
        )
        positions[source] = (live.inode, report.end, report.end_line)
    recent.sort(key=lambda e: e.ts or 0)
    yield from recent[-last:] if last > 0 else []
    while follow:
        if should_stop is not None and should_stop():
            return
        time.sleep(interval)
        resolved = files_mod.resolve(ws.root, patterns)
        fresh: list[Event] = []
        for source, members in resolved.sources.items():
            live = members[-1]
            inode, offset, line = positions.get(source, (live.inode, 0, 1))
            if live.inode != inode or live.size < offset:
                offset, line = 0, 1  # rotated or truncated: the new file from its start
            if live.size == offset:
                positions[source] = (live.inode, offset, line)
                continue
            report = _scan_file(
                Plan(live, offset, line), keep, fresh.append, final=False, finder_for=finder_for
            )
            positions[source] = (live.inode, report.end, report.end_line)
        yield from fresh


def parse_since(text: str | None) -> datetime | None:
    """``--since`` as a time, or ``InvalidInput``."""
    if not text:
        return None
    try:
        return clock.parse_when(text)
    except ValueError as err:
        raise InvalidInput(str(err)) from None


def default_workers() -> int:
    """Worker processes for a big read: two per CPU, at most four.

    More workers than CPUs keep every CPU busy while one waits on the disk or
    on gzip, and hold their share of a machine other programs also load.
    """
    return max(1, min(2 * (os.cpu_count() or 1), 4))


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
