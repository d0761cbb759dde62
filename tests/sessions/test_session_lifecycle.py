"""Session lifecycle through the CLI: start, log, status, end, show, list; and the bad inputs."""

from __future__ import annotations

import json
import subprocess

from session_helpers import add_task, commit, git, ok_json, write


def _one_line_error(result, code: int) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert result.err.startswith("agentdeck: error: ")
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.err


def _snapshot(ws) -> list:
    """Everything stored about sessions and tasks (to prove bad input changes nothing)."""
    store = ws.store
    return [
        [tuple(dict(r).values()) for r in store.query(f"SELECT * FROM {table} ORDER BY 1, 2")]
        for table in ("sessions", "session_entries", "session_tasks", "tasks", "task_events")
    ]


def test_one_open_session_per_agent(ws, deck) -> None:
    assert deck("session", "start", "--agent", "a", "--objective", "one").code == 0
    err = _one_line_error(deck("session", "start", "--agent", "a", "--objective", "two"), 4)
    assert "a already has an open session SESSION-" in err
    assert deck("session", "start", "--agent", "b", "--objective", "three").code == 0
    status = ok_json(deck("session", "status", "--json"))
    assert [(s["agent"], s["objective"]) for s in status] == [("a", "one"), ("b", "three")]
    # Two sessions open and no agent named: the command says which to pick.
    err = _one_line_error(deck("session", "log", "note", "hello"), 2)
    assert "2 sessions are open" in err and "--session ID or --agent NAME" in err
    assert deck("session", "log", "note", "hello", "--agent", "b").code == 0
    assert deck("session", "end", "--agent", "a", "--abandon").code == 0
    listed = ok_json(deck("session", "list", "--json"))
    assert {s["agent"]: s["status"] for s in listed} == {"a": "abandoned", "b": "open"}
    # The agent may start again once its session is closed.
    assert deck("session", "start", "--agent", "a", "--objective", "again").code == 0


def test_status_changes_and_found_tasks_belong_to_the_session(ws, deck) -> None:
    planned = add_task(deck, "Planned work")
    other = add_task(deck, "Unplanned but done")
    sid = ok_json(
        deck(
            "session", "start", "--agent", "codex", "--objective", "o", "--plan", planned, "--json"
        )
    )["id"]
    assert deck("task", "start", other, "--agent", "codex").code == 0
    assert deck("task", "done", other, "--agent", "codex").code == 0
    found = ok_json(deck("session", "log", "task", "Spotted bug", "--agent", "codex", "--json"))
    assert found["session"] == sid and found["task"]["found_in_session"] == sid
    shown = ok_json(deck("task", "show", other, "--json"))
    assert shown["completed_in_session"] == sid
    assert {e["session"] for e in shown["events"] if e["kind"] == "status"} == {sid}
    session = ok_json(deck("session", "end", "--agent", "codex", "--json"))["session"]
    tasks = session["tasks"]
    assert tasks["planned"] == [planned]
    assert tasks["planned_completed"] == [] and tasks["completion_rate"] == 0.0
    assert tasks["unplanned_completed"] == [other]
    assert tasks["worked"] == [other]
    assert tasks["found"] == [found["task"]["id"]]


def test_solution_answers_the_latest_open_challenge_or_a_named_one(ws, deck) -> None:
    assert deck("session", "start", "--objective", "o").code == 0
    first = ok_json(deck("session", "log", "challenge", "first problem", "--json"))["number"]
    second = ok_json(deck("session", "log", "challenge", "second problem", "--json"))["number"]
    answer = ok_json(deck("session", "log", "solution", "fixed second", "--json"))
    assert answer["parent"] == second
    answer = ok_json(deck("session", "log", "solution", "fixed first", "--json"))
    assert answer["parent"] == first
    named = ok_json(
        deck("session", "log", "solution", "another fix", "--challenge", str(second), "--json")
    )
    assert named["parent"] == second
    _one_line_error(deck("session", "log", "solution", "x", "--challenge", "9999"), 3)
    _one_line_error(deck("session", "log", "note", "x", "--challenge", str(first)), 2)
    # Plural kinds are accepted: agents write "decisions" as often as "decision".
    assert ok_json(deck("session", "log", "decisions", "plural ok", "--json"))["kind"] == "decision"
    session = ok_json(deck("session", "end", "--json"))["session"]
    report = deck("session", "show", session["id"], "--format", "md").out
    assert "1. **Challenge:** first problem\n   - **Solution:** fixed first" in report
    assert "**Solution:** fixed second\n   - **Solution:** another fix" in report


def test_show_list_and_json_shapes(ws, deck) -> None:
    sid = ok_json(deck("session", "start", "--agent", "x", "--objective", "shape", "--json"))["id"]
    shown = ok_json(deck("session", "show", sid, "--json"))
    assert set(shown) >= {
        "id",
        "agent",
        "objective",
        "status",
        "branch",
        "started_at",
        "ended_at",
        "duration_minutes",
        "baseline",
        "evidence",
        "tasks",
        "entries",
        "commits",
        "files",
        "usage",
        "tests",
        "verification",
    }
    assert ok_json(deck("session", "show", sid.lower(), "--format", "json"))["id"] == sid
    assert "still open" in deck("session", "show", sid).out
    ok_json(deck("session", "end", "--agent", "x", "--json"))
    table = deck("session", "list")
    assert table.code == 0 and sid in table.out and "ended" in table.out
    assert ok_json(deck("session", "list", "--status", "open", "--json")) == []
    _one_line_error(deck("session", "list", "--status", "nope"), 2)
    _one_line_error(deck("session", "show", "SESSION-20990101-001"), 3)
    _one_line_error(deck("session", "show", "not-an-id"), 2)
    assert "No open session" in deck("session", "status").out


