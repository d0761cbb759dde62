"""``agentdeck status``: the one screen, in text and JSON."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from health_helpers import readings_file

HAS_BACKUP = importlib.util.find_spec("agentdeck.ops.backup") is not None
HAS_TESTRUN = importlib.util.find_spec("agentdeck.ops.testrun") is not None


def test_status_of_a_fresh_workspace(ws, deck) -> None:
    result = deck("status")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert (
        lines[0]
        == "backlog:   0 open (0 todo, 0 in progress, 0 blocked, 0 in review), 0 done, 0 archived"
    )
    assert lines[1] == "sessions:  0 open"
    assert lines[2] == "monitor:   not running"
    assert lines[3] == "health:    no round recorded (run `agentdeck monitor start`)"
    assert lines[4].startswith("backup:    ") and lines[5].startswith("tests:     ")
    if not HAS_BACKUP:
        assert lines[4] == "backup:    not available (not installed in this agentdeck)"
    if not HAS_TESTRUN:
        assert lines[5] == "tests:     not available (not installed in this agentdeck)"


def test_status_counts_tasks_sessions_and_the_last_round(
    ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for title in ("one", "two", "three"):
        assert deck("task", "add", title).code == 0
    listing = json.loads(deck("task", "list", "--json").out)
    assert deck("task", "done", listing[0]["id"]).code == 0
    now = "2026-03-01T09:00:00.000000Z"
    for number, state in enumerate(("open", "open", "ended")):
        ws.store.execute(
            "INSERT INTO sessions (id, agent, status, started_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (f"S-{number}", f"agent-{number}", state, now, now, now),
        )
    monkeypatch.setenv(
        "AGENTDECK_READINGS", str(readings_file(tmp_path / "r.json", memory_percent=90))
    )
    assert deck("monitor", "start", "0.05", "--rounds", "1").code == 0
    text = deck("status").out
    assert (
        "backlog:   2 open (2 todo, 0 in progress, 0 blocked, 0 in review), 1 done, 0 archived"
        in text
    )
    assert "sessions:  2 open: " in text and "(agent-0)" in text
    assert "health:    WARNING at " in text and "(round 1): memory WARNING" in text
    data = json.loads(deck("status", "--json").out)
    assert set(data) == {
        "at",
        "backlog",
        "sessions",
        "last_health_round",
        "monitor",
        "backup",
        "tests",
    }
    assert data["backlog"]["by_status"]["todo"] == 2
    assert data["sessions"]["open"] == 2
    assert data["last_health_round"]["status"] == "WARNING"
    assert data["last_health_round"]["problems"][0]["name"] == "memory"
    assert data["monitor"]["running"] is False
    assert data["backup"]["available"] is HAS_BACKUP
    assert data["tests"]["available"] is HAS_TESTRUN


def test_a_failing_capability_does_not_hide_the_screen(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from agentdeck.ops.status import overview

    broken = types.ModuleType("agentdeck.ops.backup")

    def latest(ws: object) -> None:
        raise OSError("backup folder unreadable")

    broken.latest = latest  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "agentdeck.ops.backup", broken)
    view = overview(ws)
    assert view.backup == {
        "available": True,
        "latest": None,
        "error": "OSError: backup folder unreadable",
    }
