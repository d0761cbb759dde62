"""Full-text search, the archive with TASK_INDEX.md, and the JSON round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from agentdeck.backlog import tasks as core
from agentdeck.backlog.archive import archive_finished, write_task_index
from agentdeck.backlog.deps import add_dependency
from agentdeck.backlog.exchange import export_backlog, import_backlog
from agentdeck.backlog.search import search_tasks
from agentdeck.backlog.tasks import NewTask, TaskChanges
from agentdeck.errors import Conflict, InvalidInput
from agentdeck.store import open_store
from agentdeck.store.migrate import upgrade


def add(ws, title, **kw):  # type: ignore[no-untyped-def]
    return core.add_task(ws.store, NewTask(title=title, **kw), actor="alice")


def test_search_over_title_description_and_notes_with_stemming(ws) -> None:  # type: ignore[no-untyped-def]
    a = add(ws, "Database migrations runner", description="apply schema changes")
    b = add(ws, "Backup script", description="nightly dump of the database")
    c = add(ws, "Docs", notes="mention the migration guide")
    add(ws, "Unrelated")
    assert {h.task.id for h in search_tasks(ws.store, "migration")} == {a.id, c.id}
    assert search_tasks(ws.store, "database")[0].task.id == a.id  # title outranks description
    assert {h.task.id for h in search_tasks(ws.store, "database nightly")} == {b.id}
    assert {h.task.id for h in search_tasks(ws.store, "back*")} == {b.id}
    core.edit_task(ws.store, c.id, TaskChanges(fields={"notes": "nothing here"}))
    assert {h.task.id for h in search_tasks(ws.store, "migration")} == {a.id}
    core.set_status(ws.store, a.id, "done")
    assert search_tasks(ws.store, "migrations", open_only=True) == []
    with pytest.raises(InvalidInput, match="nothing to search for"):
        search_tasks(ws.store, "!!! ???")


def test_archive_moves_old_finished_tasks_and_writes_the_index(ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENTDECK_NOW", "2026-01-01T10:00:00Z")
    old = add(ws, "old | piped")
    core.set_status(ws.store, old.id, "done")
    cancelled = add(ws, "dropped")
    core.set_status(ws.store, cancelled.id, "cancelled")
    monkeypatch.setenv("AGENTDECK_NOW", "2026-01-20T10:00:00Z")
    recent = add(ws, "recent")
    core.set_status(ws.store, recent.id, "done")
    still_open = add(ws, "open")
    before = datetime(2026, 1, 13, tzinfo=UTC)
    assert [t.id for t in archive_finished(ws.store, before, dry_run=True)] == [
        old.id,
        cancelled.id,
    ]
    assert core.get_task(ws.store, old.id).archived_at is None
    moved = archive_finished(ws.store, before)
    assert [t.id for t in moved] == [old.id, cancelled.id]
    assert archive_finished(ws.store, before) == []
    path = ws.root / "TASK_INDEX.md"
    assert write_task_index(ws.store, path) == 2
    text = path.read_text()
    assert "## 2026-01" in text and f"| {old.id} | old \\| piped | done |" in text
    assert recent.id not in text and still_open.id not in text


def _snapshot(store):  # type: ignore[no-untyped-def]
    doc = export_backlog(store)
    doc.pop("exported_at")
    return doc


def test_json_round_trip_is_lossless_and_idempotent(ws, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = add(ws, "one", tags=["x", "a"], acceptance=["works"], category="c/d", effort="S")
    b = add(ws, "two", depends_on=[a.id], description="multi\nline ünïcode")
    core.start_task(ws.store, a.id, agent="bot")
    core.set_status(ws.store, b.id, "blocked", reason="waiting")
    text = json.dumps(export_backlog(ws.store))
    other = open_store("", default_path=tmp_path / "other.db")
    upgrade(other)
    result = import_backlog(other, text)
    assert sorted(result.created) == sorted([a.id, b.id])
    assert _snapshot(other) == _snapshot(ws.store)
    again = import_backlog(other, text)
    assert again.created == [] and sorted(again.unchanged) == sorted([a.id, b.id])
    # New IDs continue after the imported ones.
    fresh = core.add_task(other, NewTask(title="three"))
    assert fresh.id not in (a.id, b.id)
    other.close()


def test_import_conflicts_and_replace(ws) -> None:  # type: ignore[no-untyped-def]
    a = add(ws, "one")
    doc = export_backlog(ws.store)
    doc["tasks"][0]["title"] = "changed elsewhere"
    before = _snapshot(ws.store)
    with pytest.raises(Conflict, match=f"differ from the stored ones: {a.id}"):
        import_backlog(ws.store, json.dumps(doc))
    assert _snapshot(ws.store) == before
    dry = import_backlog(ws.store, json.dumps(doc), replace=True, dry_run=True)
    assert dry.replaced == [a.id] and _snapshot(ws.store) == before
    import_backlog(ws.store, json.dumps(doc), replace=True)
    assert core.get_task(ws.store, a.id).title == "changed elsewhere"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="other"), "not an agentdeck backlog export"),
        (lambda d: d.update(version=9), "export version 9"),
        (
            lambda d: d["tasks"][0].update(priority="urgent"),
            r"tasks\[0\] \(TASK-.*\): unknown priority",
        ),
        (lambda d: d["tasks"][0].update(colour="red"), "unknown field 'colour'"),
        (
            lambda d: d["tasks"][0].update(depends_on=["TASK-20000101-001"]),
            "neither stored nor in the file",
        ),
        (lambda d: d["tasks"].append(dict(d["tasks"][0])), "appears twice"),
        (lambda d: d["tasks"][0].update(created_at="yesterday"), "bad value"),
        # PostgreSQL refuses NUL in text, and a lone surrogate is not text at all.
        (lambda d: d["tasks"][0].update(title="a\x00b"), r"task\.title contains a NUL character"),
        (
            lambda d: d["tasks"][0]["events"][0].update(note="\ud800"),
            r"task\.events\[0\]\.note contains a lone surrogate",
        ),
        (lambda d: d["tasks"][0].update(assignee=5), "assignee must be a string or null"),
    ],
)
def test_bad_documents_change_nothing(ws, tmp_path, mutate, message) -> None:  # type: ignore[no-untyped-def]
    add(ws, "one")
    doc = export_backlog(ws.store)
    doc["tasks"][0]["id"] = "TASK-20300101-001"
    mutate(doc)
    before = _snapshot(ws.store)
    with pytest.raises(InvalidInput, match=message):
        import_backlog(ws.store, json.dumps(doc))
    assert _snapshot(ws.store) == before


def test_import_refuses_a_cycle_between_file_and_store(ws) -> None:  # type: ignore[no-untyped-def]
    a, b = add(ws, "a"), add(ws, "b")
    add_dependency(ws.store, b.id, a.id)
    doc = export_backlog(ws.store)
    doc["tasks"] = [t for t in doc["tasks"] if t["id"] == a.id]
    doc["tasks"][0]["depends_on"] = [b.id]
    with pytest.raises(Conflict, match="dependency cycle"):
        import_backlog(ws.store, json.dumps(doc), replace=True)
    assert core.get_task(ws.store, a.id).depends_on == []


def test_not_json_is_one_clear_error(ws) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=r"not valid JSON: .* line 1, column 1"):
        import_backlog(ws.store, "# TODO\n- [ ] x", where="TODO.md")


def test_a_big_import_refreshes_postgresql_statistics(pg_schema_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(pg_schema_url, default_path=tmp_path / "unused.db")
    upgrade(store)
    core.add_task(store, NewTask(title="template"), actor="alice")
    template = export_backlog(store)["tasks"][0]
    tasks = [
        {**template, "id": f"TASK-20300101-{n:03d}", "title": f"imported {n}"}
        for n in range(1, 521)
    ]
    doc = {**export_backlog(store), "tasks": tasks}

    def analyzed() -> object:
        return store.query_value(
            "SELECT last_analyze FROM pg_stat_user_tables "
            "WHERE relname = 'tasks' AND schemaname = current_schema()"
        )

    try:
        assert analyzed() is None
        assert len(import_backlog(store, json.dumps(doc)).created) == 520
        assert analyzed() is not None
    finally:
        store.close()


def test_tasks_written_while_search_is_deferred_are_found_like_any_other(ws) -> None:  # type: ignore[no-untyped-def]
    # The notes importer's bulk writes (migration m090 on SQLite): a task
    # inserted, changed or deleted inside the block, and one from before it,
    # end up in the search index exactly as without the block.
    store = ws.store
    before = add(ws, "Database migrations runner")
    gone_before = add(ws, "Obsolete database note")
    with store.transaction(), store.search_deferred():
        kept = add(ws, "Nightly database backup")
        renamed = add(ws, "Migration guide draft")
        gone = add(ws, "Temporary database scratch")
        with store.search_deferred():  # nested: the outer block indexes
            core.edit_task(store, renamed.id, TaskChanges(fields={"title": "Cache warmup"}))
        core.edit_task(store, before.id, TaskChanges(fields={"notes": "see the cache too"}))
        store.execute("DELETE FROM tasks WHERE id IN (?, ?)", (gone.id, gone_before.id))
        with pytest.raises(RuntimeError), store.savepoint():
            add(ws, "Rolled back database task")
            raise RuntimeError
    assert {h.task.id for h in search_tasks(store, "database")} == {before.id, kept.id}
    assert {h.task.id for h in search_tasks(store, "migration")} == {before.id}
    assert {h.task.id for h in search_tasks(store, "cache")} == {before.id, renamed.id}
    after = add(ws, "Database after the block")
    assert after.id in {h.task.id for h in search_tasks(store, "database")}
    if not store.dialect.is_postgres:
        assert store.query_value("SELECT count(*) FROM search_hold") == 0
        store.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('integrity-check')")
        assert _search_index(store) == _search_index(store, rebuilt=True)


def _search_index(store, *, rebuilt: bool = False) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """Every (term, task, column, offset) in SQLite's search index, or in one rebuilt
    from the tasks table (in a transaction rolled back)."""
    store.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.tasks_vocab "
        "USING fts5vocab(main, 'tasks_fts', 'instance')"
    )
    read = 'SELECT term, doc, col, "offset" FROM temp.tasks_vocab'

    class Done(Exception):
        pass

    if not rebuilt:
        return sorted(tuple(row) for row in store.query(read))
    with pytest.raises(Done), store.transaction():
        store.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild')")
        rows = sorted(tuple(row) for row in store.query(read))
        raise Done
    return rows


def test_a_failed_block_with_search_deferred_leaves_no_hold(ws) -> None:  # type: ignore[no-untyped-def]
    store = ws.store
    with pytest.raises(RuntimeError, match="needs an open transaction"), store.search_deferred():
        pass
    with pytest.raises(ValueError), store.transaction(), store.search_deferred():
        add(ws, "Never stored database task")
        raise ValueError
    assert search_tasks(store, "database") == []
    later = add(ws, "Database task written later")
    assert [h.task.id for h in search_tasks(store, "database")] == [later.id]
    if not store.dialect.is_postgres:
        assert store.query_value("SELECT count(*) FROM search_hold") == 0
