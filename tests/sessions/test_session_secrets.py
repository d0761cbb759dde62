"""Secrets logged into a session or found in a transcript never reach a file or an output."""

from __future__ import annotations

import os
from pathlib import Path

from session_helpers import commit, ok_json, write
from test_session_usage import install

AWS = "AKIAQWERTYUIOPASDFGH"
GITHUB = "ghp_" + "Zx9" * 12
PASSWORD = "Tr0ub4dor-and-3"
PLANTED = (AWS, GITHUB, PASSWORD)
# The transcript fixtures carry their own secrets in message text.
IN_TRANSCRIPTS = (
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "hunter2-in-transcript",
)


def _leaks(text: str) -> list[str]:
    return [s for s in (*PLANTED, *IN_TRANSCRIPTS) if s in text]


def test_no_file_and_no_json_holds_a_planted_secret(ws, deck, monkeypatch) -> None:
    root = ws.root
    install(Path(os.environ["HOME"]), root)
    commit(root, "base")
    outputs = []

    def run(*args: str) -> str:
        result = deck(*args)
        assert result.code == 0, result.err
        outputs.append(result.out)
        return result.out

    monkeypatch.setenv("AGENTDECK_NOW", "2026-02-04T10:00:00Z")
    run("session", "start", "--agent", "claude", "--objective", f"rotate {AWS} today", "--json")
    run("session", "log", "decision", f"use the deploy key {AWS} for now", "--agent", "claude")
    run("session", "log", "challenge", f"login failed with password={PASSWORD}", "--json")
    run("session", "log", "solution", f"export GITHUB_TOKEN={GITHUB} fixed it", "--json")
    run(
        "session",
        "log",
        "note",
        f"token {GITHUB} and db postgresql://app:{PASSWORD}@db/x",
        "--json",
    )
    run("session", "log", "next", f'config: {{"password": "{PASSWORD}"}}', "--json")
    run("session", "log", "task", f"Revoke {GITHUB}", "--description", f"key {AWS}", "--json")
    write(root, "src/app.py", "print('hi')\n")
    commit(root, f"Use token {GITHUB}")  # a commit subject with a token in it
    run("session", "status", "--json")
    run("session", "status")
    monkeypatch.setenv("AGENTDECK_NOW", "2026-02-04T12:00:00Z")
    end = ok_json(deck("session", "end", "--agent", "claude", "--json"))
    outputs.append(str(end))
    sid = end["session"]["id"]
    assert end["session"]["usage"]["found"] is True  # the transcripts were read
    run("session", "show", sid, "--json")
    run("session", "show", sid)
    run("session", "list", "--json")
    run("session", "list")
    run("handoff", "--json")
    run("handoff", "--write")
    run("task", "list", "--json")
    for output in outputs:
        assert _leaks(output) == [], output
    assert "[REDACTED:aws-access-key]" in (root / "docs" / "sessions" / f"{sid}.md").read_text()

    # No file in the workspace holds one: notes, database, WAL, everything but git's objects.
    checked = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            data = (Path(folder) / name).read_bytes()
            checked += 1
            for secret in (*PLANTED, *IN_TRANSCRIPTS):
                assert secret.encode() not in data, (name, secret)
    assert checked >= 5
    # Nor any stored text (PostgreSQL keeps no file here).
    store = ws.store
    for table in (
        "sessions",
        "session_entries",
        "session_tasks",
        "session_commits",
        "tasks",
        "task_events",
    ):
        for row in store.query(f"SELECT * FROM {table}"):
            assert _leaks(" ".join(str(v) for v in dict(row).values())) == [], table
