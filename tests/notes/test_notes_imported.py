"""Imported sessions (written by `agentdeck import`, status 'imported') show sensibly in the
list, the report and the history, with their figures marked as claimed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sessions"))
from session_helpers import ok_json


def _import(ws, sid: str, source: str, metrics: dict) -> None:
    now = "2026-02-05T09:00:00.000000Z"
    with ws.store.transaction():
        ws.store.execute(
            "INSERT INTO sessions (id, agent, objective, status, day, when_text, duration_text, "
            "metrics, source, import_key, created_at, updated_at) "
            "VALUES (?, 'GitHub Copilot', 'Execute open tasks', 'imported', '2026-02-04', "
            "'2026-02-04', '~90 minutes', ?, ?, ?, ?, ?)",
            (sid, json.dumps(metrics), source, f"key-{sid}", now, now),
        )
        ws.store.execute(
            "INSERT INTO session_files (session_id, path, change, claimed_lines, source) "
            "VALUES (?, 'scripts/onboarding/provision-client.sh', 'mentioned', 193, ?)",
            (sid, source),
        )


def test_imported_sessions_in_list_show_and_history(ws, deck) -> None:
    _import(
        ws,
        "SESSION-20260204-001",
        "notes/report.md:1",
        {"Files Created": 23, "Tasks Completed": "7 of 7"},
    )
    _import(ws, "SESSION-20260203-001", "SESSION_HISTORY.md:5", {"Duration": "~75 minutes"})
    listed = ok_json(deck("session", "list", "--json"))
    imported = {s["id"]: s for s in listed}
    assert imported["SESSION-20260204-001"]["measured"] is False
    assert imported["SESSION-20260204-001"]["imported"]["metrics"]["Files Created"] == 23
    table = deck("session", "list").out
    assert "SESSION-20260204-001  imported" in table and "~90 minutes" in table
    report = deck("session", "show", "SESSION-20260204-001").out
    assert "Not measured: this session was imported from notes" in report
    assert "| Files Created | 23 |" in report
    assert "| Source | notes/report.md:1 |" in report
    assert "| `scripts/onboarding/provision-client.sh` | mentioned |" in report
    shown = ok_json(deck("session", "show", "SESSION-20260204-001", "--json"))
    assert shown["imported"]["source"] == "notes/report.md:1"
    assert shown["files"][0]["claimed_lines"] == 193
    # A live session's end writes the history: the import from another file is listed
    # (claimed), the one from the history file itself is not repeated.
    deck("session", "start", "--objective", "live")
    assert deck("session", "end").code == 0
    history = (ws.root / "SESSION_HISTORY.md").read_text()
    assert "## SESSION-20260204-001 · 2026-02-04 · GitHub Copilot" in history
    assert "**Claimed:** imported from notes/report.md:1" in history
    assert "SESSION-20260203-001" not in history
    live = ok_json(deck("session", "list", "--status", "ended", "--json"))[0]["id"]
    assert history.index(live) < history.index("SESSION-20260204-001")  # newest first
