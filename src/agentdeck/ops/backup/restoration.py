"""``restore_backup``: a dry-run plan, then an all-or-nothing restore.

Nothing is written before the plan is made and every entry checked
(``safety``). Content goes to temporary names beside its final place; only
when the whole archive has been read, authenticated and matched against the
manifest are the temporary files renamed into place. A damaged or tampered
backup therefore leaves the target as it was (temporary files and folders the
restore made are removed). Nothing that is not in the backup is ever deleted.

Overwrite policy for paths that exist: ``never`` (default: leave them),
``if-changed`` (replace when content, mode, mtime or link target differ),
``always``. The database goes to a new file (``.agentdeck/deck.db`` of a new
target, else ``deck.restored-ID.db`` beside the current one) or a new
PostgreSQL database, unless ``replace_database``: then the current one is
first copied aside (``deck.replaced-TIME.db``, or renamed
``NAME_replaced_TIME`` on PostgreSQL).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck import clock
from agentdeck.errors import InvalidInput
from agentdeck.ops.backup import catalog
from agentdeck.ops.backup.archive import BLOCK, ArchiveReader
from agentdeck.ops.backup.errors import BackupDamaged, TargetExists, UnsafeArchive
from agentdeck.ops.backup.keys import Keyring
from agentdeck.ops.backup.model import Action, RestoreResult
from agentdeck.ops.backup.safety import Blocked, SafeTree, unsafe_entries
from agentdeck.ops.backup.settings import Settings
from agentdeck.ops.backup.verification import HashingReader, _plain, open_backup, same_entry

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

OVERWRITE = ("never", "if-changed", "always")
_ZERO = bytes(BLOCK)
_TEMP = ".agentdeck-restore-"


@dataclass
class _Planned:
    index: int
    entry: dict[str, Any]
    action: Action


@dataclass
class _Work:
    """What the restore made so far (undone on failure)."""

    tree: SafeTree
    temps: list[tuple[tuple[str, ...], str, str]] = field(default_factory=list)
    dirs: list[tuple[tuple[str, ...], dict[str, Any]]] = field(default_factory=list)
    db_temp: Path | None = None


def restore_backup(
    ws: Workspace,
    backup_id: str,
    keyring: Keyring,
    *,
    sections: tuple[str, ...] = ("files", "config", "db"),
    target: Path | None = None,
    dry_run: bool = False,
    overwrite: str = "never",
    replace_database: bool = False,
    pg_database: str | None = None,
    skip_unsafe: bool = False,
    destination: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> RestoreResult:
    """Restore ``sections`` of a backup into ``target`` (default: the workspace root).

    Raises ``BackupDamaged`` (nothing written) when the backup fails any check,
    and ``UnsafeArchive`` when entries would leave the target, unless
    ``skip_unsafe`` (those entries are then left out) or ``dry_run`` (they are
    listed with the action ``refuse``).
    """
    if overwrite not in OVERWRITE:
        raise InvalidInput(f"--overwrite must be one of {', '.join(OVERWRITE)}, not {overwrite!r}")
    settings = Settings.from_workspace(ws, destination)
    dest = settings.destination()
    backup_id = catalog.resolve(dest, backup_id)
    doc, sealed, master = open_backup(dest, backup_id, keyring)
    entries: list[dict[str, Any]] = sealed["entries"]
    in_place = target is None
    root = (target or ws.root).resolve()
    if not in_place and root.exists() and not root.is_dir():
        raise InvalidInput(f"the restore target {root} is not a folder")
    result = RestoreResult(backup_id, str(root), dry_run)
    refused = unsafe_entries(entries)
    tree = SafeTree(str(root), create=not dry_run) if (root.exists() or not dry_run) else None
    try:
        plan = _plan(entries, refused, sections, tree, overwrite)
        db_plan = _plan_database(
            ws, doc, entries, sections, root, in_place, replace_database, pg_database
        )
        result.actions = [p.action for p in plan]
        if db_plan is not None:
            result.actions.append(db_plan["action"])
            result.database = {
                k: v for k, v in db_plan.items() if k not in ("action", "index", "url", "work_dir")
            }
        bad = [p for p in plan if p.action.action == "refuse"]
        if bad and not skip_unsafe and not dry_run:
            if tree is not None:
                tree.remove_root()
            first = bad[0].action
            raise UnsafeArchive(
                f"backup {backup_id} holds {len(bad)} unsafe entr{'y' if len(bad) == 1 else 'ies'}, "
                f"first {first.path!r}: {first.reason}; nothing was restored",
                hint="`--dry-run` lists them; `--skip-unsafe` restores everything else",
            )
        if dry_run:
            return result
        assert tree is not None
        try:
            _execute(dest, doc, master, entries, plan, db_plan, tree, progress)
        except BackupDamaged as err:
            tree.remove_root()
            raise BackupDamaged(
                f"backup {backup_id} is damaged: {err}; nothing was restored",
                hint="verify the other backups and restore from an intact one",
            ) from None
        except BaseException:
            tree.remove_root()
            raise
    finally:
        if tree is not None:
            tree.close()
    return result


# -- planning ------------------------------------------------------------------------------


def _relative(entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(entry["path"].split("/"))


def _plan(
    entries: list[dict[str, Any]],
    refused: dict[int, str],
    sections: tuple[str, ...],
    tree: SafeTree | None,
    overwrite: str,
) -> list[_Planned]:
    plan = []
    for index, entry in enumerate(entries):
        section = entry.get("section")
        if section == "db" or section not in sections:
            continue
        action = Action(
            "write",
            str(section),
            str(entry.get("path")),
            str(entry.get("type")),
            int(entry.get("size") or 0),
            reason="new",
            to=str(entry.get("path")),
        )
        if index in refused:
            action.action, action.reason = "refuse", refused[index]
        elif tree is not None:
            _compare(tree, entry, action, overwrite)
        plan.append(_Planned(index, entry, action))
    return plan


def _compare(tree: SafeTree, entry: dict[str, Any], action: Action, overwrite: str) -> None:
    """Set ``action`` from what is on disk at the entry's place."""
    parts = _relative(entry)
    try:
        st = tree.lstat(parts)
    except Blocked as err:
        action.action = "refuse" if err.unsafe else "leave"
        action.reason = str(err)
        return
    if st is None:
        action.reason = "new"
        return
    kind = entry["type"]
    on_disk = (
        "dir"
        if stat.S_ISDIR(st.st_mode)
        else "symlink"
        if stat.S_ISLNK(st.st_mode)
        else "file"
        if stat.S_ISREG(st.st_mode)
        else "other"
    )
    if kind == "dir" or on_disk in ("dir", "other"):
        action.action = "leave"
        if kind == "dir" and on_disk == "dir":
            action.reason = "folder exists"
        else:
            action.reason = f"a {'folder' if on_disk == 'dir' else on_disk} is in the way"
        return
    if overwrite == "never":
        action.action, action.reason = "leave", "exists (--overwrite never)"
        return
    if overwrite == "always":
        action.action, action.reason = "change", "exists (--overwrite always)"
        return
    if _same_on_disk(tree, parts, entry, st, on_disk):
        action.action, action.reason = "leave", "unchanged"
    else:
        action.action, action.reason = "change", "differs"


