"""Dependencies (no cycles), readiness, urgency, next and claims."""

from __future__ import annotations

import contextlib

import pytest

from agentdeck.backlog import tasks as core
from agentdeck.backlog.deps import add_dependency, find_cycle, remove_dependency
from agentdeck.backlog.listing import TaskFilter, list_tasks
from agentdeck.backlog.tasks import NewTask
from agentdeck.backlog.urgency import UrgencyWeights, next_task
from agentdeck.errors import Conflict, InvalidInput, NotFound

W = UrgencyWeights()


def add(ws, title, **kw):  # type: ignore[no-untyped-def]
    return core.add_task(ws.store, NewTask(title=title, **kw), actor="alice")


def test_cycle_is_refused_and_printed(ws) -> None:  # type: ignore[no-untyped-def]
    a, b, c = add(ws, "a"), add(ws, "b"), add(ws, "c")
    add_dependency(ws.store, b.id, a.id)
    add_dependency(ws.store, c.id, b.id)
    with pytest.raises(Conflict) as err:
        add_dependency(ws.store, a.id, c.id)
    assert f"cycle {a.id} -> {c.id} -> {b.id} -> {a.id}" in str(err.value)
    with pytest.raises(InvalidInput, match="cannot depend on itself"):
        add_dependency(ws.store, a.id, a.id)
    assert core.get_task(ws.store, a.id).depends_on == []
    remove_dependency(ws.store, c.id, b.id)
    add_dependency(ws.store, a.id, c.id)  # no cycle any more
    with pytest.raises(NotFound):
        remove_dependency(ws.store, c.id, b.id)


def test_find_cycle_handles_long_chains_without_recursion() -> None:
    edges = [(f"t{i}", f"t{i + 1}") for i in range(20000)]
    assert find_cycle(edges) is None
    cycle = find_cycle([*edges, ("t20000", "t5")])
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 19997


def test_next_scores_priority_age_and_unblocking(ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENTDECK_NOW", "2026-01-01T00:00:00Z")
    old_low = add(ws, "old low", priority="low")
    monkeypatch.setenv("AGENTDECK_NOW", "2026-01-16T00:00:00Z")
    blocker = add(ws, "medium that unblocks two", priority="medium")
    add(ws, "waits 1", depends_on=[blocker.id])
    add(ws, "waits 2", depends_on=[blocker.id], priority="critical")
    high = add(ws, "fresh high", priority="high")
    ranked = next_task(ws.store, W, limit=10)
    scores = {r.task.title: round(r.score, 3) for r in ranked}
    # low: 1 + age 15/30*2 = 2; medium: 3 + 0 + 2 unblocked = 5; high: 6.
    assert scores == {"fresh high": 6.0, "medium that unblocks two": 5.0, "old low": 2.0}
    assert [r.task.id for r in ranked] == [high.id, blocker.id, old_low.id]
    parts = {p.name: p.why for p in ranked[1].parts}
    assert parts == {
        "priority": "priority medium",
        "age": "0.0 days old",
        "unblocks": "unblocks 2 tasks",
    }


def test_claim_takes_the_top_task_once(ws) -> None:  # type: ignore[no-untyped-def]
    first, second = add(ws, "one", priority="high"), add(ws, "two")
    got = next_task(ws.store, W, claim_for="bot-1")
    assert got[0].task.id == first.id and got[0].task.assignee == "bot-1"
    assert next_task(ws.store, W, claim_for="bot-2")[0].task.id == second.id
    assert next_task(ws.store, W, claim_for="bot-3") == []


def test_list_filters_and_sorts(ws) -> None:  # type: ignore[no-untyped-def]
    a = add(ws, "infra", category="infrastructure/monitoring", tags=["ops"], priority="low")
    b = add(ws, "infra2", category="infrastructure", priority="high")
    c = add(ws, "other", category="infrastructures", tags=["ops"], depends_on=[a.id])
    core.start_task(ws.store, b.id, agent="bot")
    d = add(ws, "gone")
    core.set_status(ws.store, d.id, "done")

    def ids(**kw):  # type: ignore[no-untyped-def]
        return [r.task.id for r in list_tasks(ws.store, TaskFilter(**kw), W)]

    assert set(ids()) == {a.id, b.id, c.id}
    assert set(ids(include_all=True)) == {a.id, b.id, c.id, d.id}
    assert ids(statuses=["done"]) == [d.id]
    assert set(ids(category="infrastructure")) == {a.id, b.id}
    assert ids(tags=["ops"], sort="id") == [a.id, c.id]
    assert ids(assignee="bot") == [b.id]
    assert ids(ready_only=True) == [a.id]
    assert ids(sort="priority") == [b.id, c.id, a.id]
    assert ids(sort="id", limit=2) == [a.id, b.id]
    ranked = list_tasks(ws.store, TaskFilter(), W)
    assert ranked[0].task.id == a.id  # the only ready task leads the urgency order
    assert {r.task.id: r.ready for r in ranked} == {a.id: True, b.id: False, c.id: False}
    with pytest.raises(InvalidInput, match="unknown status"):
        ids(statuses=["finished"])
    with pytest.raises(InvalidInput, match="unknown sort"):
        ids(sort="random")


@pytest.mark.parametrize(
    "weights",
    [
        W,
        UrgencyWeights(
            critical=4, high=3.5, medium=3, low=2.5, age_weight=5, age_days=10, unblock_cap=2
        ),
    ],
    ids=["default", "flat"],
)
def test_the_database_scores_as_explain_does(ws, monkeypatch, weights) -> None:  # type: ignore[no-untyped-def]
    """The score is computed twice: in SQL (to order thousands of tasks) and by
    ``explain`` in Python (to show its parts). They must agree, and the order
    must follow the scores."""
    import random

    from agentdeck.backlog.deps import add_dependency
    from agentdeck.backlog.urgency import _waiting_on, explain

    rng = random.Random(7)
    made = []
    for day in range(1, 29):
        monkeypatch.setenv("AGENTDECK_NOW", f"2026-02-{day:02d}T{rng.randrange(24):02d}:00:00Z")
        for _ in range(3):
            made.append(
                add(
                    ws,
                    f"task {len(made)}",
                    priority=rng.choice(["critical", "high", "medium", "low"]),
                ).id
            )
    for _ in range(60):
        a, b = rng.sample(made, 2)
        with contextlib.suppress(Conflict):  # an edge that would close a cycle is skipped
            add_dependency(ws.store, a, b)
    monkeypatch.setenv("AGENTDECK_NOW", "2026-03-05T12:00:00Z")
    listed = list_tasks(ws.store, TaskFilter(include_all=True), weights)
    assert len(listed) == len(made)
    for item in listed:
        by_python = explain(item.task, _waiting_on(ws.store, item.task.id), weights)
        assert item.score == pytest.approx(by_python.score, abs=1e-6), item.task.id
        assert abs(item.urgency - item.score) <= 0.0005 + 1e-9  # rounded to 3 places
    ready = [r for r in listed if r.ready]
    assert len(ready) > 20
    assert [r.score for r in ready] == sorted((r.score for r in ready), reverse=True)
    assert [r.task.id for r in next_task(ws.store, weights, limit=len(made))] == [
        r.task.id for r in ready
    ]
