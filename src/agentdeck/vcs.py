"""The one place that talks to git.

Everything runs ``git`` as a subprocess with a fixed, machine-readable output
format (``-z``, ``--porcelain``, ``--numstat``), never parses human output,
and never changes the work tree or the index unless a function says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentdeck.errors import AgentdeckError


class GitError(AgentdeckError):
    """git is missing, the folder is not a repository, or a git command failed."""


def run_git(
    root: Path,
    *args: str,
    check: bool = True,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run ``git ARGS`` in ``root`` and return stdout. Raises ``GitError`` on failure.

    ``env`` adds variables to the environment (``GIT_INDEX_FILE`` for a scratch index).
    """
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", **(env or {})}
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            input=input_text,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed", hint="install git to measure work from the repository"
        ) from None
    if check and proc.returncode != 0:
        message = (
            proc.stderr.strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"exit {proc.returncode}"
        )
        raise GitError(f"git {args[0]} failed: {message}")
    return proc.stdout


def is_repository(root: Path) -> bool:
    """Whether ``root`` is inside a git work tree."""
    try:
        return run_git(root, "rev-parse", "--is-inside-work-tree", check=True).strip() == "true"
    except GitError:
        return False


def head(root: Path) -> str | None:
    """The commit HEAD points at, or ``None`` in a repository without commits."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip()
    return out or None


def branch(root: Path) -> str | None:
    """The current branch name, or ``None`` when HEAD is detached."""
    out = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).strip()
    return out or None


# -- work sessions: baseline snapshots and evidence -------------------------------------
#
# A session's baseline must include uncommitted and untracked changes without
# touching the work tree or the index. ``git stash create`` records tracked
# changes only, so agentdeck takes the snapshot with a scratch index instead:
# copy the real index (with its stat data, so unchanged files are not hashed
# again), ``git add -A`` into the copy (``GIT_INDEX_FILE``; .gitignore is
# respected), ``git write-tree``. The tree is wrapped in a commit whose parent
# is HEAD and kept alive by ``refs/agentdeck/sessions/<ID>`` until the session
# ends, so ``git gc`` cannot prune it. The same snapshot taken at the end gives
# the end tree; the evidence is the diff of the two trees plus the commits
# between the two HEADs.

SNAPSHOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "agentdeck",
    "GIT_AUTHOR_EMAIL": "agentdeck@localhost",
    "GIT_COMMITTER_NAME": "agentdeck",
    "GIT_COMMITTER_EMAIL": "agentdeck@localhost",
}
SESSION_REF_PREFIX = "refs/agentdeck/sessions/"


@dataclass
class Snapshot:
    """The state of a work tree at one moment, including uncommitted and untracked files."""

    #: The commit HEAD pointed at (``None`` in a repository without commits).
    head: str | None
    #: The branch checked out (``None`` when detached).
    branch: str | None
    #: The tree of the whole work tree (tracked, modified and untracked files).
    tree: str
    #: A commit of ``tree`` whose parent is ``head`` (what the session ref points at).
    commit: str
    #: Whether the work tree differed from HEAD.
    dirty: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "branch": self.branch,
            "tree": self.tree,
            "commit": self.commit,
            "dirty": self.dirty,
        }


def toplevel(root: Path) -> Path:
    """The top folder of the work tree holding ``root``."""
    return Path(run_git(root, "rev-parse", "--show-toplevel").strip())


def snapshot(
    root: Path, message: str = "agentdeck snapshot", *, make_commit: bool = True
) -> Snapshot:
    """Record the whole work tree as a tree (and, with ``make_commit``, a commit
    object) without touching the work tree, the index or any branch. Raises ``GitError``."""
    # One rev-parse for the index path, HEAD and its tree (the last two fail without commits).
    lines = run_git(
        root, "rev-parse", "--git-path", "index", "HEAD", "HEAD^{tree}", check=False
    ).splitlines()
    out = lines[0].strip() if lines else run_git(root, "rev-parse", "--git-path", "index").strip()
    index = Path(out) if Path(out).is_absolute() else root / out
    has_head = len(lines) == 3 and len(lines[1]) >= 40 and len(lines[2]) >= 40
    current = lines[1].strip() if has_head else None
    head_tree = lines[2].strip() if has_head else _EMPTY_TREE
    with tempfile.TemporaryDirectory(prefix="agentdeck-index-") as scratch:
        scratch_index = Path(scratch) / "index"
        if index.exists():
            # copy2 keeps the index's mtime, so git's racy-clean check still works.
            shutil.copy2(index, scratch_index)
        env = {"GIT_INDEX_FILE": str(scratch_index)}
        run_git(root, "add", "--all", "--", ".", env=env)
        tree = run_git(root, "write-tree", env=env).strip()
    parents = ("-p", current) if current else ()
    commit = ""
    if make_commit:
        commit = run_git(
            root, "commit-tree", tree, *parents, "-m", message, env=SNAPSHOT_IDENTITY
        ).strip()
    return Snapshot(current, branch(root), tree, commit, dirty=tree != head_tree)


_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def object_exists(root: Path, name: str, kind: str = "commit") -> bool:
    """Whether ``name`` names an object of ``kind`` in the repository."""
    return object_kinds(root, [name])[0] == kind


def object_kinds(root: Path, names: list[str]) -> list[str | None]:
    """The kind (commit, tree, blob, tag) of each object named, ``None`` where missing;
    one ``git cat-file --batch-check`` for all."""
    return [kind for _, kind in resolve_objects(root, names)]


def resolve_objects(root: Path, names: list[str]) -> list[tuple[str | None, str | None]]:
    """``(sha, kind)`` of each name (``HEAD`` works too), ``(None, None)`` where missing;
    one ``git cat-file --batch-check`` for all."""
    if not names:
        return []
    out = run_git(
        root,
        "cat-file",
        "--batch-check=%(objectname) %(objecttype)",
        input_text="".join(f"{n}\n" for n in names),
        check=False,
    )
    found: list[tuple[str | None, str | None]] = []
    for line in out.splitlines()[: len(names)]:
        parts = line.split()
        if len(parts) == 2 and parts[1] != "missing" and len(parts[0]) >= 40:
            found.append((parts[0], parts[1]))
        else:
            found.append((None, None))
    return found + [(None, None)] * (len(names) - len(found))


def set_ref(root: Path, ref: str, target: str) -> None:
    """Point ``ref`` at ``target`` (creates it)."""
    run_git(root, "update-ref", ref, target)


def delete_ref(root: Path, ref: str) -> None:
    """Delete ``ref`` if it exists."""
    run_git(root, "update-ref", "-d", ref, check=False)


def commit_count(root: Path, base: str | None, tip: str | None) -> int:
    """How many commits ``tip`` has that ``base`` has not."""
    if tip is None:
        return 0
    spec = f"{base}..{tip}" if base else tip
    out = run_git(root, "rev-list", "--count", spec, check=False).strip()
    return int(out) if out.isdigit() else 0


@dataclass
class FileDiff:
    """One file changed between two trees: ``git diff --raw --numstat``."""

    path: str
    #: ``created``, ``modified``, ``deleted``, ``renamed`` (or ``copied``, ``type-changed``).
    change: str
    old_path: str | None = None
    added: int | None = None
    removed: int | None = None
    binary: bool = False
    #: Rename/copy similarity in percent.
    similarity: int | None = None


_CHANGE = {
    "A": "created",
    "M": "modified",
    "D": "deleted",
    "R": "renamed",
    "C": "created",
    "T": "modified",
}


def diff_trees(
    root: Path, base: str, target: str, *, renames: bool = True, background: bool = False
) -> Callable[[], list[FileDiff]]:
    """Start ``git diff --raw --numstat -z`` between two trees (or commits).

    Returns a function that waits for git and returns the files. With
    ``background`` git runs while the caller does other work.
    """
    args = ["diff", "--raw", "--numstat", "-z", "--no-color", "--no-ext-diff", "--no-textconv"]
    args.append("-M" if renames else "--no-renames")
    wait = _spawn(root, [*args, base, target, "--"], background)
    return lambda: parse_raw_numstat(wait())


def parse_raw_numstat(out: str) -> list[FileDiff]:
    """Parse ``git diff --raw --numstat -z`` output (raw records, then numstat records)."""
    tokens = out.split("\0")
    files: list[FileDiff] = []
    by_path: dict[str, FileDiff] = {}
    i = 0
    while i < len(tokens) and tokens[i].startswith(":"):
        meta = tokens[i].split()
        status = meta[-1]
        letter = status[0]
        if letter in "RC":
            old, new = tokens[i + 1], tokens[i + 2]
            item = FileDiff(
                new,
                "renamed" if letter == "R" else "created",
                old_path=old,
                similarity=int(status[1:]) if status[1:].isdigit() else None,
            )
            i += 3
        else:
            item = FileDiff(tokens[i + 1], _CHANGE.get(letter, "modified"))
            i += 2
        files.append(item)
        by_path[item.path] = item
    while i < len(tokens):
        token = tokens[i]
        if not token.strip():
            i += 1
            continue
        added, removed, path = token.split("\t", 2)
        if path == "":
            path = tokens[i + 2]
            i += 3
        else:
            i += 1
        item = by_path.get(path)
        if item is None:
            continue
        if added == "-":
            item.binary = True
        else:
            item.added, item.removed = int(added), int(removed)
    return files


@dataclass
class CommitInfo:
    """One commit of a session: ``git log --numstat``."""

    sha: str
    subject: str
    author: str
    email: str
    committed_at: str
    parents: list[str] = field(default_factory=list)
    files: int = 0
    added: int = 0
    removed: int = 0

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def log_range(
    root: Path,
    base: str | None,
    tip: str,
    *,
    renames: bool = True,
    background: bool = False,
    numstat: bool = True,
) -> Callable[[], list[CommitInfo]]:
    """Start ``git log`` (with ``--numstat`` unless told not to) of the commits ``tip``
    has and ``base`` has not (oldest first). Returns a function that waits and
    returns them; without ``numstat`` their ``files``/``added``/``removed`` are 0."""
    args = [
        "log",
        "--reverse",
        "-z",
        *(["--numstat"] if numstat else []),
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "-M" if renames else "--no-renames",
        "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s",
        f"{base}..{tip}" if base else tip,
        "--",
    ]
    wait = _spawn(root, args, background)
    return lambda: parse_log(wait())


def parse_log(out: str) -> list[CommitInfo]:
    """Parse the ``git log -z --numstat --format=%x1e...`` output of ``log_range``."""
    commits = []
    for chunk in out.split("\x1e"):
        if not chunk.strip("\0\n"):
            continue
        header, _, rest = chunk.partition("\0")
        sha, parents, author, email, when, subject = header.split("\x1f", 5)
        commit = CommitInfo(sha, subject, author, email, when, parents.split())
        tokens = rest.lstrip("\n").split("\0")
        i = 0
        while i < len(tokens):
            token = tokens[i].lstrip("\n")
            if not token:
                i += 1
                continue
            added, removed, path = token.split("\t", 2)
            i += 3 if path == "" else 1
            commit.files += 1
            if added != "-":
                commit.added += int(added)
                commit.removed += int(removed)
        commits.append(commit)
    return commits


def commits_since(root: Path, since: str) -> list[str]:
    """Commits reachable from HEAD authored at or after ``since`` (ISO), oldest first."""
    out = run_git(root, "log", "--reverse", "--format=%H", f"--since={since}", "HEAD", check=False)
    return out.split()


def parent_of(root: Path, commit: str) -> str | None:
    """The first parent of ``commit``, or ``None`` for a root commit."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", f"{commit}^1", check=False).strip()
    return out or None


