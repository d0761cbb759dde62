"""``task_derived``: the counts and link arrays the database keeps per task (m080).

Every writer (status commands, edits, dependencies, archive, the backlog
import with ``--replace``) changes the source rows; the triggers must leave
each derived row equal to a recount from scratch. Checked after random
sequences of real operations, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agentdeck.backlog import tasks as core
from agentdeck.backlog.archive import archive_finished
from agentdeck.backlog.deps import add_dependency, remove_dependency
from agentdeck.backlog.exchange import export_backlog, import_backlog
from agentdeck.backlog.tasks import NewTask, TaskChanges
from agentdeck.errors import AgentdeckError
from agentdeck.store import Store, migrate

FINISHED = ("done", "cancelled")


@pytest.fixture
def store(backend: str, tmp_path):  # type: ignore[no-untyped-def]
    """A bare store on the backend under test, no migration run yet."""
    from agentdeck.store.base import open_store

    with open_store(backend or None, default_path=tmp_path / "deck.db") as opened:
        yield opened


def recount(store: Store) -> dict[str, tuple[int, int, list[str], list[str]]]:
    """Per task: unfinished dependencies, open unarchived dependents, tags, dependencies,
    computed from the source rows in Python."""
    tasks = {r[0]: (r[1], r[2]) for r in store.query("SELECT id, status, archived_at FROM tasks")}
    deps = store.query("SELECT task_id, depends_on FROM task_deps")
    tags = store.query("SELECT task_id, tag FROM task_tags")
    out: dict[str, tuple[int, int, list[str], list[str]]] = {}
    for task_id in tasks:
        mine = [d for t, d in deps if t == task_id]
        open_deps = sum(1 for d in mine if d in tasks and tasks[d][0] not in FINISHED)
        waiting = sum(
            1
            for t, d in deps
            if d == task_id and t in tasks and tasks[t][0] not in FINISHED and tasks[t][1] is None
        )
        out[task_id] = (
            open_deps,
            waiting,
            sorted(tag for t, tag in tags if t == task_id),
            sorted(mine),
        )
    return out


def derived(store: Store) -> dict[str, tuple[int, int, list[str], list[str]]]:
    return {
        r[0]: (int(r[1]), int(r[2]), sorted(json.loads(r[3])), sorted(json.loads(r[4])))
        for r in store.query(
            "SELECT task_id, open_deps, waiting, tags, depends_on FROM task_derived"
        )
    }


def random_step(store: Store, rng: random.Random, ids: list[str]) -> None:
    """One random change through the library, as the CLI would make it. Changes the
    rules refuse (a cycle, finishing a finished task, ...) raise and change nothing."""
    kind = rng.choice(
        ["add", "add", "dep", "dep", "undep", "status", "status", "status", "tags", "start"]
    )
    pick = rng.choice(ids) if ids else None
    if kind == "add" or pick is None:
        new = NewTask(
            title=f"task {len(ids)}",
            tags=rng.sample(["api", "db", "ui", "ops"], rng.randint(0, 2)),
            depends_on=rng.sample(ids, min(len(ids), rng.randint(0, 2))),
        )
        ids.append(core.add_task(store, new, actor="t").id)
    elif kind == "dep":
        add_dependency(store, pick, rng.choice(ids), actor="t")
    elif kind == "undep":
        current = core.get_task(store, pick).depends_on
        if current:
            remove_dependency(store, pick, rng.choice(current), actor="t")
    elif kind == "status":
        status = rng.choice(["done", "cancelled", "todo", "blocked", "review"])
        if status == "blocked":
            core.set_status(store, pick, status, actor="t", reason="waiting")
        else:
            core.set_status(store, pick, status, actor="t")
    elif kind == "tags":
        change = TaskChanges(
            add_tags=rng.sample(["api", "db", "ui"], rng.randint(0, 2)),
            remove_tags=rng.sample(["api", "db", "ui", "ops"], rng.randint(0, 2)),
        )
        core.edit_task(store, pick, change, actor="t")
    else:
        core.start_task(store, pick, agent="a", force=rng.random() < 0.5)


def test_derived_rows_equal_a_recount_after_random_changes(ws) -> None:  # type: ignore[no-untyped-def]
    store = ws.store
    rng = random.Random(80)
    ids: list[str] = []
    for step in range(240):
        with contextlib.suppress(AgentdeckError):
            random_step(store, rng, ids)
        if step % 40 == 39:
            assert derived(store) == recount(store), f"after step {step}"
    # Archiving finished tasks takes them off their dependencies' waiting counts.
    archived = archive_finished(store, datetime.now(UTC) + timedelta(days=1), actor="t")
    assert archived, "the random walk finished some tasks"
    assert derived(store) == recount(store)
    # Some task must still wait on something, or the check above proved little.
    assert any(v[0] for v in derived(store).values()) or any(v[1] for v in derived(store).values())


def test_backlog_import_with_replace_keeps_derived_rows(ws) -> None:  # type: ignore[no-untyped-def]
    store = ws.store
    a = core.add_task(store, NewTask(title="a", tags=["x"]), actor="t")
    b = core.add_task(store, NewTask(title="b", depends_on=[a.id]), actor="t")
    c = core.add_task(store, NewTask(title="c", depends_on=[a.id, b.id]), actor="t")
    assert derived(store)[a.id][:2] == (0, 2)
    doc: dict[str, Any] = export_backlog(store)
    for record in doc["tasks"]:
        if record["id"] == a.id:
            record["status"] = "done"
            record["tags"] = ["y", "z"]
        if record["id"] == c.id:
            record["depends_on"] = [b.id]
    import_backlog(store, json.dumps(doc), replace=True)
    assert derived(store) == recount(store)
    assert derived(store)[a.id] == (0, 1, ["y", "z"], [])
    assert derived(store)[c.id] == (1, 0, [], [b.id])


def test_upgrade_fills_derived_rows_of_an_existing_backlog(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A backlog written before m080 existed: the migration must count what is there.
    known = migrate.known_migrations()
    before = known[: known.index("m080_task_derived")]
    monkeypatch.setattr(migrate, "known_migrations", lambda: before)
    migrate.upgrade(store)
    monkeypatch.undo()
    now = "2026-01-01T00:00:00Z"
    for n, status in enumerate(["done", "todo", "todo", "in_progress"], start=1):
        store.execute(
            "INSERT INTO tasks (id, title, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (f"TASK-20260101-00{n}", f"t{n}", status, now, now),
        )
    store.executemany(
        "INSERT INTO task_deps (task_id, depends_on) VALUES (?, ?)",
        [
            ("TASK-20260101-002", "TASK-20260101-001"),
            ("TASK-20260101-003", "TASK-20260101-002"),
            ("TASK-20260101-004", "TASK-20260101-002"),
        ],
    )
    store.execute("INSERT INTO task_tags (task_id, tag) VALUES ('TASK-20260101-003', 'ui')")
    assert "m080_task_derived" in migrate.upgrade(store)
    assert derived(store) == recount(store)
    assert derived(store)["TASK-20260101-002"] == (0, 2, [], ["TASK-20260101-001"])
    assert derived(store)["TASK-20260101-003"] == (1, 0, ["ui"], ["TASK-20260101-002"])


# One writer: finish its share of the tasks, in its own order, through the library.
FINISHER = r"""
import json, random, sys
from agentdeck.backlog import tasks as core
from agentdeck.workspace import open_workspace
ids, seed, out = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.Random(seed).shuffle(ids)
errors = []
ws = open_workspace(None)
for task_id in ids:
    try:
        core.set_status(ws.store, task_id, "done", actor=f"w{seed}")
    except Exception as err:
        errors.append(f"{task_id}: {type(err).__name__}: {err}")
ws.close()
open(out, "w").write(json.dumps(errors))
"""


@pytest.mark.slow
def test_concurrent_writers_finishing_linked_tasks_neither_deadlock_nor_miscount(  # type: ignore[no-untyped-def]
    ws, tmp_path
) -> None:
    # Each task waits on up to three earlier ones, and neighbours go to different
    # writers: every finish changes derived rows another writer is changing too.
    rng = random.Random(5)
    ids: list[str] = []
    with ws.store.transaction():
        for n in range(160):
            deps = rng.sample(ids, min(len(ids), 3))
            ids.append(core.add_task(ws.store, NewTask(f"t{n}", depends_on=deps), actor="t").id)
    writers = 8
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                FINISHER,
                json.dumps(ids[w::writers]),
                str(w),
                str(tmp_path / f"{w}"),
            ],
            cwd=ws.root,
            env=os.environ.copy(),
        )
        for w in range(writers)
    ]
    for proc in procs:
        assert proc.wait(timeout=300) == 0
    for w in range(writers):
        assert json.loads((tmp_path / f"{w}").read_text()) == []
    assert derived(ws.store) == recount(ws.store)
    assert {v[:2] for v in derived(ws.store).values()} == {(0, 0)}
