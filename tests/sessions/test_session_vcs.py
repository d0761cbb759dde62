"""The git layer of sessions: snapshots leave the repository alone; odd file names parse."""

from __future__ import annotations

from pathlib import Path

from session_helpers import commit, git, write

from agentdeck import vcs


def test_snapshot_touches_neither_index_nor_work_tree(repo: Path) -> None:
    write(repo, "tracked.txt", "one\n")
    commit(repo, "tracked")
    write(repo, "tracked.txt", "one\ntwo\n")
    write(repo, "staged.txt", "staged\n")
    git(repo, "add", "staged.txt")
    write(repo, "untracked.txt", "new\n")
    write(repo, ".gitignore", "ignored.log\n")
    write(repo, "ignored.log", "noise\n")
    index = repo / ".git" / "index"
    git(repo, "status")  # let git refresh its index first, so only our effect is measured
    before = (
        index.read_bytes(),
        index.stat().st_mtime_ns,
        git(repo, "--no-optional-locks", "status", "--porcelain"),
    )
    snap = vcs.snapshot(repo)
    after = (
        index.read_bytes(),
        index.stat().st_mtime_ns,
        git(repo, "--no-optional-locks", "status", "--porcelain"),
    )
    assert before == after
    assert snap.dirty and snap.branch == "main"
    assert git(repo, "rev-parse", f"{snap.commit}^").strip() == snap.head
    names = set(git(repo, "ls-tree", "-r", "--name-only", snap.tree).split())
    assert {"tracked.txt", "staged.txt", "untracked.txt", ".gitignore"} <= names
    assert "ignored.log" not in names
    assert git(repo, "show", f"{snap.tree}:tracked.txt") == "one\ntwo\n"


def test_odd_file_names_survive_the_parsers(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    odd = ["with space.py", "tab\there.txt", "ünïcødé/файл.md", "new\nline.txt", "-dash.txt"]
    for name in odd:
        write(repo, name, "x\ny\n")
    commit(repo, "odd names")
    git(repo, "mv", "with space.py", "renamed space.py")
    commit(repo, "rename")
    head = git(repo, "rev-parse", "HEAD").strip()
    files = vcs.diff_trees(repo, base, head)()
    assert sorted(f.path for f in files) == sorted(["renamed space.py", *odd[1:]])
    assert all(f.added == 2 and f.removed == 0 for f in files)
    commits = vcs.log_range(repo, base, head, background=True)()
    assert [(c.subject, c.files, c.added) for c in commits] == [
        ("odd names", 5, 10),
        ("rename", 1, 0),
    ]


def test_repository_without_commits(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "a.py", "print(1)\n")
    snap = vcs.snapshot(root)
    assert snap.head is None and snap.dirty
    files = vcs.diff_trees(root, "4b825dc642cb6eb9a060e54bf8d69288fbee4904", snap.tree)()
    assert [(f.path, f.change, f.added) for f in files] == [("a.py", "created", 1)]