def _spawn(root: Path, args: list[str], background: bool) -> Callable[[], str]:
    """Run git now (or in the background) and return a function giving its stdout."""
    if not background:
        out = run_git(root, *args)
        return lambda: out
    import threading

    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.Popen(
            ["git", *args],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    result: dict[str, bytes] = {}

    def drain() -> None:
        result["out"], result["err"] = proc.communicate()

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()

    def wait() -> str:
        thread.join()
        if proc.returncode != 0:
            err = result.get("err", b"").decode("utf-8", "replace").strip()
            last = err.splitlines()[-1] if err else f"exit {proc.returncode}"
            raise GitError(f"git {args[0]} failed: {last}")
        return result["out"].decode("utf-8", "surrogateescape")

    return wait


def head_subject(root: Path) -> str | None:
    """The subject line of the commit HEAD points at."""
    return head_and_subject(root)[1]


def head_and_subject(root: Path) -> tuple[str | None, str | None]:
    """The commit HEAD points at and its subject line (``None``s without commits)."""
    out = run_git(root, "log", "-1", "--format=%H%x1f%s", "HEAD", check=False).strip()
    if "\x1f" not in out:
        return None, None
    sha, subject = out.split("\x1f", 1)
    return sha, subject or None


def worktree_tree(root: Path) -> str | None:
    """The tree hash of the work tree as it is now: tracked and untracked, not ignored, files.

    Content-addressed: the same files give the same hash whether committed or
    not, so two test runs can be compared by the code they ran on. The same
    scratch-index snapshot as a session's baseline (``snapshot``), without the
    commit. ``None`` outside a repository or when git fails.
    """
    try:
        return snapshot(root, make_commit=False).tree
    except GitError:
        return None


# -- helpers for `verify` (checking what a report claims against the repository) ---------


def ref_exists(root: Path, ref: str) -> bool:
    """Whether ``ref`` (a branch, tag or commit) names a commit in the repository."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return bool(out.strip())


def list_files(root: Path, *patterns: str, rev: str | None = None) -> list[str]:
    """Files relative to ``root``, sorted: at ``rev``, or by default in the work tree
    (tracked, and untracked but not ignored). ``patterns`` are git pathspecs
    (``"*.md"``) that narrow the list."""
    if rev:
        out = run_git(root, "ls-tree", "-r", "-z", "--name-only", rev, "--", *patterns)
    else:
        out = run_git(
            root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *patterns
        )
    return sorted({p for p in out.split("\0") if p})


def file_bytes_at(root: Path, rev: str, path: str) -> bytes | None:
    """The content of ``path`` at ``rev``, or ``None`` when it does not exist there."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(
            ["git", "cat-file", "blob", f"{rev}:{path}"], cwd=root, env=env, capture_output=True
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed", hint="install git to check files at a revision"
        ) from None
    return proc.stdout if proc.returncode == 0 else None