def test_bad_input_is_one_line_and_changes_nothing(ws, deck) -> None:
    task = add_task(deck, "t")
    # session end with no open session: not found, exit 3.
    err = _one_line_error(deck("session", "end"), 3)
    assert "no open session" in err
    assert deck("session", "start", "--agent", "me", "--objective", "o").code == 0
    before = _snapshot(ws)
    err = _one_line_error(deck("session", "log", "idea", "text", "--agent", "me"), 2)
    assert "unknown kind 'idea'" in err and "decision, challenge, solution" in err
    _one_line_error(deck("session", "log", "note", "   ", "--agent", "me"), 2)
    _one_line_error(deck("session", "log", "note", "x", "--agent", "nobody"), 3)
    _one_line_error(deck("session", "log", "note", "x", "--priority", "high", "--agent", "me"), 2)
    _one_line_error(deck("session", "log", "task", "x", "--priority", "urgent", "--agent", "me"), 2)
    _one_line_error(
        deck(
            "session", "start", "--agent", "me2", "--objective", "o", "--plan", "TASK-20990101-001"
        ),
        3,
    )
    _one_line_error(
        deck("session", "start", "--agent", "me2", "--objective", "o", "--plan", "bogus"), 2
    )
    _one_line_error(deck("session", "start", "--agent", "me2", "--objective", " "), 2)
    _one_line_error(deck("session", "end", "--session", "SESSION-20990101-001"), 3)
    assert _snapshot(ws) == before
    assert task


def test_end_twice_and_end_of_a_closed_session(ws, deck) -> None:
    sid = ok_json(deck("session", "start", "--objective", "o", "--json"))["id"]
    assert deck("session", "end").code == 0
    err = _one_line_error(deck("session", "end"), 3)
    assert "no open session" in err
    err = _one_line_error(deck("session", "end", "--session", sid), 4)
    assert f"{sid} is ended, not open" in err


def test_baseline_commit_that_no_longer_exists_gives_a_partial_report(ws, deck) -> None:
    root = ws.root
    write(root, "a.py", "x = 1\n")
    commit(root, "base")
    sid = ok_json(deck("session", "start", "--objective", "o", "--json"))["id"]
    write(root, "b.py", "y = 2\n")
    commit(root, "work in the session")
    # History rewritten: the session's commit and the baseline are squashed away and pruned.
    baseline = ok_json(deck("session", "show", sid, "--json"))["baseline"]
    git(root, "update-ref", "-d", f"refs/agentdeck/sessions/{sid}")
    git(root, "reset", "-q", "--soft", "HEAD~2")
    git(root, "commit", "-q", "-m", "everything, rewritten")
    git(root, "reflog", "expire", "--expire=now", "--all")
    git(root, "gc", "-q", "--prune=now")
    for gone in (baseline["head"], baseline["commit"]):
        missing = subprocess.run(["git", "cat-file", "-e", gone], cwd=root, capture_output=True)
        assert missing.returncode != 0
    session_end = deck("session", "end", "--json")
    session = ok_json(session_end)["session"]
    evidence = session["evidence"]
    assert evidence["git"] is True and evidence["partial"] is True
    assert evidence["method"] == "time-window"
    assert "no longer exists" in evidence["reason"]
    report = (root / "docs" / "sessions" / f"{sid}.md").read_text()
    assert "> **Partial evidence:** the baseline commit" in report
    text = deck("session", "show", sid)
    assert text.code == 0 and "Partial evidence" in text.out


def test_outside_git_sessions_still_work(tmp_path, deck, monkeypatch) -> None:
    from agentdeck.workspace import init_workspace

    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.chdir(folder)
    init_workspace(folder)
    started = ok_json(deck("session", "start", "--objective", "no git here", "--json"))
    assert started["baseline"]["git"] is False
    assert "not a git repository" in started["baseline"]["reason"]
    assert deck("session", "log", "decision", "keep going").code == 0
    result = ok_json(deck("session", "end", "--json"))
    evidence = result["session"]["evidence"]
    assert evidence["git"] is False and evidence["partial"] is True
    assert "not a git repository" in evidence["reason"]
    report = (folder / "docs" / "sessions" / f"{started['id']}.md").read_text()
    assert "> **Git unavailable:** the workspace is not a git repository" in report
    handoff = deck("handoff")
    assert handoff.code == 0 and "Git: unavailable" in handoff.out
    assert json.loads(deck("handoff", "--json").out)["git"]["available"] is False


def test_a_repository_without_commits_is_said_so(tmp_path, deck, monkeypatch) -> None:
    from agentdeck.workspace import init_workspace

    folder = tmp_path / "fresh"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "trunk")
    monkeypatch.chdir(folder)
    init_workspace(folder)
    started = deck("session", "start", "--agent", "a", "--objective", "first steps")
    assert started.code == 0, started.err
    assert "  baseline: trunk at no commit yet, work tree with uncommitted changes" in started.out
    assert deck("session", "end", "--agent", "a").code == 0
