"""verify against a real git repository: files present, counts right or wrong, files missing, git totals."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from agentdeck.notes.verify import verify_report


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


PARSER = "".join(f"line {n}\n" for n in range(5))
LEXER = "".join(f"token {n}\n" for n in range(12))
DOC = "# Parser\n\nHow the parser works.\n"  # 31 characters
TEST = "def test_parser():\n    assert True\n"

REPORT = f"""# Session report: parser

**Date:** 2025-06-10
**Branch:** feature/parser
**Agent:** test-agent

## Files Created
- `src/parser.py` (5 lines)
- `src/lexer.py` (40 lines)
- `docs/PARSER.md` (NEW - {len(DOC)} chars)
- `src/missing.py` (10 lines)
- `tests/test_parser.py`
- `util.py` (3 lines)

## Stats
- **Commits:** 2
- **Lines Added:** {PARSER.count(chr(10)) + LEXER.count(chr(10)) + DOC.count(chr(10)) + TEST.count(chr(10))}
- **Lines Removed:** 4
- 4 files created
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "README.md", "# project\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start", date="2025-06-01T10:00:00")
    git(root, "checkout", "-q", "-b", "feature/parser")
    write(root, "src/parser.py", PARSER)
    write(root, "src/lexer.py", LEXER)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "parser and lexer", date="2025-06-10T09:30:00")
    write(root, "docs/PARSER.md", DOC)
    write(root, "tests/test_parser.py", TEST)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "docs and tests", date="2025-06-10T11:00:00")
    write(root, "later.txt", "after the session\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "next day", date="2025-06-11T09:00:00")
    for folder in ("a", "b"):  # two files named util.py: a bare "util.py" is ambiguous
        write(root, f"{folder}/util.py", "x\ny\nz\n")
    git(root, "checkout", "-q", "main")
    (root / "REPORT.md").write_text(REPORT)
    return root


def by_text(result) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {c.text: c for c in result.claims}


def test_files_against_the_work_tree(project: Path) -> None:
    git(project, "checkout", "-q", "feature/parser")
    result = verify_report(project / "REPORT.md", repo=project)
    files = {c.text.split(" ")[0]: c for c in result.claims if c.kind == "file"}
    assert files["src/parser.py"].status == "confirmed" and files["src/parser.py"].found == 5
    lexer = files["src/lexer.py"]
    assert (lexer.status, lexer.claimed, lexer.found, lexer.where) == (
        "contradicted",
        40,
        12,
        "src/lexer.py",
    )
    assert "it has 12 lines, not 40 lines" in lexer.reason
    assert files["docs/PARSER.md"].status == "confirmed" and files["docs/PARSER.md"].found == len(
        DOC
    )
    missing = files["src/missing.py"]
    assert (missing.status, missing.found) == ("contradicted", "missing")
    assert files["tests/test_parser.py"].status == "confirmed"
    ambiguous = files["util.py"]
    assert ambiguous.status == "unverifiable" and "2 files match" in ambiguous.reason


def test_files_at_a_revision(project: Path) -> None:
    # On main the feature files do not exist; at the branch they do.
    on_main = verify_report(project / "REPORT.md", repo=project)
    assert {c.status for c in on_main.claims if c.kind == "file" and "parser.py" in c.text} == {
        "contradicted"
    }
    at_branch = verify_report(project / "REPORT.md", repo=project, rev="feature/parser")
    parser = next(c for c in at_branch.claims if c.text.startswith("src/parser.py"))
    assert parser.status == "confirmed" and parser.where == "src/parser.py at feature/parser"


def test_git_totals_for_the_branch_and_day(project: Path) -> None:
    result = verify_report(project / "REPORT.md", repo=project)
    git_claims = {c.text: c for c in result.claims if c.kind == "git"}
    assert git_claims["Commits: 2"].status == "confirmed"
    assert git_claims["Commits: 2"].where == "git log feature/parser on 2025-06-10"
    added = next(c for t, c in git_claims.items() if t.startswith("Lines Added"))
    assert added.status == "confirmed"
    removed = git_claims["Lines Removed: 4"]
    assert (removed.status, removed.found) == ("contradicted", 0)
    created = git_claims["4 files created"]
    assert (created.status, created.found) == ("confirmed", 4)


def test_unknown_branch_is_unverifiable(project: Path) -> None:
    report = project / "OTHER.md"
    report.write_text(REPORT.replace("feature/parser", "feature/gone"))
    result = verify_report(report, repo=project)
    commits = next(c for c in result.claims if c.kind == "git" and c.text == "Commits: 2")
    assert (
        commits.status == "unverifiable"
        and "feature/gone is not in the repository" in commits.reason
    )


def test_cli_exit_codes_and_json(project: Path, deck) -> None:  # type: ignore[no-untyped-def]
    git(project, "checkout", "-q", "feature/parser")
    wrong = deck("verify", str(project / "REPORT.md"), "--repo", str(project), "--json")
    assert wrong.code == 1
    data = json.loads(wrong.out)
    assert data["repo"] == str(project.resolve()) and data["summary"]["contradicted"] == 3
    good = project / "GOOD.md"
    good.write_text("## Files Created\n- `src/parser.py` (5 lines)\n- `src/lexer.py` (12 lines)\n")
    ok = deck("verify", str(good), "--repo", str(project))
    assert ok.code == 0, ok.out
    assert "2 claims: 2 confirmed, 0 contradicted, 0 unverifiable; score 1.00" in ok.out
    bad_rev = deck("verify", str(good), "--repo", str(project), "--rev", "nope")
    assert bad_rev.code == 2 and bad_rev.err.startswith(
        "agentdeck: error: --rev nope: no such revision"
    )
    only = deck(
        "verify", str(project / "REPORT.md"), "--repo", str(project), "--only", "contradicted"
    )
    assert only.code == 1
    assert "src/lexer.py" in only.out and "src/parser.py (5 lines)" not in only.out
