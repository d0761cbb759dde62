"""The plaintext record stream inside an archive's frames.

Records are ``tag (1 byte) | u32 length | payload``:

``H``  an entry starts: JSON ``{"section", "path", "type", "mode", "mtime_ns", "target"?}``
``D``  a block of the entry's content (at most ``BLOCK`` bytes), repeated
``E``  the entry ends: JSON ``{"size", "sha256"}``
``Z``  the archive ends: JSON ``{"entries": n}``

Content comes in blocks so a stream of unknown length (``pg_dump``) needs no
buffering, and memory stays bounded whatever the size of a file. The reader
recomputes each SHA-256 and size and compares them with the ``E`` record; the
caller compares every entry with the sealed manifest as well.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from agentdeck.ops.backup.crypto import FrameWriter, PlainReader
from agentdeck.ops.backup.errors import BackupDamaged

BLOCK = 1 << 20
_REC = struct.Struct(">cI")
_MAX_META = 1 << 16
ENTRY_TYPES = ("file", "dir", "symlink")


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class ArchiveWriter:
    """Write entries into a ``FrameWriter``; returns manifest entries as it goes."""

    def __init__(self, frames: FrameWriter) -> None:
        self.frames = frames
        self.count = 0
        self.bytes = 0

    def _record(self, tag: bytes, payload: bytes) -> None:
        self.frames.write(_REC.pack(tag, len(payload)))
        if payload:
            self.frames.write(payload)

    def add(
        self,
        meta: dict[str, Any],
        content: Iterable[bytes] = (),
        on_block: Any = None,
    ) -> dict[str, Any]:
        """Add one entry; ``content`` yields the bytes of a file. Returns the manifest entry."""
        offset = self.frames.plain_position
        self._record(b"H", _json(meta))
        digest = hashlib.sha256()
        size = 0
        for block in content:
            view = memoryview(block)
            while view:
                piece = view[:BLOCK]
                view = view[BLOCK:]
                digest.update(piece)
                size += len(piece)
                self.frames.write(_REC.pack(b"D", len(piece)))
                self.frames.write(piece)
            if on_block is not None:
                on_block(len(block))
        end = {"size": size, "sha256": digest.hexdigest()}
        self._record(b"E", _json(end))
        self.count += 1
        self.bytes += size
        return {**meta, **end, "offset": offset}

    def finish(self) -> None:
        self._record(b"Z", _json({"entries": self.count}))
        self.frames.close()


@dataclass
class Entry:
    """An entry read back: its metadata, and its content through ``blocks()``."""

    meta: dict[str, Any]
    _reader: ArchiveReader

    def blocks(self) -> Iterator[bytes]:
        """The content, block by block; checked against the end record when exhausted."""
        return self._reader._content(self)


class ArchiveReader:
    """Read the entries of an archive in order; every check fails as ``BackupDamaged``."""

    def __init__(self, plain: PlainReader) -> None:
        self.plain = plain
        self._pending: Entry | None = None
        self._done = False
        self.count = 0

    def _record(self) -> tuple[bytes, int]:
        tag, length = _REC.unpack(self.plain.read_exact(_REC.size))
        return tag, length

    def _meta(self, length: int, what: str) -> dict[str, Any]:
        if length > _MAX_META:
            raise BackupDamaged(f"{what} record is implausibly long")
        try:
            data = json.loads(self.plain.read_exact(length))
        except (ValueError, UnicodeDecodeError):
            raise BackupDamaged(f"{what} record is not readable") from None
        if not isinstance(data, dict):
            raise BackupDamaged(f"{what} record is not readable")
        return data

    def __iter__(self) -> Iterator[Entry]:
        while True:
            if self._pending is not None:
                for _ in self._pending.blocks():
                    pass
            tag, length = self._record()
            if tag == b"Z":
                end = self._meta(length, "the end")
                if end.get("entries") != self.count:
                    raise BackupDamaged("the archive's entry count does not match its entries")
                if not self.plain.at_end():
                    raise BackupDamaged("the archive has data after its end record")
                self._done = True
                return
            if tag != b"H":
                raise BackupDamaged(f"unexpected record {tag!r} where an entry should start")
            meta = self._meta(length, "an entry")
            entry = Entry(meta, self)
            self._pending = entry
            self.count += 1
            yield entry

    def _content(self, entry: Entry) -> Iterator[bytes]:
        if self._pending is not entry:
            return
        digest = hashlib.sha256()
        size = 0
        while True:
            tag, length = self._record()
            if tag == b"D":
                if length > BLOCK:
                    raise BackupDamaged("a content block is implausibly long")
                block = self.plain.read_exact(length)
                digest.update(block)
                size += length
                yield block
                continue
            if tag != b"E":
                raise BackupDamaged(f"unexpected record {tag!r} inside an entry")
            end = self._meta(length, "an entry's end")
            self._pending = None
            if end.get("size") != size or end.get("sha256") != digest.hexdigest():
                raise BackupDamaged(f"{entry.meta.get('path')!r} does not match its checksum")
            entry.meta["size"] = size
            entry.meta["sha256"] = end["sha256"]
            return

    @property
    def complete(self) -> bool:
        return self._done


def open_archive(source: BinaryIO, key_for: Any) -> ArchiveReader:
    return ArchiveReader(PlainReader(source, key_for))