def log_totals(
    root: Path, rev: str = "HEAD", *, since: str | None = None, until: str | None = None
) -> dict[str, int]:
    """Commits (merges excluded) reachable from ``rev`` in ``[since, until)`` and what they changed.

    ``since``/``until`` are anything ``git log`` accepts (``2025-11-19 00:00``).
    Returns ``commits``, ``files_changed`` (distinct paths), ``files_added``,
    ``lines_added`` and ``lines_removed`` (binary files count as changed, with no lines).
    """
    args = ["log", "--no-merges", "--no-renames", "--format=%x01%H", "--numstat", "--summary"]
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    args.append(rev)
    out = run_git(root, *args, "--")
    commits = 0
    changed: set[str] = set()
    created: set[str] = set()
    added = removed = 0
    for line in out.splitlines():
        if line.startswith("\x01"):
            commits += 1
            continue
        parts = line.split("\t")
        if len(parts) == 3:
            changed.add(parts[2])
            if parts[0].isdigit():
                added += int(parts[0])
            if parts[1].isdigit():
                removed += int(parts[1])
        elif line.startswith(" create mode "):
            created.add(line.split(" ", 4)[-1])
    return {
        "commits": commits,
        "files_changed": len(changed),
        "files_added": len(created),
        "lines_added": added,
        "lines_removed": removed,
    }


