"""``task list``: filters and orderings over the backlog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentdeck import ids
from agentdeck.backlog.model import PRIORITIES, RankedTask
from agentdeck.backlog.tasks import (
    check_category,
    check_priority,
    check_status,
    check_tags,
    load_tasks,
)
from agentdeck.backlog.urgency import (
    READY_SQL,
    UrgencyWeights,
    by_readiness,
    rank,
    waiting_counts,
    waiting_on_something,
)
from agentdeck.errors import InvalidInput
from agentdeck.store import Store

#: Orders ``task list`` accepts (the CLI keeps its own copy to avoid importing this module).
SORTS = ("urgency", "priority", "created", "id")


@dataclass
class TaskFilter:
    """What ``list_tasks`` returns. Empty lists mean "any"."""

    statuses: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    assignee: str | None = None
    ready_only: bool = False
    #: Include finished (done, cancelled) and archived tasks.
    include_all: bool = False
    sort: str = "urgency"
    limit: int | None = None


def list_tasks(store: Store, spec: TaskFilter, weights: UrgencyWeights) -> list[RankedTask]:
    """Tasks matching ``spec`` in the requested order, each with its urgency.

    By default only open tasks (todo, in progress, blocked, review) that are not
    archived; an explicit ``statuses`` filter or ``include_all`` widens that.
    """
    if spec.sort not in SORTS:
        raise InvalidInput(f"unknown sort {spec.sort!r}; use one of: {', '.join(SORTS)}")
    if spec.limit is not None and spec.limit < 0:
        raise InvalidInput("--limit must be zero or more")
    where: list[str] = []
    params: list[Any] = []
    statuses = [check_status(s) for s in spec.statuses]
    if statuses:
        where.append(f"t.status IN ({', '.join('?' * len(statuses))})")
        params += statuses
    elif not spec.include_all:
        where.append("t.status NOT IN ('done', 'cancelled')")
    if not spec.include_all:
        where.append("t.archived_at IS NULL")
    priorities = [check_priority(p) for p in spec.priorities]
    if priorities:
        where.append(f"t.priority IN ({', '.join('?' * len(priorities))})")
        params += priorities
    if spec.category:
        prefix = check_category(spec.category)
        # substr, not LIKE: case-sensitive and free of wildcards on both databases.
        where.append("(t.category = ? OR substr(t.category, 1, ?) = ?)")
        params += [prefix, len(prefix) + 1, prefix + "/"]
    for tag in check_tags(spec.tags):
        where.append("EXISTS (SELECT 1 FROM task_tags g WHERE g.task_id = t.id AND g.tag = ?)")
        params.append(tag)
    if spec.assignee:
        where.append("t.assignee = ?")
        params.append(spec.assignee)
    if spec.ready_only:
        where.append(READY_SQL)
    tasks = load_tasks(store, " AND ".join(where), params)
    ranked = rank(tasks, waiting_counts(store), weights)
    blocked_by_deps = waiting_on_something(store) if not spec.ready_only else set()
    for item in ranked:
        task = item.task
        item.ready = (
            task.status == "todo" and not task.archived_at and task.id not in blocked_by_deps
        )
    if spec.sort == "urgency":
        ranked = by_readiness(ranked)
    elif spec.sort == "priority":
        ranked.sort(key=lambda r: (PRIORITIES.index(r.task.priority), -r.score, r.task.created_at))
    elif spec.sort == "created":
        ranked.sort(key=lambda r: (r.task.created_at, ids.sort_key(r.task.id)))
    elif spec.sort == "id":
        ranked.sort(key=lambda r: ids.sort_key(r.task.id))
    return ranked[: spec.limit] if spec.limit is not None else ranked
