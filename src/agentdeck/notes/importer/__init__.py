"""Import the notes agents already wrote: session histories, reports, hand-offs, logs, backlogs.

The core API (the CLI's ``agentdeck import`` is a thin face over it)::

    read_note(path) -> Note                      # parse only, nothing stored
    import_note(store, path, ...) -> FileResult  # one file, one transaction
    import_notes(ws, paths, ...) -> list[FileResult]
    collect_paths(specs) -> list[Found]          # files, folders and globs

How a note is read: ``repair`` (damaged text), ``scan`` (line classes),
``parse`` (kind and sessions), ``extract`` (one session), ``persist`` (the
store). See each module's docstring.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck.errors import AgentdeckError, ExitCode, InvalidInput
from agentdeck.native import prefer_sources

#: "compiled" when the reader's mypyc build runs (see ``agentdeck.native``).
BUILD = prefer_sources(__path__)

from agentdeck.notes.importer.model import BacklogTask, ParsedSession
from agentdeck.notes.importer.parse import Plan, backlog_tasks, iter_sessions, plan_document
from agentdeck.notes.importer.repair import RepairLog, iter_lines, text_lines
from agentdeck.notes.importer.scan import Tokens, tokenize

if TYPE_CHECKING:
    from agentdeck.notes.importer.ahead import Prepared
    from agentdeck.notes.importer.persist import FileResult

__all__ = [
    "NOTE_SUFFIXES",
    "FileResult",
    "Found",
    "Note",
    "ParsedSession",
    "collect_paths",
    "import_note",
    "import_notes",
    "is_backlog_export",
    "parse_text",
    "read_note",
]

#: Files a folder import picks up (a named file is read whatever its name).
NOTE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".txt", ".text", ".rst", ".log", ".json")
#: Files up to this size are decoded once and kept in memory for both passes;
#: bigger ones are read twice from disk so memory stays bounded.
IN_MEMORY_LIMIT = 8 << 20
#: ``import_notes`` commits after this many files on PostgreSQL (under the 64
#: subtransactions a backend keeps track of before other sessions' snapshots slow down) ...
GROUP_FILES = 50
#: ... and on SQLite, where savepoints cost nothing of the kind and each commit
#: writes the pages its group changed to the WAL once more (for the 27 MB
#: database of the 21 MB corpus: 199 MB in groups of 50 files, 146 MB in groups
#: of up to 500 closed after ``GROUP_SECONDS``) ...
GROUP_FILES_SQLITE = 500
#: ... or after this many seconds of writing, whichever comes first (so another
#: writer never waits longer than that).
GROUP_SECONDS = 0.25
#: A dry run shows at most this many parsed sessions per file.
KEEP_PARSED_MAX = 1000
#: Hidden files a folder import still reads: notes an agent keeps itself.
_HIDDEN_NOTES = {".aider.chat.history.md"}
#: Folders a folder import never walks into.
_SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".agentdeck",
    ".tox",
}


def __getattr__(name: str) -> Any:
    """``FileResult``, loaded with ``persist`` when first asked for (see ``import_note``)."""
    if name == "FileResult":
        from agentdeck.notes.importer.persist import FileResult

        return FileResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Note:
    """A note read without storing anything: its plan, sessions or backlog tasks, repairs."""

    path: str
    plan: Plan
    sessions: list[ParsedSession] = field(default_factory=list)
    tasks: list[BacklogTask] = field(default_factory=list)
    repair: RepairLog = field(default_factory=RepairLog)
    lines: list[str] = field(default_factory=list)
    tokens: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.plan.kind,
            "title": self.plan.title,
            "reason": self.plan.reason or None,
            "sessions": [s.to_dict() for s in self.sessions],
            "tasks": [t.to_dict() for t in self.tasks],
            "repaired": self.repair.to_dict(),
        }


def parse_text(text: str | bytes, *, name: str = "") -> Note:
    """Parse a whole note held in memory (``verify`` and tests use this)."""
    log = RepairLog()
    lines = text_lines(text, log)
    tokens = Tokens(tokenize(lines))
    plan = plan_document(tokens, name=name)
    note = Note(name, plan, repair=log, lines=lines, tokens=tokens)
    if plan.kind == "tasks":
        note.tasks = backlog_tasks(tokens)
    else:
        note.sessions = list(iter_sessions(tokens, plan))
    return note


def read_note(path: Path) -> Note:
    """Parse the note at ``path`` (nothing is stored). Raises ``InvalidInput`` if unreadable."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InvalidInput(f"{path}: cannot read: {err.strerror or err}") from None
    return parse_text(data, name=path.name)


