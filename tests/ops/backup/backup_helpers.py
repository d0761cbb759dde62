"""Helpers of the backup tests (imported by name: the test folder is on sys.path)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

PASSPHRASE = "correct horse battery staple"


@dataclass
class BackupEnv:
    """An initialised workspace (SQLite) whose backups go to ``dest``."""

    ws: object
    root: Path
    dest: Path

    @property
    def keyring(self):  # type: ignore[no-untyped-def]
        from agentdeck.ops import backup

        return backup.keyring(self.ws)  # type: ignore[arg-type]

    def reopen(self) -> None:
        from agentdeck.workspace import open_workspace

        self.ws.close()  # type: ignore[attr-defined]
        self.ws = open_workspace(self.root)


def set_config(root: Path, table: str, lines: str) -> None:
    """Put ``lines`` (``key = value`` TOML) under the ``[table]`` header of agentdeck.toml."""
    config = root / "agentdeck.toml"
    text = config.read_text()
    header = f"\n[{table}]\n"
    assert header in text
    config.write_text(text.replace(header, header + lines.rstrip("\n") + "\n", 1))


def make_workspace(root: Path, backup_config: str = "") -> object:
    """An initialised workspace at ``root`` (a new git repository); ``[backup]`` lines added."""
    from agentdeck.workspace import init_workspace, open_workspace

    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    init_workspace(root)
    if backup_config:
        set_config(root, "backup", backup_config)
    return open_workspace(root)


def tree_state(root: Path, skip: tuple[str, ...] = (".agentdeck", ".git")) -> dict[str, tuple]:
    """Every path under ``root``: type, mode, mtime_ns and content (or link target)."""
    out: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root):
        rel_folder = os.path.relpath(folder, root)
        dirs[:] = sorted(d for d in dirs if not (rel_folder == "." and d in skip))
        for name in dirs + sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.normpath(os.path.join(rel_folder, name))
            st = os.lstat(path)
            if os.path.islink(path):
                out[rel] = ("symlink", os.readlink(path), st.st_mtime_ns)
            elif os.path.isdir(path):
                out[rel] = ("dir", st.st_mode & 0o7777, st.st_mtime_ns)
            else:
                with open(path, "rb") as handle:
                    content = handle.read()
                out[rel] = ("file", st.st_mode & 0o7777, st.st_mtime_ns, content)
    return out


def forge_backup(ws: object, entries: list[tuple[dict, bytes]], kind: str = "files") -> str:
    """Write a backup holding exactly ``entries`` (metadata, content), valid under the key.

    This is what an attacker who knows the passphrase (or a compromised
    machine making backups) could write: the archive and manifest are authentic,
    so only restore's own checks stand between them and the file system.
    """
    import os as _os

    from agentdeck import clock
    from agentdeck.ops import backup
    from agentdeck.ops.backup import crypto, manifest
    from agentdeck.ops.backup.archive import ArchiveWriter
    from agentdeck.ops.backup.creation import _Tee, new_id
    from agentdeck.ops.backup.keys import open_repository
    from agentdeck.ops.backup.settings import Settings

    dest = Settings.from_workspace(ws).destination()  # type: ignore[arg-type]
    repo = open_repository(dest, backup.keyring(ws), create=True)  # type: ignore[arg-type]
    assert repo is not None
    backup_id = new_id(clock.now())
    nonce = _os.urandom(16)
    header = {
        "format": 1,
        "backup_id": backup_id,
        "cipher": crypto.CIPHER,
        "chunk_size": crypto.CHUNK_SIZE,
        "nonce": crypto.b64(nonce),
        "kdf": repo.kdf,
        "key_check": repo.key_check,
    }
    upload = dest.open_upload(backup_id + ".adbk")
    tee = _Tee(upload)
    frames = crypto.FrameWriter(
        tee, crypto.subkey(repo.master, nonce, "archive", backup_id), crypto.encode_header(header)
    )
    writer = ArchiveWriter(frames)
    written = [writer.add(meta, [content] if content else []) for meta, content in entries]
    writer.finish()
    upload.commit()
    public = {
        "format": manifest.FORMAT,
        "version": manifest.VERSION,
        "id": backup_id,
        "created_at": clock.now_text(),
        "duration_s": 0.01,
        "type": kind,
        "tags": ["forged"],
        "tool_version": "test",
        "host": "test",
        "workspace": "",
        "database": None,
        "totals": {
            "entries": len(written),
            "files": 0,
            "dirs": 0,
            "symlinks": 0,
            "bytes": 0,
            "skipped": 0,
        },
        "archive": {
            "name": backup_id + ".adbk",
            "size": tee.size,
            "sha256": tee.digest.hexdigest(),
        },
        "crypto": {"cipher": crypto.CIPHER, "kdf": repo.kdf, "key_check": repo.key_check},
        "suspicious": None,
    }
    sealed = {"entries": written, "frames": frames.frame_offsets}
    dest.put_small(backup_id + ".json", manifest.build(public, sealed, repo.master))
    return backup_id


def file_meta(path: str, *, kind: str = "file", mode: int = 0o644, **extra: object) -> dict:
    return {
        "section": "files",
        "path": path,
        "type": kind,
        "mode": mode,
        "mtime_ns": 10**18,
        **extra,
    }
