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
