"""Tampering: every flipped byte and every truncation is reported by verify and
refused by restore, which then leaves the target untouched."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from backup_helpers import BackupEnv

from agentdeck.ops import backup
from agentdeck.ops.backup.errors import BackupDamaged


def _make(benv: BackupEnv) -> tuple[str, Path, Path]:
    data = benv.root / "data"
    data.mkdir()
    # Two frames of the archive (4 MiB chunks), compressible and not, many entries.
    (data / "random.bin").write_bytes(os.urandom(4 << 20))
    (data / "text.txt").write_text("log line that compresses well\n" * 20000)
    for number in range(30):
        (data / f"small-{number}.txt").write_text(f"small file {number}\n")
    made = backup.create(benv.ws, kind="files", keyring=benv.keyring)
    backup_id = made.backup.id
    return backup_id, benv.dest / f"{backup_id}.adbk", benv.dest / f"{backup_id}.json"


def _check_refused(benv: BackupEnv, backup_id: str, target: Path, what: str) -> None:
    results = backup.verify(benv.ws, [backup_id], keyring=benv.keyring)
    assert not results[0].ok, f"verify missed {what}"
    assert results[0].problem
    with pytest.raises(BackupDamaged, match=backup_id) as caught:
        backup.restore(benv.ws, backup_id, keyring=benv.keyring, target=target)
    assert "Traceback" not in str(caught.value)
    # The target did not exist: it still does not (nothing written, no folder left).
    assert not target.exists(), f"restore of {what} left {list(target.rglob('*'))[:3]}"


def test_random_byte_flips_and_truncations(benv: BackupEnv, tmp_path: Path) -> None:
    backup_id, archive, manifest = _make(benv)
    pristine = {archive: archive.read_bytes(), manifest: manifest.read_bytes()}
    assert backup.verify(benv.ws, [backup_id], keyring=benv.keyring)[0].ok
    rng = random.Random(20261121)
    target = tmp_path / "target"
    trials = 0
    # 100 single-byte flips: 80 in the archive, 20 in the manifest; each byte
    # replaced by a different random value (not just one bit).
    for number in range(100):
        victim = archive if number < 80 else manifest
        blob = bytearray(pristine[victim])
        position = rng.randrange(len(blob))
        blob[position] = (blob[position] + rng.randrange(1, 256)) % 256
        victim.write_bytes(bytes(blob))
        _check_refused(benv, backup_id, target, f"a flip at {victim.name}:{position}")
        victim.write_bytes(pristine[victim])
        trials += 1
    # 20 truncations: 16 of the archive (including to nothing), 4 of the manifest.
    for number in range(20):
        victim = archive if number < 16 else manifest
        blob = pristine[victim]
        length = 0 if number == 0 else rng.randrange(len(blob))
        victim.write_bytes(blob[:length])
        _check_refused(benv, backup_id, target, f"truncation of {victim.name} to {length}")
        victim.write_bytes(blob)
        trials += 1
    assert trials == 120
    # The untouched backup still verifies and restores.
    assert backup.verify(benv.ws, [backup_id], keyring=benv.keyring)[0].ok
    backup.restore(benv.ws, backup_id, keyring=benv.keyring, target=target)
    assert (target / "data" / "random.bin").read_bytes() == (
        benv.root / "data" / "random.bin"
    ).read_bytes()


def test_swapped_archive_of_another_backup_is_caught(benv: BackupEnv) -> None:
    first, archive, _ = _make(benv)
    second = backup.create(benv.ws, kind="files", keyring=benv.keyring).backup.id
    shutil.copyfile(benv.dest / f"{second}.adbk", archive)
    result = backup.verify(benv.ws, [first], keyring=benv.keyring)[0]
    assert not result.ok and "another backup" in (result.problem or "")


def test_sampled_verify_catches_truncation_and_checks_a_share(benv: BackupEnv) -> None:
    backup_id, archive, _ = _make(benv)
    sampled = backup.verify(benv.ws, [backup_id], keyring=benv.keyring, sample_pct=10)[0]
    assert sampled.ok and 0 < sampled.entries_checked < sampled.entries_total
    blob = archive.read_bytes()
    archive.write_bytes(blob[:-1])
    assert not backup.verify(benv.ws, [backup_id], keyring=benv.keyring, sample_pct=10)[0].ok


def test_damaged_manifest_is_listed_as_damaged(benv: BackupEnv) -> None:
    backup_id, _, manifest = _make(benv)
    pristine = manifest.read_bytes()
    manifest.write_bytes(pristine.replace(b'"type":"files"', b'"type":"filez"'))
    [info] = backup.list_backups(benv.ws)
    assert info.id == backup_id and info.damaged and "unknown type" in info.damaged
    # A consistent edit of the public part looks fine without the key; verify catches it.
    manifest.write_bytes(pristine.replace(b'"tags":[]', b'"tags":["x"]'))
    [info] = backup.list_backups(benv.ws)
    assert info.tags == ["x"] and not info.damaged
    result = backup.verify(benv.ws, [backup_id], keyring=benv.keyring)[0]
    assert not result.ok and "failed authentication" in (result.problem or "")
