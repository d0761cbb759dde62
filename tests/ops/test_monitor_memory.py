"""The monitor's Python heap does not grow with the rounds (tracemalloc, not a timing)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from health_helpers import LocalServer, readings, service

from agentdeck.ops.checks import Check
from agentdeck.ops.checks_host import disk_check, http_check, load_check, memory_check
from agentdeck.ops.monitor import Monitor, MonitorSettings
from agentdeck.workspace import Workspace, init_workspace, open_workspace


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer()
    yield s
    s.close()


@pytest.fixture
def sqlite_ws(repo: Path) -> Iterator[Workspace]:
    """The embedded store only: the monitor's own memory, not the driver's."""
    init_workspace(repo)
    ws = open_workspace(repo)
    yield ws
    ws.close()


@pytest.mark.slow
def test_heap_growth_per_round_is_small(sqlite_ws: Workspace, server: LocalServer) -> None:
    ws = sqlite_ws
    fixed = readings(load_per_core=2.0)  # a lasting WARNING keeps the alert state busy
    limits = ws.config.section("health")
    entry = service("web", url=server.url("/ok"))

    def checks() -> list[Check]:
        return [
            Check("disk", lambda: disk_check(fixed, ws.root, limits)),
            Check("memory", lambda: memory_check(fixed, limits)),
            Check("load", lambda: load_check(fixed, limits)),
            Check("service.web", lambda: http_check("service.web", entry)),
        ]

    lines: list[str] = []
    settings = MonitorSettings(interval=10, keep_rounds=100, reminder_minutes=0.001)
    monitor = Monitor(ws, settings, echo=lines.append, checks=checks)
    for _ in range(30):  # warm-up: imports, statement caches, the TLS context
        monitor.run_round()
    tracemalloc.start()
    try:
        lines.clear()
        monitor.run_round()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(500):
            monitor.run_round()
            lines.clear()
        end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    growth_per_round = (end - start) / 500
    assert growth_per_round < 15 * 1024, f"{growth_per_round / 1024:.1f} kB per round"
