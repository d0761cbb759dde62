"""Backups that can be trusted, and restores that cannot hurt (issue 6).

The library face of ``agentdeck backup``: every function takes a workspace and
returns dataclasses (``model``). Module map:

* ``crypto``    keys, and the chunked zstd + AES-256-GCM stream with authenticated framing
* ``archive``   the record stream inside (entries, content blocks, checksums)
* ``manifest``  ``ID.json``: public summary + sealed entries, written last
* ``dest``      a local folder or an S3-compatible bucket; atomic uploads; partial clean-up
* ``keys``      passphrase / key file / prompt, and the destination's key record
* ``sources``   files by globs, SQLite online backup, pg_dump
* ``creation`` · ``verification`` · ``restoration`` (+ ``safety``) · ``retention``
* ``history``   verification results in the store (migration m060)

This module imports nothing heavy: ``cryptography`` and ``zstandard`` load
only inside the functions that need them, so the health checks and
``agentdeck status`` can call ``latest`` cheaply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck.ops.backup.model import (
    TYPES,
    BackupInfo,
    CreateResult,
    PruneResult,
    RestoreResult,
    VerifyResult,
)

if TYPE_CHECKING:
    from agentdeck.ops.backup.keys import Keyring
    from agentdeck.ops.backup.retention import Policy
    from agentdeck.workspace import Workspace

__all__ = [
    "TYPES",
    "BackupInfo",
    "CreateResult",
    "PruneResult",
    "RestoreResult",
    "VerifyResult",
    "create",
    "latest",
    "list_backups",
    "prune",
    "restore",
    "retention_policy",
    "show",
    "verify",
]


def _dest(ws: Workspace, destination: str | None = None) -> Any:
    from agentdeck.ops.backup.settings import Settings

    return Settings.from_workspace(ws, destination).destination()


def keyring(ws: Workspace, **kwargs: Any) -> Keyring:
    """The workspace's key sources (config), overridden by ``kwargs`` (key_file, prompt…)."""
    from agentdeck.ops.backup.settings import Settings

    return Settings.from_workspace(ws).keyring(**kwargs)


def _with_verifications(ws: Workspace, infos: list[BackupInfo]) -> list[BackupInfo]:
    from agentdeck.errors import StoreError
    from agentdeck.ops.backup import history

    try:
        last = history.last_for(ws.store, [i.id for i in infos])
    except StoreError:
        return infos
    for info in infos:
        row = last.get(info.id)
        if row:
            info.verified_at = row["verified_at"]
            info.verify_ok = bool(row["ok"])
            info.verify_message = row["problem"]
    return infos


def list_backups(ws: Workspace, *, destination: str | None = None) -> list[BackupInfo]:
    """Every backup at the destination, oldest first, with its last verification.

    Needs no key. A backup whose manifest cannot be read is listed with
    ``damaged`` set; a partial backup (no manifest) is never listed.
    """
    from agentdeck.ops.backup import catalog

    return _with_verifications(ws, catalog.infos(_dest(ws, destination)))


def latest(ws: Workspace, *, destination: str | None = None) -> BackupInfo | None:
    """The newest readable backup, with its last verification; ``None`` when there is none.

    The contract ``agentdeck status`` relies on. Reads one manifest (plus any
    damaged newer ones it skips); needs no key.
    """
    from agentdeck.ops.backup import catalog

    dest = _dest(ws, destination)
    for _backup_id, doc, _damage in catalog.newest_first(dest):
        if doc is not None:
            return _with_verifications(ws, [BackupInfo.from_manifest(doc, dest.url)])[0]
    return None


