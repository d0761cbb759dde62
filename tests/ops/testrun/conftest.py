"""Fixtures for the test runner: a git repository holding a small pytest suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from trkit import FLAKY, SUITE, git


@pytest.fixture
def project(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A workspace (SQLite) in a repository with tests/test_suite.py and tests/test_flaky.py."""
    from agentdeck.workspace import init_workspace, open_workspace

    (repo / "tests").mkdir()
    (repo / "tests" / "test_suite.py").write_text(SUITE)
    (repo / "tests" / "test_flaky.py").write_text(FLAKY)
    (repo / ".gitignore").write_text("state/\n__pycache__/\n")
    monkeypatch.chdir(repo)
    init_workspace(repo)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "tests and agentdeck.toml")
    ws = open_workspace(repo)
    yield ws
    ws.close()
