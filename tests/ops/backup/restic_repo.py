"""Write snapshot records into a real restic repository, for the retention cross-check.

Making 400 snapshots with ``restic backup --time`` takes minutes (each run
pays restic's key derivation and locking). Instead one real backup makes a
tree, and the other snapshots are written as restic itself writes them
(design.md, "Keys, Encryption and MAC"): the master key is opened from the
repository's key file with the password (scrypt), each snapshot is JSON
encrypted with AES-256-CTR and authenticated with Poly1305-AES, and stored
under the SHA-256 of its bytes. ``restic forget --dry-run --json`` then reads
them like any others: if this encoding were wrong, restic would refuse them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any


def _open_key(repo: Path, password: str) -> tuple[bytes, bytes, bytes]:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    key_file = next((repo / "keys").iterdir())
    record = json.loads(key_file.read_text())
    user = Scrypt(
        salt=base64.b64decode(record["salt"]),
        length=64,
        n=record["N"],
        r=record["r"],
        p=record["p"],
    ).derive(password.encode())
    blob = base64.b64decode(record["data"])
    plain = _decrypt(user[:32], user[32:48], user[48:64], blob)
    master = json.loads(plain)
    return (
        base64.b64decode(master["encrypt"]),
        base64.b64decode(master["mac"]["k"]),
        base64.b64decode(master["mac"]["r"]),
    )


def _mac(mac_k: bytes, mac_r: bytes, iv: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.poly1305 import Poly1305

    encryptor = Cipher(algorithms.AES(mac_k), modes.ECB()).encryptor()
    s = encryptor.update(iv) + encryptor.finalize()
    r = bytearray(mac_r)
    for i, mask in ((3, 15), (7, 15), (11, 15), (15, 15), (4, 252), (8, 252), (12, 252)):
        r[i] &= mask
    return Poly1305.generate_tag(bytes(r) + s, data)


def _decrypt(enc: bytes, mac_k: bytes, mac_r: bytes, blob: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv, body, tag = blob[:16], blob[16:-16], blob[-16:]
    if _mac(mac_k, mac_r, iv, body) != tag:
        raise ValueError("restic key: MAC mismatch (wrong password?)")
    decryptor = Cipher(algorithms.AES(enc), modes.CTR(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def _encrypt(enc: bytes, mac_k: bytes, mac_r: bytes, plain: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(enc), modes.CTR(iv)).encryptor()
    body = encryptor.update(plain) + encryptor.finalize()
    return iv + body + _mac(mac_k, mac_r, iv, body)


def add_snapshots(repo: Path, password: str, template: dict[str, Any], times: list[str]) -> None:
    """Write one snapshot per RFC 3339 time in ``times``, copying ``template``'s other fields."""
    enc, mac_k, mac_r = _open_key(repo, password)
    for moment in times:
        record = {k: v for k, v in template.items() if k not in ("id", "short_id", "parent")}
        record["time"] = moment
        blob = _encrypt(enc, mac_k, mac_r, json.dumps(record).encode())
        (repo / "snapshots" / hashlib.sha256(blob).hexdigest()).write_bytes(blob)