def create(
    ws: Workspace,
    *,
    kind: str = "all",
    tags: Iterable[str] = (),
    keyring: Keyring,
    destination: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> CreateResult:
    """Make a backup; see ``agentdeck.ops.backup.creation.create_backup``."""
    from agentdeck.ops.backup.creation import create_backup

    return create_backup(
        ws, kind=kind, tags=tags, keyring=keyring, destination=destination, progress=progress
    )


def verify(
    ws: Workspace,
    backup_ids: list[str] | None,
    *,
    keyring: Keyring,
    sample_pct: float | None = None,
    destination: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    record: bool = True,
) -> list[VerifyResult]:
    """Verify the named backups (``None``: all of them) and record each result in the store.

    A damaged backup gives a result with ``ok`` false; a wrong key raises.
    """
    from agentdeck.ops.backup import catalog, history
    from agentdeck.ops.backup.verification import verify_backup

    dest = _dest(ws, destination)
    ids = (
        catalog.backup_ids(dest)
        if backup_ids is None
        else [catalog.resolve(dest, b) for b in backup_ids]
    )
    results = []
    for backup_id in ids:
        result = verify_backup(dest, backup_id, keyring, sample_pct=sample_pct, progress=progress)
        if record:
            history.record(ws.store, dest.url, result)
        results.append(result)
    return results


def show(
    ws: Workspace, backup_id: str, *, keyring: Keyring | None = None, destination: str | None = None
) -> dict[str, Any]:
    """A backup's manifest: the public part, and with a keyring its entries too."""
    from agentdeck.ops.backup import catalog
    from agentdeck.ops.backup.verification import open_backup

    dest = _dest(ws, destination)
    backup_id = catalog.resolve(dest, backup_id)
    doc = catalog.load(dest, backup_id)
    public = {k: v for k, v in doc.items() if k != "sealed"}
    if keyring is not None:
        _doc, sealed, _master = open_backup(dest, backup_id, keyring)
        public["entries"] = [
            {k: v for k, v in e.items() if k != "offset"} for e in sealed["entries"]
        ]
    return public


def retention_policy(**keep: int) -> Policy:
    """A retention policy: ``retention_policy(daily=7, weekly=4)``; rules as in ``Policy``."""
    from agentdeck.ops.backup.retention import Policy

    return Policy(**keep)


def prune(
    ws: Workspace,
    policy: Policy | None = None,
    *,
    dry_run: bool = False,
    destination: str | None = None,
) -> PruneResult:
    """Remove the backups ``policy`` (default: ``[backup.retention]``) does not keep.

    Backups are grouped by type (an ``all`` backup never keeps a ``db`` one
    alive), and each group gets the policy. Damaged backups are never removed
    here. The manifest goes first, so a crash mid-way leaves at worst an
    unlisted archive, removed by the next create or prune.
    """
    from agentdeck.clock import parse_timestamp
    from agentdeck.errors import InvalidInput
    from agentdeck.ops.backup import catalog
    from agentdeck.ops.backup.dest import ARCHIVE, MANIFEST
    from agentdeck.ops.backup.retention import Policy, apply_policy

    policy = policy or Policy.from_config(ws.config.section("backup.retention"))
    if policy.empty:
        raise InvalidInput(
            "the retention policy keeps nothing, so prune would remove every backup",
            hint="give --keep-last/--keep-daily/… or set [backup.retention]",
        )
    dest = _dest(ws, destination)
    result = PruneResult(policy.to_dict(), dry_run)
    with dest.lock():
        infos = catalog.infos(dest)
        groups: dict[str, list[BackupInfo]] = {}
        for info in infos:
            if info.damaged or not info.created_at:
                result.keep.append(
                    {
                        "id": info.id,
                        "type": None,
                        "created_at": None,
                        "reasons": ["damaged: never pruned"],
                    }
                )
                continue
            groups.setdefault(str(info.type), []).append(info)
        for kind, members in sorted(groups.items()):
            by_id = {m.id: m for m in members}
            decisions = apply_policy(
                [(m.id, parse_timestamp(str(m.created_at))) for m in members], policy
            )
            for decision in decisions:
                row = {
                    "id": decision.id,
                    "type": kind,
                    "created_at": by_id[decision.id].created_at,
                    "reasons": decision.reasons,
                }
                (result.keep if decision.keep else result.remove).append(row)
        if not dry_run:
            for row in result.remove:
                dest.delete(row["id"] + MANIFEST)
                dest.delete(row["id"] + ARCHIVE)
            result.cleaned = dest.cleanup()
    return result


def restore(ws: Workspace, backup_id: str, *, keyring: Keyring, **options: Any) -> RestoreResult:
    """Restore a backup; see ``agentdeck.ops.backup.restoration.restore_backup``."""
    from agentdeck.ops.backup.restoration import restore_backup

    return restore_backup(ws, backup_id, keyring, **options)


def generate_key(path: Path) -> None:
    """Write a new random key file (mode 0600)."""
    from agentdeck.ops.backup.keys import generate_key_file

    generate_key_file(path)