def _same_on_disk(
    tree: SafeTree, parts: tuple[str, ...], entry: dict[str, Any], st: os.stat_result, on_disk: str
) -> bool:
    if on_disk != entry["type"]:
        return False
    fd = tree.folder(parts[:-1], create=False)
    try:
        if on_disk == "symlink":
            return os.readlink(parts[-1], dir_fd=fd) == entry.get("target")
        if st.st_size != entry.get("size") or (st.st_mode & 0o7777) != entry.get("mode"):
            return False
        if st.st_mtime_ns != entry.get("mtime_ns"):
            return False
        digest = hashlib.sha256()
        handle = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
        with os.fdopen(handle, "rb", buffering=0) as source:
            while block := source.read(BLOCK):
                digest.update(block)
        return digest.hexdigest() == entry.get("sha256")
    finally:
        os.close(fd)


def _plan_database(
    ws: Workspace,
    doc: dict[str, Any],
    entries: list[dict[str, Any]],
    sections: tuple[str, ...],
    root: Path,
    in_place: bool,
    replace: bool,
    pg_database: str | None,
) -> dict[str, Any] | None:
    if "db" not in sections:
        return None
    found = [(i, e) for i, e in enumerate(entries) if e.get("section") == "db"]
    if not found:
        return None
    index, entry = found[0]
    database = doc.get("database") or {}
    size = int(entry.get("size") or 0)
    if database.get("kind") == "postgresql":
        return _plan_postgres(ws, doc, index, entry, database, size, replace, pg_database)
    from agentdeck.ops.backup.creation import _database_path

    if in_place:
        final = _database_path(ws)
        if ws.database_url.startswith(("postgresql://", "postgres://")):
            final = ws.state_dir / str(database.get("name") or "deck.db")
    else:
        if (root / ".agentdeck").is_symlink():
            raise InvalidInput(
                f"{root / '.agentdeck'} is a symlink; a restore never follows one",
                hint="restore into another folder, or replace the link by a folder",
            )
        final = root / ".agentdeck" / "deck.db"
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    plan: dict[str, Any] = {"kind": "sqlite", "index": index, "final": str(final)}
    if not final.exists():
        plan["path"] = str(final)
        action = Action("write", "db", entry["path"], "file", size, "new database file", str(final))
    elif replace:
        aside = final.with_name(f"{final.stem}.replaced-{stamp}{final.suffix}")
        plan.update(path=str(final), replaced_kept_at=str(aside))
        action = Action(
            "change",
            "db",
            entry["path"],
            "file",
            size,
            f"replaces the current database (kept at {aside})",
            str(final),
        )
    else:
        new = final.with_name(f"{final.stem}.restored-{doc['id']}{final.suffix}")
        plan["path"] = str(new)
        action = Action(
            "write",
            "db",
            entry["path"],
            "file",
            size,
            "beside the current database (--replace-database replaces it)",
            str(new),
        )
    plan["action"] = action
    return plan


