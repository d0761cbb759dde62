"""Where backups live: a local folder (default) or an S3-compatible bucket.

A backup is two objects named by its ID: ``ID.adbk`` (the archive) and
``ID.json`` (the manifest). The archive is written under a temporary name and
made visible in one step (rename after fsync; S3: completing a multipart
upload); the manifest is written last, the same way. A backup whose manifest
is missing does not exist: it is never listed, and the next ``create`` or
``prune`` removes its leftovers (under the destination's lock on a folder;
on S3, only leftovers older than an hour, since S3 has no lock).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from agentdeck.ops.backup.errors import BackupBusy, BackupNotFound, DestinationError

ARCHIVE = ".adbk"
MANIFEST = ".json"
REPO_FILE = "agentdeck-backups.json"
_PARTIAL = ".partial-"
_ORPHAN_AGE_S = 3600


class Upload(Protocol):
    def write(self, data: bytes, /) -> Any: ...
    def commit(self) -> None: ...
    def abort(self) -> None: ...


class Destination(Protocol):
    """The operations backups need from a place to keep them."""

    url: str

    def names(self) -> list[str]: ...
    def read_small(self, name: str) -> bytes: ...
    def open_read(self, name: str) -> BinaryIO: ...
    def size(self, name: str) -> int: ...
    def open_upload(self, name: str) -> Upload: ...
    def put_small(self, name: str, data: bytes) -> None: ...
    def delete(self, name: str) -> None: ...
    def lock(self) -> contextlib.AbstractContextManager[None]: ...
    def cleanup(self) -> list[str]: ...


def io_error(err: OSError, where: str, doing: str) -> DestinationError:
    """A one-line error for an OSError at the destination."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return DestinationError(
            f"the destination {where} is full while {doing}",
            hint="free space or point [backup] destination elsewhere; no partial backup was kept",
        )
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return DestinationError(
            f"cannot write to the destination {where} ({os.strerror(err.errno)})",
            hint="check its permissions and mount, or point [backup] destination elsewhere",
        )
    if err.errno in (errno.ENOTDIR, errno.EEXIST):
        return DestinationError(f"the destination {where} is not a folder")
    return DestinationError(f"the destination {where} failed while {doing}: {err.strerror or err}")


class LocalUpload:
    """A file written under a temporary name, fsynced and renamed on commit."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.final = folder / name
        self.temp = folder / f"{_PARTIAL}{name}.{os.getpid()}.{os.urandom(4).hex()}"
        try:
            self._file = open(self.temp, "xb", buffering=1 << 20)  # noqa: SIM115
        except OSError as err:
            raise io_error(err, str(folder), "starting the backup") from None

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as err:
            self.abort()
            raise io_error(err, str(self.folder), "writing the backup") from None

    def commit(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.chmod(self.temp, 0o600)
            os.rename(self.temp, self.final)
            _fsync_dir(self.folder)
        except OSError as err:
            self.abort()
            raise io_error(err, str(self.folder), "finishing the backup") from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            self.temp.unlink()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalDestination:
    """Backups in a folder on this machine."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = str(folder)

    def _ensure(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise io_error(err, self.url, "creating the folder") from None
        if not self.folder.is_dir():
            raise DestinationError(f"the destination {self.url} is not a folder")

    def names(self) -> list[str]:
        try:
            return sorted(os.listdir(self.folder))
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            raise DestinationError(f"the destination {self.url} is not a folder") from None
        except OSError as err:
            raise io_error(err, self.url, "listing backups") from None

    def read_small(self, name: str) -> bytes:
        try:
            return (self.folder / name).read_bytes()
        except FileNotFoundError:
            raise BackupNotFound(f"{name} is not in {self.url}") from None
        except OSError as err:
            raise io_error(err, self.url, f"reading {name}") from None

    def open_read(self, name: str) -> BinaryIO:
        try:
            return open(self.folder / name, "rb", buffering=1 << 20)
        except FileNotFoundError:
            raise BackupNotFound(f"{name} is not in {self.url}") from None
        except OSError as err:
            raise io_error(err, self.url, f"reading {name}") from None

    def size(self, name: str) -> int:
        try:
            return (self.folder / name).stat().st_size
        except OSError:
            return 0

    def open_upload(self, name: str) -> LocalUpload:
        self._ensure()
        return LocalUpload(self.folder, name)

    def put_small(self, name: str, data: bytes) -> None:
        upload = self.open_upload(name)
        upload.write(data)
        upload.commit()

    def delete(self, name: str) -> None:
        try:
            (self.folder / name).unlink()
        except FileNotFoundError:
            pass
        except OSError as err:
            raise io_error(err, self.url, f"deleting {name}") from None
        with contextlib.suppress(OSError):
            _fsync_dir(self.folder)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """An exclusive lock on the folder (flock: released by the kernel if we die)."""
        import fcntl

        self._ensure()
        try:
            fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise io_error(err, self.url, "taking its lock") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BackupBusy(
                    f"another backup create or prune is running on {self.url}",
                    hint="wait for it to finish and retry",
                ) from None
            yield
        finally:
            os.close(fd)

    def cleanup(self) -> list[str]:
        """Remove partial uploads and archives without a manifest. Call under ``lock``."""
        removed = []
        names = self.names()
        present = set(names)
        for name in names:
            orphan = name.endswith(ARCHIVE) and name[: -len(ARCHIVE)] + MANIFEST not in present
            if name.startswith(_PARTIAL) or orphan:
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / name).unlink()
                removed.append(name)
        return removed


