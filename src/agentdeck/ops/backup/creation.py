"""``create_backup``: one streamed, compressed, encrypted archive plus its manifest."""

from __future__ import annotations

import hashlib
import os
import socket
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck import __version__, clock
from agentdeck.errors import InvalidInput
from agentdeck.ops.backup import catalog, crypto, manifest, sources
from agentdeck.ops.backup.archive import ArchiveWriter
from agentdeck.ops.backup.dest import ARCHIVE, MANIFEST, Destination, Upload
from agentdeck.ops.backup.keys import Keyring, open_repository
from agentdeck.ops.backup.model import TYPES, BackupInfo, CreateResult
from agentdeck.ops.backup.settings import Settings

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

#: progress(entries done, bytes done, path being read)
Progress = Callable[[int, int, str], None]


class _Tee:
    """The sink of the frame writer: the upload, plus a SHA-256 and a byte count."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.upload.write(data)


def new_id(moment: Any) -> str:
    """``YYYYMMDD-HHMMSS-xxxx`` (UTC): sorts by time, unique within a second."""
    return f"{moment.astimezone(UTC):%Y%m%d-%H%M%S}-{os.urandom(2).hex()}"


def _database_path(ws: Workspace) -> Path:
    from agentdeck.workspace import DATABASE_FILE

    url = ws.database_url
    if not url:
        return ws.state_dir / DATABASE_FILE
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return Path(url.removeprefix("sqlite://"))


def _judge(
    previous: list[dict[str, Any]], size: int, entries: int, duration: float, ratio: float
) -> str | None:
    """Why this backup looks wrong next to the last ones of its type, or ``None``."""
    if not previous or ratio <= 0:
        return None
    sizes = [int(p["totals"].get("bytes", 0)) for p in previous]
    counts = [int(p["totals"].get("entries", 0)) for p in previous]
    times = [float(p.get("duration_s") or 0) for p in previous]
    median_size = statistics.median(sizes)
    if median_size > 0 and size < ratio * median_size:
        return (
            f"holds {size:,} bytes, under {ratio:.0%} of the median {median_size:,.0f} "
            f"of the last {len(previous)} backups of its type"
        )
    median_count = statistics.median(counts)
    if median_count > 0 and entries < ratio * median_count:
        return (
            f"holds {entries} entries, under {ratio:.0%} of the median {median_count:.0f} "
            f"of the last {len(previous)} backups of its type"
        )
    median_time = statistics.median(times)
    if median_time >= 2.0 and duration < ratio * median_time:
        return (
            f"took {duration:.1f}s, under {ratio:.0%} of the median {median_time:.1f}s "
            f"of the last {len(previous)} backups of its type"
        )
    return None


def _previous(dest: Destination, kind: str, limit: int = 5) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _backup_id, doc, _damage in catalog.newest_first(dest):
        if doc is not None and doc["type"] == kind:
            found.append(doc)
            if len(found) == limit:
                break
    return found


def create_backup(
    ws: Workspace,
    *,
    kind: str = "all",
    tags: Iterable[str] = (),
    keyring: Keyring,
    destination: str | None = None,
    progress: Progress | None = None,
) -> CreateResult:
    """Back up the workspace's database, files and/or config to the destination.

    ``kind`` is one of ``all``, ``db``, ``files``, ``config``. Memory stays
    bounded whatever the size (content streams through 4 MiB chunks). The
    archive is written under a temporary name and renamed once complete; the
    manifest is written last. On any failure the partial archive is removed
    and nothing is listed.
    """
    if kind not in TYPES:
        raise InvalidInput(f"unknown backup type {kind!r}; use one of {', '.join(TYPES)}")
    tags = sorted({t.strip() for tag in tags for t in tag.split(",") if t.strip()})
    settings = Settings.from_workspace(ws, destination)
    dest = settings.destination()
    with dest.lock():
        cleaned = dest.cleanup()
        repo = open_repository(dest, keyring, create=True)
        assert repo is not None
        started = clock.now()
        t0 = time.monotonic()
        backup_id = new_id(started)
        nonce = os.urandom(16)
        header = {
            "format": 1,
            "backup_id": backup_id,
            "cipher": crypto.CIPHER,
            "chunk_size": crypto.CHUNK_SIZE,
            "nonce": crypto.b64(nonce),
            "kdf": repo.kdf,
            "key_check": repo.key_check,
        }
        key = crypto.subkey(repo.master, nonce, "archive", backup_id)
        upload = dest.open_upload(backup_id + ARCHIVE)
        tee = _Tee(upload)
        skipped: list[str] = []
        entries: list[dict[str, Any]] = []
        database: dict[str, Any] | None = None
        done = [0, 0]

        def tick(path: str) -> Callable[[int], None]:
            def on_block(n: int) -> None:
                done[1] += n
                if progress is not None:
                    progress(done[0], done[1], path)

            return on_block

        frames = crypto.FrameWriter(tee, key, crypto.encode_header(header))
        try:
            writer = ArchiveWriter(frames)

            def add(meta: dict[str, Any], content: Iterable[bytes] = ()) -> None:
                entries.append(writer.add(meta, content, tick(meta["path"])))
                done[0] += 1
                if progress is not None:
                    progress(done[0], done[1], meta["path"])

            if kind in ("all", "config"):
                config_file = ws.root / "agentdeck.toml"
                if config_file.is_file():
                    st, blocks = sources.read_file(config_file)
                    add(_meta("config", "agentdeck.toml", "file", st), blocks)
            if kind in ("all", "db"):
                database = _add_database(ws, add)
            if kind in ("all", "files"):
                # In an "all" backup agentdeck.toml is the config entry, not a file too.
                _add_files(ws, settings, dest, add, skipped, with_config=kind == "files")
            writer.finish()
            upload.commit()
        except BaseException:
            frames.abort()
            upload.abort()
            raise
        duration = time.monotonic() - t0
        total_bytes = sum(int(e["size"]) for e in entries)
        previous = _previous(dest, kind)
        suspicious = _judge(
            previous, total_bytes, len(entries), duration, settings.raw["suspicious_ratio"]
        )
        counts = {t: sum(1 for e in entries if e["type"] == t) for t in ("file", "dir", "symlink")}
        public = {
            "format": manifest.FORMAT,
            "version": manifest.VERSION,
            "id": backup_id,
            "created_at": clock.to_text(started),
            "duration_s": round(duration, 3),
            "type": kind,
            "tags": tags,
            "tool_version": __version__,
            "host": socket.gethostname(),
            "workspace": str(ws.root),
            "database": database,
            "totals": {
                "entries": len(entries),
                "files": counts["file"],
                "dirs": counts["dir"],
                "symlinks": counts["symlink"],
                "bytes": total_bytes,
                "skipped": len(skipped),
            },
            "archive": {
                "name": backup_id + ARCHIVE,
                "size": tee.size,
                "sha256": tee.digest.hexdigest(),
            },
            "crypto": {"cipher": crypto.CIPHER, "kdf": repo.kdf, "key_check": repo.key_check},
            "suspicious": suspicious,
        }
        sealed = {"entries": entries, "frames": frames.frame_offsets}
        dest.put_small(backup_id + MANIFEST, manifest.build(public, sealed, repo.master))
    info = BackupInfo.from_manifest(public, dest.url)
    return CreateResult(info, skipped, cleaned)


def _meta(section: str, path: str, kind: str, st: os.stat_result, **extra: Any) -> dict[str, Any]:
    return {
        "section": section,
        "path": path,
        "type": kind,
        "mode": st.st_mode & 0o7777,
        "mtime_ns": st.st_mtime_ns,
        **extra,
    }


def _add_database(ws: Workspace, add: Callable[..., None]) -> dict[str, Any]:
    url = ws.database_url
    work = ws.state_dir / "tmp"
    if url.startswith(("postgresql://", "postgres://")):
        _env, conninfo, schema = sources.pg_environment(url)
        from psycopg.conninfo import conninfo_to_dict

        dbname = conninfo_to_dict(conninfo).get("dbname")
        now_ns = time.time_ns()
        meta = {
            "section": "db",
            "path": "database.pgdump",
            "type": "file",
            "mode": 0o600,
            "mtime_ns": now_ns,
        }
        add(meta, sources.pg_dump(url, work))
        return {
            "kind": "postgresql",
            "database": dbname,
            "schema": schema,
            "format": "pg_dump-custom",
        }
    path = _database_path(ws)
    with sources.sqlite_snapshot(path, work) as copy:
        st = path.stat()
        _st, blocks = sources.read_file(copy)
        add(_meta("db", path.name, "file", st), blocks)
    return {"kind": "sqlite", "name": path.name}


def _add_files(
    ws: Workspace,
    settings: Settings,
    dest: Destination,
    add: Callable[..., None],
    skipped: list[str],
    *,
    with_config: bool,
) -> None:
    from agentdeck.ops.backup.dest import LocalDestination

    skip = [ws.state_dir]
    if isinstance(dest, LocalDestination):
        skip.append(dest.folder)
    report = sources.Walk(skipped)
    for item in sources.walk(ws.root, settings.include, settings.exclude, skip, report):
        if item.relative == "agentdeck.toml" and not with_config:
            continue
        if item.kind == "dir":
            add(_meta("files", item.relative, "dir", item.st))
        elif item.kind == "symlink":
            add(_meta("files", item.relative, "symlink", item.st, target=item.target))
        else:
            try:
                st, blocks = sources.read_file(item.path)
            except OSError as err:
                skipped.append(f"{item.relative}: {err.strerror or err}")
                continue
            add(_meta("files", item.relative, "file", st), blocks)