def _plan_postgres(
    ws: Workspace,
    doc: dict[str, Any],
    index: int,
    entry: dict[str, Any],
    database: dict[str, Any],
    size: int,
    replace: bool,
    pg_database: str | None,
) -> dict[str, Any]:
    url = ws.database_url
    if not url.startswith(("postgresql://", "postgres://")):
        raise InvalidInput(
            f"backup {doc['id']} holds a PostgreSQL dump but this workspace uses SQLite",
            hint="set AGENTDECK_DATABASE_URL to the server to restore into, or leave out --type db",
        )
    current = str(database.get("database") or "agentdeck")
    name = pg_database or f"{current}_restored_{doc['id'].replace('-', '_')}"
    if not name.replace("_", "").isalnum():
        raise InvalidInput(f"--pg-database {name!r} must be letters, digits and underscores")
    plan: dict[str, Any] = {
        "kind": "postgresql",
        "index": index,
        "database": name,
        "schema": database.get("schema"),
        "url": url,
        "work_dir": str(ws.state_dir / "tmp"),
    }
    if replace:
        stamp = clock.now().strftime("%Y%m%d_%H%M%S")
        aside = f"{current}_replaced_{stamp}"
        plan.update(replace=current, replaced_kept_as=aside)
        reason = f"restored as {name}, then renamed to {current}; the current one becomes {aside}"
        action = Action("change", "db", entry["path"], "file", size, reason, current)
    else:
        action = Action(
            "write", "db", entry["path"], "file", size, "a new PostgreSQL database", name
        )
    plan["action"] = action
    return plan


# -- doing it ----------------------------------------------------------------------------------