# -- S3 -------------------------------------------------------------------------------


class S3Reader:
    """A seekable, read-ahead reader of one object through ranged GETs."""

    _AHEAD = 8 << 20

    def __init__(self, dest: S3Destination, key: str, size: int) -> None:
        self._dest = dest
        self._key = key
        self._size = size
        self._pos = 0
        self._buf = b""
        self._buf_start = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = offset if whence == 0 else self._pos + offset
        return self._pos

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            n = self._size - self._pos
        end = min(self._pos + n, self._size)
        if self._pos >= end:
            return b""
        in_buf = self._buf_start <= self._pos and end <= self._buf_start + len(self._buf)
        if not in_buf:
            start = self._pos
            stop = min(self._size, max(end, start + self._AHEAD))
            self._buf = self._dest._get_range(self._key, start, stop - 1)
            self._buf_start = start
        lo = self._pos - self._buf_start
        data = self._buf[lo : lo + (end - self._pos)]
        self._pos += len(data)
        return data

    def close(self) -> None:
        self._buf = b""

    def __enter__(self) -> S3Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class S3Upload:
    """A multipart upload: parts of 8 MiB; the object appears only on ``commit``."""

    _PART = 8 << 20

    def __init__(self, dest: S3Destination, key: str) -> None:
        self._dest = dest
        self._key = key
        self._buf = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None

    def write(self, data: bytes) -> None:
        self._buf += data
        while len(self._buf) >= self._PART:
            self._flush(bytes(self._buf[: self._PART]))
            del self._buf[: self._PART]

    def _flush(self, body: bytes) -> None:
        client = self._dest._client
        with self._dest._errors("uploading the backup"):
            if self._upload_id is None:
                created = client.create_multipart_upload(Bucket=self._dest.bucket, Key=self._key)
                self._upload_id = created["UploadId"]
            number = len(self._parts) + 1
            part = client.upload_part(
                Bucket=self._dest.bucket,
                Key=self._key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=body,
            )
            self._parts.append({"PartNumber": number, "ETag": part["ETag"]})

    def commit(self) -> None:
        client = self._dest._client
        try:
            if self._upload_id is None:
                with self._dest._errors("uploading the backup"):
                    client.put_object(
                        Bucket=self._dest.bucket, Key=self._key, Body=bytes(self._buf)
                    )
                return
            if self._buf:
                self._flush(bytes(self._buf))
            with self._dest._errors("finishing the upload"):
                client.complete_multipart_upload(
                    Bucket=self._dest.bucket,
                    Key=self._key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},
                )
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        if self._upload_id is not None:
            with contextlib.suppress(Exception):
                self._dest._client.abort_multipart_upload(
                    Bucket=self._dest.bucket, Key=self._key, UploadId=self._upload_id
                )
            self._upload_id = None


