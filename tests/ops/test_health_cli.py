"""``agentdeck health`` and ``diagnose`` through the CLI: output, JSON shape, every exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from health_helpers import LocalServer, append_config, make_healthy, readings_file, refused_port


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer()
    yield s
    s.close()


def pin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **kwargs: float | None) -> None:
    """Pin the host readings (the backup checks also run in health: see make_healthy)."""
    monkeypatch.setenv(
        "AGENTDECK_READINGS", str(readings_file(tmp_path / "readings.json", **kwargs))
    )


@pytest.mark.parametrize(
    ("kwargs", "code", "status"),
    [
        ({}, 0, "OK"),
        ({"memory_percent": 88}, 1, "WARNING"),
        ({"disk_percent": 95, "memory_percent": 88}, 2, "CRITICAL"),
        ({"load_per_core": None}, 3, "UNKNOWN"),
        ({"load_per_core": None, "disk_percent": 95}, 2, "CRITICAL"),
    ],
)
def test_health_exit_code_is_the_worst_status(
    ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict, code: int, status: str
) -> None:
    make_healthy(deck, ws.root, monkeypatch)
    pin(monkeypatch, tmp_path, **kwargs)
    result = deck("health")
    assert result.code == code, result.err
    assert f"health: {status}" in result.out
    as_json = deck("health", "--json")
    assert as_json.code == code
    data = json.loads(as_json.out)
    assert data["status"] == status and data["exit_code"] == code


def test_health_json_shape(ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_healthy(deck, ws.root, monkeypatch)
    pin(monkeypatch, tmp_path)
    data = json.loads(deck("health", "--json").out)
    assert set(data) == {
        "scope",
        "status",
        "exit_code",
        "checked_at",
        "elapsed_ms",
        "counts",
        "checks",
    }
    # disk, memory and load, and the backup provider's age and verify checks.
    assert data["counts"] == {"OK": 5, "WARNING": 0, "CRITICAL": 0, "UNKNOWN": 0}
    disk = next(c for c in data["checks"] if c["name"] == "disk")
    assert set(disk) == {"name", "status", "value", "message", "fix", "details", "elapsed_ms"}
    assert disk["name"] == "disk" and disk["status"] == "OK" and disk["value"] == 50.0


def test_health_checks_services(
    ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: LocalServer
) -> None:
    make_healthy(deck, ws.root, monkeypatch)
    pin(monkeypatch, tmp_path)
    append_config(
        ws.root,
        f"""
[[services]]
name = "web"
url = "{server.url("/ok")}"

[[services]]
name = "broken"
url = "{server.url("/error")}"

[[services]]
name = "hanging"
url = "{server.url("/hang")}"
timeout = 0.3

[[services]]
name = "gone"
host = "127.0.0.1"
port = {refused_port()}
""",
    )
    result = deck("health", "--json")
    assert result.code == 2
    statuses = {c["name"]: c["status"] for c in json.loads(result.out)["checks"]}
    assert statuses == {
        "backup.age": "OK",
        "backup.verify": "OK",
        "disk": "OK",
        "memory": "OK",
        "load": "OK",
        "service.web": "OK",
        "service.broken": "CRITICAL",
        "service.hanging": "CRITICAL",
        "service.gone": "CRITICAL",
    }


def test_a_malformed_service_entry_is_reported_and_the_rest_run(
    ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: LocalServer
) -> None:
    pin(monkeypatch, tmp_path)
    append_config(
        ws.root,
        f"""
[[services]]
name = "half"
host = "db.internal"

[[services]]
name = "web"
url = "{server.url("/ok")}"
""",
    )
    result = deck("health")
    assert result.code == 3
    assert "[[services]] entry 1 (half): host given without a port" in result.out
    assert "service.web" in result.out and "answered 200" in result.out


def test_a_service_entry_of_the_wrong_type_is_a_config_error(ws, deck) -> None:
    append_config(ws.root, '[[services]]\nname = "db"\nhost = "localhost"\nport = "5432"\n')
    result = deck("health")
    assert result.code == 5
    assert result.out == ""
    assert result.err.startswith("agentdeck: error: ")
    assert "agentdeck.toml:" in result.err and "port must be an integer" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_service_entry_without_a_name_is_a_config_error(ws, deck) -> None:
    append_config(ws.root, '[[services]]\nurl = "http://localhost/"\n')
    result = deck("health")
    assert result.code == 5
    assert "[[services]] entry 1 lacks required key 'name'" in result.err


def test_health_outside_a_workspace(tmp_path: Path, deck, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = deck("health")
    assert result.code == 3
    assert "no agentdeck workspace" in result.err


def test_health_through_the_entry_point(ws, deck_proc, tmp_path: Path) -> None:
    env = {"AGENTDECK_READINGS": str(readings_file(tmp_path / "r.json", disk_percent=85))}
    result = deck_proc("health", cwd=ws.root, env=env)
    assert result.code == 1
    assert "WARN    disk" in result.out
