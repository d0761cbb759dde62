"""The store: agentdeck's records in SQLite (default) or PostgreSQL (by URL).

This is a thin, explicit-SQL layer over the standard library's ``sqlite3`` and
``psycopg`` 3, not an ORM (``import sqlalchemy`` alone costs more than the whole
CLI's start-up budget). Callers write SQL with ``?`` placeholders; the
PostgreSQL connection translates them. Where the two databases differ
(full-text search, row locking, identity columns), ``store.dialect`` says so.

Contract for every backend:

* ``query``/``query_one``/``query_value`` read; a row is a tuple that also
  answers by column name: ``row[0]``, ``row["column"]``, ``row.keys()`` and
  ``dict(row)`` work on both backends.
* ``execute``/``executemany`` write; outside ``transaction()`` each statement
  commits on its own.
* ``with store.transaction():`` is one atomic write transaction. On SQLite it
  is ``BEGIN IMMEDIATE`` (the writer lock is taken up front, so concurrent
  writers queue on the busy timeout instead of failing with "database is
  locked"); on PostgreSQL it is an ordinary transaction at READ COMMITTED,
  and ``dialect.lock_clause(alias, skip_locked=True)`` gives
  ``FOR UPDATE OF alias SKIP LOCKED`` for claims.
  Nested ``transaction()`` blocks join the outer one.
* Driver errors that a user can cause (server down, lock wait exhausted) come
  out as ``StoreError`` with a one-line message.
"""

from __future__ import annotations

from agentdeck.store.base import Dialect, Store, open_store, redact_url

__all__ = ["Dialect", "Store", "open_store", "redact_url"]