@contextmanager
def _line_source(path: Path, log: RepairLog) -> Iterator[Callable[[], Iterator[str]]]:
    """A way to read the repaired lines of ``path`` as many times as needed."""
    size = path.stat().st_size
    if size <= IN_MEMORY_LIMIT:
        tokens = Tokens(tokenize(text_lines(path.read_bytes(), log)))
        yield lambda: tokens
        return
    handles: list[Any] = []
    counted = [False]

    def read() -> Iterator[str]:
        handle = path.open("rb")
        handles.append(handle)
        target = log if not counted[0] else None
        counted[0] = True
        yield from iter_lines(handle, target)
        handle.close()

    try:
        yield read
    finally:
        for handle in handles:
            handle.close()


@dataclass
class _Reading:
    """A note's plan, and how to get its backlog tasks or its sessions."""

    plan: Plan
    tasks: Callable[[], list[BacklogTask]]
    sessions: Callable[[], Iterable[Any]]
    #: Held in memory (not streamed): its sessions may be listed before they are written.
    whole: bool


@contextmanager
def _reading(path: Path, log: RepairLog, prepared: Prepared | None) -> Iterator[_Reading]:
    """Read ``path`` (or take what a worker read of it) up to its plan."""
    if prepared is not None:
        yield _Reading(prepared.plan, lambda: prepared.tasks, lambda: prepared.sessions, True)
        return
    with _line_source(path, log) as source:
        plan = plan_document(source(), name=path.name)
        yield _Reading(
            plan,
            lambda: backlog_tasks(source()),
            lambda: iter_sessions(source(), plan),
            isinstance(source(), Tokens),  # a small file's lines, not a stream
        )


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


def import_note(
    store: Any,
    path: Path,
    *,
    display: str | None = None,
    dry_run: bool = False,
    replace: bool = False,
    default_priority: str = "medium",
    keep_parsed: bool = False,
    shared: dict[str, Any] | None = None,
    prepared: Prepared | None = None,
    size: int | None = None,
) -> FileResult:
    """Import one note into ``store`` in one transaction; return what it did.

    A note with no session structure (and no task IDs) is not forced into
    records: the result has status ``skipped`` and says why. With ``dry_run``
    everything runs and is rolled back. Errors of the file (unreadable, a
    database failure) come back as status ``failed`` with nothing of the file
    stored; they are not raised. ``prepared`` is the file as a worker of
    ``import_notes`` already read it (``ahead.prepare``), ``size`` the size in
    bytes it found the file to have.
    """
    # Imported here: ``verify`` reads notes with this package and never writes
    # (``persist`` and the backlog modules it needs are ~9 ms of its start-up).
    from agentdeck.notes.importer.persist import FileResult, Writer

    display = display or str(path)
    result = FileResult(display, dry_run=dry_run)
    log = prepared.repair if prepared is not None else RepairLog()
    try:
        # A file a worker read exists: its size is not asked for again.
        result.bytes = size if size is not None and prepared is not None else path.stat().st_size
        with _reading(path, log, prepared) as reading:
            plan = reading.plan
            result.kind = plan.kind
            result.title = plan.title
            if plan.kind == "unstructured":
                result.status = "skipped"
                result.reason = plan.reason
                result.exit_code = int(ExitCode.PROBLEM)
                return result
            parsed: list[dict[str, Any]] | None = [] if keep_parsed else None
            try:
                with store.savepoint():  # its own, or within import_notes' group
                    writer = Writer(
                        store,
                        result,
                        display=display,
                        replace=replace,
                        default_priority=default_priority,
                        shared=shared,
                    )
                    if plan.kind == "tasks":
                        tasks = reading.tasks()
                        writer.backlog(tasks)
                        if parsed is not None:
                            parsed.extend(t.to_dict() for t in tasks)
                    else:
                        sessions = reading.sessions()
                        if reading.whole:
                            # Which are stored already: a few queries, not one per session.
                            sessions = list(sessions)
                            writer.look_up(sessions)
                        for session in sessions:
                            writer.session(session)
                            if parsed is not None and len(parsed) < KEEP_PARSED_MAX:
                                parsed.append(session.to_dict())
                    writer.flush()
                    if dry_run:
                        raise _DryRun
                writer.committed()
            except _DryRun:
                pass
            result.parsed = parsed
            if not (
                result.sessions_created
                or result.tasks_created
                or result.recommended_created
                or result.sessions_replaced
            ):
                result.status = "unchanged"
    except AgentdeckError as err:
        _failed(result, str(err), int(err.exit_code))
    except OSError as err:
        _failed(result, f"cannot read: {err.strerror or err}", int(ExitCode.INVALID))
    except Exception as err:  # a bug or a driver error: reported per file, nothing half-stored
        _failed(result, f"{type(err).__name__}: {err}", int(ExitCode.INTERNAL))
    finally:
        result.repair = log.to_dict() if log.repaired else {}
    return result