def _execute(
    dest: Any,
    doc: dict[str, Any],
    master: bytes,
    entries: list[dict[str, Any]],
    plan: list[_Planned],
    db_plan: dict[str, Any] | None,
    tree: SafeTree,
    progress: Callable[[int, int, str], None] | None,
) -> None:
    todo = {p.index: p for p in plan if p.action.action in ("write", "change")}
    dir_meta = {p.index for p in plan if p.entry["type"] == "dir" and p.action.action == "write"}
    work = _Work(tree)
    done = [0, 0]
    try:
        with dest.open_read(doc["archive"]["name"]) as source:
            hashing = HashingReader(source)
            reader = ArchiveReader(_plain(hashing, doc, master))
            index = 0
            for entry in reader:
                if index >= len(entries) or not same_entry(entries[index], entry.meta):
                    raise BackupDamaged(
                        f"entry {index + 1} ({entry.meta.get('path')!r}) differs from the manifest"
                    )
                expected = entries[index]
                if db_plan is not None and index == db_plan["index"]:
                    _write_db_temp(work, db_plan, entry.blocks())
                elif index in todo:
                    _materialize(work, expected, entry.blocks(), index in dir_meta)
                else:
                    for _ in entry.blocks():
                        pass
                if (entry.meta["size"], entry.meta["sha256"]) != (
                    expected["size"],
                    expected["sha256"],
                ):
                    raise BackupDamaged(
                        f"{expected['path']!r} does not match its manifest checksum"
                    )
                index += 1
                done[0] += 1
                done[1] += int(expected["size"])
                if progress is not None:
                    progress(done[0], done[1], expected["path"])
            if index != len(entries):
                raise BackupDamaged(
                    f"the archive holds {index} entries, the manifest {len(entries)}"
                )
            archive = doc["archive"]
            if hashing.size != archive.get("size") or hashing.digest.hexdigest() != archive.get(
                "sha256"
            ):
                raise BackupDamaged("the archive's size or SHA-256 differs from the manifest")
        if db_plan is not None:
            _check_db_temp(work, db_plan)
        _commit(work)
        if db_plan is not None:
            _place_database(work, db_plan)
    except BaseException:
        _undo(work)
        raise


def _materialize(work: _Work, entry: dict[str, Any], blocks: Any, new_dir: bool) -> None:
    parts = _relative(entry)
    kind = entry["type"]
    if kind == "dir":
        work.tree.borrow(parts, create=True)
        if new_dir or parts in work.tree.created:
            work.dirs.append((parts, entry))
        for _ in blocks:
            pass
        return
    parent = work.tree.borrow(parts[:-1], create=True)
    temp = f"{_TEMP}{os.urandom(6).hex()}"
    if kind == "symlink":
        for _ in blocks:
            pass
        os.symlink(entry["target"], temp, dir_fd=parent)
        work.temps.append((parts[:-1], temp, parts[-1]))
        os.utime(
            temp, ns=(entry["mtime_ns"], entry["mtime_ns"]), dir_fd=parent, follow_symlinks=False
        )
        return
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=parent)
    work.temps.append((parts[:-1], temp, parts[-1]))
    try:
        size = _write_sparse(fd, blocks)
        os.ftruncate(fd, size)
        os.fchmod(fd, entry["mode"] & 0o1777)
        os.utime(fd, ns=(entry["mtime_ns"], entry["mtime_ns"]))
    finally:
        os.close(fd)


def _write_sparse(fd: int, blocks: Any) -> int:
    """Write blocks, seeking over whole blocks of zeros (holes); return the size."""
    size = 0
    for block in blocks:
        if len(block) == BLOCK and block == _ZERO:
            os.lseek(fd, BLOCK, os.SEEK_CUR)
        else:
            view = memoryview(block)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        size += len(block)
    return size


