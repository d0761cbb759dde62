"""The store contract on both backends: migrations, the cheap schema check, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agentdeck.errors import StoreError
from agentdeck.store import migrate, open_store
from agentdeck.store.base import _to_pyformat


@pytest.fixture
def store(backend: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    s = open_store(backend, default_path=tmp_path / "deck.db")
    yield s
    s.close()


def test_fresh_database_gets_every_migration_recorded(store) -> None:  # type: ignore[no-untyped-def]
    ran = migrate.upgrade(store)
    assert ran == list(migrate.known_migrations())
    state = migrate.status(store)
    assert state.current and [n for n, _ in state.applied] == ran
    assert migrate.upgrade(store) == []


def test_check_of_a_current_schema_costs_one_query(store) -> None:  # type: ignore[no-untyped-def]
    migrate.upgrade(store)
    calls: list[str] = []
    original = store._run

    def counting(sql, params):  # type: ignore[no-untyped-def]
        calls.append(sql)
        return original(sql, params)

    store._run = counting
    migrate.ensure_current(store)
    assert len(calls) == 1


def test_older_schema_is_upgraded_on_open(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A database made by the previous release: every migration but the last.
    known = migrate.known_migrations()
    monkeypatch.setattr(migrate, "known_migrations", lambda: known[:-1])
    assert migrate.upgrade(store) == list(known[:-1])
    monkeypatch.undo()
    assert migrate.status(store).pending == [known[-1]]
    migrate.ensure_current(store)
    state = migrate.status(store)
    assert state.current and [name for name, _ in state.applied] == list(known)


def test_newer_schema_is_refused(store) -> None:  # type: ignore[no-untyped-def]
    migrate.upgrade(store)
    store.execute("INSERT INTO agentdeck_migrations (name, applied_at) VALUES ('m999_future', 'x')")
    with pytest.raises(StoreError, match=r"newer than this agentdeck"):
        migrate.ensure_current(store)


def test_failed_migration_leaves_nothing_behind(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(store_, name):  # type: ignore[no-untyped-def]
        store_.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("boom")

    monkeypatch.setattr(migrate, "_apply_one", broken)
    with pytest.raises(RuntimeError):
        migrate.upgrade(store)
    assert migrate.status(store).applied == []
    with pytest.raises(Exception):  # noqa: B017 - either driver's "no such table"
        store.query("SELECT * FROM half_done")


def test_transaction_rolls_back_on_error_and_nests(store) -> None:  # type: ignore[no-untyped-def]
    migrate.upgrade(store)
    with pytest.raises(ValueError), store.transaction():
        store.execute("INSERT INTO id_sequences (prefix, day, last) VALUES ('X', '1', 1)")
        with store.transaction():
            store.execute("INSERT INTO id_sequences (prefix, day, last) VALUES ('X', '2', 1)")
        raise ValueError
    assert store.query_value("SELECT count(*) FROM id_sequences") == 0
    with store.transaction():
        store.execute("INSERT INTO id_sequences (prefix, day, last) VALUES ('X', '3', 1)")
    assert store.query_value("SELECT count(*) FROM id_sequences") == 1


def test_placeholders_translate_outside_quotes_only() -> None:
    assert (
        _to_pyformat("SELECT '?%', ? WHERE a LIKE '%x' AND b = ?")
        == "SELECT '?%%', %s WHERE a LIKE '%%x' AND b = %s"
    )


def test_unreachable_postgres_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match=r"postgresql://u:\*\*\*@127.0.0.1:1/x does not answer"):
        open_store("postgresql://u:secret@127.0.0.1:1/x")


def test_unknown_url_scheme_is_refused() -> None:
    with pytest.raises(StoreError, match="unsupported database URL 'mysql://root:\\*\\*\\*@h/db'"):
        open_store("mysql://root:pw@h/db")


def test_sqlite_file_is_in_wal_mode_after_creation(tmp_path: Path) -> None:
    s = open_store("", default_path=tmp_path / "deck.db")
    migrate.upgrade(s)
    s.close()
    conn = sqlite3.connect(tmp_path / "deck.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "deck.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        s = open_store("", default_path=path)
        migrate.ensure_current(s)


def test_savepoint_rolls_back_alone_inside_a_transaction(store) -> None:  # type: ignore[no-untyped-def]
    migrate.upgrade(store)
    insert = "INSERT INTO id_sequences (prefix, day, last) VALUES (?, '1', 1)"
    with store.transaction():
        store.execute(insert, ("A",))
        with pytest.raises(ValueError), store.savepoint():
            store.execute(insert, ("B",))
            raise ValueError("this part only")
        with store.savepoint():
            store.execute(insert, ("C",))
    with pytest.raises(ValueError), store.savepoint():  # no transaction open: its own
        store.execute(insert, ("D",))
        raise ValueError("all of it")
    rows = store.query("SELECT prefix FROM id_sequences ORDER BY prefix")
    assert [r[0] for r in rows] == ["A", "C"]
    assert not store.in_transaction


@pytest.mark.parametrize("count", [0, 1, 3, 4, 85, 341, 1000])
def test_insert_rows_writes_every_row_in_order(store, count: int) -> None:  # type: ignore[no-untyped-def]
    # 341 = 256 + 64 + 16 + 4 + 1: one statement of each size; rows of 9 values take
    # statements of 64 rows at most (no more than 999 values to a statement).
    migrate.upgrade(store)
    store.execute(
        "INSERT INTO tasks (id, title, status, priority, category, source, created_at, "
        "updated_at) VALUES ('T-1', 't', 'todo', 'low', '', '', 'x', 'x')"
    )
    rows = [("T-1", f"{i:04d}", "a", "b", None, "t", f"x{i}", None, None) for i in range(count)]
    with store.transaction():
        store.insert_rows(
            "INSERT INTO task_events (task_id, at, actor, kind, from_status, to_status, note, "
            "data, session_id)",
            rows,
        )
    got = store.query("SELECT task_id, at, note FROM task_events ORDER BY num")
    assert [tuple(r) for r in got] == [(r[0], r[1], r[6]) for r in rows]


def test_insert_rows_keeps_its_conflict_clause(store) -> None:  # type: ignore[no-untyped-def]
    migrate.upgrade(store)
    store.execute("INSERT INTO id_sequences (prefix, day, last) VALUES ('A', '1', 5)")
    with store.transaction():
        store.insert_rows(
            "INSERT INTO id_sequences (prefix, day, last)",
            [("A", "1", 9), ("B", "1", 2), ("C", "1", 3)],
            "ON CONFLICT (prefix, day) DO UPDATE SET last = excluded.last + 100",
        )
        store.insert_rows(
            "INSERT INTO id_sequences (prefix, day, last)",
            [("B", "1", 7), ("B", "1", 8), ("D", "1", 4)],  # DO NOTHING takes a key twice
            "ON CONFLICT DO NOTHING",
        )
    got = store.query("SELECT prefix, last FROM id_sequences ORDER BY prefix")
    assert [tuple(r) for r in got] == [("A", 109), ("B", 2), ("C", 3), ("D", 4)]


def test_insert_rows_is_all_or_nothing_in_its_transaction(store) -> None:  # type: ignore[no-untyped-def]
    migrate.upgrade(store)
    rows = [(f"P{i}", "1", i) for i in range(300)] + [("P7", "1", 0)]  # the last repeats a key
    import psycopg

    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)), store.transaction():
        store.insert_rows("INSERT INTO id_sequences (prefix, day, last)", rows)
    assert store.query_value("SELECT count(*) FROM id_sequences") == 0
