"""``agentdeck diagnose`` through the CLI: verdicts, every exit code, --quick, --fix, JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from health_helpers import append_config, make_healthy

from agentdeck.ops.checks import CheckResult, Status
from agentdeck.ops.diagnose import verdict
from agentdeck.ops.health import Report


def commit_all(root: Path) -> None:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "work"], cwd=root, check=True)


def statuses(out: str) -> dict[str, str]:
    return {c["name"]: c["status"] for c in json.loads(out)["checks"]}


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ([], "HEALTHY"),
        ([Status.WARNING], "WARNING"),
        ([Status.WARNING, Status.UNKNOWN], "WARNING"),
        ([Status.WARNING] * 3, "DEGRADED"),
        ([Status.WARNING, Status.UNKNOWN, Status.WARNING, Status.WARNING], "DEGRADED"),
        ([Status.CRITICAL], "FAIL"),
        ([Status.UNKNOWN, Status.CRITICAL], "FAIL"),
    ],
)
def test_verdict(found: list[Status], expected: str) -> None:
    results = [CheckResult("ok", Status.OK)] + [CheckResult(str(i), s) for i, s in enumerate(found)]
    assert verdict(Report("diagnose", "now", results, 1.0)) == expected


def test_a_clean_project_is_healthy(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_healthy(deck, ws.root, monkeypatch)
    result = deck("diagnose")
    assert result.code == 0, result.out
    assert "diagnose: HEALTHY" in result.out
    assert "Run `agentdeck diagnose --fix`" not in result.out
    assert deck("diagnose", "--fix").out.rstrip().endswith("Nothing to fix.")


def test_one_finding_is_a_warning_with_its_fix(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_healthy(deck, ws.root, monkeypatch)
    (ws.root / "notes.txt").write_text("work in progress\n")  # not committed
    result = deck("diagnose", "--fix")
    assert result.code == 1
    assert "diagnose: WARNING" in result.out
    assert '1. [git.worktree] git add -A && git commit -m "Commit work in progress"' in result.out


def test_three_findings_are_degraded(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_healthy(deck, ws.root, monkeypatch)
    (ws.root / "README.md").unlink()
    (ws.root / "guide.md").write_text("[setup](setup.md)\n")
    result = deck("diagnose", "--json")
    assert result.code == 1
    data = json.loads(result.out)
    assert data["overall"] == "DEGRADED"
    assert [f["check"] for f in data["fixes"]] == ["git.worktree", "docs.readme", "docs.links"]


def test_quick_skips_the_slow_checks(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (ws.root / "guide.md").write_text("[setup](setup.md)\n")
    make_healthy(deck, ws.root, monkeypatch)
    quick = deck("diagnose", "--quick", "--json")
    assert "docs.links" not in statuses(quick.out)
    assert quick.code == 0 and json.loads(quick.out)["quick"] is True
    full = deck("diagnose", "--json")
    assert statuses(full.out)["docs.links"] == "WARNING"


def test_a_missing_dependency_fails(ws, deck) -> None:
    (ws.root / "requirements.txt").write_text("surely-not-installed-package-xyz>=1\n")
    commit_all(ws.root)
    result = deck("diagnose", "--fix")
    assert result.code == 2
    assert "diagnose: FAIL" in result.out
    assert "-m pip install 'surely-not-installed-package-xyz>=1'" in result.out


def test_an_unknown_finding_exits_3(ws, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    append_config(ws.root, '[[services]]\nname = "half"\nport = 80\n')
    make_healthy(deck, ws.root, monkeypatch)
    result = deck("diagnose", "--json")
    assert result.code == 3
    data = json.loads(result.out)
    assert data["status"] == "UNKNOWN" and data["overall"] == "WARNING"
    assert statuses(result.out)["service.half"] == "UNKNOWN"


def test_json_shape(ws, deck) -> None:
    data = json.loads(deck("diagnose", "--json").out)
    assert set(data) == {
        "scope", "status", "exit_code", "checked_at", "elapsed_ms", "counts", "checks",
        "overall", "quick", "fixes",
    }  # fmt: skip
    names = [c["name"] for c in data["checks"]]
    for name in ("git.worktree", "git.upstream", "git.head", "dependencies",
                 "migrations.agentdeck", "docs.readme", "docs.links"):  # fmt: skip
        assert name in names
    assert "disk" not in names  # host checks are health's
