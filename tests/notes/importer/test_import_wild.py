"""Shapes found in notes written elsewhere: front matter, comments, prose facts, short task keys.

Each text here was written for these tests, after a reading of notes other
projects keep; each case failed before the reader learnt it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdeck.backlog.tasks import check_task_id, get_task
from agentdeck.errors import InvalidInput
from agentdeck.notes.importer import import_note, parse_text
from agentdeck.notes.importer.scan import BLANK, HEADING, TEXT, tokenize


def entries(session, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in session.entries if e.kind == kind]


# -- front matter and HTML comments ---------------------------------------------------------


def test_yaml_front_matter_gives_fields_and_is_not_a_heading() -> None:
    text = (
        "---\ntitle: Queue rework\ndate: 2026-02-17\nagent: claude-code\n"
        "branch: perf/queue\nduration: 95m\ntags: [perf, redis]\n---\n\n"
        "# Queue rework\n\n## Done\n\n- `queue/worker.py` (61 lines)\n"
    )
    (s,) = parse_text(text).sessions
    assert s.title == "Queue rework"
    assert (s.day, s.agent, s.branch, s.duration_minutes) == (
        "2026-02-17",
        "claude-code",
        "perf/queue",
        95,
    )
    assert entries(s, "work") == ["queue/worker.py (61 lines)"]
    assert not any("tags" in e.text for e in s.entries)


def test_front_matter_title_is_the_title_when_no_heading_follows() -> None:
    text = '---\ntitle: "Cache work"\ndate: 2026-02-17\n---\n\n**Agent:** Codex\n\n## Done\n\n- a\n'
    (s,) = parse_text(text).sessions
    assert (s.title, s.day, s.agent) == ("Cache work", "2026-02-17", "Codex")


def test_a_rule_then_prose_is_not_front_matter() -> None:
    lines = ["---", "", "Some words that no YAML would hold, surely.", "", "## Done", "- a"]
    tokens = list(tokenize(lines))
    assert [t.no for t in tokens] == list(range(1, 7))
    assert tokens[2].kind == TEXT and tokens[2].text.startswith("Some words")


def test_front_matter_keeps_line_numbers_in_order() -> None:
    lines = ["---", "title: T", "date: 2026-01-02", "layout: post", "---", "", "text here"]
    tokens = list(tokenize(lines))
    assert [t.no for t in tokens] == list(range(1, 8))
    assert [t.kind for t in tokens[:5]] == [BLANK, HEADING, TEXT, BLANK, BLANK]


def test_html_comments_read_as_blank_but_not_in_code() -> None:
    lines = [
        "<!-- Template:",
        "## Session N — YYYY-MM-DD",
        "-->",
        "- kept <!-- dropped --> too",
        "```",
        "<!-- code stays -->",
        "```",
        "- a <!-- open",
        "still a comment",
        "--> after",
    ]
    tokens = list(tokenize(lines))
    assert [t.no for t in tokens] == list(range(1, 11))
    assert [t.kind for t in tokens[:3]] == [BLANK, BLANK, BLANK]
    assert tokens[3].text == "kept  too"
    assert tokens[5].text == "<!-- code stays -->"
    assert tokens[7].text == "a" and tokens[8].kind == BLANK
    assert tokens[9].text == "after"


def test_a_session_template_in_a_comment_is_not_a_session() -> None:
    text = (
        "<!-- copy for every session\n## Session N — YYYY-MM-DD\n### Done\n-->\n\n# Log\n\n"
        "## Session 2 — 2026-04-02\n**Agent:** Codex\n### Done\n- b\n"
        "<!-- - reverted: retry queue -->\n\n"
        "## Session 1 — 2026-04-01\n**Agent:** Codex\n### Done\n- a\n"
    )
    parsed = parse_text(text)
    assert parsed.plan.title == "Log"
    assert [s.day for s in parsed.sessions] == ["2026-04-02", "2026-04-01"]
    assert entries(parsed.sessions[0], "work") == ["b"]


# -- facts said in prose and in parentheses -------------------------------------------------


def test_a_note_whose_facts_are_only_in_a_sentence_is_read() -> None:
    text = (
        "# Notes\n\nWritten on Tuesday, March 3rd 2026 by Claude Code, after roughly 2 hours "
        "of work on branch `feat/export`.\n\n## What got done\n\n- Added export\n\n## Next\n\n- More\n"
    )
    parsed = parse_text(text)
    assert parsed.plan.kind == "report"
    (s,) = parsed.sessions
    assert (s.day, s.agent, s.duration_minutes, s.branch) == (
        "2026-03-03",
        "Claude Code",
        120,
        "feat/export",
    )


def test_an_agent_named_before_agent_and_a_branch_named_before_branch() -> None:
    text = (
        "Quick note: Cursor's agent spent 40 minutes on this on the `chore/bump-node` branch "
        "on March 4, 2026.\n\n### Done\n- `.nvmrc` → 22\n"
    )
    (s,) = parse_text(text).sessions
    assert (s.agent, s.branch, s.day, s.duration_minutes) == (
        "Cursor",
        "chore/bump-node",
        "2026-03-04",
        40,
    )
    assert [f.path for f in s.files] == [".nvmrc"]


def test_facts_between_middle_dots_in_a_pull_request_body() -> None:
    text = (
        "## Summary\n\nThis PR fixes #219.\n\n"
        "Copilot coding agent session · branch `copilot/fix-219` · started Mar 11, 2026 · 23 minutes\n\n"
        "## Changes\n\n- [x] Reject large payloads in `webhooks/handler.go`\n"
    )
    parsed = parse_text(text)
    assert parsed.plan.kind == "report"
    (s,) = parsed.sessions
    assert (s.agent, s.branch, s.day, s.duration_minutes) == (
        "Copilot",
        "copilot/fix-219",
        "2026-03-11",
        23,
    )


def test_a_prose_word_after_branch_is_not_its_name() -> None:
    text = "# Notes\n\nWritten by Aider on 2026-03-04 after 20 minutes: the branch was merged.\n\n## Done\n- a\n"
    (s,) = parse_text(text).sessions
    assert (s.agent, s.day, s.branch) == ("Aider", "2026-03-04", None)


def test_details_in_parentheses_after_a_bold_lead_in() -> None:
    text = (
        "# Session notes\n\n"
        "**Session 31 — 2026-03-04** (Claude Code, ~2 hours, branch `fix/proration`)\n\n"
        "- Fixed proration\n\n"
        "**Session 30 — 2026-02-27** (Cursor agent, 35 min)\n\n- Cleanup\n"
    )
    one, two = parse_text(text).sessions
    assert (one.agent, one.duration_minutes, one.branch) == ("Claude Code", 120, "fix/proration")
    assert entries(one, "work") == ["Fixed proration"]
    assert (two.agent, two.duration_minutes, two.branch) == ("Cursor", 35, None)
    assert entries(two, "work") == ["Cleanup"]


def test_parentheses_that_say_something_else_stay_in_the_title() -> None:
    text = "# Log\n\n## Session 4 — 2026-03-04 (PR #12)\n- a\n\n## Session 3 — 2026-03-03\n- b\n"
    one, _ = parse_text(text).sessions
    assert one.agent == "" and one.duration_minutes is None
    assert "(PR #12)" in one.title


def test_a_branch_field_with_more_after_it() -> None:
    text = (
        "# Log\n\n**Sitzung 3 – 9. März 2026**\nBranch: `feature/suche`, Dauer: 1,5 Std.\n- a\n\n"
        "**Sitzung 2 – 6. März 2026**\nBranch: main. 25 minutes.\n- b\n"
    )
    one, two = parse_text(text).sessions
    assert (one.branch, one.duration_minutes) == ("feature/suche", 90)
    assert (two.branch, two.duration_minutes) == ("main", 25)


# -- files ---------------------------------------------------------------------------------


def test_a_path_in_backticks_keeps_its_leading_dot() -> None:
    text = (
        "# R\n**Date:** 2026-03-19\n**Agent:** Aider\n\n## Done\n\n"
        "- Updated `.github/workflows/ci.yml`\n- Edited `.vscode/settings.json` (12 lines)\n"
    )
    (s,) = parse_text(text).sessions
    assert {f.path: f.lines for f in s.files} == {
        ".github/workflows/ci.yml": None,
        ".vscode/settings.json": 12,
    }


def test_line_and_character_counts_from_their_own_table_columns() -> None:
    text = (
        "# R\n**Date:** 2026-03-19\n**Agent:** Aider\n\n## Files Created\n\n"
        "| File | Lines | Status |\n|---|---|---|\n| `a/b.py` | 214 | new |\n| c/d.py | 1,212 | new |\n\n"
        "## Documentation Written\n\n| File | Characters |\n|---|---|\n| `e/f.md` | 4,812 |\n"
    )
    (s,) = parse_text(text).sessions
    assert {f.path: (f.lines, f.chars) for f in s.files} == {
        "a/b.py": (214, None),
        "c/d.py": (1212, None),
        "e/f.md": (None, 4812),
    }


def test_a_before_and_after_metrics_table_keeps_the_after_value() -> None:
    text = (
        "# R\n**Date:** 2026-03-19\n**Agent:** Aider\n\n## Metrics\n\n"
        "| Metric | Before | After |\n|---|---|---|\n| Queries per page | 214 | 9 |\n"
    )
    (s,) = parse_text(text).sessions
    assert s.metrics == {"Queries per page": "9"}


# -- short task keys -----------------------------------------------------------------------


BACKLOG = (
    "# Backlog\n\n## Now\n"
    "- [ ] **API-21** (P0) Fix 500 on `/users/me`\n"
    "- [ ] **API-22** (P1) Return 404 for unknown org\n\n"
    "## Next\n- [ ] **API-30** (P2) Add ETag support\n  - depends on API-22\n\n"
    "## Done\n- [x] **WEB-5** (P3) Favicon for staging\n"
)


def test_a_backlog_with_short_keys_gives_tasks() -> None:
    parsed = parse_text(BACKLOG)
    assert parsed.plan.kind == "tasks"
    tasks = {t.id: t for t in parsed.tasks}
    assert list(tasks) == ["API-21", "API-22", "API-30", "WEB-5"]
    assert tasks["API-21"].title == "Fix 500 on /users/me"
    assert [tasks[k].priority for k in tasks] == ["critical", "high", "medium", "low"]
    assert tasks["WEB-5"].status == "done" and tasks["API-21"].status == "todo"
    assert tasks["API-30"].depends_on == ["API-22"]


def test_a_task_index_table_with_short_keys_and_a_last_updated_date() -> None:
    text = (
        "# Task Index\n\nLast updated: 2026-03-15\n\n"
        "| ID | Title | Priority | Category | Status |\n|---|---|---|---|---|\n"
        "| SRCH-001 | Tokenizer handles CJK text | High | Search | In progress |\n"
        "| SRCH-002 | Stemming for German | Medium | Search | Todo |\n"
        "| INFRA-010 | Move index files to S3 | High | Infrastructure | Blocked |\n"
    )
    parsed = parse_text(text)
    assert parsed.plan.kind == "tasks" and not parsed.sessions
    tasks = {t.id: (t.title, t.priority, t.category, t.status) for t in parsed.tasks}
    assert tasks == {
        "SRCH-001": ("Tokenizer handles CJK text", "high", "search", "in_progress"),
        "SRCH-002": ("Stemming for German", "medium", "search", "todo"),
        "INFRA-010": ("Move index files to S3", "high", "infrastructure", "blocked"),
    }


@pytest.mark.parametrize(
    "item",
    [
        "UTF-8 everywhere in the CSV export",
        "GPT-4 prompt trimmed",
        "HTTP-2 enabled on the proxy",
        "PR-123 merged after review",
        "ISO-8601 dates in the API",
        "Bumped the image to node-22",
    ],
)
def test_names_that_look_like_keys_are_not_tasks(item: str) -> None:
    text = f"# Report\n**Date:** 2026-03-01\n**Agent:** Codex\n\n## Work Completed\n- {item}\n"
    (s,) = parse_text(text).sessions
    assert s.tasks == [] and entries(s, "work")


def test_short_keys_in_a_session_report_link_tasks() -> None:
    text = (
        "# Übergabe\n**Datum:** 2026-03-12\n**Agent:** Claude Code\n\n## Erledigt\n"
        "- [x] PAY-117: Rundung korrigieren\n\n## Nächste Schritte\n- [ ] PAY-118: Cent-Beträge (hoch)\n"
    )
    (s,) = parse_text(text).sessions
    tasks = {t.id: (t.status, t.priority) for t in s.tasks}
    assert tasks == {"PAY-117": ("done", None), "PAY-118": ("todo", "high")}


def test_short_keys_are_stored_addressed_and_imported_once(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    note = tmp_path / "BACKLOG.md"
    note.write_text(BACKLOG)
    first = import_note(ws.store, note)
    assert sorted(first.tasks_created) == ["API-21", "API-22", "API-30", "WEB-5"]
    assert get_task(ws.store, check_task_id("api-30")).title == "Add ETag support"
    deps = ws.store.query("SELECT task_id, depends_on FROM task_deps")
    assert [(r["task_id"], r["depends_on"]) for r in deps] == [("API-30", "API-22")]
    again = import_note(ws.store, note)
    assert again.status == "unchanged" and not again.tasks_created
    assert ws.store.query_value("SELECT count(*) FROM tasks") == 4


@pytest.mark.parametrize("bad", ["API21", "API-", "api_21", "A-1", "API-1234567", "2026-03-01"])
def test_check_task_id_still_refuses_what_is_no_id(bad: str) -> None:
    with pytest.raises(InvalidInput, match="is not a task ID"):
        check_task_id(bad)


# -- progress logs -------------------------------------------------------------------------


def test_a_progress_log_gives_one_session_per_day() -> None:
    text = (
        "# PROGRESS\n\nRunning log of what the agents did.\n\n"
        "- 2026-02-02: set up the repo and ruff (Aider)\n"
        "- 2026-02-02: wrote the tokenizer in `index/tokenize.py`\n"
        "- 2026-02-03: BM25 scoring in `index/score.py`\n"
        "- 2026-02-02: a late entry for an earlier day\n"
    )
    parsed = parse_text(text)
    assert parsed.plan.kind == "log"
    days = [(s.day, len(entries(s, "work"))) for s in parsed.sessions]
    # Only consecutive items of one day are one session: a day met again later is another.
    assert days == [("2026-02-02", 2), ("2026-02-03", 1), ("2026-02-02", 1)]
    first = parsed.sessions[0]
    assert first.agent == "Aider"
    assert [f.path for f in first.files] == ["index/tokenize.py"]
    assert [f.path for f in parsed.sessions[1].files] == ["index/score.py"]


def test_numbered_headings_underlined_as_setext_headings() -> None:
    text = (
        "# Run report\n\n**Date:** 2026-03-19\n**Agent:** Aider\n\n"
        "1. Problems hit\n---------------\n\n- alpha\n\n"
        "2. Next steps\n=============\n\n1. zed\n2. yak\n"
    )
    (s,) = parse_text(text).sessions
    assert entries(s, "challenge") == ["alpha"]
    assert entries(s, "next") == ["zed", "yak"]
    tokens = list(tokenize(text.split("\n")))
    assert [t.no for t in tokens] == sorted(t.no for t in tokens)


@pytest.mark.parametrize(
    ("written", "minutes", "start"),
    [("1h05", 65, None), ("~3 hours (started 10:01 AM)", 180, "10:01"), ("45 min", 45, None)],
)
def test_a_duration_written_like_a_clock_is_no_start_time(
    written: str, minutes: int, start: str | None
) -> None:
    text = f"# R\n**Date:** 2026-01-02\n**Agent:** X\n**Duration:** {written}\n\n## Done\n- a\n"
    (s,) = parse_text(text).sessions
    assert (s.duration_minutes, s.start_time) == (minutes, start)


def test_a_count_on_a_modified_files_row_is_not_its_length() -> None:
    text = (
        "# Work\n**Date:** 2026-02-18\n**Agent:** Codex\n\n"
        "| # | File | Change | Lines |\n|---|---|---|---:|\n"
        "| 1 | `search/query.py` | modified | 35 |\n| 2 | `search/tokenize.py` | new | 88 |\n"
    )
    (s,) = parse_text(text).sessions
    assert {f.path: (f.lines, f.change) for f in s.files} == {
        "search/query.py": (None, "modified"),
        "search/tokenize.py": (88, "created"),
    }


def test_chinese_fields_with_full_width_colons_and_counts_in_lines() -> None:
    text = (
        "# 工作会话报告\n\n日期：2026年3月12日\n代理：Codex\n分支：`refactor/orders`\n时长：约45分钟\n\n"
        "## 完成的工作\n\n- 新增 `order/pricing.py`（210 行）\n- `order/types.py`（88行）\n"
    )
    parsed = parse_text(text)
    assert parsed.plan.kind == "report"
    (s,) = parsed.sessions
    assert (s.day, s.agent, s.branch, s.duration_minutes) == (
        "2026-03-12",
        "Codex",
        "refactor/orders",
        45,
    )
    assert {f.path: f.lines for f in s.files} == {"order/pricing.py": 210, "order/types.py": 88}


def test_an_unticked_box_under_work_done_is_a_next_step() -> None:
    text = (
        "# Report\n**Date:** 2026-03-11\n**Agent:** Copilot\n\n## Changes\n\n"
        "- [x] Reject large payloads\n- [ ] Update docs (left for a human)\n- Plain item\n"
    )
    (s,) = parse_text(text).sessions
    assert entries(s, "work") == ["Reject large payloads", "Plain item"]
    assert entries(s, "next") == ["Update docs (left for a human)"]


def test_agent_and_branch_lose_non_breaking_and_zero_width_spaces() -> None:
    text = "# Report\n**Date:** 2026-03-11\n**Agent:** Claude\u00a0Code\n**Branch:** feat/stream\u200b-ingest\n\n## Done\n- a\n"
    (s,) = parse_text(text).sessions
    assert (s.agent, s.branch) == ("Claude Code", "feat/stream-ingest")


def test_fields_written_as_list_items_before_any_section() -> None:
    text = (
        "# Fix #412\n\n- Branch: `copilot/fix-412`\n- Started: 2026-03-15 09:40 UTC\n"
        "- Duration: 17 minutes\n- Agent: Copilot\n\n## Changes\n- [x] Rate-limit the login\n"
    )
    (s,) = parse_text(text).sessions
    assert (s.branch, s.day, s.start_time, s.duration_minutes, s.agent) == (
        "copilot/fix-412",
        "2026-03-15",
        "09:40",
        17,
        "Copilot",
    )
    assert entries(s, "work") == ["Rate-limit the login"]


@pytest.mark.parametrize(
    ("written", "day"),
    [("2026.03.12", "2026-03-12"), ("12-03-2026", "2026-03-12"), ("3-12-2026", "2026-12-03")],
)
def test_dates_with_dots_year_first_and_dashes_day_first(written: str, day: str) -> None:
    text = f"# R\n**Datum:** {written}\n**Agent:** Codex\n\n## Done\n- a\n"
    (s,) = parse_text(text).sessions
    assert s.day == day


def test_a_russian_duration() -> None:
    text = "# Отчёт\n**Дата:** 2026-03-12\n**Длительность:** 1 ч 10 мин\n\n## Сделано\n- a\n"
    (s,) = parse_text(text).sessions
    assert (s.day, s.duration_minutes, entries(s, "work")) == ("2026-03-12", 70, ["a"])


SESSION_TABLE = (
    "# Session log\n\n| Date | Agent | Duration | Summary |\n|---|---|---|---|\n"
    "| 2026-03-10 | Claude Code | 1h 20m | Added CSV export (`api/export.py`) |\n"
    "| 2026-03-11 | Codex | 45 min | Fixed pagination |\n"
    "| someday | Aider | 2h | not a session: no date |\n\n"
    "Kept by hand.\n"
)


def test_a_table_of_sessions_gives_a_session_a_row() -> None:
    parsed = parse_text(SESSION_TABLE)
    assert parsed.plan.kind == "log"
    rows = [(s.day, s.agent, s.duration_minutes, s.title) for s in parsed.sessions]
    assert rows == [
        ("2026-03-10", "Claude Code", 80, "Added CSV export (api/export.py)"),
        ("2026-03-11", "Codex", 45, "Fixed pagination"),
    ]
    assert [f.path for f in parsed.sessions[0].files] == ["api/export.py"]
    assert not any("Kept by hand" in e.text for s in parsed.sessions for e in s.entries)


def test_a_table_of_dated_events_inside_a_report_is_no_log() -> None:
    text = (
        "# Report\n**Date:** 2026-03-12\n**Agent:** Codex\n\n## Work Completed\n- a\n\n"
        "## History\n| Date | Summary |\n|---|---|\n| 2026-03-10 | x |\n| 2026-03-11 | y |\n"
    )
    parsed = parse_text(text)
    assert parsed.plan.kind == "report" and len(parsed.sessions) == 1
