"""Crash safety: ``session end`` killed at random moments never leaves a half-written note,
and running it again completes the session and its notes."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from session_helpers import commit, lines, write

pytestmark = pytest.mark.slow

KILLS = 20
END_MARK = "<!-- agentdeck:end -->\n"


def _end_command() -> list[str]:
    return [sys.executable, "-m", "agentdeck", "session", "end", "--no-usage"]


def check_notes_whole(root: Path) -> None:
    """Every note present is complete: reports end with their end mark, regions are closed."""
    for report in (root / "docs" / "sessions").glob("*.md"):
        text = report.read_text()
        assert text.startswith("<!-- Rendered by agentdeck"), report
        assert text.endswith(END_MARK), report
    for name, region in (("SESSION_HISTORY.md", "history"), ("CURRENT_WORK.md", "current-work")):
        path = root / name
        if path.exists():
            text = path.read_text()
            assert text.count(f"<!-- agentdeck:{region}:begin") == 1, name
            assert text.rstrip().endswith(f"<!-- agentdeck:{region}:end -->"), name
    index = root / "TASK_INDEX.md"
    if index.exists():
        text = index.read_text()
        assert text.startswith("<!-- Rendered by agentdeck") and text.endswith("\n")


def _state(root: Path, sid: str) -> tuple[str, str | None]:
    with sqlite3.connect(root / ".agentdeck" / "deck.db") as conn:
        row = conn.execute(
            "SELECT status, notes_rendered_at FROM sessions WHERE id = ?", (sid,)
        ).fetchone()
    return row[0], row[1]


def test_session_end_killed_twenty_times(repo: Path, deck, monkeypatch) -> None:
    from agentdeck.workspace import init_workspace

    root = repo
    monkeypatch.chdir(root)
    init_workspace(root)
    write(root, "HISTORY_INTRO.md", "kept\n")
    # Hand-written history text that must survive every crash.
    history_intro = "# Session history\n\nHand-written notes from before agentdeck.\n"
    write(root, "SESSION_HISTORY.md", history_intro)
    for i in range(60):
        write(root, f"src/module_{i:02d}.py", lines(30, f"m{i}"))
    commit(root, "base")
    env = {**os.environ, "AGENTDECK_WORKSPACE": str(root)}

    def timed_end() -> float:
        began = time.perf_counter()
        proc = subprocess.run(_end_command(), cwd=root, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return time.perf_counter() - began

    # Scale the kill moments to this machine: from interpreter start-up to the end of the work.
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import agentdeck.cli._app"], env=env, check=True)
    startup = time.perf_counter() - began
    runs = []
    for _ in range(2):
        assert deck("session", "start", "--objective", "calibrate").code == 0
        runs.append(timed_end())
    full = min(runs)

    rng = random.Random(20261121)
    outcomes = {"killed before commit": 0, "killed after commit": 0, "finished": 0}
    for round_ in range(KILLS):
        started = deck("session", "start", "--objective", f"round {round_}", "--json")
        assert started.code == 0, started.err
        sid = json.loads(started.out)["id"]
        deck("session", "log", "decision", f"decision of round {round_}")
        for i in range(round_ % 5, 60, 5):
            write(root, f"src/module_{i:02d}.py", lines(30 + round_, f"m{i}"))
        commit(root, f"round {round_}")
        write(root, f"untracked_{round_}.txt", "left behind\n")

        proc = subprocess.Popen(
            _end_command(), cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(rng.uniform(startup * 0.5, full))
        proc.kill()
        proc.wait()
        check_notes_whole(root)
        status, rendered = _state(root, sid)
        if status == "open":
            outcomes["killed before commit"] += 1
        elif rendered is None:
            outcomes["killed after commit"] += 1
        else:
            outcomes["finished"] += 1

        again = deck("session", "end")
        if status == "ended" and rendered is not None:
            assert again.code == 3  # nothing left to do
        else:
            assert again.code == 0, again.err
        assert _state(root, sid)[0] == "ended" and _state(root, sid)[1] is not None
        check_notes_whole(root)
        report = (root / "docs" / "sessions" / f"{sid}.md").read_text()
        assert f"# {sid}: round {round_}" in report and f"decision of round {round_}" in report
        history = (root / "SESSION_HISTORY.md").read_text()
        assert history.startswith(history_intro)
        assert f"## {sid} " in history
        with sqlite3.connect(root / ".agentdeck" / "deck.db") as conn:
            commits = conn.execute(
                "SELECT count(*) FROM session_commits WHERE session_id = ?", (sid,)
            ).fetchone()[0]
        assert commits == 1

    print(outcomes)
    assert sum(outcomes.values()) == KILLS
    # The kills landed in more than one phase (not a timed assertion: a count of outcomes).
    assert outcomes["killed before commit"] > 0, outcomes
