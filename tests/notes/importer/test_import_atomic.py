"""One file, one transaction: a failure part-way leaves nothing of that file behind."""

from __future__ import annotations

from pathlib import Path

from agentdeck.notes.importer import import_note, import_notes

HISTORY = """# Session history

## Session: 2025-10-01 09:00-10:00
**Branch**: main
### Work completed
- First session work
### New tasks
- Write the first follow-up (high)

## Session: 2025-10-02 09:00-10:00
### Work completed
- TASK-20251002-001: Second session task ✅

## Session: 2025-10-03 09:00-10:00
### Work completed
- POISON entry that the database refuses
"""


def poison(ws) -> None:  # type: ignore[no-untyped-def]
    """A trigger that makes the database refuse one entry, as a real failure would."""
    store = ws.store
    with store.transaction():
        if store.dialect.is_postgres:
            store.execute_script(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                "IF NEW.text LIKE '%POISON%' THEN RAISE EXCEPTION 'refused: poison'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql;"
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON session_entries "
                "FOR EACH ROW EXECUTE FUNCTION refuse_poison();"
            )
        else:
            store.execute_script(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON session_entries "
                "WHEN NEW.text LIKE '%POISON%' BEGIN SELECT RAISE(ABORT, 'refused: poison'); END;"
            )


def counts(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        table: ws.store.query_value(f"SELECT count(*) FROM {table}")
        for table in (
            "sessions",
            "session_entries",
            "session_tasks",
            "session_files",
            "tasks",
            "task_events",
            "task_tags",
            "id_sequences",
        )
    }