def _failed_by(result: FileResult, err: Exception) -> None:
    """``result`` failed with ``err`` (as ``import_note`` reports its own failures)."""
    if isinstance(err, AgentdeckError):
        _failed(result, str(err), int(err.exit_code))
    else:
        _failed(result, f"{type(err).__name__}: {err}", int(ExitCode.INTERNAL))


def _failed(result: FileResult, message: str, code: int) -> None:
    result.status = "failed"
    result.error = " ".join(message.split())[:500]
    result.exit_code = code
    for name in (
        "sessions_created",
        "sessions_unchanged",
        "sessions_differ",
        "sessions_replaced",
        "tasks_created",
        "tasks_linked",
        "recommended_created",
        "recommended_linked",
    ):
        getattr(result, name).clear()
    result.entries = result.files = 0


@dataclass(frozen=True)
class Found:
    """A file to import and whether the user named it (rather than a folder or glob)."""

    path: Path
    named: bool


def collect_paths(specs: Sequence[str], *, cwd: Path | None = None) -> list[Found]:
    """Expand files, folders (recursively: note suffixes only) and globs, in a stable order.

    Raises ``InvalidInput`` for a path that does not exist or a glob that matches nothing.
    """
    base = cwd or Path.cwd()
    out: list[Found] = []
    seen: set[str] = set()

    def add(path: Path, named: bool, real: str | None = None) -> None:
        # realpath, not Path.resolve(): it never raises on a symlink loop.
        resolved = real or os.path.realpath(path)
        if resolved not in seen:
            seen.add(resolved)
            out.append(Found(path, named))

    for spec in specs:
        path = Path(spec).expanduser()
        if not path.is_absolute():
            path = base / path
        if path.is_file():
            add(path, True)
            continue
        if path.is_dir():
            for found, real in _walk(path):
                add(found, False, real)
            continue
        if any(ch in spec for ch in "*?["):
            pattern = str(path)
            matches = sorted(glob.glob(pattern, recursive=True))
            files = [Path(m) for m in matches if os.path.isfile(m)]
            if not files:
                raise InvalidInput(f"{spec}: no file matches this pattern")
            for match in files:
                add(match, False)
            continue
        raise InvalidInput(f"{spec}: no such file")
    return out


def _walk(folder: Path) -> list[tuple[Path, str]]:
    """The note files under ``folder`` (as ``os.walk`` lists them, not following
    linked folders), each with its real path.

    Each folder is listed once with ``scandir``, whose entries know their type:
    a file that is no link needs no ``stat``, and its real path is its folder's
    and its name (``realpath`` of each file read every component of its path
    again, most of the listing of a folder of 2,468 notes).
    """
    found: list[tuple[Path, str]] = []

    def visit(top: str, real_top: str) -> None:
        try:
            with os.scandir(top) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return  # an unreadable folder is skipped, as os.walk skips it
        folders = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name not in _SKIP_DIRS and not name.startswith(".") and not entry.is_symlink():
                    folders.append(name)
                continue
            if not name.lower().endswith(NOTE_SUFFIXES) or (
                name.startswith(".") and name not in _HIDDEN_NOTES
            ):
                continue
            try:
                if not entry.is_file():
                    continue  # a broken or looping symlink, a socket, a FIFO: nothing to read
            except OSError:
                continue
            path = Path(entry.path)
            if name.lower().endswith(".json") and not is_backlog_export(path, strict=True):
                continue  # JSON in a notes folder is data, unless it is a backlog export
            linked = entry.is_symlink()
            found.append((path, os.path.realpath(path) if linked else os.path.join(real_top, name)))
        for name in folders:
            visit(os.path.join(top, name), os.path.join(real_top, name))

    visit(str(folder), os.path.realpath(folder))
    return found


def is_backlog_export(path: Path, *, strict: bool = False) -> bool:
    """Whether ``path`` holds agentdeck's backlog JSON export (``strict``: by content only;
    otherwise any named ``.json`` file counts, and its import says what is wrong with it)."""
    if not strict and path.suffix.lower() == ".json":
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and b"agentdeck-backlog" in head


def display_path(path: Path, root: Path | None) -> str:
    """How a file is named in ``source`` columns: relative to the workspace when inside it."""
    return _display(path, root.resolve() if root is not None else None)


