"""The manifest: ``ID.json``, written last, the proof that a backup exists.

It is canonical JSON (sorted keys, no spaces, one final newline): any byte
changed in it either breaks parsing, changes a value, or makes it
non-canonical, and all three are reported as damage. The public part
(ID, times, type, tags, tool version, database kind, totals, archive size and
SHA-256, key parameters, the suspicious flag) is readable without the key, so
``list``, ``status`` and health checks need no passphrase. The entries (path,
type, size, mode, mtime, SHA-256, offset) and the frame index are sealed with
AES-256-GCM under a subkey, with the canonical public part as associated data:
names and checksums of files do not leak, and the public part cannot be
changed without the key.
"""

from __future__ import annotations

import json
import os
from typing import Any

from agentdeck.ops.backup import crypto
from agentdeck.ops.backup.errors import BackupDamaged

FORMAT = "agentdeck-backup"
VERSION = 1


def canonical(data: dict[str, Any]) -> bytes:
    return (
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
    )


def build(public: dict[str, Any], sealed: dict[str, Any], master: bytes) -> bytes:
    """The manifest bytes: ``public`` plus ``sealed`` encrypted under a fresh subkey."""
    import zstandard

    nonce = os.urandom(16)
    key = crypto.subkey(master, nonce, "manifest", public["id"])
    packed = zstandard.ZstdCompressor(level=3).compress(canonical(sealed))
    blob = crypto.seal(key, packed, canonical(public))
    return canonical({**public, "sealed": {"nonce": crypto.b64(nonce), "data": crypto.b64(blob)}})


def parse(raw: bytes, name: str) -> dict[str, Any]:
    """The manifest's fields (public part and the still-sealed blob); refuses damage."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BackupDamaged(f"the manifest {name} is not readable JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupDamaged(f"the manifest {name} is not an agentdeck backup manifest")
    if canonical(doc) != raw:
        raise BackupDamaged(f"the manifest {name} was altered (not in its written form)")
    if doc.get("type") not in ("all", "db", "files", "config"):
        raise BackupDamaged(f"the manifest {name} has unknown type {doc.get('type')!r}")
    if doc.get("version") != VERSION:
        raise BackupDamaged(f"the manifest {name} has unknown version {doc.get('version')!r}")
    for key, kind in (
        ("id", str),
        ("created_at", str),
        ("type", str),
        ("tags", list),
        ("totals", dict),
        ("archive", dict),
        ("crypto", dict),
        ("sealed", dict),
    ):
        if not isinstance(doc.get(key), kind):
            raise BackupDamaged(f"the manifest {name} lacks {key!r}")
    return doc


def open_sealed(doc: dict[str, Any], master: bytes) -> dict[str, Any]:
    """Decrypt the entries and frame index; refuses any change to the manifest."""
    import zstandard

    public = {k: v for k, v in doc.items() if k != "sealed"}
    what = f"the manifest of {doc['id']}"
    nonce = crypto.unb64(doc["sealed"].get("nonce", ""), what)
    blob = crypto.unb64(doc["sealed"].get("data", ""), what)
    key = crypto.subkey(master, nonce, "manifest", doc["id"])
    packed = crypto.unseal(key, blob, canonical(public), what)
    try:
        sealed = json.loads(
            zstandard.ZstdDecompressor().decompress(packed, max_output_size=1 << 30)
        )
    except Exception:
        raise BackupDamaged(f"{what} does not decode") from None
    if not isinstance(sealed, dict) or not isinstance(sealed.get("entries"), list):
        raise BackupDamaged(f"{what} holds no entry list")
    return sealed
