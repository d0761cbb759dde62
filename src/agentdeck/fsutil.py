"""Files written so that a crash never leaves half of one.

Every file agentdeck writes (notes, exports, manifests) goes through
``write_atomic``: the content goes to a temporary name in the same folder, is
fsynced, and is renamed over the target; then the folder is fsynced so the
rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from agentdeck.errors import CannotWrite


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically; the folder is created if needed.

    Readers see either the old file or the new one, never a mix. Text is written
    as UTF-8 with ``\\n`` line ends. A destination that cannot be written raises
    ``CannotWrite`` (one line for the user) and leaves the old file as it was.
    """
    # surrogateescape: bytes read as such (a hand-written note that is not UTF-8) go back unchanged.
    payload = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    try:
        _replace(path, payload, mode)
    except OSError as err:
        raise CannotWrite(
            f"cannot write {path}: {err.strerror or err}",
            hint="check that its folder exists or can be made, is writable, and has space",
        ) from err


def _replace(path: Path, payload: bytes, mode: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """fsync a folder so renames and creations in it are durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
