"""Every documented exit code is reachable (the README's table is API)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from agentdeck.errors import ExitCode


def test_each_generic_exit_code_is_reachable(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    reached = {}
    reached[ExitCode.OK] = deck("task", "add", "x").code
    reached[ExitCode.INVALID] = deck("task", "add", "x", "-p", "nope").code
    reached[ExitCode.NOT_FOUND] = deck("task", "show", "TASK-20990101-001").code
    first = json.loads(deck("task", "list", "--json").out)[0]["id"]
    deck("task", "start", first, "--agent", "a")
    reached[ExitCode.CONFLICT] = deck("task", "start", first, "--agent", "b").code
    (ws.root / "agentdeck.toml").write_text("[nope]\n")
    reached[ExitCode.CONFIG] = deck("task", "list").code
    (ws.root / "agentdeck.toml").write_text("")
    monkeypatch.setenv("AGENTDECK_DATABASE_URL", "postgresql://127.0.0.1:1/x")
    reached[ExitCode.STORE] = deck("task", "list").code
    assert reached == {code: int(code) for code in reached}


def test_internal_error_is_one_line_with_code_70(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agentdeck.backlog import listing

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(listing, "list_tasks", broken)
    result = deck("task", "list")
    assert result.code == ExitCode.INTERNAL
    assert result.err.startswith(
        "agentdeck: internal error: RuntimeError: simulated bug (a bug; rerun with AGENTDECK_DEBUG=1"
    )
    assert result.err.count("\n") == 1


def test_interrupt_exits_130(ws) -> None:  # type: ignore[no-untyped-def]
    # A real SIGINT to a real process, not a simulated exception, sent once the
    # command is running (its "ready" comes from inside it). SIGINT is given its
    # default handler first: a suite started as a background job of a
    # non-interactive shell runs with SIGINT ignored, and children inherit that.
    code = (
        "import signal, time, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from agentdeck.cli._app import run; import agentdeck.backlog.listing as t\n"
        "def list_tasks(*a, **k):\n"
        "    print('ready', flush=True); time.sleep(30)\n"
        "t.list_tasks = list_tasks\n"
        "sys.exit(run(['task', 'list']))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ws.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    # click writes a newline first so the message does not follow the terminal's ^C.
    assert proc.returncode == ExitCode.INTERRUPTED and err.strip() == "agentdeck: interrupted"


def test_a_bad_pinned_clock_is_one_line_exit_2(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGENTDECK_NOW", "2026-13-40")
    result = deck("task", "add", "x")
    assert result.code == ExitCode.INVALID
    assert result.err == (
        "agentdeck: error: AGENTDECK_NOW='2026-13-40' is not a timestamp; "
        "use ISO 8601 such as 2026-11-21T09:30:00Z, or unset it\n"
    )
    monkeypatch.delenv("AGENTDECK_NOW")
    assert deck("task", "list", "--json").out.strip() == "[]"
