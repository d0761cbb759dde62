"""The "Done means" expectations of issue 4 over the seed notes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentdeck.notes.importer import import_note, import_notes
from agentdeck.notes.importer.repair import SUSPECT
from workspace_helpers import SEEDS

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed notes are not at {SEEDS}")


def seed(number: str) -> Path:
    return next(SEEDS.glob(f"{number}_*.txt"))


def sessions(ws, source_like: str = "%"):  # type: ignore[no-untyped-def]
    return ws.store.query(
        "SELECT * FROM sessions WHERE source LIKE ? ORDER BY source", (source_like,)
    )


def session_files(ws, session_id: str) -> dict[str, tuple[int | None, int | None]]:  # type: ignore[no-untyped-def]
    rows = ws.store.query(
        "SELECT path, claimed_lines, claimed_chars, change FROM session_files WHERE session_id = ?",
        (session_id,),
    )
    assert all(r["change"] == "mentioned" for r in rows)
    return {r["path"]: (r["claimed_lines"], r["claimed_chars"]) for r in rows}


def test_000_one_session_five_tasks_fifteen_files_ten_recommended(ws) -> None:  # type: ignore[no-untyped-def]
    result = import_note(ws.store, seed("000"), display="000.txt")
    assert result.status == "imported", result.error
    (row,) = sessions(ws)
    assert row["status"] == "imported"
    assert row["day"] == "2026-02-04"
    assert row["agent"] == "GitHub Copilot"
    assert row["duration_minutes"] == 90
    assert row["duration_text"] == "~90 minutes"
    assert row["source"] == "000.txt:1"
    assert json.loads(row["metrics"])["Tasks Completed"] == "7 of 7 planned (100%)"

    expected = {
        "TASK-20260203-060": ("high", "business/automation"),
        "TASK-20260203-061": ("high", "business/financial"),
        "TASK-20260203-031": ("high", "infrastructure/reliability"),
        "TASK-20260203-064": ("high", "infrastructure/monitoring"),
        "TASK-20260203-038": ("medium", "infrastructure/devex"),
    }
    stored = {
        r["id"]: r for r in ws.store.query("SELECT * FROM tasks WHERE id LIKE 'TASK-20260203-%'")
    }
    assert set(stored) == set(expected)
    for task_id, (priority, category) in expected.items():
        assert stored[task_id]["priority"] == priority
        assert stored[task_id]["category"] == category
        assert stored[task_id]["status"] == "done"
        assert stored[task_id]["completed_in_session"] == row["id"]
    links = ws.store.query(
        "SELECT task_id, role, title FROM session_tasks WHERE session_id = ? AND role = 'completed'",
        (row["id"],),
    )
    assert {r["task_id"] for r in links} == set(expected)
    assert {r["title"] for r in links} >= {"Automated Client Onboarding System"}

    files = session_files(ws, row["id"])
    counted = {path: lines for path, (lines, _) in files.items() if lines is not None}
    assert len(counted) == 15
    assert counted["scripts/onboarding/provision-client.sh"] == 193
    assert counted["docs/operations/DISASTER_RECOVERY.md"] == 428

    recommended = ws.store.query(
        "SELECT t.* FROM tasks t JOIN task_tags g ON g.task_id = t.id AND g.tag = 'recommended' "
        "ORDER BY t.id"
    )
    assert len(recommended) == 10
    assert all(r["status"] == "todo" and r["found_in_session"] == row["id"] for r in recommended)
    assert all(r["source"].startswith("000.txt:") for r in recommended)
    priorities = [r["priority"] for r in recommended]
    assert priorities == ["high"] * 4 + ["medium"] * 4 + ["low"] * 2
    titles = {r["title"] for r in recommended}
    assert "Implement remote build cache for team collaboration" in titles
    assert "Recommended as TASK-NEW-001" in recommended[0]["notes"]


def test_001_one_session_five_of_eight_char_counts_six_recommended(ws) -> None:  # type: ignore[no-untyped-def]
    import_note(ws.store, seed("001"), display="001.txt")
    (row,) = sessions(ws)
    assert row["day"] == "2026-02-04"
    assert row["duration_minutes"] == 150
    assert json.loads(row["metrics"])["Tasks Completed"] == "5 of 8 planned (62.5%)"
    done = ws.store.query(
        "SELECT task_id FROM session_tasks WHERE session_id = ? AND role = 'completed'",
        (row["id"],),
    )
    assert {r["task_id"] for r in done} == {
        f"TASK-20260203-{n}" for n in ("060", "061", "031", "044", "039")
    }
    files = session_files(ws, row["id"])
    chars = {path: c for path, (_, c) in files.items() if c is not None}
    assert len(chars) == 8
    assert chars["scripts/onboarding/onboarding-wizard.js"] == 8616
    assert chars["scripts/recovery/disaster-recovery.sh"] == 10826
    recommended = ws.store.query(
        "SELECT title, priority, effort FROM tasks WHERE found_in_session = ? ORDER BY id",
        (row["id"],),
    )
    assert len(recommended) == 6
    assert recommended[0]["title"] == "Dashboard UI Components for Financial Reporting"
    assert (recommended[0]["priority"], recommended[0]["effort"]) == ("high", "L")


def test_000_and_001_share_tasks(ws) -> None:  # type: ignore[no-untyped-def]
    results = import_notes(ws, [seed("000"), seed("001")])
    assert [r.status for r in results] == ["imported", "imported"]
    ided = ws.store.query_value("SELECT count(*) FROM tasks WHERE id LIKE 'TASK-20260203-%'")
    assert ided == 7
    assert len(results[1].tasks_linked) == 3
    assert ws.store.query_value("SELECT count(*) FROM sessions") == 2
    # 10 + 6 recommended, none merged (their titles differ)
    assert ws.store.query_value("SELECT count(*) FROM task_tags WHERE tag = 'recommended'") == 16


HISTORY_002 = [
    ("2025-12-04", "feature/mrktzr-module"),
    ("2025-12-03", "comprehensive-audit-2025-12-03"),
    ("2025-12-03", "main"),
    ("2025-11-21", "main"),
    ("2025-11-19", "main"),
    ("2025-11-19", "main"),
    ("2025-12-05", "fix/ci-infrastructure-issues"),
]


def test_002_seven_sessions_in_file_order(ws) -> None:  # type: ignore[no-untyped-def]
    result = import_note(ws.store, seed("002"), display="002.txt")
    assert result.kind == "history"
    assert len(result.sessions_created) == 7
    rows = ws.store.query("SELECT day, branch, source, when_text FROM sessions")
    rows = sorted(rows, key=lambda r: int(r["source"].split(":")[1]))
    assert [(r["day"], r["branch"]) for r in rows] == HISTORY_002
    # The last session in the file is the newest: the history is not in order.
    assert rows[-1]["day"] > rows[0]["day"]
    assert rows[0]["when_text"] == "2025-12-04 ~1:00-2:15 PM PST"


def test_003_alone_four_then_with_002_seven(ws) -> None:  # type: ignore[no-untyped-def]
    first = import_note(ws.store, seed("003"), display="003.txt")
    assert len(first.sessions_created) == 4
    second = import_note(ws.store, seed("002"), display="002.txt")
    assert len(second.sessions_created) == 3
    assert len(second.sessions_unchanged) == 4
    assert ws.store.query_value("SELECT count(*) FROM sessions") == 7


def test_004_mojibake_repaired(ws) -> None:  # type: ignore[no-untyped-def]
    result = import_note(ws.store, seed("004"), display="004.txt")
    assert result.repair["lines_mojibake"] > 0
    (row,) = sessions(ws)
    assert row["day"] == "2025-11-24"
    assert row["duration_minutes"] == 45
    assert row["branch"] == "claude/continue-work-01LJqHKRKUfoWyqToLjyZttT"
    assert row["title"].strip("🤖 ") == "AUTONOMOUS WORK SESSION 5 - COMPLETE"
    files = session_files(ws, row["id"])
    assert files["continuous_monitor.py"][0] == 379
    assert files["quick_diagnostic.py"][0] == 558
    texts = [row["title"], row["objective"], row["when_text"], row["metrics"] or ""]
    texts += [r["text"] for r in ws.store.query("SELECT text FROM session_entries")]
    texts += [r["path"] for r in ws.store.query("SELECT path FROM session_files")]
    for text in texts:
        for broken in ("ðŸ", "ğŸ", "âœ"):
            assert broken not in text
        assert not SUSPECT.search(text), text


def test_every_seed_twice_changes_nothing(ws) -> None:  # type: ignore[no-untyped-def]
    paths = sorted(SEEDS.glob("*.txt"))
    import_notes(ws, paths)

    def counts() -> list[int]:
        return [
            ws.store.query_value(f"SELECT count(*) FROM {table}")
            for table in (
                "sessions",
                "session_entries",
                "session_tasks",
                "session_files",
                "tasks",
                "task_events",
                "task_tags",
            )
        ]

    before = counts()
    again = import_notes(ws, paths)
    assert all(r.status == "unchanged" for r in again)
    assert counts() == before


def test_dry_run_stores_nothing(ws) -> None:  # type: ignore[no-untyped-def]
    result = import_note(ws.store, seed("000"), dry_run=True, keep_parsed=True)
    assert result.dry_run and len(result.sessions_created) == 1
    assert len(result.recommended_created) == 10
    assert result.parsed and result.parsed[0]["agent"] == "GitHub Copilot"
    assert ws.store.query_value("SELECT count(*) FROM sessions") == 0
    assert ws.store.query_value("SELECT count(*) FROM tasks") == 0
