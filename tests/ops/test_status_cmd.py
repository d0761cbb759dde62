"""``agentdeck status``: the one screen, in text and JSON."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from health_helpers import readings_file

from workspace_helpers import set_config


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
    assert lines[4] == "backup:    none yet"
    assert lines[5] == "tests:     none yet"


def test_status_shows_the_newest_backup_and_the_last_test_run(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", "correct horse battery staple")
    created = deck("backup", "create", "--type", "config", "--json")
    assert created.code == 0, created.err
    backup_id = json.loads(created.out)["id"]
    script = Path(ws.root) / "fake_tests.py"
    script.write_text("print('3 passed, 1 failed, 2 skipped in 0.10s')\nraise SystemExit(1)\n")
    set_config(Path(ws.root), "tests", command=[sys.executable, "fake_tests.py"])
    assert deck("test", "run").code == 1
    lines = deck("status").out.splitlines()
    assert re.fullmatch(
        rf"backup:    {backup_id} \(config, \d+(\.\d)? (bytes|kB)\) at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC, never verified",
        lines[4],
    ), lines[4]
    assert re.fullmatch(
        r"tests:     #1 failed: 3 passed, 1 failed, 0 errors, 2 skipped at \S+ \S+ UTC", lines[5]
    ), lines[5]
    data = json.loads(deck("status", "--json").out)
    assert data["backup"]["latest"]["id"] == backup_id and data["backup"]["error"] is None
    assert data["tests"]["latest"]["failed"] == 1


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
    # No backup exists yet, so the backup-age check warns beside the memory one.
    assert (
        "health:    WARNING at " in text and "(round 1): backup.age WARNING, memory WARNING" in text
    )
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
    assert [p["name"] for p in data["last_health_round"]["problems"]] == ["backup.age", "memory"]
    assert data["monitor"]["running"] is False
    assert data["backup"] == {"latest": None, "error": None}
    assert data["tests"] == {"latest": None, "error": None}


def test_a_failing_capability_does_not_hide_the_screen(
    ws, deck, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from agentdeck.errors import StoreError
    from agentdeck.ops import backup

    def latest(ws: object) -> None:
        raise StoreError("the backup destination s3://deck/backups does not answer")

    monkeypatch.setattr(backup, "latest", latest)
    result = deck("status")
    assert result.code == 0
    assert (
        "backup:    unknown (the backup destination s3://deck/backups does not answer)"
        in result.out
    )
    assert "tests:     none yet" in result.out
