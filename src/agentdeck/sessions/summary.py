"""One-line summaries of a session, shared by the list, the notes and the hand-off."""

from __future__ import annotations

from typing import Any

from agentdeck.sessions.model import Session


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def duration_text(minutes: float | None) -> str:
    """``95`` -> ``1 h 35 min``; ``None`` -> ``""``."""
    if minutes is None:
        return ""
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    return f"{whole // 60} h {whole % 60:02d} min"


def completion_text(summary: dict[str, Any]) -> str:
    """``1 of 2 planned tasks done (50%)``, or ``""`` when nothing was planned."""
    planned = summary["planned"]
    if not planned:
        return ""
    done = summary["planned_completed"]
    rate = summary["completion_rate"] or 0
    return f"{len(done)} of {len(planned)} planned tasks done ({rate:.0%})"


def summary_line(session: Session) -> str:
    """What a session did, in one line, from measured figures (claimed ones for imports)."""
    if session.imported:
        claimed = session.metrics or {}
        bits = [f"imported from {session.source}" if session.source else "imported"]
        shown = ", ".join(f"{k}: {v}" for k, v in list(claimed.items())[:4])
        if shown:
            bits.append(f"claimed {shown}")
        return "; ".join(bits)
    evidence = session.evidence or {}
    bits: list[str] = []
    if session.status == "open":
        bits.append("open")
    elif not evidence.get("git", False):
        bits.append("git unavailable")
    else:
        totals = evidence.get("totals", {})
        bits.append(plural(int(evidence.get("commits", 0)), "commit"))
        bits.append(
            f"{plural(int(totals.get('files', 0)), 'file')} changed "
            f"(+{totals.get('added', 0):,} -{totals.get('removed', 0):,})"
        )
        if evidence.get("partial"):
            bits.append("partial evidence")
    tasks = session.task_summary()
    done = completion_text(tasks)
    if done:
        bits.append(done)
    extra = len(tasks["unplanned_completed"])
    if extra:
        bits.append(f"{plural(extra, 'unplanned task')} done")
    if tasks["found"]:
        bits.append(f"{plural(len(tasks['found']), 'new task')}")
    if session.duration_minutes is not None:
        bits.append(duration_text(session.duration_minutes))
    if session.status == "abandoned":
        bits.insert(0, "abandoned")
    return ", ".join(bits)
