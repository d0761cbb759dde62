"""Named, append-only migrations, shared by SQLite and PostgreSQL.

Each migration is a module ``agentdeck/store/migrations/mNNN_name.py`` whose
docstring says why it exists. It provides ``SQL`` (run on both databases after
substituting ``{identity}``), and where the two differ ``SQLITE`` and/or
``POSTGRESQL`` (run after ``SQL`` on that database only), and optionally
``apply(store)`` for data changes. Each migration runs in one transaction
together with the row that records it in ``agentdeck_migrations``, so a crash
leaves it either applied and recorded or neither.

The names are read from the folder listing (no module is imported for the
check), and a command's check is one query: ``count(*)`` and ``max(name)``.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from agentdeck import clock
from agentdeck.errors import StoreError
from agentdeck.store.base import SQLiteStore, Store

_FOLDER = os.path.join(os.path.dirname(__file__), "migrations")
_PG_LOCK = 0x6167_6465_636B  # "agdeck": serialises concurrent first-time migrations


@cache
def known_migrations() -> tuple[str, ...]:
    """Names of the migrations this version of agentdeck knows, in order."""
    return tuple(
        sorted(
            name[:-3]
            for name in os.listdir(_FOLDER)
            if name.startswith("m") and name.endswith(".py") and name[1:4].isdigit()
        )
    )


@dataclass(frozen=True)
class MigrationStatus:
    """Where a database stands against the code's migrations."""

    applied: list[tuple[str, str]]  # (name, applied_at)
    pending: list[str]
    unknown: list[str]  # applied in the database but not known to this code

    @property
    def current(self) -> bool:
        return not self.pending and not self.unknown


def _schema_summary(store: Store) -> tuple[int, str | None]:
    """The one query: how many migrations ran and the last one's name."""
    # Runs outside any transaction: on PostgreSQL an error in an autocommit
    # statement leaves nothing aborted, so trying a missing table is harmless.
    try:
        row = store.query_one("SELECT count(*) AS n, max(name) AS last FROM agentdeck_migrations")
    except Exception as err:
        if _is_missing_table(err):
            return 0, None
        raise
    assert row is not None
    return int(row["n"]), row["last"]


def _is_missing_table(err: Exception) -> bool:
    text = str(err)
    return "no such table" in text or ("agentdeck_migrations" in text and "does not exist" in text)


def ensure_current(store: Store) -> None:
    """Upgrade an older schema; refuse a newer one. Costs one query when current.

    Raises ``StoreError`` when the database holds migrations this code does not know.
    """
    known = known_migrations()
    count, last = _schema_summary(store)
    if count == len(known) and last == (known[-1] if known else None):
        return
    if last is not None and (last not in known or last > known[-1]):
        raise StoreError(
            f"the database schema ({last}) is newer than this agentdeck ({known[-1]})",
            hint="upgrade agentdeck (pip install -U agentdeck) before using this database",
        )
    upgrade(store)


def status(store: Store) -> MigrationStatus:
    """Applied, pending and unknown migrations of ``store``."""
    applied = _applied(store)
    names = {name for name, _ in applied}
    known = known_migrations()
    return MigrationStatus(
        applied=applied,
        pending=[name for name in known if name not in names],
        unknown=[name for name, _ in applied if name not in known],
    )


def _applied(store: Store) -> list[tuple[str, str]]:
    try:
        rows = store.query("SELECT name, applied_at FROM agentdeck_migrations ORDER BY name")
    except Exception as err:
        if _is_missing_table(err):
            return []
        raise
    return [(row["name"], row["applied_at"]) for row in rows]


def upgrade(store: Store) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    ran: list[str] = []
    fresh = False
    with store.transaction():
        if store.dialect.is_postgres:
            store.execute("SELECT pg_advisory_xact_lock(?)", (_PG_LOCK,))
        store.execute(
            "CREATE TABLE IF NOT EXISTS agentdeck_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        fresh = store.query_value("SELECT count(*) FROM agentdeck_migrations") == 0
    if fresh and isinstance(store, SQLiteStore):
        store.enable_wal()
    current = status(store)
    if current.unknown:
        raise StoreError(
            f"the database schema holds migrations this agentdeck does not know: {', '.join(current.unknown)}",
            hint="upgrade agentdeck before using this database",
        )
    for name in current.pending:
        with store.transaction():
            if store.dialect.is_postgres:
                store.execute("SELECT pg_advisory_xact_lock(?)", (_PG_LOCK,))
            # Another process may have applied it while we waited for the lock.
            if store.query_value("SELECT 1 FROM agentdeck_migrations WHERE name = ?", (name,)):
                continue
            _apply_one(store, name)
            store.execute(
                "INSERT INTO agentdeck_migrations (name, applied_at) VALUES (?, ?)",
                (name, clock.now_text()),
            )
        ran.append(name)
    return ran


def _apply_one(store: Store, name: str) -> None:
    module: Any = importlib.import_module(f"agentdeck.store.migrations.{name}")
    fill = {"identity": store.dialect.identity}
    if getattr(module, "SQL", None):
        store.execute_script(module.SQL.format(**fill))
    specific = getattr(module, "POSTGRESQL" if store.dialect.is_postgres else "SQLITE", None)
    if specific:
        store.execute_script(specific.format(**fill))
    if hasattr(module, "apply"):
        module.apply(store)
