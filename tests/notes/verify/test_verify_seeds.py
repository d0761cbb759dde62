"""The verify verdicts issue 4 names for the seed reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdeck.notes.verify import verify_report
from workspace_helpers import SEEDS

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed notes are not at {SEEDS}")


def seed(number: str) -> Path:
    return next(SEEDS.glob(f"{number}_*.txt"))


def find(result, kind: str, text: str):  # type: ignore[no-untyped-def]
    matches = [c for c in result.claims if c.kind == kind and text in c.text]
    assert matches, f"no {kind} claim with {text!r}: {[c.text for c in result.claims]}"
    return matches[0]


def test_000_contradictions() -> None:
    result = verify_report(seed("000"))
    planned = find(result, "tasks", "7 of 7 planned")
    assert (planned.status, planned.claimed, planned.found) == ("contradicted", 7, 5)
    assert planned.line == 15 and "26, 62, 102, 144, 185" in planned.where
    scripts = find(result, "count", "Scripts Created (7)")
    assert (scripts.status, scripts.found, scripts.where) == ("contradicted", 5, "lines 389-393")
    docs = find(result, "count", "Documentation Created (8)")
    assert (docs.status, docs.found) == ("contradicted", 7)
    assert find(result, "count", "Scripts Enhanced (1)").status == "confirmed"
    assert find(result, "ratio", "7 of 7").status == "confirmed"  # the arithmetic itself holds
    assert find(result, "tasks", "10 new tasks").status == "confirmed"
    assert result.summary()["contradicted"] >= 3


def test_001_lines_of_code_against_breakdown_and_table() -> None:
    result = verify_report(seed("001"))
    parts = find(result, "sum", "Lines of Code: ~60,000+")
    assert (parts.status, parts.found) == ("contradicted", 80000)
    table = find(result, "repeat", "Lines of Code: ~60,000+")
    assert (table.status, table.claimed, table.found) == ("contradicted", 60000, 1500)
    ratio = find(result, "ratio", "5 of 8")
    assert (ratio.status, ratio.claimed, ratio.found) == ("confirmed", 62.5, 62.5)
    files = find(result, "sum", "Files Added: 14")
    assert (files.status, files.found) == ("confirmed", 14)
    assert find(result, "tasks", "5 of 8").status == "confirmed"


def test_003_ratio_confirmed() -> None:
    result = verify_report(seed("003"))
    ratio = find(result, "ratio", "19/27")
    assert (ratio.status, ratio.claimed) == ("confirmed", 70)
    assert ratio.session and ratio.session.startswith("2025-11-19")
    assert not result.contradicted


def test_004_sums_confirmed() -> None:
    result = verify_report(seed("004"))
    small = find(result, "sum", "Total Lines: 937")
    assert (small.status, small.found) == ("confirmed", 937)
    big = find(result, "sum", "Total Lines of Code: 4,004")
    assert (big.status, big.found) == ("confirmed", 4004)
    assert "8 line-counts" in big.reason
    assert not result.contradicted


def test_002_history_checks_each_session_apart() -> None:
    result = verify_report(seed("002"))
    durations = [c for c in result.claims if c.kind == "duration"]
    assert len(durations) == 4 and all(c.status == "confirmed" for c in durations)
    assert len({c.session for c in durations}) == 4
    assert not result.contradicted
    assert find(result, "sum", "25 issues").status == "confirmed"


def test_result_is_self_contained_json() -> None:
    data = verify_report(seed("000")).to_dict()
    assert data["format"] == "agentdeck-verify" and len(data["sha256"]) == 64
    assert data["summary"] == {
        "claims": len(data["claims"]),
        "confirmed": sum(c["status"] == "confirmed" for c in data["claims"]),
        "contradicted": sum(c["status"] == "contradicted" for c in data["claims"]),
        "unverifiable": sum(c["status"] == "unverifiable" for c in data["claims"]),
        "score": data["summary"]["score"],
    }
    assert 0 <= data["summary"]["score"] <= 1
    claim = data["claims"][0]
    assert set(claim) == {
        "kind",
        "status",
        "line",
        "text",
        "claimed",
        "found",
        "where",
        "reason",
        "session",
    }
