"""``task list``: filters and orderings over the backlog.

Listing is the read agents run most, often over thousands of open tasks. It
ranks light rows (ID, status, priority, age) in Python, where the urgency
score lives, and carries a payload per row: the task's columns for
``list_tasks`` (objects), or for ``list_task_json`` the task's JSON object
built by the database itself (SQLite's ``json_object``, PostgreSQL's
``json_build_object``), which keeps ``task list --json`` of 7,000 tasks off
the per-row Python path. A test holds the two outputs equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentdeck import clock, ids
from agentdeck.backlog.model import PRIORITIES, TASK_COLUMNS, TASK_KEYS, RankedTask, task_from_row
from agentdeck.backlog.tasks import _links, check_category, check_priority, check_status, check_tags
from agentdeck.backlog.urgency import (
    READY_SQL,
    Scorer,
    UrgencyWeights,
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


@dataclass
class _Ranked:
    """One selected row with what ranking found out about it."""

    row: Any
    score: float
    ready: bool
    waiting: list[str]

    @property
    def payload(self) -> Any:
        return self.row[5:]


#: The key columns ``_select`` ranks by; the payload columns follow them.
_KEYS = "t.id, t.status, t.priority, t.created_at, t.archived_at"


def _json_object_sql(postgres: bool) -> str:
    """SQL for one task's JSON object, keys in ``Task.to_dict()`` order."""
    pairs = ", ".join(f"'{key}', t.{key}" for key in TASK_KEYS)
    if postgres:
        return (
            f"json_build_object({pairs}, 'acceptance', t.acceptance::json, "
            "'tags', COALESCE((SELECT json_agg(g.tag ORDER BY g.tag) FROM task_tags g "
            "WHERE g.task_id = t.id), '[]'::json), "
            "'depends_on', COALESCE((SELECT json_agg(d.depends_on ORDER BY d.depends_on) "
            "FROM task_deps d WHERE d.task_id = t.id), '[]'::json))::text"
        )
    return (
        f"json_object({pairs}, 'acceptance', json(t.acceptance), "
        "'tags', (SELECT json_group_array(tag) FROM "
        "(SELECT g.tag FROM task_tags g WHERE g.task_id = t.id ORDER BY g.tag)), "
        "'depends_on', (SELECT json_group_array(depends_on) FROM "
        "(SELECT d.depends_on FROM task_deps d WHERE d.task_id = t.id ORDER BY d.depends_on)))"
    )


def _where(spec: TaskFilter) -> tuple[str, list[Any]]:
    """The SQL condition (alias ``t``) and parameters for ``spec``."""
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
    return " AND ".join(where) or "1 = 1", params


def _select(store: Store, spec: TaskFilter, weights: UrgencyWeights, payload: str) -> list[_Ranked]:
    """The rows ``spec`` selects, with ``payload`` (SQL columns) each, scored, in the
    requested order, cut to the limit."""
    if spec.sort not in SORTS:
        raise InvalidInput(f"unknown sort {spec.sort!r}; use one of: {', '.join(SORTS)}")
    if spec.limit is not None and spec.limit < 0:
        raise InvalidInput("--limit must be zero or more")
    where, params = _where(spec)
    rows = store.query(f"SELECT {_KEYS}, {payload} FROM tasks t WHERE {where}", params)
    waiting = waiting_counts(store)
    unresolved = waiting_on_something(store) if not spec.ready_only else set()
    score = Scorer(weights, clock.now())
    # Key columns by position (_KEYS): 0 id, 1 status, 2 priority, 3 created_at, 4 archived_at.
    ranked = []
    for row in rows:
        task_id = row[0]
        waits = waiting.get(task_id, [])
        ready = row[1] == "todo" and row[4] is None and task_id not in unresolved
        ranked.append(_Ranked(row, score(row[2], row[3], len(waits)), ready, waits))
    if spec.sort == "urgency":
        # Ready tasks first: what an agent can pick up leads.
        ranked.sort(key=lambda r: (not r.ready, -round(r.score, 9), r.row[3], r.row[0]))
    elif spec.sort == "priority":
        ranked.sort(key=lambda r: (PRIORITIES.index(r.row[2]), -r.score, r.row[3]))
    elif spec.sort == "created":
        ranked.sort(key=lambda r: (r.row[3], ids.sort_key(r.row[0])))
    else:
        ranked.sort(key=lambda r: ids.sort_key(r.row[0]))
    return ranked[: spec.limit] if spec.limit is not None else ranked


def list_tasks(store: Store, spec: TaskFilter, weights: UrgencyWeights) -> list[RankedTask]:
    """Tasks matching ``spec`` in the requested order, each with its urgency and readiness.

    By default only open tasks (todo, in progress, blocked, review) that are not
    archived; an explicit ``statuses`` filter or ``include_all`` widens that.
    """
    ranked = _select(store, spec, weights, TASK_COLUMNS)
    tags, deps = _links(store, [r.row[0] for r in ranked] if len(ranked) == 1 else None)
    return [
        RankedTask(
            task_from_row(r.payload, tags.get(r.row[0]), deps.get(r.row[0])),
            r.score,
            [],
            r.waiting,
            r.ready,
        )
        for r in ranked
    ]


def list_task_json(store: Store, spec: TaskFilter, weights: UrgencyWeights) -> str:
    """What ``list_tasks`` returns, as the JSON text of ``task list --json``: a list of
    each task's ``Task.to_dict()`` with ``ready`` and ``urgency`` added."""
    ranked = _select(store, spec, weights, _json_object_sql(store.dialect.is_postgres))
    # Each object ends with "}"; the two computed keys go in before it.
    parts = [
        f'{r.row[5][:-1]},"ready":{"true" if r.ready else "false"},"urgency":{round(r.score, 3)!r}}}'
        for r in ranked
    ]
    return "[" + ",".join(parts) + "]"
