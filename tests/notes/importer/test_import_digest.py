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
