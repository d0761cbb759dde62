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

from agentdeck import ids
from agentdeck.backlog.model import PRIORITIES, TASK_COLUMNS, TASK_KEYS, RankedTask
from agentdeck.backlog.tasks import (
    check_category,
    check_priority,
    check_status,
    check_tags,
    task_from_linked_row,
)
from agentdeck.backlog.urgency import DERIVED_JOIN, READY_SQL, UrgencyWeights, score_sql
from agentdeck.errors import InvalidInput
from agentdeck.store import Store

#: Orders ``task list`` accepts (the CLI keeps its own copy to avoid importing this module).
SORTS = ("urgency", "priority", "created", "id")
_PRIORITY_CASE = " ".join(f"WHEN '{p}' THEN {n}" for n, p in enumerate(PRIORITIES))


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
    """One selected row: key columns, the database's score, then the payload."""

    row: Any

    @property
    def score(self) -> float:
        return float(self.row[5])

    @property
    def ready(self) -> bool:
        return bool(self.row[6])

    @property
    def urgency(self) -> float:
        return float(self.row[7])

    @property
    def payload(self) -> Any:
        return self.row[8:]


def _json_object_sql(postgres: bool) -> str:
    """SQL for one task's JSON object (alias ``x``), keys in ``Task.to_dict()`` order,
    then ``ready`` and ``urgency``. Tags and dependencies come as the sorted JSON
    arrays the database keeps per task (``task_derived``, migration m080)."""
    pairs = ", ".join(f"'{key}', x.{key}" for key in TASK_KEYS)
    if postgres:
        return (
            f"json_build_object({pairs}, 'acceptance', x.acceptance::json, "
            "'tags', x.tags_json::json, 'depends_on', x.deps_json::json, "
            "'ready', x.ready = 1, 'urgency', round(CAST(x.score AS numeric), 3))::text"
        )
    return (
        f"json_object({pairs}, 'acceptance', json(x.acceptance), "
        "'tags', json(x.tags_json), 'depends_on', json(x.deps_json), "
        "'ready', json(CASE WHEN x.ready = 1 THEN 'true' ELSE 'false' END), 'urgency', round(x.score, 3))"
    )


def _where(spec: TaskFilter) -> tuple[str, list[Any]]:
    """The SQL condition (aliases ``t`` and ``k``) and parameters for ``spec``."""
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


#: Orders the database gives in full; the others need ``ids.sort_key`` (-1000 after -999).
_SQL_ORDERED = ("urgency", "priority")


def _query(
    store: Store, spec: TaskFilter, weights: UrgencyWeights, outer: str
) -> tuple[str, list[Any]]:
    """SQL selecting ``outer`` (SQL over the row ``x``: a task's columns, ``tags_json``,
    ``deps_json``, its urgency ``score`` and ``ready`` flag) for the tasks ``spec``
    selects, in its order; cut to its limit when the database orders them itself."""
    if spec.sort not in SORTS:
        raise InvalidInput(f"unknown sort {spec.sort!r}; use one of: {', '.join(SORTS)}")
    if spec.limit is not None and spec.limit < 0:
        raise InvalidInput("--limit must be zero or more")
    where, params = _where(spec)
    score, score_params = score_sql(store, weights)
    columns = ", ".join(f"t.{c.strip()}" for c in TASK_COLUMNS.split(","))
    # Ready tasks first in urgency order: what an agent can pick up leads.
    order = {
        "urgency": "x.ready DESC, x.score DESC, x.created_at, x.id",
        "priority": f"CASE x.priority {_PRIORITY_CASE} END, x.score DESC, x.created_at, x.id",
        "created": "x.created_at, x.id",
    }.get(spec.sort, "x.id")
    limit = ""
    if spec.limit is not None and spec.sort in _SQL_ORDERED:
        limit = " LIMIT ?"
        params = [*params, spec.limit]
    # NOT MATERIALIZED: copying every column of 7,000 rows into a temporary table
    # cost more than computing the score again where the outer query names it.
    sql = (
        f"WITH x AS NOT MATERIALIZED (SELECT {columns}, k.tags AS tags_json, "
        f"k.depends_on AS deps_json, {score} AS score, "
        f"CASE WHEN {READY_SQL} THEN 1 ELSE 0 END AS ready "
        f"FROM tasks t {DERIVED_JOIN} WHERE {where}) "
        f"SELECT {outer} FROM x ORDER BY {order}{limit}"
    )
    return sql, [*score_params, *params]


def _select(store: Store, spec: TaskFilter, weights: UrgencyWeights, payload: str) -> list[_Ranked]:
    """The rows ``spec`` selects, in the requested order, cut to the limit.

    Each row is ``(id, status, priority, created_at, archived_at, score, ready,
    urgency, payload…)``: the database computes the urgency score (the same
    expression ``next`` orders by), readiness and the rounded urgency, and
    ``payload`` is SQL over the inner row ``x``.
    """
    rounded = (
        "round(CAST(x.score AS numeric), 3)" if store.dialect.is_postgres else "round(x.score, 3)"
    )
    sql, params = _query(
        store,
        spec,
        weights,
        f"x.id, x.status, x.priority, x.created_at, x.archived_at, x.score, x.ready, "
        f"{rounded} AS urgency, {payload}",
    )
    ranked = [_Ranked(row) for row in store.query(sql, params)]
    if spec.sort in _SQL_ORDERED:
        return ranked
    ranked.sort(
        key=lambda r: (
            (r.row[3], ids.sort_key(r.row[0])) if spec.sort == "created" else ids.sort_key(r.row[0])
        )
    )
    return ranked[: spec.limit] if spec.limit is not None else ranked


def list_tasks(store: Store, spec: TaskFilter, weights: UrgencyWeights) -> list[RankedTask]:
    """Tasks matching ``spec`` in the requested order, each with its urgency and readiness.

    By default only open tasks (todo, in progress, blocked, review) that are not
    archived; an explicit ``statuses`` filter or ``include_all`` widens that.
    """
    columns = ", ".join(f"x.{c.strip()}" for c in TASK_COLUMNS.split(","))
    # Tags and dependencies from the arrays the database keeps per task (m080),
    # not from a pass over every link row.
    ranked = _select(store, spec, weights, f"{columns}, x.tags_json, x.deps_json")
    return [
        RankedTask(
            task_from_linked_row(r.payload),
            r.score,
            ready=r.ready,
            urgency=r.urgency,
        )
        for r in ranked
    ]


def list_task_json(store: Store, spec: TaskFilter, weights: UrgencyWeights) -> str:
    """What ``list_tasks`` returns, as the JSON text of ``task list --json``: a list of
    each task's ``Task.to_dict()`` with ``ready`` and ``urgency`` added."""
    payload = _json_object_sql(store.dialect.is_postgres)
    if spec.sort in _SQL_ORDERED:
        # Only the text: the key columns would be 50,000 Python objects nobody reads.
        sql, params = _query(store, spec, weights, payload)
        return "[" + ",".join(row[0] for row in store.query(sql, params)) + "]"
    return "[" + ",".join(r.row[8] for r in _select(store, spec, weights, payload)) + "]"
