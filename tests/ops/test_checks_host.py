"""Host checks through injected readings, and services against a real local server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from health_helpers import LocalServer, readings, readings_file, refused_port, service

from agentdeck.config import defaults
from agentdeck.ops.checks import Runner, Status
from agentdeck.ops.checks_host import (
    FixedReadings,
    disk_check,
    http_check,
    load_check,
    memory_check,
    readings_from_env,
    service_checks,
    tcp_check,
)
from agentdeck.ops.health import run_health

LIMITS = defaults().section("health")


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer()
    yield s
    s.close()


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (10, Status.OK),
        (79.9, Status.OK),
        (80, Status.WARNING),
        (90, Status.CRITICAL),
        (99, Status.CRITICAL),
    ],
)
def test_disk_thresholds(percent: float, expected: Status, tmp_path: Path) -> None:
    result = disk_check(readings(disk_percent=percent), tmp_path, LIMITS)
    assert result.status is expected
    assert result.value == pytest.approx(percent, abs=0.1)
    assert (result.fix is None) == (expected is Status.OK)
    if result.fix:
        assert result.fix.startswith("du -xh")


@pytest.mark.parametrize(
    ("percent", "expected"), [(50, Status.OK), (85, Status.WARNING), (96, Status.CRITICAL)]
)
def test_memory_thresholds(percent: float, expected: Status) -> None:
    result = memory_check(readings(memory_percent=percent), LIMITS)
    assert result.status is expected
    assert "available of 16.0 GiB" in result.message


@pytest.mark.parametrize(
    ("per_core", "expected"), [(0.2, Status.OK), (1.5, Status.WARNING), (3.5, Status.CRITICAL)]
)
def test_load_is_judged_per_core(per_core: float, expected: Status) -> None:
    result = load_check(readings(load_per_core=per_core, cpus=8), LIMITS)
    assert result.status is expected
    assert result.value == pytest.approx(per_core)
    assert result.details["cpus"] == 8


def test_load_window_is_configurable() -> None:
    fixed = FixedReadings(None, None, (8.0, 1.0, 1.0), 2)
    assert load_check(fixed, {**LIMITS, "load_average": "1m"}).status is Status.CRITICAL
    assert load_check(fixed, {**LIMITS, "load_average": "5m"}).status is Status.OK


def test_thresholds_come_from_the_config(
    ws, deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        (ws.root / "agentdeck.toml")
        .read_text()
        .replace("[health]\n", "[health]\ndisk_warning = 40.0\n")
    )
    (ws.root / "agentdeck.toml").write_text(text)
    monkeypatch.setenv(
        "AGENTDECK_READINGS", str(readings_file(tmp_path / "r.json", disk_percent=50))
    )
    result = deck("health", "--json")
    data = json.loads(result.out)
    disk = next(c for c in data["checks"] if c["name"] == "disk")
    assert disk["status"] == "WARNING"
    assert result.code == 1


def test_a_failing_reading_is_unknown(ws) -> None:
    report = run_health(ws, readings=FixedReadings(None, None, None, 1))
    by = {r.name: r for r in report.results}
    assert {by[n].status for n in ("disk", "memory", "load")} == {Status.UNKNOWN}
    assert "no disk reading" in by["disk"].message
    assert report.status is Status.UNKNOWN


def test_readings_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AGENTDECK_READINGS", str(readings_file(tmp_path / "r.json", disk_percent=91))
    )
    fixed = readings_from_env()
    assert disk_check(fixed, tmp_path, LIMITS).status is Status.CRITICAL
    (tmp_path / "bad.json").write_text("{not json")
    monkeypatch.setenv("AGENTDECK_READINGS", str(tmp_path / "bad.json"))
    from agentdeck.errors import InvalidInput

    with pytest.raises(InvalidInput, match="cannot read fixed readings"):
        readings_from_env()


# -- services --------------------------------------------------------------------


def test_http_200_is_ok(server: LocalServer) -> None:
    result = http_check("service.web", service("web", url=server.url("/ok")))
    assert result.status is Status.OK
    assert result.details["status_code"] == 200
    assert result.fix is None


def test_http_500_is_critical(server: LocalServer) -> None:
    result = http_check("service.web", service("web", url=server.url("/error")))
    assert result.status is Status.CRITICAL
    assert "answered 500, expected 200" in result.message
    assert result.fix and result.fix.startswith("curl ")


def test_http_expected_status_is_configurable(server: LocalServer) -> None:
    entry = service("web", url=server.url("/error"), expect_status=500)
    assert http_check("service.web", entry).status is Status.OK


def test_http_hang_is_critical_at_the_service_timeout(server: LocalServer) -> None:
    result = http_check("service.web", service("web", url=server.url("/hang"), timeout=0.3))
    assert result.status is Status.CRITICAL
    assert "no answer" in result.message and "within 0.3s" in result.message


def test_http_refused_is_critical() -> None:
    port = refused_port()
    result = http_check("service.web", service("web", url=f"http://127.0.0.1:{port}/"))
    assert result.status is Status.CRITICAL
    assert "unreachable" in result.message and "refused" in result.message.lower()


def test_http_slow_answer_warns(server: LocalServer) -> None:
    result = http_check("service.web", service("web", url=server.url("/slow"), warning_ms=50))
    assert result.status is Status.WARNING
    assert "slower than 50 ms" in result.message


def test_tcp_open_and_refused() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert (
            tcp_check("service.db", service("db", host="127.0.0.1", port=port)).status is Status.OK
        )
    closed = tcp_check("service.db", service("db", host="127.0.0.1", port=refused_port()))
    assert closed.status is Status.CRITICAL
    assert "unreachable" in closed.message
    assert closed.fix and closed.fix.startswith("nc -vz")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (service("a"), "give url (HTTP) or host and port (TCP)"),
        (service("b", url="http://x", host="h", port=1), "not both"),
        (service("c", url="ftp://x"), "must start with http://"),
        (service("d", port=80), "port given without host"),
        (service("e", host="localhost"), "without a port"),
        (service("", url="http://x"), "'name' is empty"),
    ],
)
def test_a_malformed_entry_is_unknown_and_the_rest_run(
    entry: dict, problem: str, server: LocalServer
) -> None:
    good = service("web", url=server.url("/ok"))
    results = Runner().run(service_checks([entry, good]))
    assert results[0].status is Status.UNKNOWN
    assert problem in results[0].message
    assert "[[services]] entry 1" in results[0].message
    assert results[1].status is Status.OK


def test_duplicate_service_names_are_reported(server: LocalServer) -> None:
    entries = [service("web", url=server.url("/ok")), service("web", url=server.url("/ok"))]
    results = Runner().run(service_checks(entries))
    assert results[0].status is Status.OK
    assert results[1].status is Status.UNKNOWN and "used by an earlier entry" in results[1].message
