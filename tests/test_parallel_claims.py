"""Eight agents claim from one backlog through the real entry point: every task exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentdeck.backlog.tasks import NewTask, add_task

TASKS = 400
AGENTS = 8

# One agent: loop `agentdeck next --claim` until it says nothing is ready (exit 3).
DRIVER = r"""
import json, subprocess, sys
exe, agent, out = sys.argv[1], sys.argv[2], sys.argv[3]
records = []
while True:
    proc = subprocess.run([exe, "next", "--claim", "--agent", agent, "--json"], capture_output=True, text=True)
    records.append({"code": proc.returncode, "out": proc.stdout, "err": proc.stderr})
    if proc.returncode != 0:
        break
with open(out, "w") as handle:
    json.dump(records, handle)
"""


@pytest.mark.slow
def test_parallel_agents_never_double_claim(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with ws.store.transaction():
        created = [
            add_task(ws.store, NewTask(title=f"task {i}", priority="high" if i % 3 else "low")).id
            for i in range(TASKS)
        ]
    exe = str(Path(sys.executable).with_name("agentdeck"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DRIVER, exe, f"A{i}", str(tmp_path / f"a{i}.json")],
            cwd=ws.root,
            env=os.environ.copy(),
        )
        for i in range(AGENTS)
    ]
    for proc in procs:
        assert proc.wait(timeout=600) == 0
    claims: dict[str, str] = {}
    for i in range(AGENTS):
        records = json.loads((tmp_path / f"a{i}.json").read_text())
        *claimed, last = records
        assert last["code"] == 3, last  # the loop ended because nothing was left
        assert (
            last["err"]
            == "agentdeck: error: no ready task to claim; see what is waiting with `agentdeck task list`\n"
        )
        for record in claimed:
            assert record["code"] == 0 and record["err"] == "", record
            task = json.loads(record["out"])["task"]
            assert task["id"] not in claims, f"{task['id']} claimed twice"
            claims[task["id"]] = task["assignee"]
            assert task["assignee"] == f"A{i}"
    assert sorted(claims) == sorted(created)
    rows = ws.store.query("SELECT id, status, assignee FROM tasks")
    assert {r["id"]: (r["status"], r["assignee"]) for r in rows} == {
        k: ("in_progress", v) for k, v in claims.items()
    }
    events = ws.store.query_value(
        "SELECT count(*) FROM task_events WHERE to_status = 'in_progress'"
    )
    assert events == TASKS
