"""The backlog through the CLI: output, --json shapes, bad input (one line, exit code, no change)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentdeck.errors import ExitCode
from agentdeck.store.migrate import known_migrations


def snapshot(deck) -> str:  # type: ignore[no-untyped-def]
    result = deck("export", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    doc.pop("exported_at")
    return json.dumps(doc, sort_keys=True)


@pytest.fixture
def seeded(ws, deck):  # type: ignore[no-untyped-def]
    first = json.loads(deck("task", "add", "First", "-p", "high", "--json").out)["id"]
    second = json.loads(deck("task", "add", "Second", "--depends-on", first, "--json").out)["id"]
    return first, second


def test_add_list_show_json_shapes(ws, deck, seeded) -> None:  # type: ignore[no-untyped-def]
    first, second = seeded
    listed = json.loads(deck("task", "list", "--json").out)
    assert [t["id"] for t in listed] == [first, second]
    assert listed[1]["depends_on"] == [first] and listed[1]["ready"] is False
    assert set(listed[0]) >= {
        "id",
        "title",
        "status",
        "priority",
        "tags",
        "depends_on",
        "acceptance",
        "created_at",
        "ready",
        "urgency",
    }
    shown = json.loads(deck("task", "show", first, "--json").out)
    assert shown["dependents"] == [second] and shown["events"][0]["kind"] == "created"
    human = deck("task", "show", first).out
    assert human.startswith(f"{first}  First\n") and "priority:    high" in human


def test_next_claim_done_and_exit_3_when_empty(ws, deck, seeded) -> None:  # type: ignore[no-untyped-def]
    first, second = seeded
    claimed = json.loads(deck("next", "--claim", "--agent", "a1", "--json").out)
    assert claimed["task"]["id"] == first and claimed["task"]["assignee"] == "a1"
    empty = deck("next", "--claim", "--agent", "a2")
    assert empty.code == ExitCode.NOT_FOUND and empty.err == (
        "agentdeck: error: no ready task to claim; see what is waiting with `agentdeck task list`\n"
    )
    assert deck("task", "done", first).code == 0
    explained = deck("next", "--explain")
    assert explained.out.startswith(f"{second}  Second\n") and "unblocks nothing" in explained.out


BAD_INPUT = [
    (("task", "show", "TASK-20990101-001"), ExitCode.NOT_FOUND, "no task TASK-20990101-001"),
    (("task", "done", "nonsense"), ExitCode.INVALID, "'nonsense' is not a task ID"),
    (("task", "add", "x", "-p", "urgent"), ExitCode.INVALID, "unknown priority 'urgent'"),
    (("task", "list", "--status", "finished"), ExitCode.INVALID, "unknown status 'finished'"),
    (("task", "edit", "{first}", "--status", "gone"), ExitCode.INVALID, "unknown status 'gone'"),
    (("task", "dep", "add", "{first}", "{second}"), ExitCode.CONFLICT, "would close the cycle"),
    (("task", "start", "{second}", "--agent", "x"), ExitCode.CONFLICT, "waits on"),
    (("task", "block", "{first}"), ExitCode.INVALID, "Missing option '--reason'"),
    (("task", "list", "--sort", "random"), ExitCode.INVALID, "Invalid value for '--sort'"),
    (("task", "frobnicate"), ExitCode.INVALID, "No such command 'frobnicate'"),
    (("next", "--claim"), ExitCode.INVALID, "--claim needs the agent's name"),
    (("archive", "--before", "someday"), ExitCode.INVALID, "cannot read 'someday' as a time"),
    (("import", "missing.json"), ExitCode.INVALID, "missing.json: no such file"),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUT)
def test_bad_input_is_one_line_with_its_code_and_changes_nothing(
    ws, deck, seeded, args, code, message
) -> None:  # type: ignore[no-untyped-def]
    first, second = seeded
    before = snapshot(deck)
    result = deck(*(a.format(first=first, second=second) for a in args))
    assert result.code == code, result.err
    assert result.err.count("\n") == 1 and result.err.startswith("agentdeck: error: ")
    assert message in result.err
    assert "Traceback" not in result.err and result.out == ""
    assert snapshot(deck) == before


def test_bad_config_is_one_line_naming_file_line_and_key(ws, deck, seeded) -> None:  # type: ignore[no-untyped-def]
    config = Path(ws.root) / "agentdeck.toml"
    config.write_text('[backlog]\ndefault_priority = "high"\nwip_limit = 3\n')
    result = deck("task", "list")
    assert result.code == ExitCode.CONFIG
    assert (
        result.err
        == f"agentdeck: error: {config}:3: unknown key 'wip_limit' in [backlog] (known: default_priority, archive_after_days)\n"
    )
    config.write_text("[backlog\n")
    result = deck("task", "add", "x")
    assert (
        result.code == ExitCode.CONFIG
        and "not valid TOML" in result.err
        and result.err.count("\n") == 1
    )


def test_schema_newer_than_the_code_is_refused(ws, deck, seeded) -> None:  # type: ignore[no-untyped-def]
    ws.store.execute(
        "INSERT INTO agentdeck_migrations (name, applied_at) VALUES ('m999_future', 'x')"
    )
    before = ws.store.query_value("SELECT count(*) FROM tasks")
    result = deck("task", "add", "refused")
    assert result.code == ExitCode.STORE
    assert result.err == (
        f"agentdeck: error: the database schema (m999_future) is newer than this agentdeck ({known_migrations()[-1]}); "
        "upgrade agentdeck (pip install -U agentdeck) before using this database\n"
    )
    assert ws.store.query_value("SELECT count(*) FROM tasks") == before
    ws.store.execute("DELETE FROM agentdeck_migrations WHERE name = 'm999_future'")


def test_database_url_that_does_not_answer(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENTDECK_DATABASE_URL", "postgresql://agent:hunter2@127.0.0.1:1/deck")
    result = deck("task", "list")
    assert result.code == ExitCode.STORE and result.err.count("\n") == 1
    assert "postgresql://agent:***@127.0.0.1:1/deck does not answer" in result.err
    assert "hunter2" not in result.err


def test_export_markdown_groups_by_priority(ws, deck, seeded) -> None:  # type: ignore[no-untyped-def]
    first, second = seeded
    deck("task", "add", "Urgent thing", "-p", "critical")
    result = deck("export", "--format", "md", "--output", "todo")
    assert result.code == 0
    text = (Path(ws.root) / "TODO.md").read_text()
    assert text.index("## Critical (1)") < text.index("## High (1)") < text.index("## Medium (1)")
    assert f"- [ ] **{second}** Second" in text and f"depends on: {first}" in text


def test_archive_cli_writes_index(ws, deck, seeded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first, _ = seeded
    deck("task", "done", first)
    result = deck("archive", "--before", "2099-01-01", "--json")
    data = json.loads(result.out)
    assert data["archived"] == [first] and data["indexed"] == 1
    assert first in (Path(ws.root) / "TASK_INDEX.md").read_text()
    assert first not in deck("task", "list").out
    assert first in deck("task", "list", "--all").out