def test_a_failure_in_the_third_session_leaves_nothing_of_the_file(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.md"
    good.write_text(HISTORY.split("## Session: 2025-10-02")[0])
    bad = tmp_path / "bad.md"
    bad.write_text(HISTORY)
    first = import_note(ws.store, good)
    assert first.status == "imported"
    before = counts(ws)
    poison(ws)
    result = import_note(ws.store, bad)
    assert result.status == "failed"
    assert "poison" in result.error
    assert result.sessions_created == [] and result.tasks_created == []
    assert counts(ws) == before
    # The store is usable afterwards, and other files of the same run still import.
    results = import_notes(ws, [bad, good])
    assert [r.status for r in results] == ["failed", "unchanged"]


def test_a_failure_of_our_own_code_is_reported_and_rolled_back(
    ws, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from agentdeck.notes.importer import persist

    calls = {"n": 0}
    original = persist.Writer._recommend

    def flaky(self, task, session_id):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        original(self, task, session_id)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(persist.Writer, "_recommend", flaky)
    path = tmp_path / "h.md"
    path.write_text(HISTORY.replace("POISON", "fine"))
    before = counts(ws)
    result = import_note(ws.store, path)
    assert calls["n"] == 1
    assert result.status == "failed" and result.exit_code == 70
    assert "RuntimeError: disk on fire" in result.error
    assert counts(ws) == before


def test_a_failing_file_in_a_group_leaves_nothing_and_the_group_is_kept(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # ``import_notes`` writes several files in one transaction, each in a savepoint:
    # the poisoned file is rolled back alone; the files before and after it stay.
    poison(ws)
    before = tmp_path / "before.md"
    before.write_text(HISTORY.split("## Session: 2025-10-02")[0])
    bad = tmp_path / "bad.md"
    bad.write_text(HISTORY)
    after = tmp_path / "after.md"
    after.write_text(
        HISTORY.replace("POISON entry", "Third session entry").replace("-10-0", "-11-0")
    )
    start = counts(ws)
    results = import_notes(ws, [before, bad, after])
    assert [r.status for r in results] == ["imported", "failed", "imported"]
    assert "poison" in results[1].error
    stored = ws.store.query_value("SELECT count(*) FROM sessions")
    assert stored == start["sessions"] + 1 + 3
    assert not ws.store.in_transaction
    again = import_notes(ws, [before, after])
    assert [r.status for r in again] == ["unchanged", "unchanged"]


def test_a_file_inside_the_callers_transaction_is_rolled_back_alone(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    poison(ws)
    good = tmp_path / "good.md"
    good.write_text(HISTORY.split("## Session: 2025-10-02")[0])
    bad = tmp_path / "bad.md"
    bad.write_text(HISTORY)
    before = counts(ws)
    with ws.store.transaction():
        assert import_note(ws.store, bad).status == "failed"
        assert counts(ws) == before  # not left in the caller's transaction
        assert import_note(ws.store, good).status == "imported"
    assert counts(ws)["sessions"] == before["sessions"] + 1


def _ids(ws) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    query = ws.store.query
    return {
        "sessions": [tuple(r) for r in query("SELECT id, import_key FROM sessions ORDER BY id")],
        "tasks": [tuple(r) for r in query("SELECT id, title, status FROM tasks ORDER BY id")],
        "links": [
            tuple(r)
            for r in query("SELECT session_id, task_id, role FROM session_tasks ORDER BY 1, 2, 3")
        ],
        "sequences": [
            tuple(r) for r in query("SELECT prefix, day, last FROM id_sequences ORDER BY 1, 2")
        ],
        "entries": [
            tuple(r)
            for r in query(
                "SELECT e.session_id, e.kind, e.text, p.text FROM session_entries e "
                "LEFT JOIN session_entries p ON p.num = e.parent ORDER BY e.session_id, e.num"
            )
        ],
    }


def test_a_group_of_files_takes_the_ids_files_imported_one_by_one_take(
    ws, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # ``import_notes`` keeps the ID sequences and entry numbers of its group's
    # transaction in memory (``persist.Writer._allocate``): the IDs, the sequences
    # left behind and the entries must be what one transaction per file gives,
    # with a file that fails half-way (after taking IDs) in the middle, and IDs
    # kept from the notes on the days IDs are also allocated for.
    monkeypatch.setenv("AGENTDECK_NOW", "2026-03-05T10:00:00Z")
    poison(ws)
    notes = []
    for n, day in enumerate(["2025-10-01", "2025-10-01", "2025-10-02", "2025-10-01"]):
        text = "# Session history\n\n" + "".join(
            f"## Session: {day} {3 * n + k + 8}:00-{3 * n + k + 9}:00\n### Work completed\n"
            f"- Work {n}.{k} done\n### Challenges\n- Problem {n}.{k}\n  - Solution: fixed {n}.{k}\n"
            f"### New tasks\n- Follow-up {n}.{k} (high)\n\n"
            for k in range(3)
        )
        notes.append(tmp_path / f"note{n}.md")
        notes[-1].write_text(text)
    notes[1].write_text(notes[1].read_text().replace("- Work 1.2 done", "- POISON 1.2"))
    kept = tmp_path / "kept.md"
    kept.write_text(
        "# Session SESSION-20251001-007: kept label\n\n**Date:** 2025-10-01\n\n"
        "## Work completed\n- TASK-20260305-004: A task the notes number ✅\n"
        "## New tasks\n- One more follow-up (low)\n"
    )
    notes.insert(2, kept)

    class Undo(Exception):
        pass

    try:
        with ws.store.transaction():
            alone = [import_note(ws.store, note).status for note in notes]
            one_by_one = _ids(ws)
            raise Undo
    except Undo:
        pass
    grouped = import_notes(ws, notes)
    assert [r.status for r in grouped] == alone == [
        "imported", "failed", "imported", "imported", "imported",
    ]  # fmt: skip
    assert _ids(ws) == one_by_one
    assert ws.store.query_value("SELECT id FROM sessions WHERE import_key LIKE 'id:%'") == (
        "SESSION-20251001-007"
    )
    assert len(one_by_one["sessions"]) == 10 and len(one_by_one["tasks"]) == 11
