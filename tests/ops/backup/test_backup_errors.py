"""Wrong passphrase, missing key file, full disk, destination not writable, and the
other ways a backup can fail: one clear line, the documented exit code, and no
partial backup listed."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_helpers import PASSPHRASE, BackupEnv, set_config

from agentdeck.ops import backup


def _one_line(err: str) -> None:
    assert err.startswith("agentdeck: error: ")
    assert err.count("\n") == 1 and "Traceback" not in err


@contextlib.contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at ``where`` (needs root: skips otherwise)."""
    where.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _listed(deck, *extra: str) -> list[dict]:  # type: ignore[no-untyped-def]
    result = deck("backup", "list", "--json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_wrong_passphrase(benv: BackupEnv, deck, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    made = deck("backup", "create", "--json")
    assert made.code == 0, made.err
    backup_id = json.loads(made.out)["id"]
    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", "not the passphrase")
    for args in (
        ("verify", backup_id),
        ("restore", backup_id, "--dry-run"),
        ("show", backup_id, "--entries"),
    ):
        result = deck("backup", *args)
        assert result.code == 2, (args, result.err)
        _one_line(result.err)
        assert "wrong passphrase or key" in result.err
    again = deck("backup", "create")
    assert again.code == 2 and "does not open the backups" in again.err
    assert [b["id"] for b in _listed(deck)] == [backup_id]
    assert not [p for p in benv.dest.iterdir() if p.name.startswith(".partial-")]


def test_no_passphrase_anywhere(benv: BackupEnv, deck, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("AGENTDECK_BACKUP_PASSPHRASE")
    result = deck("backup", "create")
    assert result.code == 2
    _one_line(result.err)
    assert "no backup passphrase" in result.err and "AGENTDECK_BACKUP_PASSPHRASE" in result.err
    assert _listed(deck) == []


def test_passphrase_file(
    benv: BackupEnv, deck, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("AGENTDECK_BACKUP_PASSPHRASE")
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    assert deck("backup", "create", "--passphrase-file", str(secret)).code == 0
    set_config(benv.root, "backup", f'passphrase_file = "{secret}"')
    assert deck("backup", "verify", "--all").code == 0
    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", PASSPHRASE)  # the variable wins; same one
    assert deck("backup", "verify", "--all").code == 0


def test_key_file_and_missing_key_file(benv: BackupEnv, deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "keys" / "backup.key"
    made_key = deck("backup", "keygen", str(key))
    assert made_key.code == 0 and oct(key.stat().st_mode & 0o777) == "0o600"
    assert deck("backup", "keygen", str(key)).code == 4  # never overwrites a key
    (tmp_path / "plain").write_text("a file, not a folder\n")
    unwritable = deck("backup", "keygen", str(tmp_path / "plain" / "backup.key"))
    assert unwritable.code == 6 and unwritable.err.startswith(
        "agentdeck: error: cannot write the key file "
    )
    dest = tmp_path / "keyed"
    created = deck("backup", "create", "--key-file", str(key), "--destination", str(dest), "--json")
    assert created.code == 0, created.err
    backup_id = json.loads(created.out)["id"]
    assert (
        deck("backup", "verify", backup_id, "--key-file", str(key), "--destination", str(dest)).code
        == 0
    )
    # Without the key file (the passphrase is set, but these backups need the key).
    needs = deck("backup", "verify", backup_id, "--destination", str(dest))
    assert needs.code == 2 and "key file" in needs.err
    key.rename(tmp_path / "moved.key")
    missing = deck("backup", "create", "--key-file", str(key), "--destination", str(dest))
    assert missing.code == 3
    _one_line(missing.err)
    assert "does not exist" in missing.err
    set_config(benv.root, "backup", f'key_file = "{key}"')
    assert deck("backup", "verify", backup_id, "--destination", str(dest)).code == 3
    assert [b["id"] for b in _listed(deck, "--destination", str(dest))] == [backup_id]
    other = tmp_path / "other.key"
    assert deck("backup", "keygen", str(other)).code == 0
    wrong = deck(
        "backup", "verify", backup_id, "--key-file", str(other), "--destination", str(dest)
    )
    assert wrong.code == 2 and "does not open" in wrong.err


def test_full_disk(benv: BackupEnv, deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (benv.root / "big.bin").write_bytes(os.urandom(3 << 20))
    with tmpfs(tmp_path / "small", "size=1m") as small:
        result = deck("backup", "create", "--destination", str(small))
        assert result.code == 6
        _one_line(result.err)
        assert "is full" in result.err and "no partial backup was kept" in result.err
        assert _listed(deck, "--destination", str(small)) == []
        left = sorted(p.name for p in small.iterdir())
        assert left == [".lock", "agentdeck-backups.json"]
        # Room again: the next backup succeeds.
        (benv.root / "big.bin").unlink()
        assert deck("backup", "create", "--type", "config", "--destination", str(small)).code == 0
        assert len(_listed(deck, "--destination", str(small))) == 1


def test_destination_not_writable(benv: BackupEnv, deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with tmpfs(tmp_path / "readonly", "ro,size=1m") as readonly:
        result = deck("backup", "create", "--destination", str(readonly / "backups"))
        assert result.code == 6
        _one_line(result.err)
        assert "Read-only file system" in result.err or "cannot write" in result.err
        assert _listed(deck, "--destination", str(readonly / "backups")) == []
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    result = deck("backup", "create", "--destination", str(a_file))
    assert result.code == 6 and "not a folder" in result.err


def test_busy_destination(benv: BackupEnv, deck) -> None:  # type: ignore[no-untyped-def]
    benv.dest.mkdir()
    fd = os.open(benv.dest / ".lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = deck("backup", "create")
        assert result.code == 4 and "another backup create or prune" in result.err
    finally:
        os.close(fd)
    assert deck("backup", "create").code == 0


def test_unknown_and_ambiguous_ids(benv: BackupEnv, deck) -> None:  # type: ignore[no-untyped-def]
    assert deck("backup", "verify", "19990101").code == 3
    assert deck("backup", "create", "--type", "config").code == 0
    assert deck("backup", "create", "--type", "config").code == 0
    ambiguous = deck("backup", "restore", "20", "--dry-run")
    assert ambiguous.code == 3 and "matches 2 backups" in ambiguous.err
    assert deck("backup", "verify").code == 2
    assert deck("backup", "verify", "--all", "--sample", "0").code == 2
    assert deck("backup", "restore", "x", "--overwrite", "sometimes").code == 2


def test_unreadable_source_file_is_skipped_and_reported(benv: BackupEnv) -> None:
    fifo = benv.root / "a-fifo"
    os.mkfifo(fifo)
    made = backup.create(benv.ws, kind="files", keyring=benv.keyring)
    assert any("a-fifo" in line for line in made.skipped)
