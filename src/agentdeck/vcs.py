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
