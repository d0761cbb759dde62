"""Keys and the encrypted, compressed chunk stream of an archive.

Key material
    The *master key* (32 bytes) comes from a passphrase through Argon2id
    (64 MiB, 3 passes, 4 lanes; parameters and a random salt are recorded in
    every archive and manifest) or from a key file through HKDF-SHA256. Each
    archive and each sealed manifest uses its own *subkey*, HKDF(master,
    salt=random 16-byte nonce, info=purpose + backup ID), so the per-chunk
    nonces can be a counter without ever repeating under one key. A short
    ``key_check`` (HMAC of a constant under the master key) tells a wrong
    passphrase from a damaged backup.

Chunk stream (the "STREAM" construction of Hoang et al., as in age/Tink)
    ``MAGIC | u32 header length | header JSON | frame*``. The plaintext is cut
    into chunks of exactly ``chunk_size`` bytes (the last may be shorter); each
    becomes a frame ``u32 length | u8 flags | AES-256-GCM(chunk)`` with nonce =
    the 96-bit chunk counter and associated data = SHA-256(header bytes) |
    counter | flags. Flags: bit 0 marks the final frame, bit 1 a chunk stored
    zstd-compressed (chunks that do not shrink are stored as they are).
    Reordered or replayed frames fail (the counter is in the nonce), a flipped
    bit fails the tag, a truncated stream lacks its final frame, anything
    after the final frame is refused, and the header is bound to every frame.

``cryptography`` and ``zstandard`` are imported inside the functions that use
them: the CLI's start-up never pays for them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import queue
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from agentdeck.ops.backup.errors import BackupDamaged

MAGIC = b"AGDKBK01"
CIPHER = "aes-256-gcm"
CHUNK_SIZE = 4 << 20
#: Largest frame body a reader accepts: a chunk stored raw plus the GCM tag.
_TAG = 16
_FRAME_HEAD = struct.Struct(">IB")
FINAL = 0x01
ZSTD = 0x02
_SAMPLE = 64 << 10
#: A chunk is stored compressed only when compression saves at least this share.
_MIN_GAIN = 0.03

ARGON2_DEFAULTS = {"memory_kib": 65536, "iterations": 3, "lanes": 4}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        raise BackupDamaged(f"{what} is not valid base64") from None


def new_kdf(mode: str) -> dict[str, Any]:
    """Parameters for a new destination: ``mode`` is "passphrase" or "keyfile"."""
    salt = b64(os.urandom(16))
    if mode == "keyfile":
        return {"name": "hkdf-sha256", "salt": salt}
    return {"name": "argon2id", **ARGON2_DEFAULTS, "salt": salt}


_MASTER_CACHE: dict[tuple[str, bytes], bytes] = {}


def derive_master(kdf: dict[str, Any], secret: bytes) -> bytes:
    """The 32-byte master key for ``kdf`` parameters from a passphrase or key file bytes.

    Cached per process (keyed by a hash of the secret), so verifying many
    backups of one destination pays the memory-hard KDF once.
    """
    canon = json.dumps(kdf, sort_keys=True)
    cache_key = (canon, hashlib.sha256(secret).digest())
    if cache_key in _MASTER_CACHE:
        return _MASTER_CACHE[cache_key]
    name = kdf.get("name")
    salt = unb64(kdf.get("salt", ""), "the key salt")
    if name == "argon2id":
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        memory = int(kdf.get("memory_kib", 0))
        iterations = int(kdf.get("iterations", 0))
        lanes = int(kdf.get("lanes", 0))
        # Bounds keep a doctored manifest from asking for absurd work.
        if not (8 * lanes <= memory <= 1 << 22 and 1 <= iterations <= 64 and 1 <= lanes <= 64):
            raise BackupDamaged(f"unacceptable key derivation parameters {kdf}")
        key = Argon2id(
            salt=salt, length=32, iterations=iterations, lanes=lanes, memory_cost=memory
        ).derive(secret)
    elif name == "hkdf-sha256":
        key = hkdf(secret, salt, b"agentdeck backup key file")
    else:
        raise BackupDamaged(f"unknown key derivation {name!r}")
    _MASTER_CACHE[cache_key] = key
    return key


def hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def key_check(master: bytes) -> str:
    """A short value that shows whether a master key is the right one."""
    return b64(hmac.new(master, b"agentdeck backup key check v1", hashlib.sha256).digest()[:16])


def subkey(master: bytes, nonce: bytes, purpose: str, backup_id: str) -> bytes:
    return hkdf(master, nonce, f"agentdeck backup v1 {purpose} {backup_id}".encode())


def seal(key: bytes, data: bytes, aad: bytes) -> bytes:
    """One AES-256-GCM message (fresh random nonce first): for small blobs like manifests."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def unseal(key: bytes, blob: bytes, aad: bytes, what: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(blob) < 12 + _TAG:
        raise BackupDamaged(f"{what} is too short")
    try:
        return AESGCM(key).decrypt(blob[:12], blob[12:], aad)
    except InvalidTag:
        raise BackupDamaged(f"{what} failed authentication (tampered or corrupted)") from None


