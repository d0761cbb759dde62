"""Runs, results and flaky detection stored on both databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from trkit import FLAKY, git, pytest_command

from agentdeck.ops.testrun import flaky_tests, get_run, history, last_run, run_tests


def test_runs_round_trip_on_each_backend(ws) -> None:
    (ws.root / "tests").mkdir()
    (ws.root / "tests" / "test_flaky.py").write_text(FLAKY)
    (ws.root / ".gitignore").write_text("state/\n__pycache__/\n")
    git(ws.root, "add", ".")
    git(ws.root, "commit", "-q", "-m", "flaky test")
    assert last_run(ws.store) is None
    first = run_tests(ws, command=pytest_command("tests"), session_id="SESSION-1")
    second = run_tests(ws, command=pytest_command("tests"))
    assert (first.id, second.id) == (1, 2)
    assert [r.status for r in history(ws.store)] == ["passed", "failed"]
    assert last_run(ws.store).to_dict() == second.to_dict()  # type: ignore[union-attr]
    stored = get_run(ws.store, first.id)
    assert stored.session_id == "SESSION-1"
    assert [(r.test, r.outcome) for r in stored.results] == [
        ("tests.test_flaky::test_sometimes", "failed"),
        ("tests.test_flaky::test_stable", "passed"),
    ]
    [flaky] = flaky_tests(ws.store)
    assert (flaky.test, flaky.runs, flaky.commit) == (
        "tests.test_flaky::test_sometimes",
        [1, 2],
        first.commit,
    )
