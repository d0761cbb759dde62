"""`task list --json` is built by the database; it must equal the objects' `to_dict()`."""

from __future__ import annotations

import json

import pytest

from agentdeck.backlog import tasks as core
from agentdeck.backlog.archive import archive_finished
from agentdeck.backlog.listing import SORTS, TaskFilter, list_task_json, list_tasks
from agentdeck.backlog.tasks import NewTask, TaskChanges
from agentdeck.backlog.urgency import UrgencyWeights
from agentdeck.clock import parse_when

W = UrgencyWeights()


@pytest.fixture
def varied(ws, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENTDECK_NOW", "2026-01-01T08:00:00Z")
    a = core.add_task(
        ws.store,
        NewTask(
            title='Quotes " and \\ backslash, ünïcødé ✓',
            description="line one\nline two\ttab",
            priority="critical",
            category="infra/ci",
            effort="XL",
            tags=["b", "a"],
            acceptance=["first", 'second "quoted"'],
            assignee="ann",
            notes="n\u2028ote",
        ),
    )
    b = core.add_task(ws.store, NewTask(title="waits on a", depends_on=[a.id], tags=["a"]))
    c = core.add_task(ws.store, NewTask(title="blocked one", priority="low"))
    core.set_status(ws.store, c.id, "blocked", reason='needs "keys"')
    d = core.add_task(ws.store, NewTask(title="finished", priority="high"))
    core.set_status(ws.store, d.id, "done")
    monkeypatch.setenv("AGENTDECK_NOW", "2026-01-20T08:00:00Z")
    e = core.add_task(ws.store, NewTask(title="recent", depends_on=[b.id, a.id]))
    core.edit_task(ws.store, a.id, TaskChanges(check_criteria=[1]))
    core.start_task(ws.store, e.id, agent="bot", force=True)
    archive_finished(ws.store, parse_when("2026-01-10"))
    return ws


SPECS = [TaskFilter(sort=sort) for sort in SORTS] + [
    TaskFilter(include_all=True, sort="id"),
    TaskFilter(ready_only=True),
    TaskFilter(tags=["a"], limit=1),
    TaskFilter(limit=2),
    TaskFilter(sort="id", include_all=True, limit=2),
    TaskFilter(statuses=["blocked", "in_progress"]),
    TaskFilter(category="infra"),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: repr(s)[10:60])
def test_json_text_equals_the_objects(varied, spec: TaskFilter) -> None:  # type: ignore[no-untyped-def]
    from_objects = [
        {**r.task.to_dict(), "ready": r.ready, "urgency": r.urgency}
        for r in list_tasks(varied.store, spec, W)
    ]
    text = list_task_json(varied.store, spec, W)
    assert json.loads(text) == from_objects
    assert [list(item) for item in json.loads(text)] == [list(item) for item in from_objects]
    assert from_objects, "each spec selects something"


@pytest.mark.parametrize("sort", SORTS)
def test_limit_cuts_the_same_order(varied, sort: str) -> None:  # type: ignore[no-untyped-def]
    # The database applies the limit for the orders it gives; Python for the others.
    full = json.loads(list_task_json(varied.store, TaskFilter(sort=sort, include_all=True), W))
    for limit in (0, 1, 3):
        cut = TaskFilter(sort=sort, include_all=True, limit=limit)
        assert json.loads(list_task_json(varied.store, cut, W)) == full[:limit]
        assert [r.task.id for r in list_tasks(varied.store, cut, W)] == [
            t["id"] for t in full[:limit]
        ]
