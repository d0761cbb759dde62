"""`session end --report FILE`: the agent's own report is checked and kept with the session."""

from __future__ import annotations

import json
from pathlib import Path

from agentdeck.errors import ExitCode
from workspace_helpers import git


def test_report_claims_are_checked_stored_and_rendered(ws, deck) -> None:  # type: ignore[no-untyped-def]
    root = Path(ws.root)
    assert deck("session", "start", "--agent", "bot", "--objective", "Add a tool").code == 0
    (root / "tools").mkdir()
    (root / "tools" / "one.py").write_text("a = 1\nb = 2\nc = 3\n")
    (root / "tools" / "two.py").write_text("x = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add two tools")
    report = root / "REPORT.md"
    report.write_text(
        "# Session report\n\n**Date:** 2026-11-21\n\n## Files Created\n\n"
        "- `tools/one.py` (3 lines)\n- `tools/two.py` (40 lines)\n- `tools/three.py` (12 lines)\n"
    )
    result = deck("session", "end", "--agent", "bot", "--report", str(report), "--json")
    assert result.code == ExitCode.PROBLEM, result.err
    verification = json.loads(result.out)["session"]["verification"]
    statuses = sorted(c["status"] for c in verification["claims"] if c["kind"] == "file")
    assert statuses == ["confirmed", "contradicted", "contradicted"], verification["claims"]
    assert verification["summary"]["contradicted"] == 2
    shown = json.loads(
        deck("session", "show", json.loads(result.out)["session"]["id"], "--json").out
    )
    assert shown["verification"]["summary"] == verification["summary"]
    note = next((root / "docs" / "sessions").glob("SESSION-*.md")).read_text()
    assert "## Verification" in note


def test_an_unreadable_report_changes_nothing(ws, deck) -> None:  # type: ignore[no-untyped-def]
    assert deck("session", "start", "--agent", "bot", "--objective", "x").code == 0
    result = deck("session", "end", "--agent", "bot", "--report", str(Path(ws.root) / "missing.md"))
    assert result.code == ExitCode.INVALID and result.err.count("\n") == 1
    status = json.loads(deck("session", "status", "--json").out)
    assert [s["agent"] for s in status] == ["bot"]
