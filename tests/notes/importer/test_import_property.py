"""Generated notes of every shape: no exception escapes, and a failure leaves nothing behind.

Hypothesis draws a seed; ``document(seed)`` builds the note from a grammar with
``random.Random(seed)`` (cheap enough for 10,000 examples in well under a
minute of CPU; a failure names its seed, which reproduces it exactly).

10,000 generated documents (headings, key-value lines, lists, tables, code
fences, control characters, invalid UTF-8, mixed line ends) go through the
parser and ``verify`` in memory; a few hundred go through the store, where each
must import, then import again without changing anything, and an import made
to fail at a random point must leave the store as it was.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdeck.notes.importer import import_note, parse_text
from agentdeck.notes.verify import verify_report

WORDS = [
    "Session",
    "Sitzung",
    "Work Completed",
    "Next Steps",
    "Decisions",
    "Challenges",
    "Lessons Learned",
    "Blockers",
    "New Tasks",
    "Files Created",
    "Metrics",
    "Tasks Executed",
    "Summary",
    "TASK-20260203-060",
    "BUG-20251201-007",
    "SESSION-20260204-001",
    "2025-12-03",
    "12/03/2025",
    "3. Dezember 2025",
    "February 4, 2026",
    "10:00-10:30 AM",
    "~90 minutes",
    "(LATEST)",
    "✅",
    "🚀",
    "âœ…",
    "ðŸš€",
    "ğŸ¯",
    "(193 lines)",
    "(NEW - 8,616 chars)",
    "`src/app.py`",
    "scripts/run.sh",
    "7 of 8 (87.5%)",
    "19/27 tasks, 70%",
    "Total: 4,004 lines",
    "(7)",
    "High",
    "P1",
    "**",
    "|",
    "#",
    ":",
    "->",
    "[x]",
    "Priority: high",
    "tests passing",
    "deferred",
    "Größe",
    "naïve",
    "ø",
    "\u200b",
    "\t",
]
KEYS = [
    "Date",
    "Duration",
    "Agent",
    "Branch",
    "Focus",
    "Objective",
    "Session ID",
    "Priority",
    "Category",
    "Status",
    "Problem",
    "Solution",
    "Next",
    "Decision",
    "Lines of Code",
    "Tasks Completed",
    "Files Created",
    "Total",
    "Datum",
    "Durée",
    "Rama",
]
DATES = [
    "2025-12-03",
    "12/04/2025",
    "December 5, 2025",
    "6. Dezember 2025",
    "2025-12-07T10:00",
    "Dec 8",
]
TIMES = ["", " 10:00-10:30 AM", " ~1:00-2:15 PM PST", " 15:30", " 09:15–11:45"]
SECTIONS = [
    "Work Completed",
    "Next Steps",
    "Key Decisions",
    "Challenges and Solutions",
    "Lessons Learned",
    "Blockers",
    "New Tasks for Backlog",
    "Files Created",
    "Metrics",
    "Tasks Executed",
    "Nächste Schritte",
]


def text(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.6:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
    if pick < 0.8:
        return "".join(chr(rng.randint(0x20, 0x2FF)) for _ in range(rng.randint(0, 20)))
    return "".join(
        chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x10FFFF)]))
        for _ in range(rng.randint(0, 12))
    )


def block(rng: random.Random) -> str:
    kind = rng.randint(0, 9)
    if kind == 0:
        return "#" * rng.randint(1, 7) + " " + text(rng)
    if kind == 1:
        style = rng.choice(
            ["**{k}:** {v}", "**{k}**: {v}", "{k}: {v}", "- **{k}:** {v}", "| {k} | {v} |"]
        )
        return style.format(k=rng.choice(KEYS), v=text(rng))
    if kind == 2:
        markers = ["-", "*", "1.", "2)", "- [ ]", "- [x]", "+"]
        return "\n".join(
            "  " * rng.randint(0, 3) + f"{rng.choice(markers)} {text(rng)}"
            for _ in range(rng.randint(1, 6))
        )
    if kind == 3:
        rows = [
            "| " + " | ".join(text(rng) for _ in range(rng.randint(1, 4))) + " |"
            for _ in range(rng.randint(1, 5))
        ]
        if rng.random() < 0.5:
            rows.insert(1, "|---|---|")
        return "\n".join(rows)
    if kind == 4:
        fence = rng.choice(["```", "~~~", "````"])
        body = [text(rng) for _ in range(rng.randint(0, 3))]
        return "\n".join(
            [fence + rng.choice(["", "bash"]), *body, *([fence] if rng.random() < 0.5 else [])]
        )
    if kind == 5:
        return rng.choice(["---", "***", "===", "- - -", ""])
    if kind == 6:
        return "**" + text(rng) + "**" + rng.choice(["", ":", " - done", " (3)"])
    if kind == 7:
        return "> " + text(rng)
    if kind == 8:
        return "".join(chr(rng.randint(0, 0x1F)) for _ in range(rng.randint(0, 8)))
    return text(rng)


def section(rng: random.Random) -> str:
    name = rng.choice(SECTIONS)
    head = rng.choice([f"## {name}", f"### {name}", f"**{name}:**"])
    return "\n".join([head, *(block(rng) for _ in range(rng.randint(0, 5)))])


def document(seed: int) -> bytes:
    """A generated note: random blocks, a history, or a report, damaged in random ways."""
    rng = random.Random(seed)
    mode = rng.randint(0, 2)
    if mode == 0:
        blocks = [block(rng) for _ in range(rng.randint(0, 25))]
    elif mode == 1:  # a history: dated session headings, sections, noise
        blocks = ["## Session History"]
        for _ in range(rng.randint(1, 5)):
            blocks.append(
                f"## Session: {rng.choice(DATES)}{rng.choice(TIMES)}"
                + rng.choice(["", " (LATEST)"])
            )
            blocks.append(f"**Duration**: {rng.choice(['~45 minutes', '2h', 'unknown'])}")
            blocks.extend(section(rng) for _ in range(rng.randint(0, 4)))
            blocks.extend(block(rng) for _ in range(rng.randint(0, 3)))
    else:  # a single report: title, fields, sections
        blocks = [f"# {text(rng)}", f"**Date:** {rng.choice(DATES)}", f"**Agent:** {text(rng)}"]
        blocks.extend(section(rng) for _ in range(rng.randint(1, 6)))
    newline = rng.choice(["\n", "\r\n", "\r", "\n\n"])
    data = newline.join(blocks).encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.5:
        at = rng.randint(0, len(data))
        data = data[:at] + rng.randbytes(rng.randint(1, 12)) + data[at:]
    if rng.random() < 0.05:
        data = b"\xff\xfe" + data  # a UTF-16 BOM in front of bytes that are not UTF-16
    return data


def check_note(data: bytes) -> None:
    note = parse_text(data)
    json.dumps(note.to_dict())
    for session in note.sessions:
        assert 1 <= session.line <= max(session.end_line, session.line)
        for index, entry in enumerate(session.entries):
            assert entry.parent is None or 0 <= entry.parent < index
            assert entry.text and "\x00" not in entry.text
        assert isinstance(session.import_key(), str) and len(session.digest()) == 64
    result = verify_report(data)
    json.dumps(result.to_dict())
    assert result.summary()["claims"] == len(result.claims)


# Derandomized: CI runs the same 10,000 documents every time. Random
# exploration (100,000 more documents) found nothing; rerun it with
# derandomize=False and a higher max_examples after changing the parser.
@settings(
    max_examples=10_000,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.integers(0, 2**63))
def test_parse_and_verify_never_raise(seed: int) -> None:
    check_note(document(seed))


COUNTED = (
    "sessions",
    "session_entries",
    "session_tasks",
    "session_files",
    "tasks",
    "task_events",
    "task_tags",
    "task_deps",
    "id_sequences",
)


def _counts(store) -> list[int]:  # type: ignore[no-untyped-def]
    return [store.query_value(f"SELECT count(*) FROM {t}") for t in COUNTED]


_FAIL_AT = ("session", "_entries", "_link_task", "_recommend", "backlog", "flush")


def _store_property(ws, tmp_path: Path, data: bytes, fail_at: int | None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agentdeck.notes.importer import persist

    path = tmp_path / "note.md"
    path.write_bytes(data)
    before = _counts(ws.store)
    if fail_at is not None:
        name = _FAIL_AT[fail_at % len(_FAIL_AT)]
        original = getattr(persist.Writer, name)

        def broken(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            original(self, *args, **kwargs)
            raise RuntimeError("injected failure")

        with monkeypatch.context() as patch:
            patch.setattr(persist.Writer, name, broken)
            result = import_note(ws.store, path)
        assert result.status in ("failed", "skipped", "unchanged", "imported")
        if result.status == "failed":
            assert _counts(ws.store) == before, "a failed import left rows behind"
            return
    result = import_note(ws.store, path)
    assert result.status in ("imported", "unchanged", "skipped"), result.error
    if result.status == "skipped":
        assert _counts(ws.store) == before
        return
    after = _counts(ws.store)
    again = import_note(ws.store, path)
    assert again.status == "unchanged", again.to_dict()
    assert _counts(ws.store) == after


@pytest.mark.parametrize("examples", [300])
def test_store_imports_are_whole_and_idempotent(
    ws, tmp_path: Path, monkeypatch, examples: int
) -> None:  # type: ignore[no-untyped-def]
    count = examples if not ws.store.dialect.is_postgres else examples // 2

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )
    @given(st.integers(0, 2**63), st.one_of(st.none(), st.integers(0, 50)))
    def run(seed: int, fail_at: int | None) -> None:
        _store_property(ws, tmp_path, document(seed), fail_at, monkeypatch)

    run()
