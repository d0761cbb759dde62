"""What a restore may write: path checks, and a folder tree that never follows links.

Every entry is checked before anything is written: a path must be relative,
without ``..``, ``.`` or empty parts; only files, folders and symlinks are
restored (device files and fifos never); a symlink must resolve inside the
target, following the other symlinks of the same backup as the kernel would
(so a chain of links cannot climb out); and no entry may lie under a symlink of
the backup (the "symlink, then a file through it" attack).

``SafeTree`` then writes with ``openat``-style calls: each folder is opened
with ``O_NOFOLLOW`` relative to its parent, so a symlink already on disk in
the target is never followed either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from agentdeck.ops.backup.archive import ENTRY_TYPES

_MAX_PATH = 4096
_MAX_LINKS = 40


def _resolve(folder: list[str], target: str, links: dict[str, str], depth: int) -> list[str] | None:
    """Follow ``target`` from ``folder`` through the backup's own links; None if it leaves."""
    if target.startswith("/") or depth > _MAX_LINKS:
        return None
    parts = list(folder)
    for name in target.split("/"):
        if name in ("", "."):
            continue
        if name == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(name)
        key = "/".join(parts)
        if key in links:
            parts.pop()
            resolved = _resolve(parts, links[key], links, depth + 1)
            if resolved is None:
                return None
            parts = resolved
    return parts


def unsafe_entries(entries: Iterable[dict[str, Any]]) -> dict[int, str]:
    """Index -> reason for every entry a restore must refuse."""
    entries = list(entries)
    links = {
        e["path"]: e.get("target")
        for e in entries
        if e.get("type") == "symlink"
        and isinstance(e.get("path"), str)
        and isinstance(e.get("target"), str)
        and e.get("section") == "files"
    }
    seen: set[tuple[str, str]] = set()
    refused: dict[int, str] = {}
    for index, entry in enumerate(entries):
        reason = _reason(entry, links, seen)
        if reason:
            refused[index] = reason
    return refused


def _reason(entry: dict[str, Any], links: dict[str, Any], seen: set[tuple[str, str]]) -> str | None:
    path = entry.get("path")
    section = entry.get("section")
    kind = entry.get("type")
    if section not in ("files", "config", "db"):
        return f"unknown section {section!r}"
    if not isinstance(path, str) or not path:
        return "an empty path"
    if "\0" in path or len(path) > _MAX_PATH:
        return "an impossible path"
    if path.startswith("/"):
        return "an absolute path would leave the target"
    parts = path.split("/")
    if ".." in parts:
        return "a '..' in the path would leave the target"
    if any(p in ("", ".") for p in parts):
        return "an empty or '.' part in the path"
    if kind not in ENTRY_TYPES:
        return f"a {kind} entry: only files, folders and symlinks are restored (never device files)"
    mode = entry.get("mode")
    if not isinstance(mode, int) or mode & ~0o7777 or mode < 0:
        return "an impossible mode (device or special file bits)"
    if (section, path) in seen:
        return "the path appears twice in the backup"
    seen.add((section, path))
    if section == "config" and (path != "agentdeck.toml" or kind != "file"):
        return "a config entry other than agentdeck.toml"
    if section == "db":
        return None if kind == "file" and "/" not in path else "a database entry that is not a file"
    if section == "files" and parts[0] == ".agentdeck":
        return "the .agentdeck state folder is restored only through the database section"
    for depth in range(1, len(parts)):
        above = "/".join(parts[:depth])
        if above in links:
            return f"it lies under the symlink {above!r} of the backup"
    if kind == "symlink":
        target = entry.get("target")
        if not isinstance(target, str) or not target or "\0" in target:
            return "a symlink without a target"
        if target.startswith("/"):
            return f"a symlink to the absolute path {target!r} points outside the target"
        if _resolve(parts[:-1], target, links, 0) is None:
            return f"a symlink to {target!r} points outside the target"
    return None


class Blocked(Exception):
    """A folder on the way is a symlink (unsafe) or not a folder (in the way)."""

    def __init__(self, message: str, unsafe: bool) -> None:
        super().__init__(message)
        self.unsafe = unsafe


class SafeTree:
    """A restore target; every path is walked from the root without following links."""

    def __init__(self, root: str, *, create: bool) -> None:
        #: Folders made to reach the root (outermost first), removed by ``remove_root``.
        self.made_root: list[str] = []
        if create:
            missing = []
            folder = os.path.abspath(root)
            while not os.path.lexists(folder):
                missing.append(folder)
                folder = os.path.dirname(folder)
            os.makedirs(root, exist_ok=True)
            self.made_root = list(reversed(missing))
        self.root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        self.created: list[tuple[str, ...]] = []
        self._cache: OrderedDict[tuple[str, ...], int] = OrderedDict()

    def borrow(self, parts: tuple[str, ...], *, create: bool) -> int:
        """Like ``folder`` but cached (the 64 most recent); the caller must NOT close it.

        A cached descriptor still names the folder that was opened without
        following links, even if the path is swapped for a symlink later.
        """
        fd = self._cache.get(parts)
        if fd is not None:
            self._cache.move_to_end(parts)
            return fd
        fd = self.folder(parts, create=create)
        self._cache[parts] = fd
        if len(self._cache) > 64:
            _old, evicted = self._cache.popitem(last=False)
            os.close(evicted)
        return fd

    def forget(self) -> None:
        """Close the cached descriptors."""
        while self._cache:
            os.close(self._cache.popitem()[1])

    def remove_root(self) -> None:
        """Remove the folders made for the root, if still empty (after a failed restore)."""
        for folder in reversed(self.made_root):
            with contextlib.suppress(OSError):
                os.rmdir(folder)

    def close(self) -> None:
        self.forget()
        with contextlib.suppress(OSError):
            os.close(self.root_fd)

    def folder(self, parts: tuple[str, ...], *, create: bool) -> int:
        """An fd of the folder ``parts`` (created as 0700 if ``create``); caller closes it."""
        fd = os.dup(self.root_fd)
        try:
            for depth, name in enumerate(parts):
                try:
                    child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    os.mkdir(name, 0o700, dir_fd=fd)
                    self.created.append(parts[: depth + 1])
                    child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except OSError as err:
                    if err.errno not in (errno.ELOOP, errno.ENOTDIR):
                        raise
                    where = "/".join(parts[: depth + 1])
                    st = os.lstat(name, dir_fd=fd)
                    if stat.S_ISLNK(st.st_mode):
                        raise Blocked(
                            f"{where!r} is a symlink on disk (never followed)", True
                        ) from None
                    raise Blocked(f"{where!r} is not a folder on disk", False) from None
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def lstat(self, parts: tuple[str, ...]) -> os.stat_result | None:
        """lstat of ``parts`` (None when missing); raises ``Blocked`` for the folders above."""
        try:
            fd = self.folder(parts[:-1], create=False)
        except FileNotFoundError:
            return None
        try:
            return os.lstat(parts[-1], dir_fd=fd)
        except FileNotFoundError:
            return None
        finally:
            os.close(fd)
