"""Recognising what kind of note a file is and cutting it into sessions.

Two passes over the lines, so a file of any size streams:

1. ``plan_document`` reads the outline: headings, bold lead-ins and dated list
   items that could open a session ("## Session: 2025-12-03 10:00", "## 2025-12-03",
   "**Sitzung 4 (3. Dezember 2025)**", "- 2025-12-03: ..."), the fields a single
   report carries (**Date:**, **Agent:**, **Duration:**), the sections it has,
   and whether it names task IDs. From those it decides the kind:

   * ``history`` / ``log``: two or more session markers at one heading level
     (or, without any heading marker, as bold lead-ins or dated list items);
     ``log`` when the markers are bare dates (a progress log);
   * ``report``: one session (a single heading marker, or a dated/fielded
     document with session sections); ``handoff`` when its title says so
     (CURRENT_WORK.md, "Hand-off", "Where things stand");
   * ``tasks``: no session, but task IDs (a TODO.md, a TASK_INDEX.md);
   * ``unstructured``: none of the above; nothing is imported from it.

2. ``iter_sessions`` feeds each session's lines to a ``SessionBuilder``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from agentdeck.notes.importer.dates import find_dates, find_times
from agentdeck.notes.importer.extract import (
    ROW_SECTIONS,
    TASK_ID,
    SessionBuilder,
    paren_facts,
    prose_facts,
    short_id,
)
from agentdeck.notes.importer.model import BacklogTask, ParsedSession
from agentdeck.notes.importer.scan import (
    HEADING,
    ITEM,
    RULE,
    TABLE,
    TEXT,
    Line,
    Tokens,
    bold_lead,
    clean_inline,
    key_value,
    strip_symbols,
    tokenize,
)
from agentdeck.notes.importer.vocab import (
    CONTAINER,
    HANDOFF_TITLE,
    LOG_TITLE,
    SESSION_ID,
    SESSION_LEAD,
    SESSION_NUMBERED,
    SESSION_WORD,
    VERSION_HEADING,
    classify_heading,
    field_name,
)

KINDS = ("history", "log", "report", "handoff", "tasks", "unstructured")
_SESSION_SECTIONS = {
    "work",
    "tasks",
    "files",
    "metrics",
    "decisions",
    "challenges",
    "lessons",
    "blockers",
    "next",
    "newtasks",
}
_SESSION_FIELDS = {"date", "duration", "agent", "branch", "session", "time"}

_DATE_CHARS: Final = re.compile(r"[\d/.:-]+")
_CLOCK: Final = re.compile(r"\d{1,2}[:h.]\d{2}(?:\s*[ap]\.?m\.?)?", re.I)
_TWO_LETTERS: Final = re.compile(r"[^\W\d_]{2}")


@dataclass(frozen=True)
class Marker:
    """A line that could open a session."""

    line: int
    how: str  # "heading", "bold" or "item"
    level: int
    text: str
    dated: bool
    named: bool  # says "session" (with a number, an ID, or "Session: ...")

    def __reduce__(self) -> tuple[type[Marker], tuple[int, str, int, str, bool, bool]]:
        # Plans cross from the read-ahead workers by pickle. Compiled (see
        # ``agentdeck.native``), a frozen dataclass has no
        # ``__dict__`` to restore its fields into, so it is rebuilt from them.
        return Marker, (self.line, self.how, self.level, self.text, self.dated, self.named)


@dataclass
class Plan:
    """What ``plan_document`` decided about a note."""

    kind: str
    title: str = ""
    title_line: int = 0
    #: Lines that open a session (empty for a single-session note).
    starts: list[Marker] = field(default_factory=list)
    #: For ``history``/``log``: a heading at this level or above ends a session.
    end_level: int = 0
    lines: int = 0
    reason: str = ""
    task_ids: int = 0

    @property
    def has_sessions(self) -> bool:
        return self.kind in ("history", "log", "report", "handoff")

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "title": self.title, "sessions": len(self.starts) or None}


def _lines(lines: Iterable[str]) -> Iterable[Line]:
    """Classified lines: ``Tokens`` as they are (not through a generator per line), else ``tokenize``."""
    return lines if isinstance(lines, Tokens) else tokenize(lines)


def _dated(text: str) -> bool:
    return bool(find_dates(text))


def heading_marker(line: Line) -> Marker | None:
    """Whether a heading opens a session: it carries a date, a session number/ID, or "Session: ..."."""
    found = _heading_marker(line.text)
    if found is None:
        return None
    plain, dated, named = found
    return Marker(line.no, "heading", line.level, plain, dated, named)


@lru_cache(maxsize=4096)
def _heading_marker(raw: str) -> tuple[str, bool, bool] | None:
    text = clean_inline(raw)
    if not text or VERSION_HEADING.match(text):
        return None
    plain, _ = strip_symbols(text)
    dated = _dated(plain)
    numbered = bool(SESSION_NUMBERED.search(plain) or SESSION_ID.search(plain))
    lead = bool(SESSION_LEAD.match(plain))
    if not (dated or numbered or lead):
        return None
    if not dated and not numbered and CONTAINER.search(plain):
        return None
    if dated and not (numbered or lead or SESSION_WORD.search(plain)):
        # A dated heading that is clearly a section ("Next steps (2025-12-03)") is not a session.
        section = classify_heading(_DATE_CHARS.sub(" ", plain)).kind
        if section and section not in ("work", "summary"):
            return None
    return plain, dated, numbered or lead


def _lead_marker(line: Line) -> Marker | None:
    """A bold lead-in (``**2025-12-03** - fixed CI``, ``**Session 4 (Dec 3, 2025)**``) or dated item."""
    text = line.text
    body, _ = strip_symbols(text)
    lead = bold_lead(body)
    if lead is not None:
        inner = lead[0].strip().rstrip(":：")
        plain, _ = strip_symbols(clean_inline(inner))
        if field_name(plain) is not None:
            return None  # "**Date:** ...", "**Duration**: ...": a field, whatever it holds
        dated = bool(find_dates(plain)) and len(plain) <= 80
        numbered = bool(SESSION_NUMBERED.search(plain) or SESSION_ID.search(plain))
        if dated or numbered:
            how = "bold" if line.kind == TEXT else "item"
            return Marker(line.no, how, line.level, clean_inline(body), dated, numbered)
        return None
    if line.kind == ITEM and line.level == 0:
        found = find_dates(body[:40])
        if found and found[0].start <= 2:
            return Marker(line.no, "item", 0, clean_inline(body), True, False)
    return None


def plan_document(lines: Iterable[str], *, name: str = "") -> Plan:
    """Read the outline of a note and decide its kind and where its sessions start."""
    headings: list[Marker] = []
    leads: list[Marker] = []
    title = ""
    title_line = 0
    fields: Counter[str] = Counter()
    sections: Counter[str] = Counter()
    task_ids = 0
    total = 0
    last_heading_level = 0
    lead_container: int | None = None
    rows: list[Marker] = []  # rows of a table of sessions, one session a row
    row_date: int | None = None  # the date column of the table being read, when it is one
    previous: Line | None = None
    for line in _lines(lines):
        total = line.no
        before, previous = previous, line
        if line.kind == RULE and line.marker == "table":
            row_date = _session_table(before.cells) if before and before.kind == TABLE else None
            continue
        if line.kind == HEADING:
            if not title and line.text.strip():
                title, _ = strip_symbols(clean_inline(line.text))
                title_line = line.no
            marker = heading_marker(line)
            if marker:
                headings.append(marker)
            kind = classify_heading(line.text).kind
            if kind:
                sections[kind] += 1
            if "-" in line.text and (TASK_ID.search(line.text) or short_id(line.text) is not None):
                task_ids += 1
            last_heading_level = line.level
            continue
        if line.kind == TABLE and line.cells:
            # A task index as a table: an ID in the row's first cells.
            head = " | ".join(line.cells[:2])
            if "-" in head and (TASK_ID.search(head) or short_id(line.cells[0]) is not None):
                task_ids += 1
            if row_date is not None and row_date < len(line.cells) and not headings:
                dates = find_dates(clean_inline(line.cells[row_date]))
                if dates and dates[0].day:
                    rows.append(Marker(line.no, "row", row_date, line.cells[row_date], True, False))
            continue
        row_date = None
        if line.kind not in (TEXT, ITEM):
            continue
        text = line.text
        if ("-20" in text or "-19" in text) and TASK_ID.search(text):
            task_ids += 1
        if headings:
            # Bold lead-ins, fields and sections decide the kind only of a note
            # without any session heading (see below): once one is found, the
            # rest of the text is not read for them (most of this loop's time
            # on a history).
            continue
        if line.kind == ITEM and short_id(text) is not None:
            task_ids += 1  # a tracker's key (API-21): only a note without session headings
        first = text[:2]
        if (
            line.kind == TEXT
            and first not in ("**", "__")
            and len(text) > 20
            and not any(sections[kind] for kind in _SESSION_SECTIONS)
        ):
            # A sentence before the first section may state the session's facts
            # ("Written on March 3rd 2026 by Claude Code, on branch `x`"): with a
            # date or an agent and one more fact, they count as its fields.
            facts = prose_facts(text)
            if len(facts) >= 2 and ("when" in facts or "agent" in facts):
                for key in facts:
                    fields[key] += 1
        if first in ("**", "__") or (line.kind == ITEM and line.level == 0 and text[:1].isdigit()):
            marker = _lead_marker(line)
            if marker:
                if lead_container is None:
                    lead_container = last_heading_level
                leads.append(marker)
        colon = text.find(":")
        if colon < 0:
            colon = text.find("：")  # a full-width colon, as Chinese and Japanese notes write it
        if 0 < colon < 72 and (line.kind == TEXT or line.level == 0):
            pair = key_value(strip_symbols(text)[0])
            if pair:
                name_of = field_name(pair[0])
                if name_of in _SESSION_FIELDS and pair[1]:
                    fields[name_of] += 1
                elif name_of is None:
                    kind = classify_heading(pair[0]).kind
                    if kind in _SESSION_SECTIONS and not pair[1]:
                        sections[kind] += 1
            elif first in ("**", "__"):
                lead = bold_lead(text)
                if lead and not lead[1].strip(" :"):
                    kind = classify_heading(lead[0]).kind
                    if kind:
                        sections[kind] += 1
    plan = Plan("unstructured", title, title_line, lines=total, task_ids=task_ids)
    by_level: dict[int, list[Marker]] = {}
    for marker in headings:
        by_level.setdefault(marker.level, []).append(marker)
    best: list[Marker] = []
    for level in sorted(by_level):
        if len(by_level[level]) > len(best):
            best = by_level[level]
    title_is_session = bool(
        headings
        and headings[0].line == title_line
        and headings[0].level < (best[0].level if best else 0)
    )
    if len(best) >= 2 and not (title_is_session and len(best) < 3):
        plan.kind = _multi_kind(best, title)
        plan.starts = best
        plan.end_level = best[0].level
        return plan
    if headings:
        plan.kind = "handoff" if _is_handoff(title, name) else "report"
        top = min(headings, key=lambda m: (m.level, m.line))
        plan.title = top.text
        plan.title_line = top.line
        return plan
    dated_leads = [m for m in leads if m.dated or m.named]
    if len(dated_leads) >= 2:
        level_counts = Counter([(m.how, m.level) for m in dated_leads])
        (how, level), _count = level_counts.most_common(1)[0]
        chosen = [m for m in dated_leads if m.how == how and m.level == level]
        if len(chosen) >= 2:
            plan.kind = _multi_kind(chosen, title)
            plan.starts = chosen
            plan.end_level = max(lead_container or 0, 0)
            return plan
    if (
        len(rows) >= 2
        and sum(fields.values()) == fields["date"]
        and not any(sections[kind] for kind in _SESSION_SECTIONS)
    ):
        # A table of sessions: "| Date | Agent | Duration | Summary |", a session a row
        # (not a table of dated events inside a report, which has fields or sections).
        plan.kind = "log"
        plan.starts = rows
        plan.end_level = 0
        return plan
    session_sections = sum(sections[k] for k in _SESSION_SECTIONS)
    title_signal = bool(
        title and (SESSION_WORD.search(title) or _dated(title) or HANDOFF_TITLE.search(title))
    )
    field_count = sum(fields.values())
    if (
        task_ids >= 3
        and not title_signal
        and field_count == fields["date"]
        and not any(sections[kind] for kind in _SESSION_SECTIONS if kind != "tasks")
    ):
        # A task index or backlog: its IDs and at most a "Last updated" date.
        plan.kind = "tasks"
        return plan
    if (field_count or title_signal or HANDOFF_TITLE.search(name)) and (
        session_sections or field_count >= 2
    ):
        plan.kind = "handoff" if _is_handoff(title, name) else "report"
        return plan
    if len(dated_leads) == 1 and session_sections:
        plan.kind = "report"
        return plan
    if task_ids:
        plan.kind = "tasks"
        return plan
    plan.reason = (
        "no session structure: no dated or numbered session headings, no session fields "
        "(Date, Agent, Duration, Branch) with work sections, and no task IDs"
    )
    return plan


#: Columns of a table of sessions besides its date: what makes a dated table one.
_ROW_FIELDS = frozenset(["agent", "duration", "branch"])


def _session_table(header: list[str] | None) -> int | None:
    """The date column of a table whose header names a session's date and its agent,
    duration, branch or work ("| Date | Agent | Duration | Summary |"), else None."""
    if not header:
        return None
    date_column = None
    other = False
    for index, cell in enumerate(header):
        name = field_name(clean_inline(cell))
        if name == "date" and date_column is None:
            date_column = index
        elif name in _ROW_FIELDS or classify_heading(cell).kind in ROW_SECTIONS:
            other = True
    return date_column if other else None


def _multi_kind(markers: list[Marker], title: str) -> str:
    named = sum(1 for m in markers if m.named or SESSION_WORD.search(m.text))
    if named == 0 or (LOG_TITLE.search(title or "") and named < len(markers) / 2):
        return "log"
    return "history"


def _is_handoff(title: str, name: str) -> bool:
    return bool(HANDOFF_TITLE.search(title or "") or HANDOFF_TITLE.search(name or ""))


def iter_sessions(lines: Iterable[str], plan: Plan) -> Iterator[ParsedSession]:
    """The sessions of a note, in file order, read with the plan from ``plan_document``."""
    if not plan.has_sessions:
        return
    if plan.kind in ("report", "handoff"):
        single = SessionBuilder(1)
        for line in _lines(lines):
            if line.no == plan.title_line and line.kind in (HEADING, TEXT):
                single.header(line.text, line.no)
                continue
            single.feed(line)
        session = single.finish()
        if not session.title:
            session.title = plan.title
        yield session
        return
    starts = {m.line: m for m in plan.starts}
    builder: SessionBuilder | None = None
    item_day = ""  # the date written on the last dated item that opened a session
    header: list[str] = []  # the header row of the table being read
    previous: Line | None = None
    in_row = False  # the open session is a row of a table of sessions
    for line in _lines(lines):
        before, previous = previous, line
        if line.kind == RULE and line.marker == "table" and before and before.kind == TABLE:
            header = before.cells or []
        if in_row and line.kind != TABLE and builder is not None:
            yield builder.finish()  # the table has ended: what follows is no row's
            builder, in_row = None, False
        marker = starts.get(line.no)
        if marker is not None:
            day = _item_day(marker)
            if builder is not None and day and day == item_day:
                # "- 2026-02-02: ..." twice in a progress log: one day, one session.
                _lead_header(builder, line, again=True)
                continue
            item_day = day
            if builder is not None:
                yield builder.finish()
            builder = SessionBuilder(line.no)
            in_row = marker.how == "row"
            if marker.how == "heading":
                builder.header(line.text, line.no)
            elif in_row:
                builder.row(line, header)
            else:
                _lead_header(builder, line)
            continue
        if line.kind == HEADING:
            item_day = ""
        if builder is None:
            continue
        if line.kind == HEADING and line.level <= plan.end_level:
            yield builder.finish()
            builder = None
            continue
        builder.feed(line)
    if builder is not None:
        yield builder.finish()


def _item_day(marker: Marker) -> str:
    """The date a dated list item opens with, as written ("" for other markers)."""
    if marker.how != "item" or marker.named:
        return ""
    found = find_dates(marker.text[:40])
    return marker.text[found[0].start : found[0].end] if found else ""


def _lead_header(builder: SessionBuilder, line: Line, *, again: bool = False) -> None:
    """A session opened by a bold lead-in or a dated item: its rest is the first work item.

    ``again``: a further item of the same day in a progress log, whose rest is
    one more work item of the session already open.
    """
    body, _ = strip_symbols(line.text)
    lead = bold_lead(body)
    if lead is not None:
        head, rest = lead
    else:
        dates = find_dates(body)
        cut = dates[0].end if dates else 0
        times = find_times(body[cut : cut + 30])
        if times:
            match = _CLOCK.search(body[cut:])
            if match:
                cut += match.end()
        head, rest = body[:cut], body[cut:]
    rest = clean_inline(rest).strip(" :-–—|")
    if again:
        builder.last_line = line.no
        if rest:
            builder.work_item(rest, line.no)
        return
    builder.header(head, line.no)
    if rest.endswith(")") and "(" in rest:
        facts = paren_facts(rest[rest.rfind("(") :])
        builder.guess(facts)
        if facts and rest.startswith("(") and rest.count("(") == 1:
            # "**Session 31 — 03/04/2026** (Claude Code, ~2 hours)": details, not work.
            return
    if rest:
        head_text = clean_inline(head)
        for found in reversed(find_dates(head_text)):
            head_text = head_text[: found.start] + head_text[found.end :]
        if not _TWO_LETTERS.search(head_text):
            builder.session.title = rest[:500]
        builder.work_item(rest, line.no)


def backlog_tasks(lines: Iterable[str]) -> list[BacklogTask]:
    """The tasks of a backlog or task index (a note of kind ``tasks``)."""
    builder = SessionBuilder(1, backlog=True)
    for line in _lines(lines):
        builder.feed(line)
    builder.finish()
    return _merge_backlog(builder.backlog_tasks)


def _merge_backlog(tasks: list[BacklogTask]) -> list[BacklogTask]:
    merged: dict[str, BacklogTask] = {}
    for task in tasks:
        known = merged.get(task.id)
        if known is None:
            merged[task.id] = task
            continue
        for name in ("title", "status", "priority", "category", "effort"):
            if getattr(known, name) is None and getattr(task, name) is not None:
                setattr(known, name, getattr(task, name))
        known.depends_on.extend(d for d in task.depends_on if d not in known.depends_on)
        known.tags.extend(t for t in task.tags if t not in known.tags)
    return list(merged.values())
