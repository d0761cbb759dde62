"""End to end: a whole session in a real git repository, its evidence checked against git itself."""

from __future__ import annotations

import os
from pathlib import Path

from session_helpers import NOTE_PATHS, add_task, commit, git, lines, ok_json, write

KINDS = ("decision", "challenge", "solution", "lesson", "blocker", "note", "next")


def _expected_files(
    root: Path, base: str
) -> dict[str, tuple[str, str | None, int | None, int | None, bool]]:
    """What git itself says changed since ``base`` (work tree included), computed
    independently: stage everything, then ``git diff --cached --numstat`` and ``--name-status``."""
    git(root, "add", "--all")
    excluded = [f":(exclude){p}" for p in NOTE_PATHS]
    numstat = git(root, "diff", "--cached", "-M", "--numstat", "-z", base, "--", ".", *excluded)
    status = git(root, "diff", "--cached", "-M", "--name-status", "-z", base, "--", ".", *excluded)
    counts: dict[str, tuple[int | None, int | None, bool]] = {}
    parts = numstat.split("\0")
    i = 0
    while i < len(parts):
        if not parts[i]:
            i += 1
            continue
        added, removed, path = parts[i].split("\t")
        if not path:
            path = parts[i + 2]
            i += 3
        else:
            i += 1
        binary = added == "-"
        counts[path] = (None if binary else int(added), None if binary else int(removed), binary)
    names = {"A": "created", "M": "modified", "D": "deleted", "R": "renamed"}
    out = {}
    parts = status.split("\0")
    i = 0
    while i < len(parts) - 1:
        letter = parts[i][0]
        if letter == "R":
            old, path = parts[i + 1], parts[i + 2]
            i += 3
        else:
            old, path = None, parts[i + 1]
            i += 2
        out[path] = (names[letter], old, *counts[path])
    return out


def test_session_evidence_matches_git(ws, deck) -> None:
    root = ws.root
    # The starting point: files the session will rename, delete and modify.
    write(root, "src/app.py", lines(20, "app"))
    write(root, "src/old_name.py", lines(30, "helper"))
    write(root, "docs/obsolete.md", lines(12, "old"))
    commit(root, "Project before the session")
    base = git(root, "rev-parse", "HEAD").strip()
    index_before = (root / ".git" / "index").read_bytes()
    first = add_task(deck, "Build the feature")
    second = add_task(deck, "Document the feature")

    started = ok_json(
        deck(
            "session",
            "start",
            "--agent",
            "claude-1",
            "--objective",
            "Ship the feature",
            "--plan",
            first,
            "--plan",
            second,
            "--json",
        )
    )
    assert started["status"] == "open"
    assert started["baseline"]["head"] == base
    # The baseline touched neither the index nor the work tree.
    assert (root / ".git" / "index").read_bytes() == index_before
    assert git(root, "status", "--porcelain") == ""

    # Commits that add code, tests, docs and a script.
    write(root, "src/feature.py", lines(40, "feature"))
    write(root, "tests/test_feature.py", lines(25, "test"))
    write(root, "docs/feature.md", lines(10, "doc"))
    write(root, "scripts/release.sh", "#!/bin/sh\n" + lines(5, "echo"))
    commit(root, "Add the feature with tests, docs and a release script")
    # A rename (with an edit), and a binary file.
    git(root, "mv", "src/old_name.py", "src/new_name.py")
    with (root / "src/new_name.py").open("a") as handle:
        handle.write("one more line\n")
    write(root, "assets/logo.png", bytes(range(256)) * 8)
    commit(root, "Rename the helper; add the logo")
    # A deletion and a modification.
    git(root, "rm", "-q", "docs/obsolete.md")
    app = (root / "src/app.py").read_text().replace("app 3\n", "app three\n")
    write(root, "src/app.py", app + "app 20\n")
    commit(root, "Drop the obsolete doc; tweak the app")
    # Log entries of every kind, and a task found on the way.
    for kind in KINDS:
        assert (
            deck("session", "log", kind, f"a {kind} of the session", "--agent", "claude-1").code
            == 0
        )
    found = ok_json(
        deck(
            "session",
            "log",
            "task",
            "Handle empty input",
            "--priority",
            "high",
            "--agent",
            "claude-1",
            "--json",
        )
    )["task"]
    # One of the two planned tasks is done.
    assert deck("task", "start", first, "--agent", "claude-1").code == 0
    assert deck("task", "done", first, "--agent", "claude-1").code == 0
    # Left at the end: an uncommitted edit and an untracked file.
    write(root, "README.md", "# test repo\n\nNow with a feature.\n")
    write(root, "scratch/notes.py", lines(3, "scratch"))

    result = ok_json(deck("session", "end", "--agent", "claude-1", "--json"))
    session = result["session"]
    assert session["status"] == "ended"
    assert not session["evidence"]["partial"]

    # Files: the recorded evidence equals git's own numbers, file by file.
    recorded = {
        f["path"]: (f["change"], f["old_path"], f["added"], f["removed"], f["binary"])
        for f in session["files"]
    }
    expected = _expected_files(root, base)
    assert recorded == expected
    assert recorded["src/new_name.py"][0] == "renamed"
    assert recorded["assets/logo.png"][4] is True
    assert recorded["docs/obsolete.md"][0] == "deleted"
    assert recorded["README.md"][0] == "modified"
    assert recorded["scratch/notes.py"][0] == "created"

    # Commits: git log of the same span.
    log = git(root, "log", "--reverse", "--format=%H%x09%s%x09%an", f"{base}..HEAD")
    assert [(c["sha"], c["subject"], c["author"]) for c in session["commits"]] == [
        tuple(line.split("\t")) for line in log.splitlines()
    ]
    per_commit = git(root, "log", "--reverse", "--numstat", "-M", "--format=@%H", f"{base}..HEAD")
    sums: dict[str, list[int]] = {}
    current = ""
    for line in per_commit.splitlines():
        if line.startswith("@"):
            current = line[1:]
            sums[current] = [0, 0, 0]
        elif line.strip():
            added, removed, _ = line.split("\t", 2)
            sums[current][0] += 1
            if added != "-":
                sums[current][1] += int(added)
                sums[current][2] += int(removed)
    assert {c["sha"]: [c["files"], c["added"], c["removed"]] for c in session["commits"]} == sums

    # Totals and categories add up to the files.
    totals = session["evidence"]["totals"]
    assert totals["files"] == len(expected)
    assert totals["added"] == sum(v[2] or 0 for v in expected.values())
    assert totals["removed"] == sum(v[3] or 0 for v in expected.values())
    assert totals["binary"] == 1
    categories = {f["path"]: f["category"] for f in session["files"]}
    assert categories["src/feature.py"] == "code"
    assert categories["tests/test_feature.py"] == "tests"
    assert categories["docs/feature.md"] == "docs"
    assert categories["scripts/release.sh"] == "scripts"
    by_category = session["evidence"]["categories"]
    assert sum(row["files"] for row in by_category.values()) == len(expected)
    assert {f["path"]: f["language"] for f in session["files"]}["src/feature.py"] == "Python"

    # Tasks: two planned, one done: 50%; one found.
    tasks = session["tasks"]
    assert sorted(tasks["planned"]) == sorted([first, second])
    assert tasks["planned_completed"] == [first]
    assert tasks["completion_rate"] == 0.5
    assert tasks["found"] == [found["id"]]
    assert [e["kind"] for e in session["entries"]] == list(KINDS)
    solution = session["entries"][2]
    assert solution["parent"] == session["entries"][1]["number"]
    assert session["duration_minutes"] is not None

    # The notes are written and carry each part.
    written = set(result["written"])
    report_rel = f"docs/sessions/{session['id']}.md"
    assert {report_rel, "SESSION_HISTORY.md", "CURRENT_WORK.md", "TASK_INDEX.md"} <= written
    report = (root / report_rel).read_text()
    for heading in (
        "## Summary",
        "## Tasks",
        "## Evidence",
        "### By category",
        "### Commits",
        "### Files",
        "## Decisions",
        "## Challenges and solutions",
        "## Lessons",
        "## Blockers",
        "## Next steps",
        "## Notes",
        "## New tasks",
    ):
        assert heading in report, heading
    assert "`src/new_name.py` (from `src/old_name.py`)" in report
    assert "| `assets/logo.png` | created | data |  | binary | binary |" in report
    assert "1 of 2 planned tasks done (50%)" in report
    # The baseline ref is gone once the session is over.
    assert git(root, "for-each-ref", "refs/agentdeck/") == ""
    assert os.path.exists(root / "SESSION_HISTORY.md")


