"""The scanner: find the events worth reporting in a byte stream, fast and in bounded memory.

The stream is read in large blocks. In each block a *finder* returns the
offsets of candidate lines (``bytes.find`` of each format's needles, or a
compiled regex for ``logs search``); only those lines are looked at. From a
candidate the scanner walks back to the line that starts its record and
forward over the lines that continue it (a traceback), so an event is a whole
record. Memory stays bounded whatever the input: a block, plus at most one
unfinished event carried to the next block (capped), plus nothing for a line
without a newline beyond ``MAX_LINE`` (the rest of it is skipped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from agentdeck.ops.logs.formats import ERROR, Format, parse_json_record

BLOCK = 4 << 20
#: A line longer than this is cut: its first MAX_LINE bytes are examined, the rest skipped.
MAX_LINE = 1 << 20
MAX_EVENT_LINES = 300
MAX_EVENT_BYTES = 256 << 10
#: How much of an event's text is kept as its example.
EXAMPLE_CHARS = 4000
_MAX_BACK_LINES = 300

Finder = Callable[[bytes, int], list[int]]


def needle_finder(needles: tuple[bytes, ...]) -> Finder:
    """Offsets of every occurrence of any needle in ``buf[:end]`` (sorted, may repeat lines)."""

    def find(buf: bytes, end: int) -> list[int]:
        found: list[int] = []
        add = found.append
        for needle in needles:
            at = buf.find(needle, 0, end)
            while at != -1:
                add(at)
                at = buf.find(needle, at + 1, end)
        found.sort()
        return found

    return find


def regex_finder(pattern: re.Pattern[bytes]) -> Finder:
    """Offsets of the matches of a compiled bytes regex in ``buf[:end]``."""

    def find(buf: bytes, end: int) -> list[int]:
        return [m.start() for m in pattern.finditer(buf, 0, end)]

    return find


def every_line(buf: bytes, end: int) -> list[int]:
    """Every line start (``logs tail`` without filters)."""
    starts = [0]
    at = buf.find(b"\n", 0, end)
    while at != -1 and at + 1 < end:
        starts.append(at + 1)
        at = buf.find(b"\n", at + 1, end)
    return starts


@dataclass(slots=True)
class Event:
    """One log event: a record and its continuation lines (``raw``, cut at MAX_EVENT_BYTES)."""

    path: str
    line: int
    offset: int
    #: Seconds since the epoch (``time`` gives it as a datetime), or None.
    ts: float | None
    level: int
    message: str
    exception: str | None
    raw: bytes

    @property
    def time(self) -> datetime | None:
        return datetime.fromtimestamp(self.ts, UTC) if self.ts is not None else None

    @property
    def text(self) -> str:
        """The event's text, shortened to about EXAMPLE_CHARS (decoded on demand: most are never shown)."""
        return _example(self.raw)


@dataclass
class ScanStats:
    """What a scan of one stream read."""

    bytes: int = 0
    lines: int | None = 0
    long_lines: int = 0
    #: Offset and line number just past the last line consumed (where to resume).
    end_offset: int = 0
    end_line: int = 1
    events: int = 0


@dataclass
class Filter:
    """Which events a scan keeps."""

    min_level: int = 30
    since: datetime | None = None
    #: Also applied to the event's text (``logs search``, ``tail --grep``).
    pattern: re.Pattern[str] | None = None
    #: Events without a time pass ``since`` (the file's mtime was already checked).
    keep_untimed: bool = True


_TB = b"Traceback (most recent call last)"
_CHAIN = (b"During handling", b"The above exception")
_INDENT = (b" ", b"\t")


def _exception_line(raw: bytes) -> str | None:
    """The ``Type: message`` line that closes the last traceback of an event, or None."""
    at = raw.rfind(_TB)
    if at == -1:
        return None
    for line in reversed(raw[at:].split(b"\n")[1:]):
        if line.strip() and line[:1] not in _INDENT and not line.startswith(_CHAIN):
            return line.decode("utf-8", "replace").strip()
    return None


