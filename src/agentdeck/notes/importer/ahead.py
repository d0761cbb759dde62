"""Reading notes ahead of their import, in worker processes.

An import spends about three quarters of its time reading notes (decoding,
repairing, cutting into sessions, extracting) and the rest writing to the
store. The writes must stay in one process and in file order (all or nothing
per file, IDs allocated in order), but the reading of one file does not depend
on any other. So when there are enough notes to be worth it, ``read_ahead``
reads the next files in worker processes while the importing process writes
the current one, and hands each file's ``Prepared`` reading to ``import_note``.

Nothing about the result changes: a worker runs the same code ``import_note``
runs before its transaction, and whenever it cannot (a file too large to hold
in memory, an unreadable file, any exception) it hands back None and the file
is read in the importing process as without workers, with the same errors.

Workers start from a fork server (a clean process that has already imported
the importer; ``spawn`` where there is none), never by forking the importing
process: that one may be running a progress bar's thread.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The package imports this module only inside ``import_notes``, so it is
# initialised by the time this runs (in a worker too): no import cycle.
from agentdeck.notes.importer import IN_MEMORY_LIMIT
from agentdeck.notes.importer.model import (
    BacklogTask,
    ParsedSession,
    decode_session,
    encode_session,
)
from agentdeck.notes.importer.parse import Plan, backlog_tasks, iter_sessions, plan_document
from agentdeck.notes.importer.repair import RepairLog, text_lines
from agentdeck.notes.importer.scan import Tokens, tokenize

if TYPE_CHECKING:
    from concurrent.futures import Future

#: Below this many bytes of notes, starting workers costs more than it saves.
MIN_BYTES = 4 << 20
#: At most this many workers (the writing process becomes the bottleneck).
MAX_WORKERS = 4
#: Files sent to a worker as one task: up to this many bytes of notes ...
BATCH_BYTES = 128 << 10
#: ... and this many files.
BATCH_FILES = 32
#: Readings done ahead and not yet imported: at most this many batches ...
WINDOW_BATCHES = 8
#: ... holding at most this many bytes of notes (bounds the memory they take).
WINDOW_BYTES = 32 << 20


class PreparedSession:
    """A session read in a worker: its natural key and digest, its content on demand.

    ``Writer.session`` needs only ``import_key()`` and ``digest()`` to find a
    session already stored; only a session it writes reads the rest, and that
    first access decodes the content (kept as bytes until then) into the
    ``ParsedSession`` every other attribute comes from.
    """

    __slots__ = ("_digest", "_key", "_payload", "_session")

    def __init__(self, key: str, digest: str, payload: bytes) -> None:
        self._key = key
        self._digest = digest
        self._payload = payload
        self._session: ParsedSession | None = None

    def import_key(self) -> str:
        return self._key

    def digest(self) -> str:
        return self._digest

    def __reduce__(self) -> tuple[type[PreparedSession], tuple[str, str, bytes]]:
        # Pickled as its three fields: quicker than the default for a class with slots.
        return PreparedSession, (self._key, self._digest, self._payload)

    def load(self) -> ParsedSession:
        """The session itself (decoded once)."""
        if self._session is None:
            self._session = decode_session(self._payload)
            self._payload = b""
        return self._session

    def __getattr__(self, name: str) -> Any:
        # Only the session's own fields: unpickling asks for ``__setstate__``
        # before the slots are set, and must not be sent to ``load``.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)


@dataclass
class Prepared:
    """What ``import_note`` reads from a file before its transaction, read in a worker."""

    plan: Plan
    repair: RepairLog
    sessions: list[PreparedSession]
    tasks: list[BacklogTask]


def prepare(path: str) -> Prepared | None:
    """Read the note at ``path`` as ``import_note`` would (runs in a worker).

    None when the file is to be read by the importing process instead: too
    large to hold in memory, or anything went wrong (the importing process
    then meets the same problem and reports it as it always does).
    """
    try:
        file = Path(path)
        if file.stat().st_size > IN_MEMORY_LIMIT:
            return None
        log = RepairLog()
        tokens = Tokens(tokenize(text_lines(file.read_bytes(), log)))
        plan = plan_document(tokens, name=file.name)
        sessions: list[PreparedSession] = []
        tasks: list[BacklogTask] = []
        if plan.kind == "tasks":
            tasks = backlog_tasks(tokens)
        elif plan.kind != "unstructured":
            sessions = [
                PreparedSession(s.import_key(), s.digest(), encode_session(s))
                for s in iter_sessions(tokens, plan)
            ]
        return Prepared(plan, log, sessions, tasks)
    except Exception:
        return None


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity, where the platform tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def auto_workers(sizes: Sequence[int]) -> int:
    """How many workers to read ahead with: 0 (none) unless it pays.

    It pays with two CPUs or more and at least ``MIN_BYTES`` of notes in files
    small enough to be read whole, two files at least.
    """
    small = [size for size in sizes if size <= IN_MEMORY_LIMIT]
    if len(small) < 2 or sum(small) < MIN_BYTES:
        return 0
    cpus = usable_cpus()
    if cpus < 2:
        return 0
    return min(cpus, MAX_WORKERS, len(small))


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["agentdeck.notes.importer.ahead"])
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - no fork server


def start_early() -> None:
    """Start the fork server now, when an import may well want workers soon.

    The server imports the importer before it can fork a worker (about a
    tenth of a second); started while the importing process lists the notes,
    it does so on another CPU instead of holding up the first files. Should
    no worker be wanted after all, the server exits with this process.
    """
    if usable_cpus() < 2:
        return  # no workers are ever started (``auto_workers``)
    try:
        from multiprocessing import forkserver

        if _context().get_start_method() == "forkserver":
            forkserver.ensure_running()
    except Exception:  # pragma: no cover - the pool reports its own failures later
        pass


def prepare_batch(paths: list[str]) -> list[Prepared | None]:
    """``prepare`` of each path (runs in a worker: one task for several small files)."""
    return [prepare(path) for path in paths]


def _batches(held: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive files sent to a worker together: ``(first, end)`` index ranges.

    A file not held (too large, or empty) is a range of its own and is never
    sent. A batch closes at ``BATCH_BYTES`` (the first three at an eighth, a
    quarter and a half of it, so that the writing starts soon) or at
    ``BATCH_FILES``: one task per file cost the importing process a pipe round
    trip, a future and a thread hand-off per file, about a quarter of its CPU
    time on the 21 MB corpus of 2,468 notes.
    """
    out: list[tuple[int, int]] = []
    first = 0
    size = 0
    for index, held_bytes in enumerate(held):
        if not held_bytes:
            if first < index:
                out.append((first, index))
            out.append((index, index + 1))
            first, size = index + 1, 0
            continue
        size += held_bytes
        limit = BATCH_BYTES >> max(0, 3 - len(out))
        if size >= limit or index + 1 - first >= BATCH_FILES:
            out.append((first, index + 1))
            first, size = index + 1, 0
    if first < len(held):
        out.append((first, len(held)))
    return out


