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
from agentdeck.backlog.model import RankedTask, ScorePart, Task
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


#: The join that gives task ``t`` its derived row ``k``: the count of its
#: unfinished dependencies (``open_deps``) and of the open tasks waiting on it
#: (``waiting``), kept by the database's triggers (migration m080). Counting
#: them per row at read time was most of ``next``'s time at 10,000 tasks.
DERIVED_JOIN = "JOIN task_derived k ON k.task_id = t.id"

#: SQL condition for ready tasks (aliases ``t`` and ``k``, see ``DERIVED_JOIN``).
READY_SQL = "t.status = 'todo' AND t.archived_at IS NULL AND k.open_deps = 0"


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
    return RankedTask(task, sum(p.points for p in parts), parts, sorted(waiting))


#: Open tasks waiting on task ``t`` (alias ``k``, see ``DERIVED_JOIN``).
WAITING_SQL = "k.waiting"


def score_sql(store: Store, weights: UrgencyWeights) -> tuple[str, list[Any]]:
    """The urgency score of task ``t`` (joined to ``k`` by ``DERIVED_JOIN``) as a SQL
    expression, with its parameters.

    The same formula as ``explain``'s parts, computed by the database so
    ``next`` and ``task list`` order thousands of tasks without reading them
    into Python; a test holds the two formulas equal. Ages are in days
    (``julianday`` on SQLite, epoch seconds on PostgreSQL); SQLite's
    two-argument ``min``/``max`` are PostgreSQL's ``LEAST``/``GREATEST``.
    """
    pg = store.dialect.is_postgres
    low, high = ("LEAST", "GREATEST") if pg else ("min", "max")
    age = (
        "EXTRACT(EPOCH FROM (CAST(? AS timestamptz) - CAST(t.created_at AS timestamptz))) / 86400.0"
        if pg
        else "(julianday(?) - julianday(t.created_at))"
    )
    sql = (
        "(CASE t.priority WHEN 'critical' THEN ? WHEN 'high' THEN ? WHEN 'medium' THEN ? ELSE ? END"
        f" + ? * {low}({high}({age}, 0) / ?, 1.0) + ? * {low}({WAITING_SQL}, ?))"
    )
    params = [
        weights.critical, weights.high, weights.medium, weights.low,
        weights.age_weight, clock.now_text(), weights.age_days,
        weights.unblock_weight, weights.unblock_cap,
    ]  # fmt: skip
    return sql, params


def _most_urgent(
    store: Store, weights: UrgencyWeights, limit: int, *, claim: bool = False
) -> list[str]:
    """IDs of the ``limit`` most urgent ready tasks (ties: older, then lower ID).

    With ``claim`` the rows are locked for the caller's transaction, and on
    PostgreSQL rows another transaction holds are skipped: agents racing for
    the top task each get a different one without waiting.
    """
    score, params = score_sql(store, weights)
    lock = store.dialect.lock_clause("t", skip_locked=True) if claim else ""
    rows = store.query(
        f"SELECT t.id FROM tasks t {DERIVED_JOIN} WHERE {READY_SQL} "
        f"ORDER BY {score} DESC, t.created_at, t.id LIMIT ?{lock}",
        [*params, limit],
    )
    return [row[0] for row in rows]


def _waiting_on(store: Store, task_id: str) -> list[str]:
    """Open tasks that depend on ``task_id`` (what finishing it unblocks)."""
    rows = store.query(
        "SELECT d.task_id FROM task_deps d JOIN tasks w ON w.id = d.task_id WHERE d.depends_on = ? "
        "AND w.status NOT IN ('done', 'cancelled') AND w.archived_at IS NULL ORDER BY d.task_id",
        (task_id,),
    )
    return [row[0] for row in rows]


def next_task(
    store: Store, weights: UrgencyWeights, *, claim_for: str | None = None, limit: int = 1
) -> list[RankedTask]:
    """The most urgent ready task(s), each explained; with ``claim_for``, claim the first atomically.

    Claiming happens in the same transaction as the choice. On SQLite the
    transaction holds the write lock, so two agents run one after the other;
    on PostgreSQL the choice is ``ORDER BY … LIMIT 1 FOR UPDATE SKIP LOCKED``,
    so agents racing for the same task take the next one instead of waiting.
    Either way no task is claimed twice. Returns ``[]`` when nothing is ready.
    """
    if claim_for is None:
        return [
            explain(get_task(store, i), _waiting_on(store, i), weights)
            for i in _most_urgent(store, weights, limit)
        ]
    agent = claim_for.strip()
    if not agent:
        raise InvalidInput("name the agent that claims the task with --agent NAME")
    with store.transaction():
        for task_id in _most_urgent(store, weights, 1, claim=True):
            task = get_task(store, task_id)
            _change_status(
                store, task, "in_progress", actor=agent, assignee=agent, note="claimed by next"
            )
            return [explain(get_task(store, task_id), _waiting_on(store, task_id), weights)]
    return []
