"""Which ready task comes next, with a score anyone can check.

A task is *ready* when it is ``todo``, not archived, and every task it depends
on is done or cancelled. Its urgency is the sum of three parts, each shown by
``next --explain``:

* priority: points per priority (critical 10, high 6, medium 3, low 1);
* age: up to ``age_weight`` points, growing linearly until ``age_days`` old;
* unblocks: ``unblock_weight`` per open task waiting on it (at most ``unblock_cap``).

Ties go to the older task, then the lower ID. The weights come from
``[backlog.urgency]`` in ``agentdeck.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agentdeck import clock
from agentdeck.backlog.model import PRIORITIES, RankedTask, ScorePart, Task
from agentdeck.backlog.tasks import _change_status, get_task
from agentdeck.errors import InvalidInput
from agentdeck.store import Store


@dataclass(frozen=True)
class UrgencyWeights:
    """The knobs of the urgency score (``[backlog.urgency]``)."""

    critical: float = 10.0
    high: float = 6.0
    medium: float = 3.0
    low: float = 1.0
    age_weight: float = 2.0
    age_days: float = 30.0
    unblock_weight: float = 1.0
    unblock_cap: int = 5

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> UrgencyWeights:
        return cls(**{k: section[k] for k in cls.__dataclass_fields__ if k in section})

    def priority_points(self, priority: str) -> float:
        return float(getattr(self, priority))


#: SQL condition for ready tasks (alias ``t``).
READY_SQL = (
    "t.status = 'todo' AND t.archived_at IS NULL AND NOT EXISTS ("
    "SELECT 1 FROM task_deps d JOIN tasks x ON x.id = d.depends_on "
    "WHERE d.task_id = t.id AND x.status NOT IN ('done', 'cancelled'))"
)


def waiting_counts(store: Store) -> dict[str, list[str]]:
    """For each task, the open tasks that depend on it (what finishing it unblocks)."""
    rows = store.query(
        "SELECT d.depends_on, d.task_id FROM task_deps d JOIN tasks t ON t.id = d.task_id "
        "WHERE t.status NOT IN ('done', 'cancelled') AND t.archived_at IS NULL ORDER BY d.task_id"
    )
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row[1])
    return out


def waiting_on_something(store: Store) -> set[str]:
    """IDs of tasks with at least one dependency that is neither done nor cancelled."""
    rows = store.query(
        "SELECT DISTINCT d.task_id FROM task_deps d JOIN tasks x ON x.id = d.depends_on "
        "WHERE x.status NOT IN ('done', 'cancelled')"
    )
    return {row[0] for row in rows}


def urgency(
    priority: str, created_at: str, waiting: int, weights: UrgencyWeights, now: datetime
) -> float:
    """The urgency score alone (what sorting needs; ``explain`` gives the parts).

    ``now`` is naive UTC (``clock.naive_utc``): this runs once per task listed.
    """
    age_days = max(clock.age_seconds(created_at, now) / 86400, 0.0)
    return (
        weights.priority_points(priority)
        + weights.age_weight * min(age_days / weights.age_days, 1.0)
        + weights.unblock_weight * min(waiting, weights.unblock_cap)
    )


def explain(
    task: Task, waiting: list[str], weights: UrgencyWeights, now: datetime | None = None
) -> RankedTask:
    """A task's urgency with each part spelled out (``next --explain``)."""
    now = now or clock.now()
    parts = [
        ScorePart("priority", weights.priority_points(task.priority), f"priority {task.priority}")
    ]
    age_days = max((now - clock.parse_timestamp(task.created_at)).total_seconds() / 86400, 0.0)
    share = min(age_days / weights.age_days, 1.0)
    parts.append(ScorePart("age", weights.age_weight * share, f"{age_days:.1f} days old"))
    counted = min(len(waiting), weights.unblock_cap)
    if waiting:
        what = f"unblocks {len(waiting)} task{'s' if len(waiting) != 1 else ''}"
        if counted < len(waiting):
            what += f" (counted {counted})"
    else:
        what = "unblocks nothing"
    parts.append(ScorePart("unblocks", weights.unblock_weight * counted, what))
    return RankedTask(task, sum(p.points for p in parts), parts, waiting)


def rank(
    tasks: list[Task], waiting: dict[str, list[str]], weights: UrgencyWeights
) -> list[RankedTask]:
    """Score and order tasks, most urgent first (ties: older, then lower ID).

    Scores only; the parts of a score come from ``explain`` when asked for.
    """
    now = clock.naive_utc(clock.now())
    ranked = [
        RankedTask(
            t,
            urgency(t.priority, t.created_at, len(waiting.get(t.id, ())), weights, now),
            [],
            waiting.get(t.id, []),
        )
        for t in tasks
    ]
    ranked.sort(key=lambda r: (-round(r.score, 9), r.task.created_at, r.task.id))
    return ranked


def by_readiness(ranked: list[RankedTask]) -> list[RankedTask]:
    """Ready tasks first (most urgent first), then the rest: what an agent can pick up leads."""
    return sorted(ranked, key=lambda r: not r.ready)


def _candidates(
    store: Store, weights: UrgencyWeights
) -> tuple[list[tuple[float, str, str]], dict[str, list[str]]]:
    """Every ready task as (score, created_at, id), most urgent first.

    Only three columns per task: ``next`` at 10,000 tasks must not build
    thousands of full task objects to return one.
    """
    now = clock.naive_utc(clock.now())
    waiting = waiting_counts(store)
    rows = store.query(f"SELECT t.id, t.priority, t.created_at FROM tasks t WHERE {READY_SQL}")
    scored = [(urgency(p, c, len(waiting.get(i, ())), weights, now), c, i) for i, p, c in rows]
    scored.sort(key=lambda s: (-round(s[0], 9), s[1], s[2]))
    return scored, waiting


def next_task(
    store: Store, weights: UrgencyWeights, *, claim_for: str | None = None, limit: int = 1
) -> list[RankedTask]:
    """The most urgent ready task(s), each explained; with ``claim_for``, claim the first atomically.

    Claiming happens in the same transaction as the choice. On SQLite the
    transaction holds the write lock, so two agents run one after the other;
    on PostgreSQL each candidate is locked with ``FOR UPDATE SKIP LOCKED``, so
    agents racing for the same task move on to the next one instead of waiting.
    Either way no task is claimed twice. Returns ``[]`` when nothing is ready.
    """
    if claim_for is None:
        scored, waiting = _candidates(store, weights)
        return [
            explain(get_task(store, i), waiting.get(i, []), weights) for _, _, i in scored[:limit]
        ]
    agent = claim_for.strip()
    if not agent:
        raise InvalidInput("name the agent that claims the task with --agent NAME")
    with store.transaction():
        scored, waiting = _candidates(store, weights)
        for _, _, task_id in scored:
            row = store.query_one(
                "SELECT id FROM tasks t WHERE t.id = ? AND "
                + READY_SQL
                + store.dialect.skip_locked,
                (task_id,),
            )
            if row is None:
                continue  # claimed, changed or locked by another agent since we looked
            task = get_task(store, task_id)
            _change_status(
                store, task, "in_progress", actor=agent, assignee=agent, note="claimed by next"
            )
            return [explain(get_task(store, task_id), waiting.get(task_id, []), weights)]
    return []


def priority_rank(priority: str) -> int:
    """0 for critical ... 3 for low (for sorting)."""
    return PRIORITIES.index(priority)
