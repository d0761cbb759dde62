"""Where the key comes from, and the destination's key record.

A passphrase comes from ``AGENTDECK_BACKUP_PASSPHRASE``, else a passphrase
file (``--passphrase-file`` or ``[backup] passphrase_file``: its first line),
else a prompt on a terminal. A key file (``--key-file`` or ``[backup]
key_file``) replaces the passphrase. Neither is ever stored or logged: only
the KDF parameters, a random salt and a short key check are written.

Each destination holds ``agentdeck-backups.json`` (parameters, salt, key
check), written by the first ``create``. Later creates must open it with the
same key, so a mistyped passphrase can never start a second, unrecoverable
set of backups; and a manifest whose key check differs from it is damaged,
not "a wrong passphrase".
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentdeck import clock
from agentdeck.ops.backup import crypto
from agentdeck.ops.backup.dest import REPO_FILE, Destination
from agentdeck.ops.backup.errors import (
    BackupDamaged,
    BackupNotFound,
    KeyFileMissing,
    NoKey,
    WrongKey,
)

PASSPHRASE_ENV = "AGENTDECK_BACKUP_PASSPHRASE"


@dataclass
class Keyring:
    """The user's means to a master key; asks for what a backup needs, once."""

    key_file: Path | None = None
    passphrase_file: Path | None = None
    #: Called to ask for a passphrase on a terminal; the argument says whether to confirm it.
    prompt: Callable[[bool], str] | None = None
    _passphrase: str | None = field(default=None, repr=False)

    @property
    def mode(self) -> str:
        return "keyfile" if self.key_file else "passphrase"

    def _key_file_bytes(self) -> bytes:
        if self.key_file is None:
            raise NoKey(
                "these backups were made with a key file",
                hint="give it with --key-file or [backup] key_file",
            )
        try:
            data = self.key_file.read_bytes().strip()
        except FileNotFoundError:
            raise KeyFileMissing(
                f"the key file {self.key_file} does not exist",
                hint="restore it from where you keep it, or fix [backup] key_file",
            ) from None
        except OSError as err:
            raise KeyFileMissing(
                f"cannot read the key file {self.key_file}: {err.strerror}"
            ) from None
        if len(data) < 32:
            raise WrongKey(
                f"the key file {self.key_file} holds {len(data)} bytes; a key needs at least 32",
                hint="make one with `agentdeck backup keygen FILE`",
            )
        return data

    def passphrase(self, confirm: bool = False) -> str:
        if self._passphrase is not None:
            return self._passphrase
        value = os.environ.get(PASSPHRASE_ENV)
        if value is None and self.passphrase_file is not None:
            try:
                lines = self.passphrase_file.read_text(encoding="utf-8").splitlines()
            except OSError as err:
                raise KeyFileMissing(
                    f"cannot read the passphrase file {self.passphrase_file}: {err.strerror}"
                ) from None
            value = lines[0] if lines else ""
        if value is None and self.prompt is not None:
            value = self.prompt(confirm)
        if value is None:
            raise NoKey(
                "no backup passphrase",
                hint=f"set {PASSPHRASE_ENV}, [backup] passphrase_file or [backup] key_file",
            )
        if not value:
            raise WrongKey("the backup passphrase is empty")
        self._passphrase = value
        return value

    def master(self, kdf: dict[str, Any], *, confirm: bool = False) -> bytes:
        """The master key for ``kdf`` (from a manifest or the destination record)."""
        if kdf.get("name") == "hkdf-sha256":
            secret = self._key_file_bytes()
        else:
            secret = self.passphrase(confirm).encode("utf-8")
        return crypto.derive_master(kdf, secret)


@dataclass
class Repository:
    """A destination's key record, opened."""

    kdf: dict[str, Any]
    master: bytes
    key_check: str


def _read_record(dest: Destination) -> dict[str, Any] | None:
    try:
        raw = dest.read_small(REPO_FILE)
    except BackupNotFound:
        return None
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BackupDamaged(f"{REPO_FILE} in {dest.url} is not readable") from None
    if not isinstance(record, dict) or not isinstance(record.get("kdf"), dict):
        raise BackupDamaged(f"{REPO_FILE} in {dest.url} is not readable")
    return record


def open_repository(dest: Destination, keyring: Keyring, *, create: bool) -> Repository | None:
    """Open the destination's key record with the keyring (create it if asked and missing).

    Raises ``WrongKey`` when the key does not open it.
    """
    record = _read_record(dest)
    if record is None:
        if not create:
            return None
        kdf = crypto.new_kdf(keyring.mode)
        master = keyring.master(kdf, confirm=True)
        check = crypto.key_check(master)
        record = {
            "format": "agentdeck-backups",
            "version": 1,
            "created_at": clock.now_text(),
            "cipher": crypto.CIPHER,
            "kdf": kdf,
            "key_check": check,
        }
        dest.put_small(REPO_FILE, json.dumps(record, indent=2).encode() + b"\n")
        return Repository(kdf, master, check)
    kdf = record["kdf"]
    master = keyring.master(kdf)
    check = crypto.key_check(master)
    if check != record.get("key_check"):
        raise WrongKey(
            f"the {'key file' if kdf.get('name') == 'hkdf-sha256' else 'passphrase'} "
            f"does not open the backups in {dest.url} (wrong passphrase or key?)",
            hint=f"use the one these backups were made with (see {PASSPHRASE_ENV})",
        )
    return Repository(kdf, master, check)


def master_for(
    dest: Destination, keyring: Keyring, crypto_info: dict[str, Any], what: str
) -> bytes:
    """The master key of a manifest's ``crypto`` block; tells a wrong key from damage."""
    kdf = crypto_info.get("kdf")
    if not isinstance(kdf, dict):
        raise BackupDamaged(f"{what} names no key derivation")
    master = keyring.master(kdf)
    if crypto.key_check(master) == crypto_info.get("key_check"):
        return master
    record = _read_record(dest)
    if record and record.get("kdf") == kdf and record.get("key_check") == crypto.key_check(master):
        raise BackupDamaged(f"{what} has a damaged key check (tampered or corrupted)")
    raise WrongKey(
        f"the {'key file' if kdf.get('name') == 'hkdf-sha256' else 'passphrase'} "
        f"does not open {what} (wrong passphrase or key?)",
        hint=f"use the one it was made with (see {PASSPHRASE_ENV})",
    )


def generate_key_file(path: Path) -> None:
    """Write a new random key (64 hex digits) to ``path``, readable by its owner only."""
    if path.exists():
        from agentdeck.errors import Conflict

        raise Conflict(f"{path} exists; refusing to overwrite a key", hint="choose a new file name")
    created = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        created = True
        with os.fdopen(fd, "w") as handle:
            handle.write(os.urandom(32).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        if created:  # never leave a short key behind (a full disk)
            path.unlink(missing_ok=True)
        from agentdeck.errors import CannotWrite

        raise CannotWrite(
            f"cannot write the key file {path}: {err.strerror or err}",
            hint="choose a writable folder",
        ) from None