class StatusSummary:
    """``git status --porcelain=v2 --branch``: where HEAD is and what is uncommitted."""

    __slots__ = ("ahead", "behind", "branch", "changed", "head", "untracked", "upstream")

    def __init__(self) -> None:
        self.head: str | None = None  # commit id; None before the first commit
        self.branch: str | None = None  # None when HEAD is detached
        self.upstream: str | None = None
        self.ahead = 0
        self.behind = 0
        self.changed: list[str] = []  # tracked paths with staged or unstaged changes
        self.untracked: list[str] = []

    @property
    def detached(self) -> bool:
        return self.branch is None and self.head is not None


def status_summary(root: Path) -> StatusSummary:
    """One ``git status --porcelain=v2 --branch -z`` of the work tree at ``root``."""
    out = run_git(root, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal")
    summary = StatusSummary()
    records = out.split("\0")
    index = 0
    while index < len(records):
        record = records[index]
        index += 1
        if not record:
            continue
        if record.startswith("# branch.oid "):
            oid = record.removeprefix("# branch.oid ")
            summary.head = None if oid == "(initial)" else oid
        elif record.startswith("# branch.head "):
            name = record.removeprefix("# branch.head ")
            summary.branch = None if name == "(detached)" else name
        elif record.startswith("# branch.upstream "):
            summary.upstream = record.removeprefix("# branch.upstream ")
        elif record.startswith("# branch.ab "):
            ahead, behind = record.removeprefix("# branch.ab ").split()
            summary.ahead, summary.behind = int(ahead), abs(int(behind))
        elif record.startswith(("1 ", "u ")):
            summary.changed.append(record.split(" ", 8 if record[0] == "1" else 10)[-1])
        elif record.startswith("2 "):
            summary.changed.append(record.split(" ", 9)[-1])
            index += 1  # the original path of a rename follows as its own record
        elif record.startswith("? "):
            summary.untracked.append(record[2:])
    return summary


def local_branches(root: Path) -> list[str]:
    """Local branch names, most recently committed first."""
    out = run_git(
        root, "for-each-ref", "--sort=-committerdate", "--format=%(refname:short)", "refs/heads"
    )
    return [line for line in out.splitlines() if line]
