"""Tasks: creation, IDs, edits, status rules and the event log, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from agentdeck.backlog import tasks as core
from agentdeck.backlog.tasks import NewTask, TaskChanges
from agentdeck.errors import Conflict, InvalidInput, NotFound


def add(ws, title="A task", **kw):  # type: ignore[no-untyped-def]
    return core.add_task(ws.store, NewTask(title=title, **kw), actor="alice")


def test_ids_follow_the_day_and_count_up(ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENTDECK_NOW", "2026-02-03T12:00:00Z")
    monkeypatch.setenv("TZ", "UTC")
    first, second = add(ws, "one"), add(ws, "two")
    monkeypatch.setenv("AGENTDECK_NOW", "2026-02-04T12:00:00Z")
    third = add(ws, "three")
    assert [first.id, second.id, third.id] == [
        "TASK-20260203-001",
        "TASK-20260203-002",
        "TASK-20260204-001",
    ]


def test_add_stores_every_field(ws) -> None:  # type: ignore[no-untyped-def]
    dep = add(ws, "dependency")
    task = add(
        ws,
        "  Set   up CI  ",
        description="run tests",
        priority="HIGH",
        category="/infra/ci/",
        effort="m",
        tags=["ci,build", "ci"],
        depends_on=[dep.id.lower()],
        acceptance=["green build"],
        notes="n",
    )
    again = core.get_task(ws.store, task.id)
    assert again == task
    assert (task.title, task.priority, task.category, task.effort) == (
        "Set up CI",
        "high",
        "infra/ci",
        "M",
    )
    assert task.tags == ["build", "ci"] and task.depends_on == [dep.id]
    assert [c.text for c in task.acceptance] == ["green build"]
    events = core.task_events(ws.store, task.id)
    assert [(e.kind, e.actor, e.to_status) for e in events] == [("created", "alice", "todo")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("priority", "urgent", "unknown priority 'urgent'"),
        ("effort", "XXL", "unknown effort 'XXL'"),
        ("category", "a//b", "has an empty part"),
        ("tags", ["has space"], "tag 'has space' may hold only"),
        ("title", "   ", "a task needs a title"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(ws, field, value, message) -> None:  # type: ignore[no-untyped-def]
    kwargs = {"title": "ok", field: value}
    with pytest.raises(InvalidInput, match=message):
        core.add_task(ws.store, NewTask(**kwargs))
    assert ws.store.query_value("SELECT count(*) FROM tasks") == 0
    assert ws.store.query_value("SELECT count(*) FROM id_sequences") == 0


def test_unknown_dependency_is_not_found_and_rolls_back(ws) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match="cannot depend on TASK-20200101-001"):
        add(ws, depends_on=["TASK-20200101-001"])
    assert ws.store.query_value("SELECT count(*) FROM tasks") == 0


def test_malformed_and_unknown_ids(ws) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="not a task ID"):
        core.get_task(ws.store, "42")
    with pytest.raises(NotFound, match="no task TASK-20200101-001"):
        core.get_task(ws.store, "TASK-20200101-001")


def test_status_lifecycle_records_events(ws) -> None:  # type: ignore[no-untyped-def]
    task = add(ws)
    core.start_task(ws.store, task.id, agent="bot")
    with pytest.raises(Conflict, match="already claimed by bot"):
        core.start_task(ws.store, task.id, agent="other")
    assert (
        core.start_task(ws.store, task.id, agent="bot").assignee == "bot"
    )  # idempotent for the holder
    with pytest.raises(InvalidInput, match="--reason"):
        core.set_status(ws.store, task.id, "blocked", actor="bot")
    blocked = core.set_status(ws.store, task.id, "blocked", actor="bot", reason="needs API key")
    assert blocked.blocked_reason == "needs API key"
    back = core.unblock_task(ws.store, task.id, actor="bot")
    assert back.status == "in_progress" and back.blocked_reason is None
    done = core.set_status(ws.store, task.id, "done", actor="bot", note="shipped")
    assert done.completed_at and done.status == "done"
    with pytest.raises(Conflict, match="already done"):
        core.set_status(ws.store, task.id, "cancelled", actor="bot")
    reopened = core.set_status(ws.store, task.id, "todo", actor="bot")
    assert reopened.completed_at is None
    moves = [
        (e.from_status, e.to_status, e.actor, e.note)
        for e in core.task_events(ws.store, task.id)
        if e.kind == "status"
    ]
    assert moves == [
        ("todo", "in_progress", "bot", None),
        ("in_progress", "blocked", "bot", "needs API key"),
        ("blocked", "in_progress", "bot", None),
        ("in_progress", "done", "bot", "shipped"),
        ("done", "todo", "bot", None),
    ]


def test_start_refuses_unfinished_dependencies_unless_forced(ws) -> None:  # type: ignore[no-untyped-def]
    dep = add(ws, "first")
    task = add(ws, "second", depends_on=[dep.id])
    with pytest.raises(Conflict, match=f"waits on {dep.id}"):
        core.start_task(ws.store, task.id, agent="bot")
    assert core.start_task(ws.store, task.id, agent="bot", force=True).status == "in_progress"


def test_edit_changes_fields_tags_notes_criteria_in_one_event(ws) -> None:  # type: ignore[no-untyped-def]
    task = add(ws, tags=["old"], acceptance=["first"])
    edited = core.edit_task(
        ws.store,
        task.id,
        TaskChanges(
            fields={"title": "New title", "priority": "low"},
            add_tags=["new"],
            remove_tags=["old"],
            append_note="looked into it",
            add_criteria=["second"],
            check_criteria=[1],
        ),
        actor="carol",
    )
    assert edited.title == "New title" and edited.priority == "low" and edited.tags == ["new"]
    assert [(c.text, c.done) for c in edited.acceptance] == [("first", True), ("second", False)]
    assert edited.notes.endswith("carol] looked into it")
    events = [e for e in core.task_events(ws.store, task.id) if e.kind == "edited"]
    assert len(events) == 1 and set(events[0].data) == {
        "title",
        "priority",
        "tags",
        "acceptance",
        "notes",
    }
    with pytest.raises(InvalidInput, match="no number 3"):
        core.edit_task(ws.store, task.id, TaskChanges(check_criteria=[3]))


def test_status_changes_during_an_open_session_belong_to_it(ws) -> None:  # type: ignore[no-untyped-def]
    ws.store.execute(
        "INSERT INTO sessions (id, agent, status, created_at, updated_at) VALUES ('SESSION-20260101-001', 'bot', 'open', 'x', 'x')"
    )
    task = add(ws)
    core.start_task(ws.store, task.id, agent="bot")
    done = core.set_status(ws.store, task.id, "done", actor="bot")
    assert done.completed_in_session == "SESSION-20260101-001"
    roles = ws.store.query("SELECT task_id, role FROM session_tasks")
    assert [(r["task_id"], r["role"]) for r in roles] == [(task.id, "completed")]


def test_load_tasks_attaches_each_tasks_own_tags_and_dependencies(ws) -> None:  # type: ignore[no-untyped-def]
    base = add(ws, "base", tags=["infra"])
    other = add(ws, "other", tags=["ui", "api"], depends_on=[base.id])
    lone = add(ws, "lone")
    loaded = core.load_tasks(ws.store, "t.id IN (?, ?) ORDER BY t.id", (other.id, lone.id))
    assert [(t.id, t.tags, t.depends_on) for t in loaded] == [
        (other.id, ["api", "ui"], [base.id]),
        (lone.id, [], []),
    ]
    assert core.load_tasks(ws.store, "t.id = ?", ("TASK-20000101-001",)) == []
