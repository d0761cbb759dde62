"""Which files a log source is made of, how to open them, and where a reader stopped.

A *source* is a live log file and its rotated siblings: ``app.log``,
``app.log.1``, ``app.log.2.gz``, ``app.log-20261120``, ``app.log.2026-11-20``.
They are read oldest first (by modification time, which renaming and gzip
keep), gzip-compressed ones through ``gzip``.

A *cursor* remembers, per source and per consumer (``checks``, ``cli``), the
file a reader stopped in and where: the position, plus fingerprints of the
file's first bytes and of the bytes just before the position. On the next read
the newest file whose fingerprints still match is where reading resumes; files
after it are new and read whole; files before it were read already. When no
file matches (the file was truncated and rewritten, as copy-truncate rotation
does), every file changed since the last read is read from its start.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

HEAD_BYTES = 1024
TAIL_BYTES = 64

_ROTATED = re.compile(
    r"^(?P<base>.+?)(?:\.(?P<n>\d{1,4})|[.-](?P<date>\d{4}-?\d{2}-?\d{2}(?:[_T.-]?\d{2}(?:[-:]?\d{2}){0,2})?))?(?P<gz>\.gz)?$"
)


@dataclass
class LogFile:
    """One file of a source."""

    path: Path
    #: How the file is shown: relative to the workspace root when inside it.
    display: str
    #: The source (live file's display path) it belongs to.
    source: str
    compressed: bool
    live: bool
    mtime: float
    size: int
    inode: int
    rank: int = 0  # rotation number: higher is older


@dataclass
class Problem:
    """A path that could not be read, and why (shown to the user, never raised)."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass
class Resolved:
    """The sources the patterns name."""

    sources: dict[str, list[LogFile]]
    unmatched: list[str]
    problems: list[Problem]


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def resolve(root: Path, patterns: list[str]) -> Resolved:
    """Expand glob ``patterns`` (relative to ``root``) into sources, oldest file first.

    Non-regular files (folders, FIFOs, devices) are reported as problems and
    never opened: opening a FIFO would wait forever for a writer.
    """
    matched: dict[Path, None] = {}
    unmatched: list[str] = []
    problems: list[Problem] = []
    for pattern in patterns:
        expanded = os.path.expanduser(pattern)
        full = expanded if os.path.isabs(expanded) else str(root / expanded)
        hits = sorted(glob.glob(full, recursive=True))
        if not hits:
            unmatched.append(pattern)
        for hit in hits:
            matched[Path(hit)] = None
    groups: dict[tuple[Path, str], dict[Path, re.Match[str]]] = {}
    listed: dict[Path, list[str]] = {}
    for path in matched:
        info = _ROTATED.match(path.name)
        base = info.group("base") if info else path.name
        key = (path.parent, base)
        group = groups.setdefault(key, {})
        if info:
            group[path] = info
        if path.parent not in listed:
            try:
                listed[path.parent] = os.listdir(path.parent)
            except OSError:
                listed[path.parent] = []
        for name in listed[path.parent]:
            sibling = _ROTATED.match(name)
            if sibling and sibling.group("base") == base and name != path.name:
                group.setdefault(path.parent / name, sibling)
        live = path.parent / base
        if live.name in listed[path.parent]:
            group.setdefault(live, _ROTATED.match(base) or info)  # type: ignore[arg-type]
    sources: dict[str, list[LogFile]] = {}
    for (folder, base), members in groups.items():
        source = _display(folder / base, root)
        files: list[LogFile] = []
        for path, info in members.items():
            display = _display(path, root)
            try:
                st = path.stat()
            except OSError as err:
                problems.append(Problem(display, f"cannot read: {err.strerror or err}"))
                continue
            if stat.S_ISDIR(st.st_mode):
                continue  # a folder matched by the glob: not a log
            if not stat.S_ISREG(st.st_mode):
                kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "not a regular file"
                problems.append(Problem(display, f"skipped: {kind}, not a log file"))
                continue
            number = info.group("n") if info else None
            files.append(
                LogFile(
                    path=path,
                    display=display,
                    source=source,
                    compressed=path.name.endswith(".gz"),
                    live=path.name == base,
                    mtime=st.st_mtime,
                    size=st.st_size,
                    inode=st.st_ino,
                    rank=int(number) if number else 0,
                )
            )
        if files:
            files.sort(key=lambda f: (f.live, f.mtime, -f.rank, f.display))
            sources[source] = files
    return Resolved(dict(sorted(sources.items())), unmatched, problems)


