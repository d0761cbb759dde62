"""Notes of other projects in other formats: hand-offs, logs, other languages, lead-ins, tables.

The fixtures in ``fixtures/`` were written for these tests in the shapes such
notes take in the wild; none is tuned to one seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdeck.notes.importer import import_note, parse_text, read_note

FIXTURES = Path(__file__).with_name("fixtures")


def note(name: str):  # type: ignore[no-untyped-def]
    return read_note(FIXTURES / name)


def entries(session, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in session.entries if e.kind == kind]


def test_handoff_file() -> None:
    parsed = note("handoff_CURRENT_WORK.md")
    assert parsed.plan.kind == "handoff"
    (s,) = parsed.sessions
    assert s.day == "2025-03-11"
    assert s.when_text == "Tuesday, March 11, 2025"
    tasks = {t.id: t for t in s.tasks}
    assert tasks["BILL-20250310-004"].status == "in_progress"
    assert tasks["BILL-20250307-002"].status == "blocked"
    assert len(entries(s, "next")) == 3
    assert len(entries(s, "decision")) == 2
    assert any("Staging database is down" in b for b in entries(s, "blocker"))


def test_progress_log_with_us_and_prose_dates() -> None:
    parsed = note("progress_log_us_dates.md")
    assert parsed.plan.kind == "log"
    days = [s.day for s in parsed.sessions]
    assert days == ["2025-03-04", "2025-03-05", "2025-03-06"]
    first, second, third = parsed.sessions
    assert first.agent == "Claude Code" and first.branch == "main"
    assert not entries(first, "blocker")  # "Blockers: none"
    assert second.duration_minutes == 105
    assert {f.path: f.lines for f in second.files}["migrations/0042_partition_stock.sql"] == 88
    assert entries(second, "lesson")
    (challenge,) = entries(third, "challenge")
    assert challenge.startswith("Replica lag spiked")
    assert entries(third, "solution") == ["ANALYZE on the new partitions"]


def test_german_history() -> None:
    parsed = note("sitzung_de.md")
    assert parsed.plan.kind == "history"
    one, two = parsed.sessions
    assert (one.day, one.start_time, one.duration_minutes) == ("2025-12-03", "09:15", 150)
    assert one.agent == "Aider (gpt-4.1)" and one.branch == "feature/export-csv"
    assert one.objective == "CSV-Export für Berichte fertigstellen"
    assert any(t.id == "RPT-20251201-007" and t.status == "done" for t in one.tasks)
    assert entries(one, "decision") and entries(one, "next")
    assert entries(one, "challenge") == ["Umlaute wurden in Excel falsch angezeigt"]
    assert entries(one, "solution") == ["UTF-8 mit BOM schreiben"]
    assert {f.path: f.lines for f in one.files}["src/export/csv_writer.py"] == 142
    assert (two.day, two.duration_minutes, two.branch) == ("2025-12-04", 120, "feature/export-pdf")


def test_french_report() -> None:
    parsed = note("rapport_fr.md")
    assert parsed.plan.kind == "report"
    (s,) = parsed.sessions
    assert (s.day, s.duration_minutes, s.branch, s.agent) == (
        "2026-02-12",
        180,
        "refonte-auth",
        "Mistral Devstral",
    )
    assert s.objective.startswith("Remplacer les sessions serveur")
    assert len(entries(s, "work")) == 3 and len(entries(s, "next")) == 2
    titles = {t.title: t.priority for t in s.new_tasks}
    assert titles == {
        "Ajouter la révocation des jetons": "high",
        "Documenter le flux de rafraîchissement": None,
    }


def test_spanish_history_newest_first() -> None:
    parsed = note("sesion_es.md")
    assert [(s.day, s.start_time, s.duration_minutes, s.branch) for s in parsed.sessions] == [
        ("2025-10-02", "16:00", 90, "feat/notificaciones"),
        ("2025-10-01", "10:00", 60, "main"),
    ]
    assert parsed.sessions[0].objective == "Notificaciones push para pedidos"


def test_bold_lead_ins_instead_of_headings() -> None:
    parsed = note("bold_leadin_history.md")
    assert parsed.plan.kind == "history"
    seven, eight, nine = parsed.sessions
    assert [s.day for s in parsed.sessions] == ["2025-11-18", "2025-11-19", "2025-11-21"]
    assert (seven.agent, seven.branch, seven.duration_minutes) == (
        "Cursor agent",
        "fix/rounding",
        40,
    )
    assert len(entries(seven, "work")) == 2
    assert entries(seven, "next") == ["backfill the 312 affected invoices."]
    assert eight.duration_minutes == 90
    assert entries(eight, "decision") == ["keep the script in the repo for the audit trail."]
    assert {f.path: f.lines for f in eight.files}["scripts/backfill_rounding.py"] == 120
    assert entries(nine, "work")


def test_single_report_written_as_tables() -> None:
    (s,) = note("single_report_tables.md").sessions
    assert (s.day, s.agent, s.duration_minutes, s.branch) == (
        "2026-01-15",
        "Codex CLI",
        150,
        "search/bm25-tuning",
    )
    tasks = {t.id: (t.status, t.priority, t.category) for t in s.tasks}
    assert tasks == {
        "SRCH-20260110-001": ("done", "high", "search/ranking"),
        "SRCH-20260110-002": ("in_progress", "medium", "search/analysis"),
        "SRCH-20260112-004": ("todo", "low", "search/research"),
    }
    assert len(entries(s, "challenge")) == 2 and len(entries(s, "solution")) == 2
    assert s.metrics["NDCG@10 after"] == "0.468"
    assert [(t.title, t.priority) for t in s.new_tasks] == [
        ("Add a dashboard for zero-result queries", "high"),
        ("Nightly offline evaluation job", None),
    ]


def test_progress_log_as_dated_list_items() -> None:
    parsed = note("list_progress_log.md")
    assert parsed.plan.kind == "log"
    assert [s.day for s in parsed.sessions] == [
        "2025-09-01",
        "2025-09-02",
        "2025-09-04",
        "2025-09-05",
    ]
    assert parsed.sessions[-1].start_time == "14:10"
    assert parsed.sessions[-1].title == "Released v0.3.0 to PyPI"


def test_backlog_file_gives_tasks_not_sessions() -> None:
    parsed = note("TODO.md")
    assert parsed.plan.kind == "tasks" and not parsed.sessions
    tasks = {t.id: t for t in parsed.tasks}
    assert tasks["TASK-20260205-001"].title == "Rotate the JWT signing key"
    assert (tasks["TASK-20260205-001"].priority, tasks["TASK-20260205-001"].category) == (
        "high",
        "security/auth",
    )
    assert tasks["TASK-20260205-001"].effort == "S" and tasks["TASK-20260205-001"].tags == [
        "security"
    ]
    assert tasks["TASK-20260205-002"].status == "in_progress"
    assert tasks["TASK-20260205-002"].depends_on == ["TASK-20260205-001"]
    assert (tasks["TASK-20260205-003"].status, tasks["TASK-20260205-003"].priority) == (
        "blocked",
        "low",
    )


def test_file_without_session_structure_is_reported_not_forced() -> None:
    parsed = note("README_unstructured.md")
    assert parsed.plan.kind == "unstructured"
    assert "no session structure" in parsed.plan.reason
    assert not parsed.sessions and not parsed.tasks


def test_damaged_file_crlf_mojibake_controls() -> None:
    parsed = note("damaged_crlf_mojibake.md")
    (s,) = parsed.sessions
    assert parsed.repair.crlf and parsed.repair.mojibake and parsed.repair.control
    assert s.agent == "Copilot agent"
    assert s.duration_minutes == 50
    work = entries(s, "work")
    assert "Fixed login redirect (web/login.py, 40 lines)" in work
    assert "Café menu page translated" in work
    assert any(text.startswith("Deployed to staging") for text in work)
    assert all("Ã" not in text and "â" not in text and "\x00" not in text for text in work)


def test_a_paragraph_is_not_a_session() -> None:
    assert parse_text("Just some words about nothing in particular.\n").plan.kind == "unstructured"
    assert parse_text(b"").plan.kind == "unstructured"


@pytest.mark.parametrize(
    "name",
    [
        "handoff_CURRENT_WORK.md",
        "progress_log_us_dates.md",
        "sitzung_de.md",
        "rapport_fr.md",
        "sesion_es.md",
        "bold_leadin_history.md",
        "single_report_tables.md",
        "list_progress_log.md",
        "TODO.md",
        "damaged_crlf_mojibake.md",
    ],
)
def test_each_fixture_imports_once(ws, name: str) -> None:  # type: ignore[no-untyped-def]
    first = import_note(ws.store, FIXTURES / name)
    assert first.status == "imported", first.error
    again = import_note(ws.store, FIXTURES / name)
    assert again.status == "unchanged"


def test_backlog_import_keeps_ids_and_dependencies(ws) -> None:  # type: ignore[no-untyped-def]
    result = import_note(ws.store, FIXTURES / "TODO.md")
    assert sorted(result.tasks_created) == [f"TASK-20260205-00{n}" for n in (1, 2, 3)]
    deps = ws.store.query("SELECT task_id, depends_on FROM task_deps")
    assert [(r["task_id"], r["depends_on"]) for r in deps] == [
        ("TASK-20260205-002", "TASK-20260205-001")
    ]
    # the day's sequence moved past the kept IDs
    from agentdeck.backlog.tasks import NewTask, add_task

    with ws.store.transaction():
        from agentdeck import ids

        assert ids.allocate(ws.store, "TASK", "20260205") == "TASK-20260205-004"
    assert add_task(ws.store, NewTask("later")).id.startswith("TASK-")


def test_same_subheading_under_two_sections() -> None:
    """ "Details" under "Work Completed" and then under "Next Steps": each item takes its own section."""
    parsed = parse_text(
        "# Report\n**Date:** 2025-12-03\n**Agent:** Codex\n\n"
        "## Work Completed\n### Details\n- item A\n\n"
        "## Next Steps\n### Details\n- item B\n"
    )
    (s,) = parsed.sessions
    assert entries(s, "work") == ["Details", "item A"]
    assert entries(s, "next") == ["Details", "item B"]


def test_task_id_in_a_heading_with_any_eight_digits() -> None:
    """A heading names a task by any ID of the backlog's form, not only one dated 19xx/20xx."""
    parsed = parse_text(
        "# Report\n**Date:** 2025-12-03\n**Agent:** Codex\n\n## Tasks Executed\n\n"
        "### 1. OPS-12345678-001: Rotate the keys ✓\n\n### 2. TASK-20251203-002: Ship it ✓\n"
    )
    (s,) = parsed.sessions
    assert [t.id for t in s.tasks] == ["OPS-12345678-001", "TASK-20251203-002"]


