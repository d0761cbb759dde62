"""Helpers for the log analyzer tests: put fixture files in place, age them, summarise reports."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def put(root: Path, name: str, fixture: str | None = None, text: str | None = None) -> Path:
    """Copy a fixture (or write ``text``) to ``root/name``."""
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if fixture is not None:
        shutil.copy(FIXTURES / fixture, target)
    else:
        target.write_text(text or "")
    return target


def age(path: Path, seconds_ago: float) -> None:
    """Set a file's modification time (rotation order is by mtime)."""
    moment = time.time() - seconds_ago
    os.utime(path, (moment, moment))


def summary(report) -> list[tuple]:  # type: ignore[no-untyped-def]
    """(level, count, first, last, shape, exception) of each group, in report order."""
    return [
        (g["level"], g["count"], g["first_seen"], g["last_seen"], g["shape"], g["exception"])
        for g in report.to_dict()["groups"]
    ]