def test_changes_made_before_the_start_are_not_the_sessions(ws, deck) -> None:
    root = ws.root
    write(root, "src/app.py", lines(10))
    commit(root, "base")
    # Uncommitted and untracked work that exists before the session starts.
    write(root, "src/app.py", lines(12))
    write(root, "draft.md", "a draft\n")
    git(root, "add", "src/app.py")  # staged, to show the index is left alone
    status_before = git(root, "status", "--porcelain")
    started = ok_json(deck("session", "start", "--objective", "small fix", "--json"))
    assert started["baseline"]["dirty"] is True
    assert git(root, "status", "--porcelain") == status_before
    write(root, "src/app.py", lines(13))
    session = ok_json(deck("session", "end", "--json"))["session"]
    assert [(f["path"], f["change"], f["added"], f["removed"]) for f in session["files"]] == [
        ("src/app.py", "modified", 1, 0)
    ]
    assert session["commits"] == []


def test_nothing_changed_gives_an_empty_record(ws, deck) -> None:
    commit(ws.root, "config")
    assert deck("session", "start", "--objective", "look around").code == 0
    session = ok_json(deck("session", "end", "--json"))["session"]
    assert session["files"] == [] and session["commits"] == []
    assert session["evidence"]["totals"]["files"] == 0
    report = deck("session", "show", session["id"])
    assert report.code == 0 and "0 commits; 0 files changed" in report.out


def test_commit_stats_limit_keeps_big_spans_cheap(ws, deck) -> None:
    root = ws.root
    config = root / "agentdeck.toml"
    config.write_text(
        config.read_text().replace("# commit_stats_limit = 100", "commit_stats_limit = 1")
    )
    commit(root, "config")
    assert deck("session", "start", "--objective", "two commits").code == 0
    for number in range(2):
        write(root, f"f{number}.py", lines(3))
        commit(root, f"commit {number}")
    session = ok_json(deck("session", "end", "--json"))["session"]
    assert [c["subject"] for c in session["commits"]] == ["commit 0", "commit 1"]
    assert all(c["files"] is None and c["added"] is None for c in session["commits"])
    assert session["evidence"]["commit_stats"] is False
    assert session["evidence"]["totals"]["files"] == 2
    report = deck("session", "show", session["id"]).out
    assert "Per-commit line counts are not measured" in report