def _display(path: Path, resolved_root: Path | None, folders: dict[str, str] | None = None) -> str:
    text = os.fspath(path)
    folder_text, name = os.path.split(text)
    if folders is not None and name not in ("", ".", "..") and not os.path.islink(text):
        # The file itself is no link: it resolves to its folder's resolution and
        # its name. Folders are resolved once per run (``resolve`` reads every
        # component of the path with ``lstat``, for each of thousands of files).
        folder = folders.get(folder_text)
        if folder is None:
            folder = folders[folder_text] = str(Path(folder_text or ".").resolve())
        resolved = os.path.join(folder, name)
    else:
        resolved = str(path.resolve())
    if resolved_root is not None:
        root = str(resolved_root)
        inside = root if root.endswith(os.sep) else root + os.sep  # "/" ends with it
        if resolved.startswith(inside):
            return resolved[len(inside) :]
    return resolved


def import_notes(
    ws: Any,
    paths: Sequence[Path],
    *,
    dry_run: bool = False,
    replace: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    keep_parsed: bool = False,
    workers: int | None = 0,
) -> list[FileResult]:
    """Import notes into the workspace's store, each file all or nothing.

    Files are written in short groups (``GROUP_FILES`` or ``GROUP_FILES_SQLITE``,
    ``GROUP_SECONDS``), one transaction each, every file in a savepoint of its
    own: a file that fails leaves nothing behind and the others of its group
    are kept. Should a group's commit fail, its imported files are reported
    failed.

    ``progress(done_bytes, total_bytes, name)`` is called after each file.
    ``workers`` processes read the next files while this one writes (see
    ``ahead``); 0 (the default) reads every file here, None decides from the
    CPUs and the amount of notes (the CLI's choice: worker processes import
    the ``__main__`` module again, so a script must guard its entry point).
    The results are the same either way.
    """
    sizes = []
    for path in paths:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    total = sum(sizes)
    done = 0
    results = []
    priority = ws.config.get("backlog", "default_priority")
    shared: dict[str, Any] = {}
    # Imported here: ``verify`` imports this package and needs no processes.
    from agentdeck.notes.importer.ahead import auto_workers, read_ahead

    if workers is None:
        workers = auto_workers(sizes)
    readings = read_ahead(paths, sizes, workers)
    root = ws.root.resolve() if ws.root is not None else None  # once, not per file
    store = ws.store
    files = iter(zip(paths, sizes, readings, strict=True))

    folders: dict[str, str] = {}
    group_files = GROUP_FILES if store.dialect.is_postgres else GROUP_FILES_SQLITE

    def one(path: Path, size: int, prepared: Prepared | None) -> FileResult:
        nonlocal done
        name = _display(path, root, folders)
        result = import_note(
            store,
            path,
            display=name,
            dry_run=dry_run,
            replace=replace,
            default_priority=priority,
            keep_parsed=keep_parsed,
            shared=shared,
            prepared=prepared,
            size=size,
        )
        results.append(result)
        done += size
        if progress is not None:
            progress(done, total, name)
        return result

    try:
        more = True
        while more:
            # Files are written in groups, one transaction each, every file in a
            # savepoint of its own (so still all or nothing): a commit per file
            # was a third of the writing on the 21 MB corpus (2,468 notes). A
            # group is short, so other writers wait no longer than for one file.
            group: list[FileResult] = []
            shared.pop("group", None)
            stage = "begin"
            try:
                with (
                    nullcontext() if dry_run else store.transaction(),
                    nullcontext() if dry_run else store.search_deferred(),
                ):
                    stage = "files"
                    if not dry_run:
                        # What this transaction learns of ID sequences and entry
                        # numbers holds until its commit (``persist.Writer``).
                        shared["group"] = {}
                    started = time.monotonic()
                    for item in files:
                        group.append(one(*item))
                        if len(group) >= group_files or time.monotonic() - started >= GROUP_SECONDS:
                            break
                    else:
                        more = False
                    stage = "commit"
            except Exception as err:
                if stage == "files":
                    raise  # not the store's (a progress callback's): as without groups
                if stage == "begin":
                    # No transaction could start (the store is locked, or gone): the
                    # next file tries its own and reports what fails, as it always did.
                    item = next(files, None)
                    if item is None:
                        break
                    one(*item)
                    continue
                # The group's commit failed: none of its files is stored.
                for result in group:
                    if result.status == "imported":
                        _failed_by(result, err)
                shared.clear()  # it may hold titles of tasks that were not stored
    finally:
        readings.close()
    return results
