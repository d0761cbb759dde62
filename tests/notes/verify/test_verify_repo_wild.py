"""verify against git where the session's window, its merges and its file wording need care."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from agentdeck.notes.verify import verify_report


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = dict(os.environ)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def commit(root: Path, path: str, lines: int, date: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"{path} {n}\n" for n in range(lines)))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", f"add {path}", date=date)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, "README.md", 1, "2026-01-01T10:00:00+00:00")
    # A session in California on 2026-01-05, one commit late in the evening (next day in UTC).
    git(root, "checkout", "-q", "-b", "feat/west")
    commit(root, "src/w1.py", 10, "2026-01-05T09:00:00-08:00")
    commit(root, "src/w2.py", 20, "2026-01-05T22:30:00-08:00")
    # A night: 23:00-01:00 UTC.
    git(root, "checkout", "-q", "-b", "feat/night", "main")
    commit(root, "src/n1.py", 3, "2026-01-07T23:30:00+00:00")
    commit(root, "src/n2.py", 4, "2026-01-08T00:40:00+00:00")
    commit(root, "src/n3.py", 5, "2026-01-08T15:00:00+00:00")  # later that day: not the night's
    # Three days.
    git(root, "checkout", "-q", "-b", "feat/days", "main")
    for day, lines in (("09", 1), ("10", 2), ("11", 3)):
        commit(root, f"src/d{day}.py", lines, f"2026-01-{day}T10:00:00+00:00")
    # main moves on; the branch merges it in mid-session.
    git(root, "checkout", "-q", "-b", "feat/merge", "main")
    commit(root, "web/m1.js", 10, "2026-01-20T09:00:00+00:00")
    git(root, "checkout", "-q", "main")
    commit(root, "web/colleague.js", 300, "2026-01-20T10:00:00+00:00")
    git(root, "checkout", "-q", "feat/merge")
    git(root, "merge", "-q", "--no-edit", "main", date="2026-01-20T11:00:00+00:00")
    commit(root, "web/m2.js", 20, "2026-01-20T12:00:00+00:00")
    # Files changed, one deleted.
    git(root, "checkout", "-q", "-b", "feat/files", "main")
    commit(root, "web/old.js", 40, "2026-01-24T10:00:00+00:00")
    (root / "web/old.js").unlink()
    commit(root, "web/utils.js", 80, "2026-01-25T10:00:00+00:00")
    return root


def git_verdicts(root: Path, text: str, rev: str | None = None) -> dict[str, tuple[str, object]]:
    report = root.parent / "REPORT.md"
    report.write_text(text)
    result = verify_report(report, repo=root, rev=rev)
    return {c.text: (c.status, c.found) for c in result.claims if c.kind in ("git", "file")}


WEST = "# Session\n\n**Date:** 2026-01-05\n**Agent:** Claude (PST)\n**Branch:** feat/west\n\n## Metrics\n- **Commits:** {commits}\n- **Lines added:** {lines}\n"


def test_a_stated_time_zone_sets_the_day(repo: Path) -> None:
    found = git_verdicts(repo, WEST.format(commits=2, lines=30))
    assert found == {"Commits: 2": ("confirmed", 2), "Lines added: 30": ("confirmed", 30)}
    wrong = git_verdicts(repo, WEST.format(commits=3, lines=30))
    assert wrong["Commits: 3"] == ("contradicted", 2)


def test_without_a_time_zone_a_day_that_may_hold_more_is_unverifiable(repo: Path) -> None:
    text = WEST.format(commits=2, lines=30).replace(" (PST)", "")
    found = git_verdicts(repo, text)
    # In UTC (the local zone here, or a guess) the evening commit is the next day's.
    assert found["Commits: 2"][0] in ("confirmed", "unverifiable")
    overstated = git_verdicts(repo, WEST.format(commits=9, lines=30).replace(" (PST)", ""))
    assert overstated["Commits: 9"][0] == "contradicted"


def test_a_night_past_midnight(repo: Path) -> None:
    text = "# Session: 2026-01-07 23:00-01:00 UTC\n\n**Branch:** feat/night\n\n## Metrics\n- **Commits:** 2\n- **Lines added:** 7\n"
    assert git_verdicts(repo, text) == {
        "Commits: 2": ("confirmed", 2),
        "Lines added: 7": ("confirmed", 7),
    }
    wrong = git_verdicts(repo, text.replace("Commits:** 2", "Commits:** 4"))
    assert wrong["Commits: 4"] == ("contradicted", 3)


def test_several_days(repo: Path) -> None:
    text = "# Sprint\n\n**Branch:** feat/days\n**Dates:** 2026-01-09 – 2026-01-11\n\n## Metrics\n- **Commits:** 3\n- **Lines added:** 6\n"
    assert git_verdicts(repo, text) == {
        "Commits: 3": ("confirmed", 3),
        "Lines added: 6": ("confirmed", 6),
    }


def test_commits_merged_in_from_main_are_not_the_sessions(repo: Path) -> None:
    text = "# Session\n\n**Date:** 2026-01-20\n**Branch:** feat/merge\n\n## Metrics\n- **Commits:** {c}\n- **Lines added:** {n}\n"
    assert git_verdicts(repo, text.format(c=2, n=30)) == {
        "Commits: 2": ("confirmed", 2),
        "Lines added: 30": ("confirmed", 30),
    }
    wrong = git_verdicts(repo, text.format(c=2, n=400))
    assert wrong["Lines added: 400"] == ("contradicted", 330)


def test_deleted_files_deltas_net_and_ranges(repo: Path) -> None:
    text = (
        "# Session\n\n**Date:** 2026-01-25\n**Branch:** feat/files\n\n"
        "### Modified\n- `web/utils.js` (+80 lines)\n\n"
        "### Deleted\n- `web/old.js` (40 lines)\n\n"
        "## Metrics\n- **Net:** +40 lines\n- **Files touched:** 1-2\n- **Commits:** 1\n\n"
        "The old `web/gone.js` (12 lines) was removed.\n"
    )
    found = git_verdicts(repo, text)
    assert found == {
        "web/old.js (deleted)": ("confirmed", "absent"),
        "web/gone.js (deleted)": ("confirmed", "absent"),
        "Net: +40 lines": ("confirmed", 40),
        "Files touched: 1-2": ("confirmed", 2),
        "Commits: 1": ("confirmed", 1),
    }
    # A deleted file still there is no contradiction; a size that is wrong still is one.
    still = git_verdicts(repo, text.replace("web/old.js", "README.md"))
    assert still["README.md (deleted)"] == ("unverifiable", "exists")
    size = git_verdicts(repo, text.replace("(+80 lines)", "(90 lines)"))
    assert size["web/utils.js (90 lines)"] == ("contradicted", 80)
    wrong = text.replace("+40 lines", "+70 lines").replace("touched:** 1-2", "touched:** 3-4")
    # A net total is not bounded by a wider window: only a stated zone makes it exact.
    assert git_verdicts(repo, wrong)["Net: +70 lines"][0] == "unverifiable"
    wrong = git_verdicts(repo, wrong.replace("2026-01-25", "2026-01-25 (UTC)"))
    assert wrong["Net: +70 lines"] == ("contradicted", 40)
    assert wrong["Files touched: 3-4"] == ("contradicted", 2)