def read_ahead(
    paths: Sequence[Path], sizes: Sequence[int], workers: int
) -> Iterator[Prepared | None]:
    """``prepare`` of each path, in order, computed ahead by ``workers`` processes.

    None for a file the importing process is to read itself: one too large to
    hold in memory, and every file from the moment the pool fails (it could
    not start a worker, or one died). The pool is shut down when the iterator
    is closed or exhausted.
    """
    if workers < 1:
        yield from (None for _ in paths)
        return
    from concurrent.futures import ProcessPoolExecutor  # only when there are workers

    # Bytes a file holds in the window: those read whole (larger ones are
    # streamed by the importing process and never sent to a worker).
    held = [size if size <= IN_MEMORY_LIMIT else 0 for size in sizes]
    batches = _batches(held)
    weight = [sum(held[first:end]) for first, end in batches]
    pending: deque[Future[list[Prepared | None]] | None] = deque()
    ahead = 0
    sent = 0
    broken = False
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        for index, (first, end) in enumerate(batches):
            while sent < len(batches) and (
                sent <= index
                or (len(pending) < WINDOW_BATCHES and ahead + weight[sent] <= WINDOW_BYTES)
            ):
                future = None
                if weight[sent] and not broken:
                    start, stop = batches[sent]
                    try:
                        future = pool.submit(prepare_batch, [str(p) for p in paths[start:stop]])
                    except Exception:  # the pool is broken: read the rest here
                        broken = True
                pending.append(future)
                ahead += weight[sent]
                sent += 1
            future = pending.popleft()
            ahead -= weight[index]
            try:
                prepared = future.result() if future is not None else None
            except Exception:  # its worker died: these files are read here
                prepared = None
            yield from prepared if prepared is not None else (None for _ in range(first, end))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