# -- the archive header -----------------------------------------------------------


def encode_header(header: dict[str, Any]) -> bytes:
    body = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    return MAGIC + struct.pack(">I", len(body)) + body


def read_header(read: Callable[[int], bytes]) -> tuple[dict[str, Any], bytes]:
    """Read and parse the archive header; return it and its exact bytes."""
    magic = read(len(MAGIC))
    if magic != MAGIC:
        raise BackupDamaged("the archive does not start with the agentdeck backup signature")
    raw_len = read(4)
    if len(raw_len) != 4:
        raise BackupDamaged("the archive is truncated in its header")
    (length,) = struct.unpack(">I", raw_len)
    if length > 1 << 16:
        raise BackupDamaged("the archive header is implausibly long")
    body = read(length)
    if len(body) != length:
        raise BackupDamaged("the archive is truncated in its header")
    try:
        header = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BackupDamaged("the archive header is not readable") from None
    if not isinstance(header, dict):
        raise BackupDamaged("the archive header is not readable")
    return header, magic + raw_len + body


# -- frames -----------------------------------------------------------------------


class Sink(Protocol):
    def write(self, data: bytes, /) -> Any: ...


def _nonce(counter: int) -> bytes:
    return b"\0\0\0\0" + counter.to_bytes(8, "big")


def _aad(header_hash: bytes, counter: int, flags: int) -> bytes:
    return header_hash + counter.to_bytes(8, "big") + bytes([flags])


