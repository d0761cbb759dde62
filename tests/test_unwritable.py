"""A file agentdeck must write that cannot be written: one line, exit 6, nothing half done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentdeck.errors import CannotWrite, ExitCode
from agentdeck.fsutil import write_atomic
from workspace_helpers import set_config


def test_write_atomic_over_a_folder_leaves_it_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "TODO.md"
    target.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(CannotWrite, match=r"cannot write .*TODO\.md"):
        write_atomic(target, "text\n")
    assert target.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["TODO.md"]


def test_export_to_a_path_under_a_file_is_one_line_exit_6(ws, deck) -> None:  # type: ignore[no-untyped-def]
    (ws.root / "plain").write_text("a file, not a folder\n")
    deck("task", "add", "x")
    result = deck("export", "--format", "md", "-o", str(ws.root / "plain" / "TODO.md"))
    assert result.code == ExitCode.STORE
    assert result.err.startswith("agentdeck: error: cannot write ")
    assert result.err.count("\n") == 1


def test_archive_whose_index_cannot_be_written_says_the_tasks_are_archived(ws, deck) -> None:  # type: ignore[no-untyped-def]
    (ws.root / "plain").write_text("a file\n")
    task = json.loads(deck("task", "add", "ship it", "--json").out)["id"]
    assert deck("task", "done", task).code == 0
    set_config(ws.root, "notes", task_index="plain/TASK_INDEX.md")
    result = deck("archive", "--before", "2999-01-01")
    assert result.code == ExitCode.STORE
    assert "1 task(s) are archived" in result.err and result.err.count("\n") == 1
    # Fixing the path and running again writes the index of what was archived.
    (ws.root / "agentdeck.toml").write_text(
        (ws.root / "agentdeck.toml").read_text().replace("plain/TASK_INDEX.md", "INDEX.md")
    )
    assert deck("archive", "--before", "2999-01-01").code == 0
    assert task in (ws.root / "INDEX.md").read_text()


def test_session_notes_that_cannot_be_written_are_finished_by_the_next_end(ws, deck) -> None:  # type: ignore[no-untyped-def]
    (ws.root / "plain").write_text("a file\n")
    set_config(ws.root, "notes", history="plain/SESSION_HISTORY.md")
    assert deck("session", "start", "--agent", "a", "--objective", "notes").code == 0
    failed = deck("session", "end", "--agent", "a")
    assert failed.code == ExitCode.STORE
    assert "cannot write" in failed.err and failed.err.count("\n") == 1
    (ws.root / "agentdeck.toml").write_text(
        (ws.root / "agentdeck.toml").read_text().replace("plain/SESSION_HISTORY.md", "HISTORY.md")
    )
    again = deck("session", "end", "--agent", "a")
    assert again.code == 0, again.err
    assert "notes" in (ws.root / "HISTORY.md").read_text()


def test_a_history_that_is_not_utf8_keeps_its_bytes(ws, deck) -> None:  # type: ignore[no-untyped-def]
    history = ws.root / "SESSION_HISTORY.md"
    hand_written = "# History\n\nNotes from caf\xe9 days (Latin-1).\n".encode("latin-1")
    history.write_bytes(hand_written)
    assert deck("session", "start", "--agent", "a", "--objective", "bytes").code == 0
    result = deck("session", "end", "--agent", "a")
    assert result.code == 0, result.err
    written = history.read_bytes()
    assert written.startswith(hand_written) and b"bytes" in written
