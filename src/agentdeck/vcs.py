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


def tracked_files(root: Path, *, untracked: bool = False) -> list[str]:
    """Paths git tracks under ``root`` (relative, ``/``-separated, sorted).

    With ``untracked``, also the untracked files that ``.gitignore`` does not
    exclude (what an agent created and has not committed yet).
    """
    args = ["ls-files", "-z", "--cached"]
    if untracked:
        args += ["--others", "--exclude-standard"]
    out = run_git(root, *args)
    return sorted({path for path in out.split("\0") if path})


def worktree_tree(root: Path) -> str | None:
    """The tree hash of the work tree as it is now: tracked and untracked, not ignored, files.

    Content-addressed: the same files give the same hash whether committed or
    not, so two test runs can be compared by the code they ran on. Built in a
    temporary copy of the index; the real index and the work tree are not
    touched (git stores the blobs it hashed as loose objects, which its garbage
    collection removes). ``None`` outside a repository or when git fails.
    """
    import shutil
    import tempfile

    try:
        index = Path(run_git(root, "rev-parse", "--git-path", "index").strip())
    except GitError:
        return None
    if not index.is_absolute():
        index = root / index
    with tempfile.TemporaryDirectory(prefix="agentdeck-index-") as folder:
        scratch = Path(folder) / "index"
        if index.exists():
            shutil.copyfile(index, scratch)
        env = {
            **os.environ,
            "GIT_INDEX_FILE": str(scratch),
            "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C",
        }
        for args in (["add", "-A", "--", "."], ["write-tree"]):
            try:
                proc = subprocess.run(
                    ["git", *args], cwd=root, env=env, capture_output=True, text=True
                )
            except OSError:
                return None
            if proc.returncode != 0:
                return None
        return proc.stdout.strip() or None
