"""The backlog as a JSON document: export, and a lossless import of that export.

Shape (documented in the README, "JSON shapes")::

    {"format": "agentdeck-backlog", "version": 1, "exported_at": "…Z",
     "tasks": [{<task fields, see Task.to_dict>, "events": [<TaskEvent.to_dict>, …]}, …]}

Importing keeps IDs, timestamps and event logs as they are, so exporting the
imported backlog gives the same document (apart from ``exported_at``). A task
already stored with identical content is left alone (importing twice changes
nothing); one that differs is a conflict unless ``replace`` is set. The whole
import is one transaction: on any error nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from agentdeck import clock, ids
from agentdeck.backlog.deps import find_cycle
from agentdeck.backlog.model import Task
from agentdeck.backlog.tasks import (
    INSERT_EVENT,
    check_category,
    check_effort,
    check_priority,
    check_status,
    check_tags,
    check_task_id,
    load_tasks,
)
from agentdeck.errors import Conflict, InvalidInput
from agentdeck.store import Store

FORMAT = "agentdeck-backlog"
VERSION = 1

_TASK_KEYS = set(Task("X", "x").to_dict()) | {"events"}
_EVENT_KEYS = {"at", "actor", "kind", "from", "to", "note", "data", "session"}


def _events_by_task(store: Store) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    rows = store.query(
        "SELECT task_id, at, actor, kind, from_status, to_status, note, data, session_id "
        "FROM task_events ORDER BY task_id, num"
    )
    for r in rows:
        out.setdefault(r["task_id"], []).append(
            {
                "at": r["at"],
                "actor": r["actor"],
                "kind": r["kind"],
                "from": r["from_status"],
                "to": r["to_status"],
                "note": r["note"],
                "data": json.loads(r["data"]) if r["data"] else None,
                "session": r["session_id"],
            }
        )
    return out


def export_backlog(store: Store) -> dict[str, Any]:
    """Every task (archived ones too) with its event log, in ID order."""
    tasks = sorted(load_tasks(store), key=lambda t: ids.sort_key(t.id))
    events = _events_by_task(store)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": clock.now_text(),
        "tasks": [{**t.to_dict(), "events": events.get(t.id, [])} for t in tasks],
    }


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "unchanged": self.unchanged, "replaced": self.replaced}


def parse_document(text: str, where: str = "the file") -> list[dict[str, Any]]:
    """Validate an export document and return its task records (normalised).

    Raises ``InvalidInput`` naming the task and field that is wrong.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(
            f"{where} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidInput(
            f'{where} is not an agentdeck backlog export (expected "format": "{FORMAT}")'
        )
    if doc.get("version") != VERSION:
        raise InvalidInput(
            f"{where} has export version {doc.get('version')!r}; this agentdeck reads version {VERSION}"
        )
    tasks = doc.get("tasks")
    if not isinstance(tasks, list):
        raise InvalidInput(f'{where}: "tasks" must be a list')
    seen: set[str] = set()
    out = []
    for index, raw in enumerate(tasks):
        record = _check_record(raw, f"{where}: tasks[{index}]")
        if record["id"] in seen:
            raise InvalidInput(f"{where}: task {record['id']} appears twice")
        seen.add(record["id"])
        out.append(record)
    return out


