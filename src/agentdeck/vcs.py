"""The one place that talks to git.

Everything runs ``git`` as a subprocess with a fixed, machine-readable output
format (``-z``, ``--porcelain``, ``--numstat``), never parses human output,
and never changes the work tree or the index unless a function says so.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from agentdeck.errors import AgentdeckError


class GitError(AgentdeckError):
    """git is missing, the folder is not a repository, or a git command failed."""


def run_git(root: Path, *args: str, check: bool = True, input_text: str | None = None) -> str:
    """Run ``git ARGS`` in ``root`` and return stdout. Raises ``GitError`` on failure."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
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


def list_files(root: Path, *patterns: str) -> list[str]:
    """Tracked and untracked-but-not-ignored files matching the pathspecs, relative to ``root``."""
    out = run_git(
        root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *patterns
    )
    return sorted({p for p in out.split("\0") if p})
