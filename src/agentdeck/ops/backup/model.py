"""Plain data returned by the backup functions (each with ``to_dict()`` for ``--json``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TYPES = ("all", "db", "files", "config")


@dataclass
class BackupInfo:
    """One backup as listed: the public part of its manifest plus its last verification.

    ``size`` is the archive's size on the destination, ``bytes`` the content it
    holds before compression and encryption. ``damaged`` is set (and most other
    fields empty) when the manifest itself cannot be read.
    """

    id: str
    created_at: str | None = None
    type: str | None = None
    tags: list[str] = field(default_factory=list)
    size: int = 0
    bytes: int = 0
    entries: int = 0
    duration_s: float | None = None
    database_kind: str | None = None
    tool_version: str | None = None
    suspicious: str | None = None
    verified_at: str | None = None
    verify_ok: bool | None = None
    verify_message: str | None = None
    destination: str = ""
    damaged: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_manifest(cls, doc: dict[str, Any], destination: str) -> BackupInfo:
        totals = doc.get("totals", {})
        return cls(
            id=doc["id"],
            created_at=doc.get("created_at"),
            type=doc.get("type"),
            tags=list(doc.get("tags", [])),
            size=int(doc.get("archive", {}).get("size", 0)),
            bytes=int(totals.get("bytes", 0)),
            entries=int(totals.get("entries", 0)),
            duration_s=doc.get("duration_s"),
            database_kind=(doc.get("database") or {}).get("kind"),
            tool_version=doc.get("tool_version"),
            suspicious=doc.get("suspicious"),
            destination=destination,
        )


@dataclass
class CreateResult:
    """What ``create_backup`` made, and what it left out (special files, unreadable ones)."""

    backup: BackupInfo
    skipped: list[str] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.backup.to_dict(), "skipped": self.skipped, "cleaned": self.cleaned}


@dataclass
class VerifyResult:
    """The outcome of verifying one backup."""

    id: str
    ok: bool
    verified_at: str
    entries_checked: int = 0
    entries_total: int = 0
    bytes_checked: int = 0
    sample_pct: float | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Action:
    """One entry of a restore plan: write (new), change (replace), leave, or refuse."""

    action: str
    section: str
    path: str
    type: str
    size: int = 0
    reason: str = ""
    #: Where it goes (relative to the target, or a database name).
    to: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RestoreResult:
    """A restore's plan and, unless a dry run, what it did."""

    backup: str
    target: str
    dry_run: bool
    actions: list[Action] = field(default_factory=list)
    database: dict[str, Any] | None = None

    def counts(self) -> dict[str, int]:
        out = {"write": 0, "change": 0, "leave": 0, "refuse": 0}
        for action in self.actions:
            out[action.action] = out.get(action.action, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "backup": self.backup,
            "target": self.target,
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "database": self.database,
            "actions": [a.to_dict() for a in self.actions],
        }


@dataclass
class PruneResult:
    """Which backups a policy keeps (with the rules that keep each) and removes."""

    policy: dict[str, int]
    dry_run: bool
    keep: list[dict[str, Any]] = field(default_factory=list)
    remove: list[dict[str, Any]] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
