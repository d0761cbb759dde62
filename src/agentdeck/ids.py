"""Public IDs in the seeds' form ``PREFIX-YYYYMMDD-NNN`` (per-day sequences).

A sequence row per (prefix, day) is bumped with one upsert that returns the new
value. Called inside the transaction that inserts the record, the number and
the record commit together: two agents never get the same ID, and a rolled-back
insert returns its number.
"""

from __future__ import annotations

import re

from agentdeck import clock
from agentdeck.store import Store

ID_PATTERN = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<day>\d{8})-(?P<seq>\d{3,})$")
#: What a task's ID may be: agentdeck's own form, or a tracker's short key kept
#: by an import (``API-21``, ``TASK-001``), which the backlog never allocates; the
#: note reader takes keys of this shape (``notes.importer.extract._SHORT_ID``).
TASK_ID_PATTERN = re.compile(r"^(?:[A-Z]+-\d{8}-\d{3,}|[A-Z][A-Z0-9]{1,11}-\d{1,6})$")


def allocate(store: Store, prefix: str, day: str | None = None) -> str:
    """Allocate the next ID for ``prefix`` on ``day`` (local ``YYYYMMDD``, default today).

    Must run inside ``store.transaction()`` together with the insert that uses it.
    """
    day = day or clock.local_day()
    number = store.query_value(
        "INSERT INTO id_sequences (prefix, day, last) VALUES (?, ?, 1) "
        "ON CONFLICT (prefix, day) DO UPDATE SET last = id_sequences.last + 1 RETURNING last",
        (prefix, day),
    )
    return format_id(prefix, day, int(number))


def format_id(prefix: str, day: str, number: int) -> str:
    """``TASK``, ``20260204``, 7 -> ``TASK-20260204-007`` (wider past 999)."""
    return f"{prefix}-{day}-{number:03d}"


#: A reservation never moves a sequence back.
_RESERVE_CONFLICT = (
    "ON CONFLICT (prefix, day) DO UPDATE SET last = "
    "CASE WHEN id_sequences.last < excluded.last THEN excluded.last ELSE id_sequences.last END"
)


def sequence_of(identifier: str) -> tuple[str, str, int] | None:
    """``TASK-20260204-007`` -> ``("TASK", "20260204", 7)``; None for another form."""
    match = ID_PATTERN.match(identifier)
    if not match:
        return None
    return match["prefix"], match["day"], int(match["seq"])


def reserve(store: Store, identifier: str) -> None:
    """Make sure the sequence of ``identifier``'s day is past it (used by imports that keep IDs)."""
    found = sequence_of(identifier)
    if found is not None:
        store.execute(
            f"INSERT INTO id_sequences (prefix, day, last) VALUES (?, ?, ?) {_RESERVE_CONFLICT}",
            found,
        )


def reserve_many(store: Store, last: dict[tuple[str, str], int]) -> None:
    """``reserve`` in a few statements: each ``(prefix, day)`` sequence past its number."""
    store.insert_rows(
        "INSERT INTO id_sequences (prefix, day, last)",
        [(prefix, day, number) for (prefix, day), number in last.items()],
        _RESERVE_CONFLICT,
    )


def sort_key(identifier: str) -> tuple[str, str, int, str]:
    """Order IDs by prefix, day, then number (so ``-1000`` follows ``-999``)."""
    match = ID_PATTERN.match(identifier)
    if not match:
        return ("~", identifier, 0, identifier)
    return (match["prefix"], match["day"], int(match["seq"]), identifier)