class FrameWriter:
    """Cut a plaintext stream into compressed, encrypted frames written to ``sink``.

    Compression, encryption and writing run in one worker thread, so they
    overlap with the caller's reading and hashing of files (zstd, hashlib and
    file writes release the GIL). At most two chunks wait for the worker:
    memory stays bounded. ``close`` (or ``abort``) must be called.
    """

    def __init__(
        self, sink: Sink, key: bytes, header_bytes: bytes, chunk_size: int = CHUNK_SIZE
    ) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from zstandard import ZstdCompressor

        self._sink = sink
        self._aead = AESGCM(key)
        self._zstd = ZstdCompressor(level=3)
        self._hash = hashlib.sha256(header_bytes).digest()
        self.chunk_size = chunk_size
        self._parts: list[bytes | memoryview] = []
        self._size = 0
        self._counter = 0
        #: File offset of each frame (the header comes first).
        self.frame_offsets: list[int] = []
        self.position = len(header_bytes)  # bytes written to the sink so far
        self.plain_position = 0  # plaintext bytes accepted so far
        self.closed = False
        sink.write(header_bytes)
        self._queue: queue.Queue[tuple[bytes, int] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._stop = False
        self._worker = threading.Thread(target=self._work, name="backup-frames", daemon=True)
        self._worker.start()

    def write(self, data: bytes | memoryview) -> None:
        """Add plaintext. ``data`` is kept by reference until its chunk is cut: pass
        immutable bytes (or views of them)."""
        if isinstance(data, bytearray):
            data = bytes(data)
        size = len(data)
        self.plain_position += size
        if self._size + size < self.chunk_size:
            self._parts.append(data)
            self._size += size
            return
        view = memoryview(data)
        need = self.chunk_size - self._size
        self._parts.append(view[:need])
        self._submit(b"".join(self._parts), 0)
        view = view[need:]
        while len(view) >= self.chunk_size:
            self._submit(bytes(view[: self.chunk_size]), 0)
            view = view[self.chunk_size :]
        self._parts = [bytes(view)] if len(view) else []
        self._size = len(view)

    def close(self) -> None:
        """Write the final frame (possibly empty) and wait for the worker."""
        if self.closed:
            return
        self._submit(b"".join(self._parts), FINAL)
        self._parts = []
        self.closed = True
        self._queue.put(None)
        self._worker.join()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop the worker without writing more (after a failure elsewhere)."""
        self._stop = True
        self.closed = True
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        self._queue.put(None)
        self._worker.join()

    def _submit(self, chunk: bytes, flags: int) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((chunk, flags))

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None or self._stop:
                continue
            try:
                self._emit(*item)
            except BaseException as err:  # handed to the writing thread
                self._error = err

    def _compress(self, chunk: bytes) -> tuple[bytes, int]:
        if len(chunk) < 256:
            return chunk, 0
        if len(chunk) > 2 * _SAMPLE:
            # A cheap look at the start decides for incompressible data (random,
            # already compressed) without spending a full pass on it.
            sample = self._zstd.compress(memoryview(chunk)[:_SAMPLE])
            if len(sample) > _SAMPLE * (1 - _MIN_GAIN):
                return chunk, 0
        packed = self._zstd.compress(chunk)
        if len(packed) > len(chunk) * (1 - _MIN_GAIN):
            return chunk, 0
        return packed, ZSTD

    def _emit(self, chunk: bytes, flags: int) -> None:
        body, extra = self._compress(chunk)
        flags |= extra
        sealed = self._aead.encrypt(
            _nonce(self._counter), body, _aad(self._hash, self._counter, flags)
        )
        self.frame_offsets.append(self.position)
        self._sink.write(_FRAME_HEAD.pack(len(sealed), flags))
        self._sink.write(sealed)
        self.position += _FRAME_HEAD.size + len(sealed)
        self._counter += 1


@dataclass
class FrameDecoder:
    """Decrypt and decompress frames of one archive (header already read)."""

    key: bytes
    header_bytes: bytes
    chunk_size: int

    def __post_init__(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from zstandard import ZstdDecompressor

        self._aead = AESGCM(self.key)
        self._zstd = ZstdDecompressor()
        self._hash = hashlib.sha256(self.header_bytes).digest()

    def read_frame(self, read: Callable[[int], bytes], counter: int) -> tuple[bytes, bool]:
        """Read frame number ``counter`` through ``read``; return (plaintext, is_final)."""
        head = read(_FRAME_HEAD.size)
        if len(head) != _FRAME_HEAD.size:
            raise BackupDamaged(f"the archive is truncated (frame {counter} missing)")
        length, flags = _FRAME_HEAD.unpack(head)
        if length < _TAG or length > self.chunk_size + _TAG or flags & ~(FINAL | ZSTD):
            raise BackupDamaged(f"frame {counter} has an impossible header (damaged)")
        sealed = read(length)
        if len(sealed) != length:
            raise BackupDamaged(f"the archive is truncated (inside frame {counter})")
        return self.open_frame(sealed, flags, counter)

    def open_frame(self, sealed: bytes, flags: int, counter: int) -> tuple[bytes, bool]:
        from cryptography.exceptions import InvalidTag

        try:
            body = self._aead.decrypt(_nonce(counter), sealed, _aad(self._hash, counter, flags))
        except InvalidTag:
            raise BackupDamaged(
                f"frame {counter} failed authentication (tampered, reordered or corrupted)"
            ) from None
        if flags & ZSTD:
            try:
                body = self._zstd.decompress(body, max_output_size=self.chunk_size)
            except Exception as err:  # zstd.ZstdError: authentic but undecodable
                raise BackupDamaged(f"frame {counter} does not decompress: {err}") from None
        final = bool(flags & FINAL)
        if len(body) > self.chunk_size or (not final and len(body) != self.chunk_size):
            raise BackupDamaged(f"frame {counter} holds a chunk of the wrong size")
        return body, final


def frame_head_size() -> int:
    return _FRAME_HEAD.size


def parse_frame_head(head: bytes) -> tuple[int, int]:
    return _FRAME_HEAD.unpack(head)


class PlainReader:
    """The plaintext of a whole archive as a readable stream, frame by frame.

    ``read_exact`` raises ``BackupDamaged`` at the first frame that fails; the
    end of the stream is reached only through an authenticated final frame
    followed by end of file.
    """

    def __init__(self, source: BinaryIO, key_for: Callable[[dict[str, Any]], bytes]) -> None:
        self._source = source
        self.header, header_bytes = read_header(self._read_raw)
        chunk_size = self.header.get("chunk_size")
        if not isinstance(chunk_size, int) or not 4096 <= chunk_size <= 64 << 20:
            raise BackupDamaged("the archive header names an impossible chunk size")
        self._decoder = FrameDecoder(key_for(self.header), header_bytes, chunk_size)
        self._counter = 0
        self._buffer = b""
        self._offset = 0
        self._final = False
        self.position = 0  # plaintext bytes consumed

    def _read_raw(self, n: int) -> bytes:
        parts = []
        while n > 0:
            piece = self._source.read(n)
            if not piece:
                break
            parts.append(piece)
            n -= len(piece)
        return b"".join(parts)

    def _fill(self) -> bool:
        if self._final:
            return False
        body, final = self._decoder.read_frame(self._read_raw, self._counter)
        self._counter += 1
        if final:
            self._final = True
            if self._source.read(1):
                raise BackupDamaged("the archive has data after its final frame (damaged)")
        self._buffer = self._buffer[self._offset :] + body
        self._offset = 0
        return True

    def read_exact(self, n: int) -> bytes:
        while len(self._buffer) - self._offset < n:
            if not self._fill():
                raise BackupDamaged("the archive ends in the middle of an entry (damaged)")
        start = self._offset
        self._offset += n
        self.position += n
        return self._buffer[start : self._offset]

    def start_at(self, frame: int, file_offset: int, skip: int) -> None:
        """Jump to frame number ``frame`` at ``file_offset`` and drop ``skip`` plaintext bytes.

        For sampled verification: the source must be seekable (``seek``).
        """
        self._source.seek(file_offset)  # type: ignore[attr-defined]
        self._counter = frame
        self._buffer = b""
        self._offset = 0
        self._final = False
        self.read_exact(skip)

    def at_end(self) -> bool:
        """True when every frame was read and all plaintext consumed."""
        while self._offset == len(self._buffer):
            if not self._fill():
                return True
        return False

    @property
    def finished(self) -> bool:
        """True once the authenticated final frame was read (and nothing followed it)."""
        return self._final

    @property
    def frames(self) -> int:
        return self._counter
