"""Fixtures for the log analyzer: a workspace folder with log files, pinned time zone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Naive log times are local time: pin local time to UTC, and the clock (syslog's year)."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("AGENTDECK_NOW", "2026-11-21T12:00:00Z")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def logws(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A workspace (no database needed) in an empty folder; returns it."""
    from agentdeck import config
    from agentdeck.workspace import Workspace

    root = tmp_path / "proj"
    root.mkdir()
    (root / "agentdeck.toml").write_text("")
    return Workspace(root, config.defaults())
