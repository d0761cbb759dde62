"""Each kind of claim on small reports written for the purpose."""

from __future__ import annotations

from agentdeck.notes.verify import verify_report


def claims(text: str, kind: str):  # type: ignore[no-untyped-def]
    return [c for c in verify_report(text).claims if c.kind == kind]


def test_ratio_wrong_percentage() -> None:
    (claim,) = claims("# Report\n\n- Tasks: 3 of 8 done (50%)\n", "ratio")
    assert (claim.status, claim.found) == ("contradicted", 37.5)


def test_percentage_rounded_to_its_precision() -> None:
    (ok,) = claims("Progress: 2/3 (66.7%)\n", "ratio")
    (bad,) = claims("Progress: 2/3 (66.9%)\n", "ratio")
    assert ok.status == "confirmed" and bad.status == "contradicted"


def test_count_against_list_and_against_comma_items() -> None:
    text = "### Tools Built (3)\n\n1. one\n2. two\n   - detail\n\n### Endpoints (4 total):\n- a, b\n- c, d\n"
    found = {c.text: (c.status, c.found) for c in claims(text, "count")}
    assert found == {
        "Tools Built (3)": ("contradicted", 2),
        "Endpoints (4 total):": ("confirmed", 4),
    }


def test_total_against_parts_with_approximation() -> None:
    text = "**Lines written:** ~1,000\n- parser: 480 lines\n- tests: 560 lines\n"
    (claim,) = claims(text, "sum")
    assert (claim.status, claim.found) == ("confirmed", 1040)  # within 10 % of "~1,000"
    exact = "**Lines written:** 1,000\n- parser: 480 lines\n- tests: 560 lines\n"
    (wrong,) = claims(exact, "sum")
    assert (wrong.status, wrong.found) == ("contradicted", 1040)


def test_metric_stated_twice() -> None:
    text = "# R\n**Files Changed:** 12\n\n## Metrics\n| Metric | Value |\n|---|---|\n| Files Changed | 9 |\n"
    (claim,) = claims(text, "repeat")
    assert (claim.status, claim.claimed, claim.found, claim.where) == (
        "contradicted",
        12,
        9,
        "line 7",
    )


def test_duration_against_time_range() -> None:
    text = "## Session: 2025-01-02 09:00-10:00\n**Duration**: 3 hours\n### Work Completed\n- x\n## Session: 2025-01-03 09:00-09:30\n**Duration**: ~30 min\n"
    verdicts = [c.status for c in claims(text, "duration")]
    assert verdicts == ["contradicted", "confirmed"]


def test_tests_passing_next_to_testing_deferred() -> None:
    text = "# Report\n**Date:** 2025-01-02\n## Work Completed\n- Feature done, 100% tested\n- Runtime testing: deferred (no database)\n"
    (claim,) = claims(text, "tests")
    assert claim.status == "contradicted" and "deferred" in claim.reason


def test_tests_passing_without_a_run_is_unverifiable() -> None:
    (claim,) = claims("# Report\n- All 42 tests passing\n", "tests")
    assert claim.status == "unverifiable" and claim.claimed == 42 and "--run-tests" in claim.reason


def test_files_without_a_repository_are_unverifiable() -> None:
    (claim,) = claims("## Files Created\n- `src/a.py` (10 lines)\n", "file")
    assert claim.status == "unverifiable" and "--repo" in claim.reason


def test_report_without_claims() -> None:
    result = verify_report("Just words.\n")
    assert result.claims == [] and result.score is None and not result.contradicted
