"""SESSION_HISTORY.md and CURRENT_WORK.md: agentdeck's region, hand-written text kept byte for byte."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sessions"))
from session_helpers import add_task, commit, ok_json, write

from agentdeck.notes.history import insertion_point, markers, update_region

HAND_WRITTEN_TOP = (
    "## Session History\r\n"
    "\r\n"
    "Kept by hand until February; agentdeck writes the newer entries.  \r\n"
    "Trailing spaces, CRLF line ends and odd bytes stay: \u00e2\u0153\u2026 \u2705\r\n"
    "\r\n"
    "---\r\n"
    "\r\n"
)
HAND_WRITTEN_OLD = (
    "## Session: 2025-12-04 ~1:00-2:15 PM PST (LATEST)\r\n"
    "\r\n"
    "**Duration**: ~75 minutes\r\n"
    "### Work Completed\r\n"
    "- \u2705 **PR #94 Merged**\r\n"
    "```\r\n"
    "## not a heading inside a fence\r\n"
    "```\r\n"
)


def test_history_keeps_hand_written_content_byte_for_byte_after_three_sessions(ws, deck) -> None:
    root = ws.root
    history = root / "SESSION_HISTORY.md"
    original = (HAND_WRITTEN_TOP + HAND_WRITTEN_OLD).encode("utf-8")
    history.write_bytes(original)
    commit(root, "history kept by hand")
    ids = []
    for number in range(3):
        sid = ok_json(
            deck(
                "session",
                "start",
                "--agent",
                f"agent-{number}",
                "--objective",
                f"work {number}",
                "--json",
            )
        )["id"]
        deck("session", "log", "decision", f"decision {number}")
        deck("session", "log", "next", f"next step {number}")
        write(root, f"src/part_{number}.py", f"x = {number}\n")
        commit(root, f"part {number}")
        assert deck("session", "end").code == 0
        ids.append(sid)
        data = history.read_bytes()
        begin, end = (m.encode() for m in markers("history"))
        start, stop = data.index(begin), data.index(end) + len(end)
        # Byte for byte: everything before and after agentdeck's region is the original text.
        assert data[:start] == HAND_WRITTEN_TOP.encode()
        assert data[stop:].lstrip(b"\r\n") == HAND_WRITTEN_OLD.encode()
        assert data.count(begin) == 1
    region = history.read_text(encoding="utf-8")
    # Newest first.
    positions = [region.index(f"## {sid} ") for sid in ids]
    assert positions == sorted(positions, reverse=True)
    assert "**Decisions:**\n- decision 2" in region
    assert f"**Report:** [docs/sessions/{ids[0]}.md](docs/sessions/{ids[0]}.md)" in region


def test_region_rules() -> None:
    begin, end = markers("history")
    # A new file: title, then the region.
    assert update_region(None, "history", "body", title="Session history") == (
        f"# Session history\n\n{begin}\nbody\n{end}\n"
    )
    text = "intro line\n\n## Old\nold\n"
    assert insertion_point(text) == text.index("## Old")
    # After the title and its introduction, before the first entry.
    text = "# History\nintro\n\n## 2025-01-01\nold\n"
    new = update_region(text, "history", "fresh", title="T")
    assert new == f"# History\nintro\n\n{begin}\nfresh\n{end}\n\n## 2025-01-01\nold\n"
    # A second update replaces only the region.
    again = update_region(new, "history", "newer", title="T")
    assert again == new.replace("fresh", "newer")
    # Text without headings: appended at the end, text kept.
    assert (
        update_region("just words", "history", "x", title="T") == f"just words\n{begin}\nx\n{end}\n"
    )
    # A begin marker whose end was lost: the region runs to the end of the file.
    broken = f"# H\n{begin}\nhalf"
    assert update_region(broken, "history", "whole", title="T") == f"# H\n{begin}\nwhole\n{end}\n"


def test_current_work_and_handoff(ws, deck) -> None:
    root = ws.root
    (root / "CURRENT_WORK.md").write_text(
        "# Current work\n\nWritten by hand: ask Dana about the VPN.\n"
    )
    blocked = add_task(deck, "Rotate the signing key")
    assert deck("task", "block", blocked, "--reason", "waiting for the security team").code == 0
    ready = add_task(deck, "Add retries")
    doing = add_task(deck, "Refactor the client")
    assert deck("task", "start", doing, "--agent", "someone").code == 0
    sid = ok_json(
        deck("session", "start", "--agent", "claude", "--objective", "retries", "--json")
    )["id"]
    deck("session", "log", "decision", "retry with jitter", "--agent", "claude")
    deck("session", "log", "next", "tune the backoff", "--agent", "claude")
    deck("session", "log", "blocker", "staging is down", "--agent", "claude")
    assert deck("session", "end", "--agent", "claude").code == 0
    text = (root / "CURRENT_WORK.md").read_text()
    assert text.startswith("# Current work\n\n<!-- agentdeck:current-work:begin")
    assert text.endswith("Written by hand: ask Dana about the VPN.\n")
    handoff = deck("handoff")
    assert handoff.code == 0
    out = handoff.out
    assert "- Branch: `main`, HEAD" in out
    assert f"Last session: {sid} by claude" in out
    assert f"- {doing}: Refactor the client (@someone)" in out
    assert f"- {blocked}: Rotate the signing key: waiting for the security team" in out
    assert f"- retry with jitter ({sid})" in out
    assert "## Next steps\n\n- tune the backoff" in out
    assert "Blockers the last session logged:\n- staging is down" in out
    assert f"1. {ready}: Add retries" in out
    data = json.loads(deck("handoff", "--json").out)
    assert set(data) == {
        "generated_at",
        "git",
        "open_sessions",
        "last_session",
        "in_progress",
        "review",
        "blocked",
        "decisions",
        "blockers",
        "next_steps",
        "next_tasks",
    }
    assert data["last_session"]["id"] == sid
    assert [t["id"] for t in data["next_tasks"]] == [ready]
    assert data["blocked"][0]["reason"] == "waiting for the security team"
    # An open session shows in the hand-off.
    deck("session", "start", "--agent", "codex", "--objective", "next round")
    assert json.loads(deck("handoff", "--json").out)["open_sessions"][0]["agent"] == "codex"


def test_notes_paths_follow_the_config(ws, deck) -> None:
    root = ws.root
    (root / "agentdeck.toml").write_text(
        '[notes]\nhistory = "notes/HISTORY.md"\ncurrent_work = "notes/NOW.md"\n'
        'sessions_dir = "notes/sessions"\ntask_index = "notes/INDEX.md"\n'
    )
    sid = ok_json(deck("session", "start", "--objective", "paths", "--json"))["id"]
    written = ok_json(deck("session", "end", "--json"))["written"]
    assert written == [
        f"notes/sessions/{sid}.md",
        "notes/HISTORY.md",
        "notes/NOW.md",
        "notes/INDEX.md",
    ]
    assert "(sessions/" in (root / "notes" / "HISTORY.md").read_text()
    assert all((root / p).exists() for p in written)


@pytest.mark.parametrize(
    "bad", ['[evidence.categories]\ntests = "spec"\n', "[sessions]\nreport_files = -1\n"]
)
def test_bad_session_config_is_one_line(ws, deck, bad) -> None:
    (ws.root / "agentdeck.toml").write_text(bad)
    result = deck("session", "status")
    assert result.code == 5 and result.err.count("\n") == 1 and "agentdeck.toml:" in result.err
