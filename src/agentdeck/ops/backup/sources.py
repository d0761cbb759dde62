"""What goes into a backup: the files under the include/exclude globs, the
database (SQLite through its online backup API, PostgreSQL through
``pg_dump``), and the config.

Globs are matched against the path relative to the workspace root with ``/``
separators. A pattern without ``/`` matches a file or folder name at any depth
(``node_modules``, ``*.pyc``); a pattern with ``/`` matches the whole relative
path, where ``**`` spans any number of folders (``docs/**/*.tmp``). An
excluded folder is skipped with everything in it; so is any folder holding a
``pyvenv.cfg`` (a virtual environment whatever its name), the state folder
``.agentdeck`` (its database goes in through the backup API instead) and the
destination folder when it lies inside the workspace.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from agentdeck.errors import AgentdeckError, ExitCode

READ_BLOCK = 1 << 20


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape("["))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def glob_match(pattern: str, relative: str, is_dir: bool = False) -> bool:
    """Whether ``relative`` (a /-separated path) matches ``pattern`` (see the module doc)."""
    if pattern.endswith("/"):
        if not is_dir:
            return False
        pattern = pattern.rstrip("/")
    if "/" not in pattern:
        return bool(_glob_regex(pattern).match(relative.rsplit("/", 1)[-1]))
    return bool(_glob_regex(pattern.lstrip("/")).match(relative))


@dataclass
class FileItem:
    """One file, folder or symlink found under the root."""

    relative: str
    path: Path
    kind: str  # file, dir, symlink
    st: os.stat_result
    target: str | None = None


@dataclass
class Walk:
    """What a walk found besides the items: things skipped and why."""

    skipped: list[str] = field(default_factory=list)


def walk(
    root: Path, include: list[str], exclude: list[str], skip: list[Path], report: Walk
) -> Iterator[FileItem]:
    """The items under ``root`` to back up, folders before their contents, in name order."""
    skip_resolved = {p.resolve() for p in skip}
    everything = any(p in ("**", "**/*", "*") for p in include)
    pending: list[FileItem] = []

    def included(rel: str, is_dir: bool) -> bool:
        return any(glob_match(p, rel, is_dir) for p in include)

    def visit(folder: Path, prefix: str) -> Iterator[FileItem]:
        try:
            with os.scandir(folder) as listing:
                found = sorted(listing, key=lambda e: e.name)
        except OSError as err:
            report.skipped.append(f"{prefix or '.'}: cannot list ({err.strerror})")
            return
        for item in found:
            rel = f"{prefix}{item.name}"
            try:
                st = item.stat(follow_symlinks=False)
            except OSError as err:
                report.skipped.append(f"{rel}: {err.strerror}")
                continue
            mode = st.st_mode
            if stat.S_ISDIR(mode):
                path = Path(item.path)
                if (
                    any(glob_match(p, rel, True) for p in exclude)
                    or path.resolve() in skip_resolved
                ):
                    continue
                if (path / "pyvenv.cfg").exists():
                    continue  # a virtual environment, whatever its name
                entry = FileItem(rel, path, "dir", st)
                pending.append(entry)
                if everything or included(rel, True):
                    yield from flush()
                yield from visit(path, rel + "/")
                if pending and pending[-1] is entry:
                    pending.pop()  # nothing under it was included
                continue
            if any(glob_match(p, rel, False) for p in exclude) or not included(rel, False):
                continue
            if stat.S_ISREG(mode):
                yield from flush()
                yield FileItem(rel, Path(item.path), "file", st)
            elif stat.S_ISLNK(mode):
                try:
                    target = os.readlink(item.path)
                except OSError as err:
                    report.skipped.append(f"{rel}: {err.strerror}")
                    continue
                yield from flush()
                yield FileItem(rel, Path(item.path), "symlink", st, target)
            else:
                report.skipped.append(f"{rel}: not a regular file, folder or symlink")

    def flush() -> Iterator[FileItem]:
        items = list(pending)
        pending.clear()
        yield from items

    yield from visit(root, "")


def read_file(path: Path) -> tuple[os.stat_result, Iterator[bytes]]:
    """Open a regular file without following a symlink; its stat and its content."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise OSError(0, "no longer a regular file")

    def blocks() -> Iterator[bytes]:
        with os.fdopen(fd, "rb", buffering=0) as handle:
            while True:
                try:
                    block = handle.read(READ_BLOCK)
                except OSError as err:
                    raise SourceError(
                        f"cannot read {path}: {err.strerror or err}",
                        hint="fix the file or leave it out with [backup] exclude",
                    ) from None
                if not block:
                    return
                yield block

    return st, blocks()


# -- databases ----------------------------------------------------------------------------


class SourceError(AgentdeckError):
    """A file to back up could not be read to the end."""

    exit_code = ExitCode.STORE


class DumpFailed(AgentdeckError):
    """The database could not be dumped (or a dump restored)."""

    exit_code = ExitCode.STORE


@contextlib.contextmanager
def sqlite_snapshot(db_path: Path, work_dir: Path) -> Iterator[Path]:
    """A consistent copy of a live SQLite database, made with the online backup API.

    The copy is one read transaction: writers go on (WAL) and the copy holds a
    committed state. It lives in a temporary folder removed afterwards.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="backup-", dir=work_dir))
    copy = folder / db_path.name
    try:
        if not db_path.exists():
            raise DumpFailed(f"the database {db_path} does not exist")
        try:
            source = sqlite3.connect(db_path, timeout=60)
            try:
                target = sqlite3.connect(copy)
                try:
                    source.backup(target)
                finally:
                    target.close()
            finally:
                source.close()
        except sqlite3.Error as err:
            raise DumpFailed(f"cannot copy the database {db_path}: {err}") from None
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pg_environment(url: str) -> tuple[dict[str, str], str, str | None]:
    """Environment for libpq tools (password via PGPASSWORD, never the command line),
    the conninfo without the password, and the schema named by ``search_path`` (if any).
    """
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params: dict[str, Any] = {k: v for k, v in conninfo_to_dict(url).items() if v is not None}
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = str(password)
    schema = None
    options = str(params.get("options", ""))
    match = re.search(r"-c\s*search_path\s*=\s*([A-Za-z0-9_\"]+)", options)
    if match:
        schema = match.group(1).strip('"')
    return env, make_conninfo(**params), schema


def pg_dump(url: str, work_dir: Path) -> Iterator[bytes]:
    """The output of ``pg_dump --format=custom`` for ``url``, block by block.

    When the URL sets a ``search_path`` (a schema per workspace), only that
    schema is dumped. Raises ``DumpFailed`` with pg_dump's own message.
    """
    exe = shutil.which("pg_dump")
    if exe is None:
        raise DumpFailed(
            "pg_dump is not installed", hint="install the PostgreSQL client (postgresql-client)"
        )
    env, conninfo, schema = pg_environment(url)
    args = [exe, "--format=custom", "--compress=0", "--no-password", "--dbname", conninfo]
    if schema:
        args += ["--schema", schema]
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=work_dir) as errors:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, env=env)
        assert proc.stdout is not None
        try:
            while True:
                block = proc.stdout.read(READ_BLOCK)
                if not block:
                    break
                yield block
        finally:
            proc.stdout.close()
            code = proc.wait() if proc.poll() is None else proc.returncode
            if code is None:
                proc.kill()
        if code != 0:
            errors.seek(0)
            text = errors.read(4000).decode("utf-8", "replace").strip().splitlines()
            first = text[0] if text else f"exit code {code}"
            raise DumpFailed(f"pg_dump failed: {first}")
