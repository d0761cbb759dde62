"""``agentdeck test …`` through the CLI: streaming, --json shapes, exit codes."""

from __future__ import annotations

import json
import sys

from trkit import git, pytest_command


def _configure(project, command: list[str], timeout: float | None = None) -> None:
    text = f"[tests]\ncommand = {json.dumps(command)}\n"
    if timeout is not None:
        text += f"timeout = {timeout}\n"
    (project.root / "agentdeck.toml").write_text(text)
    git(project.root, "commit", "-q", "-am", "configure tests")


def test_run_history_show_flaky(project, deck) -> None:
    _configure(project, pytest_command("tests/test_flaky.py"))
    first = deck("test", "run")
    assert first.code == 1
    assert "1 failed, 1 passed" in first.out  # pytest's own output, streamed
    assert first.out.splitlines()[-1].startswith(
        "Recorded test run #1: failed (1 passed, 1 failed) in "
    )
    second = deck("test", "run", "--json")
    assert second.code == 0
    data = json.loads(second.out)
    assert {
        "id",
        "started_at",
        "finished_at",
        "duration_s",
        "command",
        "cwd",
        "runner",
        "commit",
        "tree",
        "dirty",
        "exit_code",
        "status",
        "passed",
        "failed",
        "skipped",
        "errors",
        "xfailed",
        "xpassed",
        "total",
        "summary",
        "message",
        "session_id",
        "results",
    } == set(data)
    assert (data["id"], data["status"], data["passed"], data["runner"]) == (
        2,
        "passed",
        2,
        "pytest",
    )
    history = deck("test", "history")
    assert history.out.splitlines()[0].split() == [
        "RUN",
        "STARTED",
        "TOOK",
        "STATUS",
        "PASSED",
        "FAILED",
        "ERRORS",
        "SKIPPED",
        "COMMIT",
        "SESSION",
    ]
    assert [line.split()[0] for line in history.out.splitlines()[1:]] == ["#2", "#1"]
    assert [r["id"] for r in json.loads(deck("test", "history", "--json").out)] == [2, 1]
    flaky = json.loads(deck("test", "flaky", "--json").out)
    assert [f["test"] for f in flaky] == ["tests.test_flaky::test_sometimes"]
    assert "tests.test_flaky::test_sometimes" in deck("test", "flaky").out
    shown = deck("test", "show", "1")
    assert "failed   tests.test_flaky::test_sometimes  assert (0 % 2) == 1" in shown.out
    assert json.loads(deck("test", "show", "--json").out)["id"] == 2


def test_extra_args_after_double_dash(project, deck) -> None:
    _configure(project, pytest_command("tests/test_flaky.py"))
    out = deck("test", "run", "-q", "--json", "--", "-k", "stable")
    data = json.loads(out.out)
    assert (out.code, data["passed"], data["command"][-2:]) == (0, 1, ["-k", "stable"])


def test_exit_codes(project, deck) -> None:
    _configure(project, ["agentdeck-missing-command-xyz"])
    missing = deck("test", "run")
    assert missing.code == 3
    assert missing.err == (
        "agentdeck: error: command not found: agentdeck-missing-command-xyz; set [tests] command\n"
    )
    assert json.loads(deck("test", "run", "--json").out)["status"] == "not_found"
    _configure(project, [sys.executable, "-c", "import time; time.sleep(30)"], timeout=1)
    hung = deck("test", "run", "--quiet")
    assert hung.code == 1
    assert "timeout" in hung.out
    assert deck("test", "show", "99").code == 3
    assert deck("test", "run", "--timeout", "0").code == 2


def test_nothing_recorded_yet(project, deck) -> None:
    assert deck("test", "history").out == "No test run recorded yet. Run `agentdeck test run`.\n"
    assert deck("test", "flaky").out.startswith("No flaky test")
    empty = deck("test", "show")
    assert (empty.code, empty.err) == (
        3,
        "agentdeck: error: no test run recorded yet; run `agentdeck test run`\n",
    )
