"""``verify_backup``: decrypt a backup and check every checksum (or a sample)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import Any, BinaryIO

from agentdeck import clock
from agentdeck.errors import InvalidInput
from agentdeck.ops.backup import catalog, crypto, manifest
from agentdeck.ops.backup.archive import ArchiveReader
from agentdeck.ops.backup.dest import Destination
from agentdeck.ops.backup.errors import BackupDamaged
from agentdeck.ops.backup.keys import Keyring, master_for
from agentdeck.ops.backup.model import VerifyResult

_COMPARED = ("section", "path", "type", "mode", "mtime_ns", "target")


class HashingReader:
    """Reads a source while hashing and counting what passed through."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def open_backup(
    dest: Destination, backup_id: str, keyring: Keyring
) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """Manifest, its sealed part (entries, frames), and the master key; refuses damage."""
    doc = catalog.load(dest, backup_id)
    master = master_for(dest, keyring, doc["crypto"], f"backup {backup_id}")
    sealed = manifest.open_sealed(doc, master)
    return doc, sealed, master


def archive_key(doc: dict[str, Any], master: bytes) -> Callable[[dict[str, Any]], bytes]:
    """The key function for a ``PlainReader``: checks the header belongs to this backup."""

    def key_for(header: dict[str, Any]) -> bytes:
        if header.get("backup_id") != doc["id"]:
            raise BackupDamaged(f"the archive of {doc['id']} belongs to another backup")
        if header.get("cipher") != crypto.CIPHER:
            raise BackupDamaged(f"the archive of {doc['id']} names an unknown cipher")
        nonce = crypto.unb64(header.get("nonce", ""), "the archive nonce")
        return crypto.subkey(master, nonce, "archive", doc["id"])

    return key_for


def same_entry(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    return all(expected.get(k) == got.get(k) for k in _COMPARED)


def verify_backup(
    dest: Destination,
    backup_id: str,
    keyring: Keyring,
    *,
    sample_pct: float | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> VerifyResult:
    """Check one backup. Damage is reported in the result (``ok`` false), never raised;
    a wrong key raises ``WrongKey`` (that is the user's mistake, not the backup's).
    """
    if sample_pct is not None and not 0 < sample_pct <= 100:
        raise InvalidInput(f"--sample must be a percentage in (0, 100], not {sample_pct:g}")
    result = VerifyResult(backup_id, False, clock.now_text(), sample_pct=sample_pct)
    try:
        doc, sealed, master = open_backup(dest, backup_id, keyring)
        entries = sealed["entries"]
        result.entries_total = len(entries)
        if sample_pct is None or sample_pct >= 100:
            _verify_full(dest, doc, entries, master, result, progress)
        else:
            _verify_sample(dest, doc, sealed, master, result, sample_pct)
        result.ok = True
    except BackupDamaged as err:
        result.problem = str(err)
    return result


def _verify_full(
    dest: Destination,
    doc: dict[str, Any],
    entries: list[dict[str, Any]],
    master: bytes,
    result: VerifyResult,
    progress: Callable[[int, int, str], None] | None,
) -> None:
    with dest.open_read(doc["archive"]["name"]) as source:
        hashing = HashingReader(source)
        reader = ArchiveReader(_plain(hashing, doc, master))
        index = 0
        for entry in reader:
            if index >= len(entries) or not same_entry(entries[index], entry.meta):
                raise BackupDamaged(
                    f"entry {index + 1} ({entry.meta.get('path')!r}) differs from the manifest"
                )
            for block in entry.blocks():
                result.bytes_checked += len(block)
            expected = entries[index]
            if (entry.meta["size"], entry.meta["sha256"]) != (expected["size"], expected["sha256"]):
                raise BackupDamaged(f"{expected['path']!r} does not match its manifest checksum")
            index += 1
            result.entries_checked = index
            if progress is not None:
                progress(index, result.bytes_checked, expected["path"])
        if index != len(entries):
            raise BackupDamaged(f"the archive holds {index} entries, the manifest {len(entries)}")
        archive = doc["archive"]
        if hashing.size != archive.get("size") or hashing.digest.hexdigest() != archive.get(
            "sha256"
        ):
            raise BackupDamaged("the archive's size or SHA-256 differs from the manifest")


def _plain(source: Any, doc: dict[str, Any], master: bytes) -> Any:
    from agentdeck.ops.backup.crypto import PlainReader

    return PlainReader(source, archive_key(doc, master))


def _verify_sample(
    dest: Destination,
    doc: dict[str, Any],
    sealed: dict[str, Any],
    master: bytes,
    result: VerifyResult,
    pct: float,
) -> None:
    """Check a random ``pct`` % of the entries, plus the archive's size and final frame."""
    entries = sealed["entries"]
    frames = sealed.get("frames") or []
    if not frames:
        raise BackupDamaged("the manifest holds no frame index")
    name = doc["archive"]["name"]
    if dest.size(name) != doc["archive"].get("size"):
        raise BackupDamaged("the archive's size differs from the manifest")
    count = max(1, round(len(entries) * pct / 100)) if entries else 0
    chosen = sorted(random.SystemRandom().sample(range(len(entries)), count))
    with dest.open_read(name) as source:
        plain = _plain(source, doc, master)
        chunk = plain.header["chunk_size"]
        # The final frame must authenticate: a truncated archive fails here.
        last = len(frames) - 1
        plain.start_at(last, frames[last], 0)
        plain.at_end()
        if not plain.finished:
            raise BackupDamaged("the archive's last frame is not its final frame (truncated)")
        for position in chosen:
            expected = entries[position]
            offset = int(expected.get("offset", -1))
            frame = offset // chunk
            if offset < 0 or frame >= len(frames):
                raise BackupDamaged(f"{expected['path']!r} has an impossible offset")
            plain.start_at(frame, frames[frame], offset % chunk)
            reader = ArchiveReader(plain)
            entry = next(iter(reader), None)
            if entry is None or not same_entry(expected, entry.meta):
                raise BackupDamaged(f"entry {expected['path']!r} differs from the manifest")
            for block in entry.blocks():
                result.bytes_checked += len(block)
            if (entry.meta["size"], entry.meta["sha256"]) != (expected["size"], expected["sha256"]):
                raise BackupDamaged(f"{expected['path']!r} does not match its manifest checksum")
            result.entries_checked += 1
