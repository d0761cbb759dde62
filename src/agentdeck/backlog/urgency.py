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
from agentdeck.backlog.tasks import _change_status, get_task, load_tasks
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
        out.setdefault(row["depends_on"], []).append(row["task_id"])
    return out


def score(task: Task, waiting: list[str], weights: UrgencyWeights, now: datetime) -> RankedTask:
    """The urgency of one task and its parts."""
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
    """Score and order tasks, most urgent first (ties: older, then lower ID)."""
    now = clock.now()
    ranked = [score(t, waiting.get(t.id, []), weights, now) for t in tasks]
    ranked.sort(key=lambda r: (-round(r.score, 9), r.task.created_at, r.task.id))
    return ranked


def by_readiness(ranked: list[RankedTask]) -> list[RankedTask]:
    """Ready tasks first (most urgent first), then the rest: what an agent can pick up leads."""
    return sorted(ranked, key=lambda r: not r.ready)


def ranked_ready(store: Store, weights: UrgencyWeights) -> list[RankedTask]:
    """Every ready task, most urgent first."""
    tasks = load_tasks(store, READY_SQL)
    return rank(tasks, waiting_counts(store), weights)


def next_task(
    store: Store, weights: UrgencyWeights, *, claim_for: str | None = None, limit: int = 1
) -> list[RankedTask]:
    """The most urgent ready task(s); with ``claim_for``, claim the first atomically.

    Claiming happens in the same transaction as the choice. On SQLite the
    transaction holds the write lock, so two agents run one after the other;
    on PostgreSQL each candidate is locked with ``FOR UPDATE SKIP LOCKED``, so
    agents racing for the same task move on to the next one instead of waiting.
    Either way no task is claimed twice. Returns ``[]`` when nothing is ready.
    """
    if claim_for is None:
        return ranked_ready(store, weights)[:limit]
    agent = claim_for.strip()
    if not agent:
        raise InvalidInput("name the agent that claims the task with --agent NAME")
    with store.transaction():
        for candidate in ranked_ready(store, weights):
            row = store.query_one(
                "SELECT id FROM tasks t WHERE t.id = ? AND "
                + READY_SQL
                + store.dialect.skip_locked,
                (candidate.task.id,),
            )
            if row is None:
                continue  # claimed, changed or locked by another agent since we looked
            _change_status(
                store,
                candidate.task,
                "in_progress",
                actor=agent,
                assignee=agent,
                note="claimed by next",
            )
            candidate.task = get_task(store, candidate.task.id)
            return [candidate]
    return []


def priority_rank(priority: str) -> int:
    """0 for critical ... 3 for low (for sorting)."""
    return PRIORITIES.index(priority)
