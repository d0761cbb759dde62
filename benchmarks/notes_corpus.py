"""Generated notes in the seed formats, for benchmarks and the memory test.

Written for agentdeck: the text is made up from small word lists, in the
shapes of the seed notes (session histories with dated headings, single
reports with tasks, files and metrics tables, autonomous-session reports with
emoji, sometimes turned to mojibake or CRLF). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from pathlib import Path

VERBS = [
    "Added",
    "Fixed",
    "Refactored",
    "Documented",
    "Removed",
    "Tuned",
    "Wrote",
    "Migrated",
    "Split",
]
THINGS = [
    "retry policy",
    "cache layer",
    "health endpoint",
    "login flow",
    "CSV export",
    "rate limiter",
    "webhook handler",
    "search index",
    "billing job",
    "audit log",
    "config loader",
    "metrics exporter",
]
AREAS = ["api", "worker", "web", "cli", "infra", "docs", "billing", "search"]
EXTS = ["py", "ts", "md", "sh", "sql", "yaml", "go"]
EMOJI = ["✅", "🚀", "🎯", "📊", "🔧", "⚠️", "🧪", "📁"]
SECTIONS_HISTORY = [
    "Work Completed",
    "Key Decisions",
    "Next Steps",
    "Blockers/Issues",
    "Files Created",
]


def _phrase(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)} the {rng.choice(THINGS)} in {rng.choice(AREAS)}"


def _path(rng: random.Random) -> str:
    return f"{rng.choice(AREAS)}/{rng.choice(THINGS).replace(' ', '_')}_{rng.randint(1, 999)}.{rng.choice(EXTS)}"


def _day(rng: random.Random) -> tuple[int, int, int]:
    return 2025, rng.randint(1, 12), rng.randint(1, 28)


def history(rng: random.Random, sessions: int) -> str:
    out = ["## Session History", "", "---", ""]
    for number in range(sessions):
        year, month, day = _day(rng)
        start = rng.randint(8, 16)
        out += [
            f"## Session: {year}-{month:02d}-{day:02d} ~{start}:00-{start + 1}:{rng.choice(['00', '15', '30'])} PST"
            + (" (LATEST)" if number == 0 else ""),
            "",
            f"**Duration**: ~{rng.choice([30, 45, 60, 75, 90])} minutes",
            f"**Branch**: feature/{rng.choice(AREAS)}-{rng.randint(1, 99)}",
            f"**Focus**: {_phrase(rng)}",
            "",
            "### Work Completed",
            "",
        ]
        for _ in range(rng.randint(2, 5)):
            out.append(f"{rng.choice(EMOJI)} **{_phrase(rng)}** (PR #{rng.randint(10, 400)})")
            out += [f"- {_phrase(rng)}" for _ in range(rng.randint(1, 4))]
            out.append("")
        out += ["### Key Decisions", *[f"- {_phrase(rng)}" for _ in range(rng.randint(1, 3))], ""]
        out += [
            "### Files Created",
            *[f"- `{_path(rng)}` ({rng.randint(10, 900)} lines)" for _ in range(rng.randint(1, 4))],
            "",
        ]
        out += [
            "### Next Steps",
            *[f"{i}. {_phrase(rng)}" for i in range(1, rng.randint(2, 5))],
            "",
            "---",
            "",
        ]
    return "\n".join(out) + "\n"


def report(rng: random.Random, tasks: int) -> str:
    year, month, day = _day(rng)
    out = [
        "# Agent Execution Session Notes",
        "",
        f"**Session ID:** SESSION-{year}{month:02d}{day:02d}-{rng.randint(1, 999):03d}  ",
        f"**Date:** {year}-{month:02d}-{day:02d}  ",
        f"**Agent:** {rng.choice(['Copilot', 'Claude Code', 'Codex', 'Aider'])}  ",
        f"**Objective:** {_phrase(rng)}",
        "",
        "## Session Summary",
        "",
        "### Metrics",
        f"- **Tasks Completed:** {tasks} of {tasks + rng.randint(0, 3)} planned",
        f"- **Files Created:** {rng.randint(3, 30)}",
        f"- **Duration:** ~{rng.choice([60, 90, 120])} minutes",
        "",
        "## Tasks Executed",
        "",
    ]
    for index in range(1, tasks + 1):
        task_id = f"TASK-{year}{month:02d}{day:02d}-{rng.randint(1, 300):03d}"
        out += [
            f"### {index}. {task_id}: {_phrase(rng).capitalize()} ✓",
            "",
            f"**Priority:** {rng.choice(['High', 'Medium', 'Low'])} | **Type:** {rng.choice(AREAS).title()}/{rng.choice(AREAS).title()}",
            "",
            "#### Implementation",
            *[f"- {_phrase(rng)}" for _ in range(rng.randint(2, 5))],
            "",
            "#### Files Created",
            *[f"- `{_path(rng)}` ({rng.randint(10, 900)} lines)" for _ in range(rng.randint(1, 4))],
            "",
            "---",
            "",
        ]
    out += ["## Challenges and Solutions", ""]
    for index in range(1, rng.randint(2, 4)):
        out += [
            f"### Challenge {index}: {rng.choice(THINGS).title()}",
            f"**Issue:** {_phrase(rng)} failed  ",
            f"**Solution:** {_phrase(rng)}",
            "",
        ]
    out += ["## New Tasks for Backlog", "", "### High Priority"]
    out += [f"{i}. **TASK-NEW-{i:03d}**: {_phrase(rng)}" for i in range(1, rng.randint(2, 6))]
    out += ["", "## Metrics Summary", "", "| Metric | Value |", "|--------|-------|"]
    out += [
        f"| {rng.choice(['Lines of Code', 'Test Files', 'Docs'])} | ~{rng.randint(1, 9)},{rng.randint(100, 999)} |"
        for _ in range(4)
    ]
    return "\n".join(out) + "\n"


def mangle(text: str, rng: random.Random) -> bytes:
    """Sometimes mojibake (UTF-8 read as Windows-1254), sometimes CRLF line ends."""
    if rng.random() < 0.25:
        text = text.encode("utf-8").decode("cp1254", errors="ignore")
    data = text.encode("utf-8")
    if rng.random() < 0.25:
        data = data.replace(b"\n", b"\r\n")
    return data


def make_corpus(folder: Path, total_bytes: int, seed: int = 4) -> tuple[int, int]:
    """Write notes into ``folder`` until they hold ``total_bytes``; return (files, bytes)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = files = 0
    while written < total_bytes:
        text = (
            history(rng, rng.randint(4, 25))
            if rng.random() < 0.5
            else report(rng, rng.randint(2, 8))
        )
        data = mangle(text, rng)
        (folder / f"note_{files:05d}.md").write_bytes(data)
        written += len(data)
        files += 1
    return files, written


def make_big_history(path: Path, total_bytes: int, seed: int = 50) -> int:
    """One history file of ``total_bytes`` (streamed out in pieces); return its size."""
    rng = random.Random(seed)
    written = 0
    with path.open("wb") as handle:
        while written < total_bytes:
            data = history(rng, 50).encode("utf-8")
            handle.write(data)
            written += len(data)
    return written


def make_report_of(size: int, seed: int = 1) -> str:
    """A single report of about ``size`` bytes (for timing verify)."""
    rng = random.Random(seed)
    parts = [report(rng, 8)]
    total = len(parts[0])
    while total < size:
        chunk = report(rng, 8).split("## Tasks Executed", 1)[1]
        parts.append("## Tasks Executed" + chunk)
        total += len(chunk)
    return "".join(parts)
