"""The test runner against real pytest subprocesses: counts, per-test outcomes, history, flaky."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from trkit import SUITE_COUNTS, git, pytest_command

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.ops.testrun import (
    flaky_tests,
    get_run,
    history,
    last_run,
    run_tests,
)
from agentdeck.ops.testrun.detect import detect_command
from agentdeck.ops.testrun.parse import SummaryReader, counts_of


def test_counts_equal_pytests_own_and_each_test_is_recorded(project) -> None:
    out = io.StringIO()
    run = run_tests(project, command=pytest_command("tests/test_suite.py"), stream=out)
    assert run.status == "failed"
    assert run.exit_code == 1
    counts = {k: getattr(run, k) for k in SUITE_COUNTS}
    assert counts == SUITE_COUNTS
    assert (
        run.summary
        == "2 failed, 4 passed, 2 skipped, 1 xfailed, 1 xpassed, 1 error in "
        + (run.summary or "").rsplit(" in ", 1)[1]
    )
    # The output was streamed as it came.
    assert "2 failed, 4 passed" in out.getvalue()
    # Per-test outcomes from JUnit XML: a second channel that agrees with the summary
    # (JUnit cannot tell an xpass from a pass, so those two are counted together).
    outcomes = {r.test: r.outcome for r in run.results}
    assert outcomes == {
        "tests.test_suite::test_pass_1": "passed",
        "tests.test_suite::test_pass_2": "passed",
        "tests.test_suite::test_param[1]": "passed",
        "tests.test_suite::test_param[2]": "passed",
        "tests.test_suite::test_param[3]": "failed",
        "tests.test_suite::test_fail": "failed",
        "tests.test_suite::test_error": "error",
        "tests.test_suite::test_skip": "skipped",
        "tests.test_suite::test_skip_inside": "skipped",
        "tests.test_suite::test_xfail": "xfailed",
        "tests.test_suite::test_xpass": "passed",
    }
    from_junit = counts_of(run.results)
    assert from_junit["passed"] == SUITE_COUNTS["passed"] + SUITE_COUNTS["xpassed"]
    for key in ("failed", "errors", "skipped", "xfailed"):
        assert from_junit[key] == SUITE_COUNTS[key]
    # Recorded as it was returned.
    stored = get_run(project.store, run.id)
    assert stored.to_dict(results=True) == run.to_dict(results=True)
    assert stored.commit == git(project.root, "rev-parse", "HEAD").strip()
    assert stored.dirty is False


def test_a_passing_run(project) -> None:
    run = run_tests(project, command=pytest_command("tests/test_flaky.py", "-k", "stable"))
    assert (run.status, run.exit_code, run.passed, run.failed) == ("passed", 0, 1, 0)
    assert run.to_dict()["total"] == 1


def test_a_missing_command_is_recorded_as_not_found(project) -> None:
    run = run_tests(project, command=["agentdeck-no-such-command-xyz", "-q"])
    assert (run.status, run.exit_code) == ("not_found", 127)
    assert run.message == "command not found: agentdeck-no-such-command-xyz"
    assert last_run(project.store).status == "not_found"  # type: ignore[union-attr]


def test_a_hanging_command_is_stopped_and_recorded_as_timeout(project) -> None:
    # The command starts a grandchild: the whole process group must go.
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); time.sleep(120)"
    run = run_tests(project, command=[sys.executable, "-c", script], timeout=1)
    assert run.status == "timeout"
    assert run.message == "stopped after 1 s ([tests] timeout or --timeout)"
    assert last_run(project.store).status == "timeout"  # type: ignore[union-attr]


def test_exit_without_failures_is_an_error(project) -> None:
    run = run_tests(project, command=pytest_command("tests/nothing_here_test.py"))
    assert run.status == "error"
    assert run.exit_code == 4  # pytest: usage error (file not found)
    run = run_tests(project, command=pytest_command("-k", "no_test_matches_this"))
    assert (run.status, run.exit_code) == ("error", 5)  # no tests collected


def test_flaky_is_passed_and_failed_on_the_same_code(project) -> None:
    first = run_tests(project, command=pytest_command("tests/test_flaky.py"))
    second = run_tests(project, command=pytest_command("tests/test_flaky.py"))
    assert (first.status, second.status) == ("failed", "passed")
    assert first.tree == second.tree and first.tree is not None
    [flaky] = flaky_tests(project.store)
    assert flaky.to_dict() | {"first_seen": None, "last_seen": None} == {
        "test": "tests.test_flaky::test_sometimes",
        "commit": first.commit,
        "tree": first.tree,
        "passes": 1,
        "failures": 1,
        "runs": [first.id, second.id],
        "first_seen": None,
        "last_seen": None,
    }
    assert [r.id for r in history(project.store)] == [second.id, first.id]


def test_a_fix_between_runs_is_not_flakiness(project) -> None:
    test_file = project.root / "tests" / "test_fix.py"
    test_file.write_text("def test_it():\n    assert 1 == 2\n")
    failing = run_tests(project, command=pytest_command("tests/test_fix.py"))
    test_file.write_text("def test_it():\n    assert 1 == 1\n")  # uncommitted fix
    passing = run_tests(project, command=pytest_command("tests/test_fix.py"))
    assert (failing.status, passing.status) == ("failed", "passed")
    assert failing.commit == passing.commit and failing.tree != passing.tree
    assert failing.dirty and passing.dirty
    assert flaky_tests(project.store) == []


def test_session_link_and_history_filter(project) -> None:
    run = run_tests(
        project, command=pytest_command("tests/test_flaky.py", "-k", "stable"), session_id="S-1"
    )
    run_tests(project, command=pytest_command("tests/test_flaky.py", "-k", "stable"))
    assert [r.id for r in history(project.store, session_id="S-1")] == [run.id]
    assert history(project.store, limit=1)[0].session_id is None


def test_get_run_errors(project) -> None:
    with pytest.raises(NotFound, match="no test run recorded yet"):
        get_run(project.store)
    with pytest.raises(NotFound, match="no test run #42"):
        get_run(project.store, 42)


# -- detection ---------------------------------------------------------------------------


def test_detection_order(tmp_path: Path) -> None:
    root = tmp_path
    with pytest.raises(NotFound, match="no test command configured or detected"):
        detect_command(root)
    (root / "Makefile").write_text("build:\n\techo\n\ntest: build\n\tpytest\n")
    assert detect_command(root).argv == ["make", "test"]
    (root / "go.mod").write_text("module x\n")
    assert detect_command(root).argv == ["go", "test", "./..."]
    (root / "package.json").write_text(json.dumps({"scripts": {"test": "jest"}}))
    assert detect_command(root).argv == ["npm", "test"]
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-q'\n")
    found = detect_command(root)
    assert (found.runner, found.source) == (
        "pytest",
        "detected: pyproject.toml [tool.pytest.ini_options]",
    )
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").write_text("")
    assert detect_command(root).argv == [".venv/bin/python", "-m", "pytest"]
    configured = detect_command(root, "tox -e py311 -- -x")
    assert (configured.argv, configured.runner) == (["tox", "-e", "py311", "--", "-x"], "tox")
    assert detect_command(root, ["uv", "run", "pytest"]).runner == "pytest"
    with pytest.raises(InvalidInput, match="cannot be split"):
        detect_command(root, "pytest 'unclosed")
    with pytest.raises(InvalidInput, match="a list of strings"):
        detect_command(root, ["pytest", 3])  # type: ignore[list-item]


def test_plain_python_test_files_mean_pytest(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("")
    assert detect_command(tmp_path).runner == "pytest"


# -- summary lines of other runners -------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["===== 3 failed, 10 passed, 1 skipped, 2 errors in 1.23s ====="], (10, 3, 1, 2)),
        (["5 passed, 1 warning in 0.10s"], (5, 0, 0, 0)),
        (["Ran 7 tests in 0.002s", "", "FAILED (failures=2, errors=1, skipped=1)"], (3, 2, 1, 1)),
        (["Ran 4 tests in 0.001s", "", "OK (skipped=1, expected failures=1)"], (2, 0, 1, 0)),
        (["Tests:       1 failed, 2 skipped, 5 passed, 8 total"], (5, 1, 2, 0)),
        ([" Tests  2 failed | 9 passed (11)"], (9, 2, 0, 0)),
        (["  12 passing (30ms)", "  1 pending", "  3 failing"], (12, 3, 1, 0)),
        (
            [
                "test result: ok. 4 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out",
                "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
            ],
            (6, 1, 1, 0),
        ),
        (["unit: 8 passed, 2 failed, 1 skipped"], (8, 2, 1, 0)),
    ],
)
def test_summary_lines(lines: list[str], expected: tuple[int, int, int, int]) -> None:
    reader = SummaryReader()
    for line in lines:
        reader.feed(line + "\n")
    counts = reader.summary.counts
    assert (counts["passed"], counts["failed"], counts["skipped"], counts["errors"]) == expected


def test_go_test_lines_are_counted() -> None:
    reader = SummaryReader()
    for line in [
        "--- PASS: TestA (0.00s)",
        "--- FAIL: TestB (0.01s)",
        "    --- PASS: TestB/sub (0.00s)",
    ]:
        reader.feed_go(line)
    assert (reader.summary.counts["passed"], reader.summary.counts["failed"]) == (2, 1)