def _example(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").rstrip()
    if len(text) > EXAMPLE_CHARS:
        head = EXAMPLE_CHARS * 3 // 4
        text = text[:head] + "\n…\n" + text[-(EXAMPLE_CHARS - head) :]
    return text


class Scanner:
    """Scans one stream of one format; ``on_event`` receives each event kept by ``keep``."""

    def __init__(
        self,
        fmt: Format,
        keep: Filter,
        on_event: Callable[[Event], None],
        *,
        path: str,
        finder: Finder | None = None,
        count_lines: bool = True,
    ) -> None:
        self.fmt = fmt
        self.keep = keep
        self.on_event = on_event
        self.path = path
        self.finder = finder or needle_finder(fmt.needles)
        self.stats = ScanStats()
        #: Line numbers cost a pass over every byte; ``count_lines=False`` skips
        #: it (events then carry line 0 and ``stats.lines`` is None).
        self._count = count_lines
        self._starts = fmt.starts_record
        self._record = fmt.record
        self._parse = fmt.parse
        self._json = fmt.name == "json"
        #: Finds the newline before the next record start (None: plain text).
        self._next_record = (
            re.compile(b"\n(?=" + fmt.record.pattern + b")", fmt.record.flags)
            if fmt.record is not None
            else None
        )

    # -- the block loop ------------------------------------------------------------

    def scan(
        self, stream: BinaryIO, *, offset: int = 0, line: int = 1, final: bool = True
    ) -> ScanStats:
        """Scan ``stream`` from its current position (which is ``offset``, line ``line``).

        ``final=False`` leaves a last line without a newline unread (a live file
        still being written): ``stats.end_offset`` then points at its start.
        """
        stats = self.stats
        stats.end_offset, stats.end_line = offset, line
        base, base_line = offset, line
        carry = b""
        skipping = False
        while True:
            chunk = stream.read(BLOCK)
            eof = not chunk
            stats.bytes += len(chunk)
            if skipping:
                if eof:
                    break
                newline = chunk.find(b"\n")
                if newline == -1:
                    base += len(chunk)
                    continue
                base += newline + 1
                base_line += 1
                stats.lines += 1
                chunk = chunk[newline + 1 :]
                skipping = False
            buf = carry + chunk if carry else chunk
            if eof:
                if not buf:
                    break
                cut = len(buf) if final else buf.rfind(b"\n") + 1
                _, counted_to, counted_line = self._region(buf, cut, True, base, base_line)
                lines = counted_line - base_line + self._nl(buf, counted_to, cut)
                if cut == len(buf) and cut and not buf.endswith(b"\n"):
                    lines += 1
                stats.lines += lines
                base_line += counted_line - base_line + self._nl(buf, counted_to, cut)
                base += cut
                if cut == len(buf) and cut and not buf.endswith(b"\n"):
                    base_line += 1
                break
            cut = buf.rfind(b"\n") + 1
            if len(buf) - cut >= MAX_LINE:
                # A line with no newline in sight: finish what came before it,
                # look at its beginning, and skip the rest.
                if cut:
                    self._region(buf, cut, True, base, base_line)
                    stats.lines += self._nl(buf, 0, cut)
                    base_line += self._nl(buf, 0, cut)
                long_line = buf[cut : cut + MAX_LINE] + b"\n"
                self._region(long_line, len(long_line), True, base + cut, base_line)
                stats.long_lines += 1
                base += len(buf)
                carry = b""
                skipping = True
                continue
            keep_from, counted_to, counted_line = self._region(buf, cut, False, base, base_line)
            if counted_to <= keep_from:
                consumed = counted_line - base_line + self._nl(buf, counted_to, keep_from)
            else:
                consumed = self._nl(buf, 0, keep_from)
            stats.lines += consumed
            base_line += consumed
            base += keep_from
            carry = buf[keep_from:]
        if skipping:
            base_line += 1  # the over-long last line, cut at the end of the stream
            stats.lines += 1
        stats.end_offset, stats.end_line = base, base_line
        if not self._count:
            stats.lines, stats.end_line = None, 0  # type: ignore[assignment]
        return stats

    def _nl(self, buf: bytes, start: int, end: int) -> int:
        return buf.count(b"\n", start, end) if self._count else 0

    # -- one region of complete lines -------------------------------------------------

    def _is_start(self, buf: bytes, pos: int, end: int) -> bool:
        record = self._record
        if record is not None:
            return record.match(buf, pos) is not None
        return self._starts(buf[pos:end])

    def _region(
        self, buf: bytes, cut: int, final: bool, base: int, base_line: int
    ) -> tuple[int, int, int]:
        """Emit the events in ``buf[:cut]``.

        Returns where an unfinished event starts (else ``cut``), and an index
        with its line number, so the caller counts only the lines after it.
        """
        positions = self.finder(buf, cut)
        done = 0
        counted_to, counted_line = 0, base_line
        is_start = self._is_start
        for pos in positions:
            if pos < done:
                continue
            start = buf.rfind(b"\n", 0, pos) + 1
            if start < done:
                continue
            first_end = buf.find(b"\n", start, cut)
            first_end = cut if first_end == -1 else first_end + 1
            if not is_start(buf, start, first_end):
                # Inside a record's continuation: walk back to where the record starts.
                probe, steps = start, 0
                while probe > done and steps < _MAX_BACK_LINES:
                    previous = buf.rfind(b"\n", 0, probe - 1) + 1
                    if previous < done:
                        break
                    if is_start(buf, previous, probe):
                        start = previous
                        first_end = buf.find(b"\n", start, cut) + 1 or cut
                        break
                    probe, steps = previous, steps + 1
            end, complete = self._extend(buf, start, first_end, cut, final)
            if not complete:
                return start, counted_to, counted_line
            done = end
            counted_line += self._nl(buf, counted_to, start)
            counted_to = start
            self._emit(buf, start, first_end, end, base + start, counted_line if self._count else 0)
        return cut, counted_to, counted_line

    def _extend(
        self, buf: bytes, start: int, first_end: int, cut: int, final: bool
    ) -> tuple[int, bool]:
        """The end of the event starting at ``start`` and whether it is complete.

        With a record pattern, the event ends where the next record starts: one
        regex search. Plain text walks the lines (tracebacks, indented lines).
        """
        limit = min(cut, start + MAX_EVENT_BYTES)
        if self._next_record is not None:
            if first_end >= limit:
                end = first_end
            else:
                found = self._next_record.search(buf, first_end - 1, limit)
                if found is not None:
                    return found.start() + 1, True
                end = limit if limit == cut else (buf.rfind(b"\n", first_end, limit) + 1 or limit)
            return end, final or end < cut or limit < cut
        return self._extend_plain(buf, start, first_end, cut, limit, final)

    def _extend_plain(
        self, buf: bytes, start: int, first_end: int, cut: int, limit: int, final: bool
    ) -> tuple[int, bool]:
        end = first_end
        in_tb = buf.startswith(_TB, start)
        after_chain = closed = False
        pending = False  # blank lines seen, kept only if the event goes on after them
        pending_end = end
        count = 1
        while end < limit:
            if count >= MAX_EVENT_LINES:
                return end, True
            newline = buf.find(b"\n", end, cut)
            nxt = cut if newline == -1 else newline + 1
            line = buf[end:nxt]
            if not line.strip():
                pending = True
                end = nxt
                continue
            indented = line[:1] in _INDENT
            if line.startswith(_CHAIN):
                after_chain, in_tb = True, False
            elif line.startswith(_TB):
                if after_chain or not (pending or closed):
                    in_tb, after_chain = True, False
                else:
                    break
            elif in_tb and not indented:
                in_tb, closed = False, True  # the exception line closes the traceback
            elif not indented:
                break
            pending = False
            count += 1
            end = nxt
            pending_end = end
        if pending:
            end = pending_end
        return end, final or end < cut or limit < cut

    def _emit(
        self, buf: bytes, start: int, first_end: int, end: int, offset: int, line: int
    ) -> None:
        keep = self.keep
        exception: str | None = None
        first = buf[start:first_end]
        if self._json:
            header, json_exception = parse_json_record(first)
            if json_exception:
                tail = [x for x in json_exception.strip().splitlines() if x.strip()]
                exception = tail[-1].strip() if tail else None
        else:
            header = self._parse(first)
        level = header.level
        raw = buf[start:end]
        if first_end < end and buf.find(_TB, start, end) != -1:
            exception = _exception_line(raw) or exception
            if exception is not None and level < ERROR:
                level = ERROR
        if level < keep.min_level:
            return
        if keep.since is not None:
            if header.time is None:
                if not keep.keep_untimed:
                    return
            elif header.time < keep.since.timestamp():
                return
        if keep.pattern is not None and not keep.pattern.search(raw.decode("utf-8", "replace")):
            return
        self.stats.events += 1
        self.on_event(
            Event(
                self.path,
                line,
                offset,
                header.time,
                level,
                header.message.strip()[:2000],
                exception,
                raw,
            )
        )


@dataclass
class Sample:
    """The first bytes of a stream, to detect its format and whether it is text."""

    data: bytes
    binary: bool = False
    reasons: list[str] = field(default_factory=list)


def looks_binary(sample: bytes) -> bool:
    """True when the first bytes are not text: NULs, or many control bytes."""
    if not sample:
        return False
    head = sample[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(head) // 10