def _commit(work: _Work) -> None:
    for folder, temp, name in work.temps:
        fd = work.tree.borrow(folder, create=False)
        os.rename(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
    work.temps.clear()
    work.tree.forget()
    for parts, entry in sorted(work.dirs, key=lambda d: -len(d[0])):
        fd = work.tree.folder(parts, create=False)
        try:
            os.fchmod(fd, entry["mode"] & 0o1777)
            os.utime(fd, ns=(entry["mtime_ns"], entry["mtime_ns"]))
        finally:
            os.close(fd)
    work.tree.created.clear()


def _undo(work: _Work) -> None:
    work.tree.forget()
    for folder, temp, _name in work.temps:
        with contextlib.suppress(Exception):
            fd = work.tree.folder(folder, create=False)
            try:
                os.unlink(temp, dir_fd=fd)
            finally:
                os.close(fd)
    for parts in sorted(work.tree.created, key=len, reverse=True):
        with contextlib.suppress(Exception):
            fd = work.tree.folder(parts[:-1], create=False)
            try:
                os.rmdir(parts[-1], dir_fd=fd)
            finally:
                os.close(fd)
    if work.db_temp is not None:
        with contextlib.suppress(OSError):
            work.db_temp.unlink()


# -- the database --------------------------------------------------------------------------------


def _write_db_temp(work: _Work, plan: dict[str, Any], blocks: Any) -> None:
    if plan["kind"] == "sqlite":
        folder = Path(plan["path"]).parent
    else:
        folder = Path(plan.get("work_dir") or Path.cwd())
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f"{_TEMP}{os.urandom(6).hex()}.db"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    work.db_temp = temp
    try:
        size = _write_sparse(fd, blocks)
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_db_temp(work: _Work, plan: dict[str, Any]) -> None:
    if plan["kind"] != "sqlite" or work.db_temp is None:
        return
    try:
        conn = sqlite3.connect(work.db_temp)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as err:
        raise BackupDamaged(f"the restored database does not open: {err}") from None
    if verdict != "ok":
        raise BackupDamaged(f"the restored database fails integrity_check: {verdict}")


def _place_database(work: _Work, plan: dict[str, Any]) -> None:
    assert work.db_temp is not None
    if plan["kind"] == "postgresql":
        _restore_postgres(work.db_temp, plan)
        work.db_temp.unlink()
        work.db_temp = None
        return
    path = Path(plan["path"])
    aside = plan.get("replaced_kept_at")
    if aside:
        # Copy the live database aside, then overwrite it in place through the
        # backup API: correct even while other processes hold it open (WAL).
        live = sqlite3.connect(path, timeout=60)
        try:
            keep = sqlite3.connect(aside)
            try:
                live.backup(keep)
            finally:
                keep.close()
            restored = sqlite3.connect(work.db_temp)
            try:
                restored.backup(live)
            finally:
                restored.close()
        finally:
            live.close()
        work.db_temp.unlink()
    else:
        os.rename(work.db_temp, path)
    work.db_temp = None


def _restore_postgres(dump: Path, plan: dict[str, Any]) -> None:
    import psycopg
    from psycopg import sql

    from agentdeck.ops.backup.sources import DumpFailed, pg_environment

    url = plan["url"]
    env, conninfo, _schema = pg_environment(url)
    name = plan["database"]
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            raise TargetExists(
                f"the PostgreSQL database {name} already exists",
                hint="name another with --pg-database, or drop it first",
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(conninfo)
    params["dbname"] = name
    params.pop("options", None)
    proc = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
            make_conninfo(**params),
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        with contextlib.suppress(Exception), psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        lines = proc.stderr.strip().splitlines()
        raise DumpFailed(f"pg_restore failed: {lines[0] if lines else proc.returncode}")
    current = plan.get("replace")
    if current:
        aside = plan["replaced_kept_as"]
        params = conninfo_to_dict(conninfo)
        params["dbname"] = "postgres"
        params.pop("options", None)
        try:
            with psycopg.connect(
                make_conninfo(**params),
                autocommit=True,
                **({"password": env["PGPASSWORD"]} if "PGPASSWORD" in env else {}),
            ) as conn:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(current), sql.Identifier(aside)
                    )
                )
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(name), sql.Identifier(current)
                    )
                )
        except psycopg.Error as err:
            raise TargetExists(
                f"restored into {name}, but could not swap it for {current}: {str(err).strip().splitlines()[0]}",
                hint=f"close other connections to {current} and rename by hand, or point agentdeck at {name}",
            ) from None
