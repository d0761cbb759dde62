"""Verification results kept in the store (migration m060)."""

from __future__ import annotations

from typing import Any

from agentdeck.ops.backup.model import VerifyResult
from agentdeck.store import Store


def record(store: Store, destination: str, result: VerifyResult) -> None:
    """Keep one verification result."""
    with store.transaction():
        store.execute(
            "INSERT INTO backup_verifications (backup_id, destination, verified_at, ok,"
            " sample_pct, entries_checked, bytes_checked, problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                result.id,
                destination,
                result.verified_at,
                1 if result.ok else 0,
                result.sample_pct,
                result.entries_checked,
                result.bytes_checked,
                result.problem,
            ),
        )


def last_for(store: Store, backup_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest verification of each of ``backup_ids``."""
    if not backup_ids:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(backup_ids), 500):
        part = backup_ids[start : start + 500]
        marks = ", ".join("?" for _ in part)
        rows = store.query(
            "SELECT backup_id, verified_at, ok, sample_pct, problem FROM backup_verifications"
            f" WHERE backup_id IN ({marks}) ORDER BY verified_at, num",
            part,
        )
        for row in rows:
            out[row["backup_id"]] = dict(row)
    return out


def last_any(store: Store) -> dict[str, Any] | None:
    """The newest verification of any backup."""
    row = store.query_one(
        "SELECT backup_id, verified_at, ok, sample_pct, problem FROM backup_verifications"
        " ORDER BY verified_at DESC, num DESC LIMIT 1"
    )
    return dict(row) if row is not None else None
