"""``session end --run-tests`` records the test run of ``agentdeck.ops.testrun``."""

from __future__ import annotations

from session_helpers import commit, ok_json, write


def test_run_tests_records_the_results(ws, deck) -> None:
    root = ws.root
    write(
        root,
        "tests/test_sample.py",
        "import pytest\n\n"
        "def test_one():\n    assert True\n\n"
        "def test_two():\n    assert True\n\n"
        "def test_broken():\n    assert 1 == 2\n\n"
        "@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n",
    )
    commit(root, "tests")
    sid = ok_json(deck("session", "start", "--objective", "with tests", "--json"))["id"]
    session = ok_json(deck("session", "end", "--run-tests", "--json"))["session"]
    tests = session["tests"]
    assert (tests["passed"], tests["failed"], tests["skipped"]) == (2, 1, 1)
    assert {"status", "errors", "duration_s", "command", "exit_code"} <= set(tests)
    report = (root / "docs" / "sessions" / f"{sid}.md").read_text()
    assert "## Tests" in report


def test_report_renders_a_recorded_test_run_and_verification(ws, deck) -> None:
    """The parts issue 4 and 7 fill (``sessions.tests`` and ``sessions.verification``) render."""
    import json

    sid = ok_json(deck("session", "start", "--objective", "o", "--json"))["id"]
    assert deck("session", "end").code == 0
    run = {
        "status": "failed",
        "passed": 10,
        "failed": 2,
        "skipped": 1,
        "errors": 0,
        "duration_s": 3.25,
        "command": "pytest -q",
        "exit_code": 1,
        "commit": "abc",
        "started_at": "2026-02-04T10:00:00Z",
    }
    verification = {
        "summary": {"score": 0.5, "confirmed": 1, "contradicted": 1},
        "claims": [{"text": "Files created: 23", "verdict": "contradicted", "measured": 3}],
    }
    with ws.store.transaction():
        ws.store.execute(
            "UPDATE sessions SET tests = ?, verification = ? WHERE id = ?",
            (json.dumps(run), json.dumps(verification), sid),
        )
    report = deck("session", "show", sid).out
    assert "| failed | 10 | 2 | 1 | 0 | 3.2 s | `pytest -q` |" in report
    assert "## Verification" in report
    assert "| Files created: 23 | contradicted | 3 |" in report
    assert "| score | 0.5 |" in report