def test_a_recommended_task_is_stored_as_add_task_stores_one(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Queued with the file's rows, a recommendation still gets all ``add_task`` writes."""
    note = tmp_path / "report.md"
    note.write_text(
        "# Session 3 - 2026-03-02\n\n## Work Completed\n- TASK-20260302-001: wired the cache ✓\n\n"
        "## Recommended New Tasks\n1. **Add retries to the fetcher** (High)\n"
        "   - back off on 429\n2. **Document the cache** (Low)\n",
        encoding="utf-8",
    )
    result = import_note(ws.store, note)
    assert result.status == "imported" and len(result.recommended_created) == 2
    session_id = result.sessions_created[0]
    rows = ws.store.query(
        "SELECT t.*, g.tag FROM tasks t JOIN task_tags g ON g.task_id = t.id "
        "WHERE t.id IN (?, ?) ORDER BY t.num",
        tuple(result.recommended_created),
    )
    assert [r["title"] for r in rows] == ["Add retries to the fetcher", "Document the cache"]
    assert [r["priority"] for r in rows] == ["high", "low"]
    for row in rows:
        assert row["status"] == "todo" and row["tag"] == "recommended"
        assert row["found_in_session"] == session_id
        assert row["notes"].startswith("Recommended") and row["source"].startswith(f"{note}:")
        event = ws.store.query_one(
            "SELECT actor, kind, to_status, session_id FROM task_events WHERE task_id = ?",
            (row["id"],),
        )
        assert dict(event) == {
            "actor": "import",
            "kind": "created",
            "to_status": "todo",
            "session_id": session_id,
        }
        link = ws.store.query_value(
            "SELECT role FROM session_tasks WHERE session_id = ? AND task_id = ?",
            (session_id, row["id"]),
        )
        assert link == "found"
    derived = ws.store.query_value(
        "SELECT tags FROM task_derived WHERE task_id = ?", (result.recommended_created[0],)
    )
    assert derived == '["recommended"]'
    # Imported again: nothing new, the recommendations are not duplicated.
    again = import_note(ws.store, note)
    assert again.status == "unchanged" and not again.recommended_created


def test_a_handoff_that_says_its_date_agent_length_and_branch_in_a_sentence() -> None:
    parsed = note("handoff_prose.md")
    assert parsed.plan.kind == "handoff"
    (s,) = parsed.sessions
    assert (s.day, s.when_text) == ("2026-01-08", "Thursday, January 8th 2026")
    assert (s.agent, s.duration_minutes, s.branch) == ("Aider", 90, "feat/pdf-invoices")
    assert entries(s, "next") == [
        "Add tests for invoices/render.py",
        "Ask for fonts-dejavu in the CI image",
    ]
    assert entries(s, "decision") and entries(s, "blocker")
    assert {f.path: f.lines for f in s.files} == {"invoices/render.py": 164}


def test_fields_win_over_what_a_sentence_says() -> None:
    text = (
        "# Session report\n\n"
        "Written on 2026-01-08 by Aider after about 90 minutes on branch `a`.\n\n"
        "**Date:** 2026-01-09\n**Agent:** Codex\n**Duration:** 30 minutes\n**Branch:** b\n\n"
        "## Work completed\n- Fixed the export\n"
    )
    (s,) = parse_text(text).sessions
    assert (s.day, s.agent, s.duration_minutes, s.branch) == ("2026-01-09", "Codex", 30, "b")


def test_a_journal_with_the_agent_in_its_headings_and_plain_labels() -> None:
    parsed = note("journal_labels.md")
    assert parsed.plan.kind == "history"
    new, old = parsed.sessions
    assert (new.day, new.agent, new.branch) == ("2025-10-03", "Codex", "codex/refund-flow")
    assert (old.day, old.agent, old.branch) == ("2025-10-02", "Codex", None)
    # "Next:" on a line of its own labels the list below it, as "**Next:**" would.
    assert entries(new, "next") == ["Partial refunds", "Reconciliation job"]
    assert entries(old, "next") == ["Refund endpoint"]
    assert "Added idempotency keys to refund requests" in entries(new, "work")
    assert {f.path: f.lines for f in new.files}["services/refunds.py"] == 212


def test_a_date_in_a_later_section_is_not_the_sessions() -> None:
    text = "# Hand-off\n\nQuick notes before I stop.\n\n## Next steps\n- Ship before 2026-02-01\n"
    (s,) = parse_text(text).sessions
    assert s.day is None and s.when_text is None


def test_japanese_and_chinese_section_headings() -> None:
    japanese = (
        "# 開発ログ\n\n## セッション 3 (2025-11-06)\n"
        "### 完了した作業\n- ログイン画面を修正\n- `web/login.tsx` (210 lines)\n"
        "### 決定事項\n- セッションはクッキーに保存する\n"
        "### 次のステップ\n- テストを追加\n"
    )
    (s,) = parse_text(japanese).sessions
    assert s.day == "2025-11-06"
    assert entries(s, "work") == ["ログイン画面を修正", "web/login.tsx (210 lines)"]
    assert entries(s, "decision") == ["セッションはクッキーに保存する"]
    assert entries(s, "next") == ["テストを追加"]
    assert {f.path: f.lines for f in s.files} == {"web/login.tsx": 210}
    chinese = (
        "# 工作记录 2025-11-07\n\n**日期:** 2025-11-07\n\n"
        "## 已完成的工作\n- 修复登录页面\n## 遇到的问题\n- 测试不稳定\n## 下一步计划\n- 增加测试\n"
    )
    (s,) = parse_text(chinese).sessions
    assert s.day == "2025-11-07"
    assert entries(s, "work") == ["修复登录页面"]
    assert entries(s, "challenge") == ["测试不稳定"]
    assert entries(s, "next") == ["增加测试"]


def test_fields_on_one_line_between_middle_dots() -> None:
    text = (
        "# Copilot agent: rate limiting\n\n"
        "Session date: 11/03/2025 · Agent: GitHub Copilot · about 90 minutes\n\n"
        "## Changes\n- `api/ratelimit.py` (new, 96 lines)\n"
    )
    (s,) = parse_text(text).sessions
    assert (s.day, s.agent) == ("2025-11-03", "GitHub Copilot")


def test_aiders_chat_history() -> None:
    parsed = note("aider_chat_history.md")
    assert parsed.plan.kind == "log"
    first, second = parsed.sessions
    assert (first.day, first.start_time, first.agent) == ("2025-09-14", "16:02", "Aider")
    assert entries(first, "note") == [
        "round invoice totals to cents before summing",
        "add a test for it",
    ]
    assert entries(first, "work") == [
        "fix: round invoice lines to cents (9c41e0a)",
        "test: invoice rounding (2b7d5f1)",
    ]
    assert [(f.path, f.change) for f in first.files] == [
        ("billing/invoice.py", "modified"),
        ("tests/test_invoice.py", "modified"),
    ]
    # Its answers and start-up lines are not records; a session without commits has none.
    assert (second.day, second.agent) == ("2025-09-15", "Aider")
    assert entries(second, "note") == ["explain the tax module"]
    assert not entries(second, "work") and not second.files


def test_a_folder_import_reads_aiders_hidden_history(tmp_path: Path) -> None:
    from agentdeck.notes.importer import collect_paths

    (tmp_path / ".aider.chat.history.md").write_bytes(
        (FIXTURES / "aider_chat_history.md").read_bytes()
    )
    (tmp_path / ".scratch.md").write_text("# hidden\n")
    found = [f.path.name for f in collect_paths([str(tmp_path)])]
    assert found == [".aider.chat.history.md"]


def test_a_sentences_duration_and_agent_are_read_whatever_their_case_and_spacing() -> None:
    (s,) = parse_text(
        "# Hand-off\n\nSpent 45 Minutes on it, by\tCodex.\n\n## Next steps\n- x\n"
    ).sessions
    assert (s.duration_minutes, s.agent) == (45, "Codex")
