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


# -- helpers for `verify` (checking what a report claims against the repository) ---------


def ref_exists(root: Path, ref: str) -> bool:
    """Whether ``ref`` (a branch, tag or commit) names a commit in the repository."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return bool(out.strip())


def list_files(root: Path, rev: str | None = None) -> list[str]:
    """Paths of the files at ``rev`` (default: the work tree, tracked and untracked but not ignored)."""
    if rev:
        out = run_git(root, "ls-tree", "-r", "-z", "--name-only", rev)
    else:
        out = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
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
