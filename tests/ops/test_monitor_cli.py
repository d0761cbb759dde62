"""``agentdeck monitor`` through the real entry point: signals, the one-monitor lock, status, report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from health_helpers import append_config, make_healthy, readings_file

ENTRY = Path(sys.executable).with_name("agentdeck")


def start_monitor(root: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(ENTRY), "monitor", "start", *args],
        cwd=root,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(proc: subprocess.Popen[str], prefix: str, limit: float = 60) -> str:
    """Read the monitor's output until a line starts with ``prefix`` (bounded, not timed)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no line starting with {prefix!r}; exit {proc.poll()}")


@pytest.fixture
def pinned(ws, tmp_path: Path) -> dict[str, str]:
    env = {"AGENTDECK_READINGS": str(readings_file(tmp_path / "r.json"))}
    if os.environ.get("AGENTDECK_DATABASE_URL"):
        env["AGENTDECK_DATABASE_URL"] = os.environ["AGENTDECK_DATABASE_URL"]
    return env


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_monitor_after_the_current_round(ws, pinned, deck_proc, sig) -> None:
    proc = start_monitor(ws.root, "0.2", env=pinned)
    try:
        wait_for_line(proc, "round 2 ")
        running = deck_proc("monitor", "status", "--json", cwd=ws.root, env=pinned)
        data = json.loads(running.out)
        assert data["monitor"]["running"] is True
        assert data["monitor"]["pid"] == proc.pid
        assert data["latest_round"]["round"] >= 2
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert f"{sig.name}: stopping after this round" in err
    assert "Traceback" not in err
    last = out.strip().splitlines()[-1]
    assert last.startswith("monitor: stopped after ")
    rounds = int(last.split()[3])
    stored = deck_proc("monitor", "report", "--json", cwd=ws.root, env=pinned)
    assert json.loads(stored.out)["rounds"] == rounds  # every started round was completed and kept
    after = json.loads(deck_proc("monitor", "status", "--json", cwd=ws.root, env=pinned).out)
    assert after["monitor"]["running"] is False
    assert not (ws.state_dir / "monitor.json").exists()


def test_a_second_monitor_in_the_same_workspace_refuses(ws, pinned, deck_proc) -> None:
    proc = start_monitor(ws.root, "0.2", env=pinned)
    try:
        wait_for_line(proc, "round 1 ")
        second = deck_proc("monitor", "start", "0.2", "--rounds", "1", cwd=ws.root, env=pinned)
        assert second.code == 4
        assert second.err == (
            f"agentdeck: error: a monitor already runs in this workspace (pid {proc.pid}, since "
            + json.loads((ws.state_dir / "monitor.json").read_text())["started_at"]
            + "); see `agentdeck monitor status`; stop it with Ctrl-C or kill -TERM PID\n"
        )
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    assert proc.returncode == 0
    # Once it stopped, a new one may start.
    again = deck_proc("monitor", "start", "0.1", "--rounds", "1", cwd=ws.root, env=pinned)
    assert again.code == 0, again.err


def test_a_killed_monitor_leaves_no_lock_behind(ws, pinned, deck_proc) -> None:
    proc = start_monitor(ws.root, "0.2", env=pinned)
    wait_for_line(proc, "round 1 ")
    proc.kill()
    proc.communicate(timeout=60)
    status = json.loads(deck_proc("monitor", "status", "--json", cwd=ws.root, env=pinned).out)
    assert status["monitor"]["running"] is False  # the stale pid file does not fool it
    again = deck_proc("monitor", "start", "0.1", "--rounds", "1", cwd=ws.root, env=pinned)
    assert again.code == 0, again.err


@pytest.mark.parametrize("interval", ["-5", "0", "nan"])
def test_a_bad_interval_is_refused(ws, deck, interval: str) -> None:
    result = deck("monitor", "start", interval, "--rounds", "1")
    assert result.code == 2
    assert result.err.startswith("agentdeck: error: INTERVAL must be a positive number of seconds")


