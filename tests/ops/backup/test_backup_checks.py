"""Backups in health and diagnose: age of the newest, last verification, suspicious ones."""

from __future__ import annotations

import os

import pytest
from backup_helpers import BackupEnv

from agentdeck.ops import backup
from agentdeck.ops.checks import Status, collect


def _results(benv: BackupEnv, scope: str) -> dict[str, object]:
    return {c.name: c.run() for c in collect(benv.ws, scope) if c.name.startswith("backup.")}  # type: ignore[arg-type]


def test_scopes() -> None:
    from agentdeck.ops import checks_backup

    scopes = {c.name: c.scopes for c in checks_backup.checks(None)}  # type: ignore[arg-type]
    assert "health" in scopes["backup.age"] and "diagnose" in scopes["backup.age"]
    assert "diagnose" in scopes["backup.verify"] and "diagnose" in scopes["backup.suspicious"]


def test_age_and_verification(benv: BackupEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    none = _results(benv, "health")
    assert (
        none["backup.age"].status == Status.WARNING
        and none["backup.age"].fix == "agentdeck backup create"
    )  # type: ignore[attr-defined]

    monkeypatch.setenv("AGENTDECK_NOW", "2026-11-10T08:00:00Z")
    made = backup.create(benv.ws, keyring=benv.keyring)
    fresh = _results(benv, "diagnose")
    assert fresh["backup.age"].status == Status.OK  # type: ignore[attr-defined]
    assert fresh["backup.verify"].status == Status.WARNING  # type: ignore[attr-defined]
    assert made.backup.id in fresh["backup.verify"].fix  # type: ignore[attr-defined]

    backup.verify(benv.ws, [made.backup.id], keyring=benv.keyring)
    assert _results(benv, "diagnose")["backup.verify"].status == Status.OK  # type: ignore[attr-defined]

    monkeypatch.setenv("AGENTDECK_NOW", "2026-11-11T12:00:00Z")  # 28 h later
    late = _results(benv, "health")["backup.age"]
    assert late.status == Status.WARNING and late.value == pytest.approx(28, abs=0.01)  # type: ignore[attr-defined]
    monkeypatch.setenv("AGENTDECK_NOW", "2026-11-14T12:00:00Z")  # 100 h later
    results = _results(benv, "health")
    assert results["backup.age"].status == Status.CRITICAL  # type: ignore[attr-defined]
    assert results["backup.verify"].status == Status.OK  # verified 4.2 days ago  # type: ignore[attr-defined]
    monkeypatch.setenv("AGENTDECK_NOW", "2026-11-20T12:00:00Z")  # 10 days after verifying
    stale = _results(benv, "diagnose")["backup.verify"]
    assert stale.status == Status.WARNING and "10.2 days ago" in stale.message  # type: ignore[attr-defined]

    # A verification that fails is critical.
    archive = benv.dest / f"{made.backup.id}.adbk"
    blob = bytearray(archive.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    archive.write_bytes(bytes(blob))
    backup.verify(benv.ws, [made.backup.id], keyring=benv.keyring)
    failed = _results(benv, "diagnose")["backup.verify"]
    assert failed.status == Status.CRITICAL and "FAILED" in failed.message  # type: ignore[attr-defined]


def test_suspiciously_small_backup_is_flagged(benv: BackupEnv) -> None:
    data = benv.root / "data"
    data.mkdir()
    for number in range(20):
        (data / f"f{number}.bin").write_bytes(os.urandom(20_000))
    for _ in range(3):
        assert backup.create(benv.ws, kind="files", keyring=benv.keyring).backup.suspicious is None
    assert _results(benv, "diagnose")["backup.suspicious"].status == Status.OK  # type: ignore[attr-defined]
    for path in list(data.iterdir())[:18]:
        path.unlink()
    small = backup.create(benv.ws, kind="files", keyring=benv.keyring).backup
    assert small.suspicious and "under 50%" in small.suspicious
    # Other types are judged on their own.
    assert backup.create(benv.ws, kind="config", keyring=benv.keyring).backup.suspicious is None
    flagged = _results(benv, "diagnose")["backup.suspicious"]
    assert flagged.status == Status.WARNING and small.id in flagged.message  # type: ignore[attr-defined]
    assert backup.latest(benv.ws).suspicious is None  # the newest (config) is fine  # type: ignore[union-attr]


def test_latest_contract(benv: BackupEnv) -> None:
    assert backup.latest(benv.ws) is None
    made = backup.create(benv.ws, tags=["x"], keyring=benv.keyring).backup
    newest = backup.latest(benv.ws)
    assert newest is not None and newest.id == made.id
    data = newest.to_dict()
    for key in (
        "id",
        "created_at",
        "type",
        "tags",
        "size",
        "entries",
        "verified_at",
        "verify_ok",
        "suspicious",
    ):
        assert key in data
    assert data["size"] > 0 and data["entries"] > 0 and data["tags"] == ["x"]