def _unstorable(value: Any, path: str) -> str | None:
    """The path of the first text in ``value`` no database can store as text: a NUL
    character (PostgreSQL refuses it) or a lone surrogate (not UTF-8 at all)."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{path} contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{path} contains a lone surrogate (not valid Unicode text)"
        return None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _unstorable(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]")
        if found:
            return found
    return None


def _check_record(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be an object")
    problem = _unstorable(raw, "task")
    if problem:
        raise InvalidInput(
            f"{where} ({raw.get('id')!s:.40}): {problem}; remove it and import again"
        )
    unknown = set(raw) - _TASK_KEYS
    if unknown:
        raise InvalidInput(f"{where} has unknown field {sorted(unknown)[0]!r}")
    for key in ("id", "title", "created_at"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise InvalidInput(f"{where} needs a non-empty string {key!r}")
    record = {**Task("X", "x").to_dict(), "events": [], **raw}
    try:
        record["id"] = check_task_id(record["id"])
        record["status"] = check_status(record["status"])
        record["priority"] = check_priority(record["priority"])
        record["effort"] = check_effort(record["effort"])
        record["category"] = check_category(record["category"] or "")
        # Stored order is sorted; normalise so comparisons and round trips agree.
        record["tags"] = sorted(check_tags(record["tags"] or []))
        record["depends_on"] = sorted({check_task_id(d) for d in record["depends_on"] or []})
        for stamp in ("created_at", "updated_at", "started_at", "completed_at", "archived_at"):
            if record[stamp] is not None:
                # Stored timestamps are one canonical UTC form (text order is time order).
                record[stamp] = clock.to_text(clock.parse_timestamp(record[stamp]))
    except InvalidInput as err:
        raise InvalidInput(f"{where} ({raw.get('id')}): {err.message}") from None
    except (ValueError, TypeError, AttributeError) as err:
        raise InvalidInput(f"{where} ({raw.get('id')}): bad value: {err}") from None
    record["updated_at"] = record["updated_at"] or record["created_at"]
    if not isinstance(record["acceptance"], list) or not all(
        isinstance(c, dict) and isinstance(c.get("text"), str) for c in record["acceptance"]
    ):
        raise InvalidInput(
            f'{where} ({record["id"]}): acceptance must be a list of {{"text", "done"}}'
        )
    record["acceptance"] = [
        {"text": c["text"], "done": bool(c.get("done"))} for c in record["acceptance"]
    ]
    if not isinstance(record["events"], list):
        raise InvalidInput(f"{where} ({record['id']}): events must be a list")
    for number, event in enumerate(record["events"]):
        if (
            not isinstance(event, dict)
            or set(event) - _EVENT_KEYS
            or not all(isinstance(event.get(k), str) for k in ("at", "actor", "kind"))
        ):
            raise InvalidInput(f"{where} ({record['id']}): events[{number}] is malformed")
        record["events"][number] = {k: event.get(k) for k in sorted(_EVENT_KEYS)}
    for text_field in ("title", "description", "notes"):
        if not isinstance(record[text_field] or "", str):
            raise InvalidInput(f"{where} ({record['id']}): {text_field} must be a string")
    for optional in (
        "assignee",
        "blocked_reason",
        "found_in_session",
        "completed_in_session",
        "source",
    ):
        if record[optional] is not None and not isinstance(record[optional], str):
            raise InvalidInput(f"{where} ({record['id']}): {optional} must be a string or null")
    record["description"] = record["description"] or ""
    record["notes"] = record["notes"] or ""
    return record


def _stored_records(store: Store, wanted: set[str]) -> dict[str, dict[str, Any]]:
    if not wanted:
        return {}
    events = _events_by_task(store)
    out = {}
    for task in load_tasks(store):
        if task.id in wanted:
            out[task.id] = {
                **task.to_dict(),
                "events": [
                    {k: e.get(k) for k in sorted(_EVENT_KEYS)} for e in events.get(task.id, [])
                ],
            }
    return out


#: Imports that write at least this many tasks refresh PostgreSQL's statistics.
_ANALYZE_AFTER = 500


def import_backlog(
    store: Store,
    text: str,
    *,
    where: str = "the file",
    replace: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Import an export document; see the module docstring for the rules.

    With ``dry_run`` every check runs and the result says what would change,
    but the transaction is rolled back.
    """
    records = parse_document(text, where)
    try:
        result = _import(store, records, where=where, replace=replace, dry_run=dry_run)
    except _DryRun as dry:
        return dry.result
    if store.dialect.is_postgres and len(result.created) + len(result.replaced) >= _ANALYZE_AFTER:
        # Fresh statistics now, not whenever autovacuum gets to it: the planner's
        # choices for `next` and `task list` depend on the tables' sizes.
        store.execute("ANALYZE tasks, task_deps, task_tags, task_events, task_derived")
    return result


