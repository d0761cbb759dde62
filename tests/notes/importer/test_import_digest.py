"""``ParsedSession.digest()`` is a stored fingerprint: it must stay what it was defined as.

``digest()`` builds its JSON in sorted key order by hand (for speed); these
tests hold it equal to the plain definition (``to_dict()`` without line
numbers, markers such as "(LATEST)" out of the title, ``json.dumps`` with
sorted keys) on the seeds, the fixtures and generated documents, so that
sessions imported before stay "already imported".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_import_property import document

from agentdeck.notes.importer import parse_text
from agentdeck.notes.importer.model import ParsedSession
from agentdeck.notes.importer.vocab import LIVE_MARKER
from workspace_helpers import SEEDS

FIXTURES = Path(__file__).with_name("fixtures")


def plain_digest(session: ParsedSession) -> str:
    data = session.to_dict()
    data.pop("line")
    data.pop("end_line")
    for group in ("entries", "tasks", "files", "new_tasks"):
        for item in data[group]:
            item.pop("line", None)
    data["title"] = LIVE_MARKER.sub("", data["title"]).strip()
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def notes() -> list[bytes]:
    files = sorted(FIXTURES.iterdir()) + (sorted(SEEDS.iterdir()) if SEEDS.is_dir() else [])
    return [p.read_bytes() for p in files] + [document(seed) for seed in range(400)]


@pytest.mark.parametrize("index", range(0, 420, 30))
def test_digest_is_the_sorted_dict_without_lines(index: int) -> None:
    checked = 0
    for data in notes()[index : index + 30]:
        for session in parse_text(data).sessions:
            assert session.digest() == plain_digest(session)
            checked += 1
    assert checked or index >= 400


def test_digest_of_a_full_session() -> None:
    """Every field filled, metrics out of order, a task with everything: same digest."""
    text = (
        "# Session 7 (LATEST)\n**Date:** 2026-02-04\n**Agent:** Codex\n**Branch:** fix/x\n"
        "**Duration:** 90 minutes\n**Session ID:** SESSION-20260204-007\n\n"
        "## Metrics\n- **Zeta:** 3\n- **Alpha:** 1\n- **Alpha:** 2\n\n"
        "## Work Completed\n- did a thing\n  - a detail\n\n"
        "## Tasks\n- [x] TASK-20260204-001: Ship it (high, infra/ci, effort M)\n\n"
        "## Files Created\n- `src/app.py` (120 lines)\n\n"
        "## New Tasks\n1. **TASK-NEW-001**: Follow up (High)\n   - why it matters\n"
    )
    (session,) = parse_text(text).sessions
    assert session.metrics and session.entries and session.tasks and session.files
    assert session.new_tasks
    assert session.digest() == plain_digest(session)


ODD_TEXTS = [
    "",
    'quote " and backslash \\ and slash /',
    "controls \x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x9f end",
    "unicode é ✅ 🚀 \u2028\u2029 中文",
    "lone surrogate \ud800 here",
    "(LATEST) 2026-02-04 marker",
]


@pytest.mark.parametrize("odd", ODD_TEXTS)
@pytest.mark.parametrize(
    "minutes", [None, 0.0, 90.0, 2.5, 1e16, 1e-05, float("nan"), float("inf"), -float("inf")]
)
def test_digest_writes_any_text_and_number_as_json_does(odd: str, minutes: float | None) -> None:
    from agentdeck.notes.importer.model import Entry, FileRef, NewTask, TaskRef

    session = ParsedSession(
        line=3,
        end_line=9,
        title=f"Session {odd} (LATEST)",
        objective=odd,
        when_text=odd or None,
        day="2026-02-04",
        start_time=odd,
        duration_minutes=minutes,
        duration_text=odd,
        branch=odd,
        agent=odd,
        label=odd or None,
        metrics={odd: odd, "b": "2", "a" + odd: "1"},
        entries=[Entry("work", odd or "x", 4), Entry("note", odd + "!", 5, 0)],
        tasks=[TaskRef("TASK-20260204-001", odd, 6, "completed", odd, odd, odd, odd)],
        files=[FileRef(odd or "a.py", 7, 12, None, odd), FileRef("b.py", 8, None, 1_000_000)],
        new_tasks=[NewTask(odd or "t", 9, odd, odd, odd, [odd, odd])],
    )
    assert session.digest() == plain_digest(session)