def open_stream(file: LogFile) -> BinaryIO:
    """The file's bytes (decompressed for .gz). Raises OSError."""
    if file.compressed:
        return gzip.open(file.path, "rb")  # type: ignore[return-value]
    return open(file.path, "rb", buffering=0)


def read_head(file: LogFile, size: int) -> bytes:
    """The first ``size`` bytes of the file's content."""
    with open_stream(file) as stream:
        return _read_exactly(stream, size)


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def fingerprint(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@dataclass
class Cursor:
    """Where a consumer stopped reading a source."""

    source: str
    file: str
    inode: int
    mtime: float
    position: int
    line: int
    head_hash: str
    head_len: int
    tail_hash: str
    updated_at: str = ""

    @classmethod
    def from_row(cls, row: Any) -> Cursor:
        return cls(
            source=row["source"],
            file=row["file"],
            inode=int(row["inode"]),
            mtime=float(row["mtime"]),
            position=int(row["position"]),
            line=int(row["line"]),
            head_hash=row["head_hash"],
            head_len=int(row["head_len"]),
            tail_hash=row["tail_hash"],
            updated_at=row["updated_at"],
        )


def continues(file: LogFile, cursor: Cursor) -> bool:
    """Whether ``file`` is the file ``cursor`` stopped in, unchanged up to the position."""
    if not file.compressed and file.size < cursor.position:
        return False
    try:
        with open_stream(file) as stream:
            head = _read_exactly(stream, cursor.head_len)
            if len(head) < cursor.head_len or fingerprint(head) != cursor.head_hash:
                return False
            tail_start = max(cursor.position - TAIL_BYTES, 0)
            tail = _read_tail(stream, file, head, tail_start, cursor.position)
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    return len(tail) == cursor.position - tail_start and fingerprint(tail) == cursor.tail_hash


def _read_tail(stream: BinaryIO, file: LogFile, head: bytes, start: int, end: int) -> bytes:
    """Bytes ``[start, end)`` of a stream positioned just after ``head`` (``end >= len(head)``)."""
    if not file.compressed:
        stream.seek(start)
        return _read_exactly(stream, end - start)
    if start >= len(head):
        _skip(stream, start - len(head))
        return _read_exactly(stream, end - start)
    return head[start:] + _read_exactly(stream, end - len(head))


def _skip(stream: BinaryIO, count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, 1 << 20))
        if not chunk:
            return
        count -= len(chunk)


@dataclass
class Plan:
    """One file to read, and from where."""

    file: LogFile
    offset: int = 0
    line: int = 1
    resumed: bool = False


def plan_reads(files: list[LogFile], cursor: Cursor | None) -> tuple[list[Plan], str | None]:
    """What to read of a source given where the consumer stopped; and a note on why."""
    if cursor is None:
        return [Plan(f) for f in files], None
    anchor = None
    for index in range(len(files) - 1, -1, -1):
        if continues(files[index], cursor):
            anchor = index
            break
    if anchor is not None:
        file = files[anchor]
        plans = [Plan(file, cursor.position, cursor.line, resumed=True)]
        plans += [Plan(f) for f in files[anchor + 1 :]]
        note = None
        if file.display != cursor.file:
            note = f"rotated: resumed in {file.display}"
        return plans, note
    changed = [f for f in files if f.mtime > cursor.mtime]
    return [
        Plan(f) for f in changed
    ], "truncated or replaced since the last read: read from the start"


def make_cursor(file: LogFile, position: int, line: int) -> Cursor:
    """A cursor at ``position`` in ``file`` (fingerprints read from the file now)."""
    head_len = min(position, HEAD_BYTES)
    head = tail = b""
    mtime = file.mtime
    try:
        with open_stream(file) as stream:
            head = _read_exactly(stream, head_len)
            tail = _read_tail(stream, file, head, max(position - TAIL_BYTES, 0), position)
        mtime = file.path.stat().st_mtime
    except (OSError, EOFError, gzip.BadGzipFile):
        pass
    return Cursor(
        source=file.source,
        file=file.display,
        inode=file.inode,
        mtime=mtime,
        position=position,
        line=line,
        head_hash=fingerprint(head),
        head_len=len(head),
        tail_hash=fingerprint(tail),
    )