def _import(
    store: Store, records: list[dict[str, Any]], *, where: str, replace: bool, dry_run: bool
) -> ImportResult:
    result = ImportResult()
    with store.transaction():
        incoming = {r["id"]: r for r in records}
        stored = _stored_records(store, set(incoming) & _existing_ids(store))
        conflicts = []
        for task_id, record in incoming.items():
            if task_id not in stored:
                result.created.append(task_id)
            elif _same(stored[task_id], record):
                result.unchanged.append(task_id)
            else:
                conflicts.append(task_id)
        if conflicts and not replace:
            shown = ", ".join(conflicts[:5]) + (
                f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
            )
            raise Conflict(
                f"{len(conflicts)} task(s) in {where} differ from the stored ones: {shown}",
                hint="pass --replace to overwrite them with the file's version",
            )
        result.replaced = conflicts
        known = _existing_ids(store) | set(incoming)
        for record in records:
            missing = [d for d in record["depends_on"] if d not in known]
            if missing:
                raise InvalidInput(
                    f"{where}: {record['id']} depends on {missing[0]}, which is neither stored nor in the file"
                )
        edges = {
            (r["task_id"], r["depends_on"])
            for r in store.query("SELECT task_id, depends_on FROM task_deps")
        }
        changing = set(result.created) | set(result.replaced)
        edges = {e for e in edges if e[0] not in changing}
        edges |= {(r["id"], d) for r in records if r["id"] in changing for d in r["depends_on"]}
        cycle = find_cycle(edges)
        if cycle is not None:
            raise Conflict(f"{where} would create the dependency cycle {' -> '.join(cycle)}")
        if dry_run:
            raise _DryRun(result)  # leaves the transaction, which rolls it back
        for task_id in result.replaced:
            _write(store, incoming[task_id], replace=True)
        for task_id in result.created:
            _write(store, incoming[task_id], replace=False)
        for record in records:
            if record["id"] in changing:
                _write_links(store, record)
            ids.reserve(store, record["id"])
    return result


class _DryRun(Exception):
    def __init__(self, result: ImportResult) -> None:
        self.result = result


def _existing_ids(store: Store) -> set[str]:
    return {r["id"] for r in store.query("SELECT id FROM tasks")}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


_COLUMNS = (
    "title",
    "description",
    "status",
    "priority",
    "category",
    "effort",
    "assignee",
    "notes",
    "acceptance",
    "blocked_reason",
    "found_in_session",
    "completed_in_session",
    "source",
    "created_at",
    "updated_at",
    "started_at",
    "completed_at",
    "archived_at",
)


def _write(store: Store, record: dict[str, Any], *, replace: bool) -> None:
    values = [json.dumps(record[c]) if c == "acceptance" else record[c] for c in _COLUMNS]
    if replace:
        sets = ", ".join(f"{c} = ?" for c in _COLUMNS)
        store.execute(f"UPDATE tasks SET {sets} WHERE id = ?", (*values, record["id"]))
        store.execute("DELETE FROM task_events WHERE task_id = ?", (record["id"],))
    else:
        marks = ", ".join("?" * (len(_COLUMNS) + 1))
        store.execute(
            f"INSERT INTO tasks (id, {', '.join(_COLUMNS)}) VALUES ({marks})",
            (record["id"], *values),
        )
    store.executemany(
        f"{INSERT_EVENT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                record["id"],
                e["at"],
                e["actor"],
                e["kind"],
                e["from"],
                e["to"],
                e["note"],
                json.dumps(e["data"], sort_keys=True) if e["data"] else None,
                e["session"],
            )
            for e in record["events"]
        ],
    )


def _write_links(store: Store, record: dict[str, Any]) -> None:
    store.execute("DELETE FROM task_tags WHERE task_id = ?", (record["id"],))
    store.execute("DELETE FROM task_deps WHERE task_id = ?", (record["id"],))
    store.executemany(
        "INSERT INTO task_tags (task_id, tag) VALUES (?, ?)",
        [(record["id"], t) for t in record["tags"]],
    )
    store.executemany(
        "INSERT INTO task_deps (task_id, depends_on) VALUES (?, ?)",
        [(record["id"], d) for d in record["depends_on"]],
    )