class S3Destination:
    """Backups in an S3-compatible bucket (``pip install 'agentdeck[s3]'``).

    Credentials come from the usual AWS chain (environment variables, shared
    files, instance roles), never from agentdeck.toml.
    """

    def __init__(self, url: str, settings: dict[str, Any]) -> None:
        try:
            import boto3
            from botocore.config import Config as BotoConfig
        except ImportError:
            raise DestinationError(
                f"the destination {url} needs the S3 extra",
                hint="pip install 'agentdeck[s3]'",
            ) from None
        rest = url.removeprefix("s3://")
        self.bucket, _, prefix = rest.partition("/")
        if not self.bucket:
            raise DestinationError(f"{url!r} names no bucket; use s3://bucket/prefix")
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = url
        style = settings.get("addressing_style") or "auto"
        self._client = boto3.client(
            "s3",
            endpoint_url=settings.get("endpoint_url") or None,
            region_name=settings.get("region") or None,
            config=BotoConfig(
                s3={"addressing_style": style},
                retries={"max_attempts": 3},
                connect_timeout=10,
                read_timeout=60,
            ),
        )

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404"):
                raise BackupNotFound(f"not found in {self.url} while {doing}") from None
            message = err.response.get("Error", {}).get("Message", "") or code
            raise DestinationError(f"S3 refused {doing} at {self.url}: {code} {message}") from None
        except BotoCoreError as err:
            raise DestinationError(f"S3 at {self.url} failed while {doing}: {err}") from None

    def _listing(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        with self._errors("listing backups"):
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                found.extend(page.get("Contents", []))
        return found

    def names(self) -> list[str]:
        plen = len(self.prefix)
        return sorted(o["Key"][plen:] for o in self._listing() if "/" not in o["Key"][plen:])

    def read_small(self, name: str) -> bytes:
        with self._errors(f"reading {name}"):
            return self._client.get_object(Bucket=self.bucket, Key=self.prefix + name)[  # type: ignore[no-any-return]
                "Body"
            ].read()

    def _get_range(self, key: str, first: int, last: int) -> bytes:
        with self._errors("reading the archive"):
            body = self._client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes={first}-{last}"
            )["Body"]
            return body.read()  # type: ignore[no-any-return]

    def size(self, name: str) -> int:
        with self._errors(f"reading {name}"):
            head = self._client.head_object(Bucket=self.bucket, Key=self.prefix + name)
        return int(head["ContentLength"])

    def open_read(self, name: str) -> BinaryIO:
        return S3Reader(self, self.prefix + name, self.size(name))  # type: ignore[return-value]

    def open_upload(self, name: str) -> S3Upload:
        return S3Upload(self, self.prefix + name)

    def put_small(self, name: str, data: bytes) -> None:
        with self._errors(f"writing {name}"):
            self._client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def delete(self, name: str) -> None:
        with self._errors(f"deleting {name}"):
            self._client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        # S3 has no lock: run one create/prune per prefix at a time (documented).
        yield

    def cleanup(self) -> list[str]:
        """Abort stale multipart uploads; delete archives without a manifest older than an hour."""
        removed = []
        now = time.time()
        plen = len(self.prefix)
        objects = self._listing()
        present = {o["Key"][plen:] for o in objects}
        for obj in objects:
            name = obj["Key"][plen:]
            old = now - obj["LastModified"].timestamp() > _ORPHAN_AGE_S
            if name.endswith(ARCHIVE) and name[: -len(ARCHIVE)] + MANIFEST not in present and old:
                self.delete(name)
                removed.append(name)
        with self._errors("listing unfinished uploads"):
            uploads = self._client.list_multipart_uploads(
                Bucket=self.bucket, Prefix=self.prefix
            ).get("Uploads", [])
        for upload in uploads:
            if now - upload["Initiated"].timestamp() > _ORPHAN_AGE_S:
                with contextlib.suppress(Exception):
                    self._client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                removed.append(upload["Key"][plen:] + " (unfinished upload)")
        return removed


def open_destination(root: Path, state_dir: Path, spec: str, s3: dict[str, Any]) -> Destination:
    """The destination named by ``spec``: "" (``.agentdeck/backups``), a folder, or s3://…"""
    if spec.startswith("s3://"):
        return S3Destination(spec, s3)
    if not spec:
        return LocalDestination(state_dir / "backups")
    return LocalDestination((root / Path(spec).expanduser()).resolve())
