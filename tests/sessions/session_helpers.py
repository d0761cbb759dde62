"""Helpers shared by the session tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

NOTE_PATHS = ("docs/sessions", "SESSION_HISTORY.md", "CURRENT_WORK.md", "TASK_INDEX.md")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def write(root: Path, relative: str, text: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def commit(root: Path, message: str, *paths: str) -> str:
    git(root, "add", "--all", *(["--", *paths] if paths else []))
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def ok_json(result: Any) -> Any:
    assert result.code == 0, result.err
    return json.loads(result.out)


def add_task(deck: Any, title: str) -> str:
    return ok_json(deck("task", "add", title, "--json"))["id"]


def lines(n: int, word: str = "line") -> str:
    return "".join(f"{word} {i}\n" for i in range(n))
