"""Listing and finding backups on a destination (no key needed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentdeck.ops.backup import manifest
from agentdeck.ops.backup.dest import ARCHIVE, MANIFEST, REPO_FILE, Destination
from agentdeck.ops.backup.errors import BackupDamaged, BackupNotFound
from agentdeck.ops.backup.model import BackupInfo


def backup_ids(dest: Destination) -> list[str]:
    """IDs of the backups that exist (those with a manifest), oldest first."""
    return sorted(
        name[: -len(MANIFEST)]
        for name in dest.names()
        if name.endswith(MANIFEST) and name != REPO_FILE and not name.startswith(".")
    )


def load(dest: Destination, backup_id: str) -> dict[str, Any]:
    """The parsed manifest of one backup; ``BackupDamaged`` when it is not sound."""
    raw = dest.read_small(backup_id + MANIFEST)
    doc = manifest.parse(raw, backup_id + MANIFEST)
    if doc["id"] != backup_id:
        raise BackupDamaged(f"the manifest {backup_id}{MANIFEST} names another backup")
    return doc


def infos(dest: Destination) -> list[BackupInfo]:
    """Every backup, oldest first; unreadable manifests are listed as damaged."""
    out = []
    for backup_id in backup_ids(dest):
        try:
            out.append(BackupInfo.from_manifest(load(dest, backup_id), dest.url))
        except BackupDamaged as err:
            out.append(BackupInfo(backup_id, destination=dest.url, damaged=str(err)))
    out.sort(key=lambda b: (b.created_at or "", b.id))
    return out


def newest_first(dest: Destination) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """(id, manifest or None, damage) from the newest backup back, reading lazily.

    IDs sort by the second they were made in; backups of the same second are
    ordered by their manifests' exact ``created_at``.
    """
    ids = backup_ids(dest)
    groups: dict[str, list[str]] = {}
    for backup_id in ids:
        groups.setdefault(backup_id[:15], []).append(backup_id)
    for second in sorted(groups, reverse=True):
        loaded: list[tuple[str, str, dict[str, Any] | None, str | None]] = []
        for backup_id in groups[second]:
            try:
                doc = load(dest, backup_id)
                loaded.append((str(doc["created_at"]), backup_id, doc, None))
            except BackupDamaged as err:
                loaded.append(("", backup_id, None, str(err)))
        for _at, backup_id, doc, damage in sorted(loaded, key=lambda x: (x[0], x[1]), reverse=True):
            yield backup_id, doc, damage


def resolve(dest: Destination, given: str) -> str:
    """The full ID for ``given`` (an ID or a unique prefix of one)."""
    ids = backup_ids(dest)
    if given in ids:
        return given
    matches = [i for i in ids if i.startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise BackupNotFound(
            f"no backup {given!r} in {dest.url}", hint="see `agentdeck backup list`"
        )
    raise BackupNotFound(
        f"{given!r} matches {len(matches)} backups in {dest.url}", hint="give more of the ID"
    )


def archive_name(backup_id: str) -> str:
    return backup_id + ARCHIVE
