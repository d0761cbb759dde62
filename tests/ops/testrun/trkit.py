"""Shared pieces of the test-runner tests: a pytest suite with every outcome, a flaky one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SUITE = """
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")


def test_pass_1():
    assert True


def test_pass_2():
    assert 1 + 1 == 2


@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n):
    assert n != 3


def test_fail():
    assert "a" == "b"


def test_error(broken):
    pass


@pytest.mark.skip(reason="not today")
def test_skip():
    pass


def test_skip_inside():
    pytest.skip("no network")


@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert False


@pytest.mark.xfail(reason="fixed already?")
def test_xpass():
    assert True
"""

#: What pytest itself reports for SUITE: "2 failed, 4 passed, 2 skipped, 1 xfailed, 1 xpassed, 1 error".
SUITE_COUNTS = {"passed": 4, "failed": 2, "skipped": 2, "errors": 1, "xfailed": 1, "xpassed": 1}

FLAKY = """
from pathlib import Path


def test_stable():
    assert True


def test_sometimes():
    # Fails on the first run, passes after: state kept in an ignored folder.
    state = Path(__file__).parent.parent / "state" / "runs"
    state.parent.mkdir(exist_ok=True)
    runs = int(state.read_text()) if state.exists() else 0
    state.write_text(str(runs + 1))
    assert runs % 2 == 1
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def pytest_command(*paths: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths]
