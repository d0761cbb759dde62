"""The chunk stream: round trip, compression choice, and every kind of damage detected."""

from __future__ import annotations

import io
import os
import random

import pytest

from agentdeck.ops.backup import crypto
from agentdeck.ops.backup.errors import BackupDamaged

CHUNK = 4096


def _write(data: bytes, key: bytes) -> tuple[bytes, list[int]]:
    sink = io.BytesIO()
    header = crypto.encode_header({"backup_id": "x", "chunk_size": CHUNK, "nonce": "AA=="})
    writer = crypto.FrameWriter(sink, key, header, chunk_size=CHUNK)
    view = memoryview(data)
    rng = random.Random(1)
    while view:
        step = rng.randint(1, 3 * CHUNK)
        writer.write(view[:step])
        view = view[step:]
    writer.close()
    return sink.getvalue(), writer.frame_offsets


def _read_all(blob: bytes, key: bytes) -> bytes:
    """Read byte runs of 997 while they last, then single bytes up to the end."""
    reader = crypto.PlainReader(io.BytesIO(blob), lambda header: key)
    parts = []
    while not reader.at_end():
        try:
            parts.append(reader.read_exact(997))
        except BackupDamaged:
            break
    reader = crypto.PlainReader(io.BytesIO(blob), lambda header: key)
    whole = b"".join(parts)
    reader.read_exact(len(whole))
    while not reader.at_end():
        whole += reader.read_exact(1)
    return whole


def test_round_trip_mixed_content() -> None:
    key = os.urandom(32)
    data = os.urandom(CHUNK * 3 + 17) + bytes(CHUNK * 4) + b"text " * 3000
    blob, offsets = _write(data, key)
    assert len(offsets) == len(data) // CHUNK + 1
    assert _read_all(blob, key) == data


def test_empty_stream_is_one_final_frame() -> None:
    key = os.urandom(32)
    blob, offsets = _write(b"", key)
    assert len(offsets) == 1
    assert _read_all(blob, key) == b""


def test_incompressible_chunks_are_stored_raw_and_zeros_compressed() -> None:
    key = os.urandom(32)
    random_blob, _ = _write(os.urandom(CHUNK * 4), key)
    zero_blob, _ = _write(bytes(CHUNK * 4), key)
    assert len(random_blob) > CHUNK * 4  # raw + framing, never "compressed" bigger
    assert len(zero_blob) < CHUNK  # zeros shrink to almost nothing


def _frames(blob: bytes, offsets: list[int]) -> list[bytes]:
    ends = [*offsets[1:], len(blob)]
    return [blob[a:b] for a, b in zip(offsets, ends, strict=True)]


def test_reordered_frames_fail() -> None:
    key = os.urandom(32)
    blob, offsets = _write(os.urandom(CHUNK * 3), key)
    frames = _frames(blob, offsets)
    swapped = blob[: offsets[0]] + frames[1] + frames[0] + b"".join(frames[2:])
    with pytest.raises(BackupDamaged, match="frame 0 failed authentication"):
        _read_all(swapped, key)


def test_dropped_final_frame_is_truncation() -> None:
    key = os.urandom(32)
    blob, offsets = _write(os.urandom(CHUNK * 3), key)
    with pytest.raises(BackupDamaged, match="truncated"):
        _read_all(blob[: offsets[-1]], key)


def test_data_after_final_frame_fails() -> None:
    key = os.urandom(32)
    blob, _ = _write(os.urandom(CHUNK * 2), key)
    with pytest.raises(BackupDamaged, match="after its final frame"):
        _read_all(blob + b"\0", key)


def test_header_is_bound_to_every_frame() -> None:
    key = os.urandom(32)
    blob, _ = _write(b"payload" * 100, key)
    doctored = blob.replace(b'"backup_id":"x"', b'"backup_id":"y"')
    assert doctored != blob
    with pytest.raises(BackupDamaged, match="failed authentication"):
        _read_all(doctored, key)


def test_wrong_key_fails() -> None:
    blob, _ = _write(b"payload" * 100, os.urandom(32))
    with pytest.raises(BackupDamaged, match="failed authentication"):
        _read_all(blob, os.urandom(32))


def test_every_single_byte_flip_is_caught() -> None:
    key = os.urandom(32)
    data = os.urandom(CHUNK) + bytes(CHUNK) + b"abc" * 500
    blob, _ = _write(data, key)
    for position in range(len(blob)):
        damaged = bytearray(blob)
        damaged[position] ^= 0x5A
        with pytest.raises(BackupDamaged):
            _read_all(bytes(damaged), key)


def test_key_check_and_kdf() -> None:
    kdf = crypto.new_kdf("passphrase")
    assert kdf["name"] == "argon2id" and kdf["memory_kib"] >= 65536
    one = crypto.derive_master(kdf, b"secret")
    assert one == crypto.derive_master(dict(kdf), b"secret")
    assert one != crypto.derive_master(kdf, b"Secret")
    assert crypto.key_check(one) != crypto.key_check(crypto.derive_master(kdf, b"other"))
    with pytest.raises(BackupDamaged, match="unacceptable"):
        crypto.derive_master({**kdf, "memory_kib": 1 << 30}, b"secret")