def test_a_negative_interval_in_the_config_names_file_and_line(ws, deck) -> None:
    text = (
        (ws.root / "agentdeck.toml")
        .read_text()
        .replace("[monitor]\n", "[monitor]\ninterval = -10\n")
    )
    (ws.root / "agentdeck.toml").write_text(text)
    result = deck("monitor", "start", "--rounds", "1")
    assert result.code == 5
    line = text.splitlines().index("interval = -10") + 1
    assert f"agentdeck.toml:{line}: [monitor] interval must be at least 0.1, not -10" in result.err


def test_an_unknown_scope_is_refused(ws, deck) -> None:
    text = (
        (ws.root / "agentdeck.toml")
        .read_text()
        .replace("[monitor]\n", '[monitor]\nscopes = ["helth"]\n')
    )
    (ws.root / "agentdeck.toml").write_text(text)
    result = deck("monitor", "start", "--rounds", "1")
    assert result.code == 2 and "scopes must name health and/or diagnose" in result.err


def test_an_unset_webhook_variable_is_refused(ws, deck) -> None:
    append_config(ws.root, '[notify.webhook]\nurl_env = "DECK_HOOK"\n')
    text = (ws.root / "agentdeck.toml").read_text()
    assert text.count("[notify.webhook]") == 2  # the commented default and ours: a TOML error
    (ws.root / "agentdeck.toml").write_text(
        text.replace("[notify.webhook]\n# url = ", "# url = ", 1)
    )
    result = deck("monitor", "start", "--rounds", "1")
    assert result.code == 2
    assert "url_env names DECK_HOOK, which is not set" in result.err


def test_rounds_status_and_report(
    ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_healthy(deck, ws.root, monkeypatch)
    monkeypatch.setenv(
        "AGENTDECK_READINGS", str(readings_file(tmp_path / "r.json", disk_percent=95))
    )
    empty = deck("monitor", "report")
    assert empty.code == 0 and "no rounds recorded" in empty.out
    assert "no rounds recorded yet" in deck("monitor", "status").out
    result = deck("monitor", "start", "0.05", "--rounds", "3")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "monitor: every 0.05s, scopes health, debounce 2 rounds, alerts to console"
    )
    assert lines[1].startswith("round 1 ") and lines[1].endswith("CRITICAL (4 ok, 1 critical)")
    assert lines[3].startswith("  ALERT CRITICAL disk: 95% used")
    assert lines[-1] == "monitor: stopped after 3 rounds"
    status = deck("monitor", "status")
    assert "monitor: not running" in status.out
    assert "latest round 3 at" in status.out
    assert "open incident: disk CRITICAL since" in status.out
    report = deck("monitor", "report", "--since", "1h")
    assert "3 rounds from" in report.out
    row = next(line for line in report.out.splitlines() if line.startswith("disk "))
    assert row.split() == ["disk", "0.0%", "3", "CRITICAL", "95", "/", "95", "/", "95", "steady"]
    assert "ongoing" in report.out
    data = json.loads(deck("monitor", "report", "--json").out)
    assert data["rounds"] == 3
    disk = next(c for c in data["checks"] if c["check"] == "disk")
    assert disk["ok_share"] == 0.0 and disk["trend"] == "steady"
    assert data["incidents"][0]["ongoing"] is True
    bad = deck("monitor", "report", "--since", "yesterday-ish")
    assert bad.code == 2 and "cannot read 'yesterday-ish' as a time" in bad.err


def test_quiet_prints_only_alerts(
    ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AGENTDECK_READINGS", str(readings_file(tmp_path / "r.json", memory_percent=90))
    )
    result = deck("monitor", "start", "0.05", "--rounds", "2", "--quiet")
    assert [line for line in result.out.splitlines() if line.startswith("round")] == []
    assert "  ALERT WARNING memory: 90% used" in result.out
