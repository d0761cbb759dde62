"""The S3-compatible destination, against moto's S3 server on 127.0.0.1 (a real
HTTP server speaking the S3 protocol; boto3 talks to it over the loopback)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_helpers import PASSPHRASE, make_workspace, set_config, tree_state

from agentdeck.ops import backup


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is a test extra")
    pytest.importorskip("boto3", reason="boto3 is the s3 extra")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_s3_round_trip(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deck
) -> None:  # type: ignore[no-untyped-def]
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="deck-backups")
    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", PASSPHRASE)
    root = tmp_path / "repo"
    ws = make_workspace(root, 'destination = "s3://deck-backups/team/ws1"')
    ws.close()  # type: ignore[attr-defined]
    set_config(root, "backup.s3", f'endpoint_url = "{s3_endpoint}"\naddressing_style = "path"')
    monkeypatch.chdir(root)
    data = root / "data"
    data.mkdir()
    (data / "big.bin").write_bytes(os.urandom(10 << 20))  # several multipart parts
    (data / "note.txt").write_text("hello from s3\n")
    (data / "link").symlink_to("note.txt")

    made = deck("backup", "create", "--tag", "s3")
    assert made.code == 0, made.err
    from agentdeck.workspace import open_workspace

    ws = open_workspace(root)
    try:
        [info] = backup.list_backups(ws)
        assert info.destination == "s3://deck-backups/team/ws1" and info.tags == ["s3"]
        keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket="deck-backups")["Contents"])
        assert keys == sorted(
            [
                "team/ws1/agentdeck-backups.json",
                f"team/ws1/{info.id}.adbk",
                f"team/ws1/{info.id}.json",
            ]
        )
        ring = backup.keyring(ws)
        assert backup.verify(ws, [info.id], keyring=ring)[0].ok
        sampled = backup.verify(ws, [info.id], keyring=ring, sample_pct=50)[0]
        assert sampled.ok and sampled.entries_checked < sampled.entries_total
        target = tmp_path / "restored"
        backup.restore(ws, info.id, keyring=ring, target=target)
        assert tree_state(target / "data") == tree_state(data)
        assert backup.latest(ws).id == info.id  # type: ignore[union-attr]

        # Tampering on the bucket is caught like on a disk.
        key = f"team/ws1/{info.id}.adbk"
        blob = bytearray(client.get_object(Bucket="deck-backups", Key=key)["Body"].read())
        blob[5 << 20] ^= 0x01
        client.put_object(Bucket="deck-backups", Key=key, Body=bytes(blob))
        damaged = backup.verify(ws, [info.id], keyring=ring)[0]
        assert not damaged.ok and "failed authentication" in (damaged.problem or "")

        second = backup.create(ws, kind="config", keyring=ring).backup
        pruned = backup.prune(ws, backup.retention_policy(last=1))
        assert {r["id"] for r in pruned.keep} == {info.id, second.id}  # one per type
        assert deck("backup", "prune", "--keep-last", "1").code == 0
    finally:
        ws.close()


def test_s3_unreachable_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deck
) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("boto3", reason="boto3 is the s3 extra")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    root = tmp_path / "repo"
    make_workspace(root, 'destination = "s3://nowhere/x"').close()  # type: ignore[attr-defined]
    set_config(root, "backup.s3", f'endpoint_url = "http://127.0.0.1:{port}"\nregion = "us-east-1"')
    monkeypatch.chdir(root)
    result = deck("backup", "list")
    assert result.code == 6
    assert result.err.startswith(
        "agentdeck: error: S3 at s3://nowhere/x failed while listing backups"
    )
    assert result.err.count("\n") == 1
