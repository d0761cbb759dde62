"""Claims a report makes about itself, checked against the report itself.

Each function reads one kind of claim from the lines of one scope (a session
of a history, or the whole report) and checks it against what the same text
says elsewhere: percentages against their ratio, counts against the items
listed, totals against their parts, a metric against itself stated again, a
duration against the time range. Repository checks live in ``repo.py``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import attrgetter

from agentdeck.notes.importer.model import ParsedSession
from agentdeck.notes.importer.numbers import GROUPED, NUMBER, Amount, parse_amount, ungroup
from agentdeck.notes.importer.scan import (
    BLANK,
    CODE,
    HEADING,
    ITEM,
    TABLE,
    TEXT,
    Line,
    bold_lead,
    clean_inline,
    key_value,
    strip_symbols,
)
from agentdeck.notes.verify.model import CONFIRMED, CONTRADICTED, UNVERIFIABLE, Claim

_TEXT_KINDS = (TEXT, ITEM, HEADING, TABLE)
#: A digit (``\d``: any Unicode decimal digit, as ``NUMBER`` reads them).
_DIGIT = re.compile(r"\d").search
#: A link or an HTML tag: cleaning a line with one may remove more than marks.
_LINK_OR_TAG = re.compile(r"[\[<]").search
#: What ``clean_inline`` removes from a line without links or tags, wherever
#: they are: emphasis marks and code ticks.
_MARKS = ("*", "_", "`")
#: The characters ``re.IGNORECASE`` takes for an ASCII letter whose ``lower()``
#: is not that letter: dotless i and long s (``"ſ".lower()`` is itself). A
#: capital dotted I lowers to two characters, which would shift every offset;
#: text holding one is searched with the ignore-case patterns instead.
_FOLD = {"ı": "i", "ſ": "s"}
_DOTTED_I = "\u0130"


class Words:
    """Words a check looks for (``Scope.may_say``): ``alternatives`` in lower case, and
    ``lowered``, a pattern finding any of them in lowered text.

    ``anycase`` finds them ignoring case with marks between their letters
    (``**Test**s``), in text that could not be lowered (``Scope._index``); it
    is compiled only then (a dozen such patterns cost milliseconds at start-up).
    """

    __slots__ = ("_anycase", "alternatives", "lowered")

    def __init__(self, *alternatives: str) -> None:
        self.alternatives = alternatives
        self.lowered = re.compile("|".join(map(re.escape, alternatives)))
        self._anycase: re.Pattern[str] | None = None

    @property
    def anycase(self) -> re.Pattern[str]:
        if self._anycase is None:
            marks = "[" + re.escape("".join(_MARKS)) + "]*"
            body = "|".join(marks.join(map(re.escape, word)) for word in self.alternatives)
            self._anycase = re.compile(body, re.I)
        return self._anycase


@dataclass
class Scope:
    """The lines of one session (or of the whole report) and what the parser read from them.

    Most checks look for a number or a word, and most lines of a report have
    neither. Every text a check reads from a line (``_plain``, ``_kv``,
    ``_label_text``) is made of the characters of ``line.text`` with markup
    and symbols removed, so a line whose text has no digit cannot hold a
    number (``numbered()``), and one that does not have a word, allowing for
    the marks removed, cannot say it (``may_say()``). Those lines are found
    once per scope, with searches run in C over all lines, instead of a test
    per line in every check.
    """

    lines: list[Line]
    session: ParsedSession | None
    name: str | None
    _text: list[Line] | None = None
    _numbered: list[int] | None = None
    _numbered_text: list[Line] | None = None
    _indexed: bool = False
    #: Lines with a link or a tag: ``may_say`` always includes them.
    _marked: set[int] = field(default_factory=set)
    #: The texts lowered, folded (``_FOLD``) and without marks, joined by newlines,
    #: one by one, and where each starts (None: a text holds a newline or a dotted I).
    _folded: str | None = None
    _folded_lines: list[str] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    #: Lines that are blockquotes (left out of ``lines``): what the reader took from
    #: them (files, tasks) is no claim either.
    quoted: frozenset[int] = frozenset()

    def text_lines(self) -> list[Line]:
        if self._text is None:
            self._text = [ln for ln in self.lines if ln.kind in _TEXT_KINDS]
        return self._text

    def _index(self) -> None:
        self._indexed = True
        lines = self.lines
        texts = [ln.text for ln in lines]
        everywhere = range(len(texts))
        self._numbered = list(compress(everywhere, map(_DIGIT, texts)))
        self._marked = set()
        joined = "\n".join(texts)
        # A text holding a newline itself (never made by the reader, but a ``Line`` can
        # be built with one) or a dotted I: searched per line with ``anycase``.
        if joined.count("\n") != max(len(texts) - 1, 0) or _DOTTED_I in joined:
            self._marked.update(compress(everywhere, map(_LINK_OR_TAG, texts)))
            return
        folded = joined.lower()
        for odd, letter in _FOLD.items():
            if odd in folded:
                folded = folded.replace(odd, letter)
        for mark in _MARKS:
            if mark in folded:
                folded = folded.replace(mark, "")
        self._folded = folded
        self._folded_lines = folded.split("\n")
        self._starts = list(
            accumulate(map((1).__add__, map(len, self._folded_lines[:-1])), initial=0)
        )
        self._marked.update(self._lines_with(("[", "<")))  # folding keeps both

    def _lines_with(self, needles: tuple[str, ...]) -> set[int]:
        """Indices of the lines whose folded text holds one of ``needles``: a search in C
        of the whole text, and one bisection per line found."""
        text, starts = self._folded, self._starts
        assert text is not None
        found: set[int] = set()
        last = len(starts) - 1
        for needle in needles:
            at = text.find(needle)
            while at >= 0:
                index = bisect_right(starts, at) - 1
                found.add(index)
                if index == last:
                    break
                at = text.find(needle, starts[index + 1])  # the next line: one hit is enough
        return found

    def numbered(self) -> list[int]:
        """Indices (into ``lines``, ascending) of the lines whose text holds a digit."""
        if not self._indexed:
            self._index()
        assert self._numbered is not None
        return self._numbered

    def numbered_text_lines(self) -> list[Line]:
        """``text_lines()`` whose text holds a digit, in order."""
        if self._numbered_text is None:
            lines = self.lines
            self._numbered_text = [
                lines[i] for i in self.numbered() if lines[i].kind in _TEXT_KINDS
            ]
        return self._numbered_text

    def numbered_saying(self, *wanted: Words) -> list[int]:
        """Indices of the ``numbered_text_lines()`` that may say one of each of ``wanted``."""
        lines = self.lines
        found = [i for i in self.numbered() if lines[i].kind in _TEXT_KINDS]
        marked = self._marked
        for each in wanted:
            if self._folded is None:
                anycase = each.anycase.search
                found = [i for i in found if i in marked or anycase(lines[i].text)]
            else:
                search, folded = each.lowered.search, self._folded_lines
                found = [i for i in found if i in marked or search(folded[i])]
        return found

    def may_say_at(self, index: int, wanted: Words) -> bool:
        """Whether the cleaned text of ``lines[index]`` may hold one of ``wanted`` (``may_say``)."""
        if index in self._marked:
            return True
        if self._folded is None:
            return wanted.anycase.search(self.lines[index].text) is not None
        return wanted.lowered.search(self._folded_lines[index]) is not None

    def may_say(self, wanted: Words) -> set[int]:
        """Indices of the lines whose cleaned text may hold one of ``wanted``, ignoring case.

        Without a link or an HTML tag, cleaning a line only removes emphasis
        marks and code ticks, collapses whitespace and trims symbols, so a
        word of the cleaned text is in the line once its marks are removed:
        the lines are searched lowered, folded and without marks. Lines with
        ``[`` or ``<`` are always included. A table row is read cell by cell, each
        cell a piece of the row cleaned the same way, joined by " | ": the same holds.
        """
        if not self._indexed:
            self._index()
        if self._folded is None:
            search = wanted.anycase.search
            found = {i for i, ln in enumerate(self.lines) if search(ln.text)}
        else:
            found = self._lines_with(wanted.alternatives)
        found |= self._marked
        return found


#: Per line of the report being verified (by ``id``; cleared by ``verify_report``):
#: its plain text, its ``key_value``, what it contributes to a total. Each check
#: reads the lines again, and would otherwise clean and split them again.
PLAIN_CACHE: dict[int, str] = {}
PAIR_CACHE: dict[int, tuple[str, str] | None] = {}
VALUE_CACHE: dict[tuple[int, str | None], float | None] = {}


def _kv(line: Line) -> tuple[str, str] | None:
    """``key_value`` of a line: a heading as written, any other line without leading symbols."""
    key = id(line)
    try:
        return PAIR_CACHE[key]
    except KeyError:
        pass
    text = line.text if line.kind == HEADING else strip_symbols(line.text)[0]
    PAIR_CACHE[key] = pair = key_value(text)
    return pair


def _pair(line: Line) -> tuple[str, str] | None:
    """``_kv`` of a heading, or of a line of text or a list item with a colon; else None."""
    if line.kind == HEADING or (line.kind in (TEXT, ITEM) and ":" in line.text):
        return _kv(line)
    return None


#: Inline code holding a digit: a quoted message, a command or a version (`3 of 4 checks
#: green (10%)`, `--cov-fail-under=85`), never a claim of the report's own.
_CODE_DIGITS = re.compile(r"`[^`\n]*\d[^`\n]*`")


def _uncoded(text: str) -> str:
    """``text`` with each code span that holds a digit replaced by "…" (a piece of a
    comma-separated list stays one piece)."""
    return _CODE_DIGITS.sub("…", text) if "`" in text else text


def _plain(line: Line) -> str:
    key = id(line)
    cached = PLAIN_CACHE.get(key)
    if cached is not None:
        return cached
    if line.kind == TABLE:
        text = " | ".join(clean_inline(_uncoded(c)) for c in line.cells or [])
    else:
        text, _ = strip_symbols(clean_inline(_uncoded(line.text)))
    PLAIN_CACHE[key] = text
    return text


def _amount(text: str) -> Amount | None:
    for match in NUMBER.finditer(text):
        amount = parse_amount(match)
        if amount is not None:
            return amount
    return None


def _fmt(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 3)


def _where(lines: list[Line]) -> str:
    if not lines:
        return ""
    first, last = lines[0].no, lines[-1].no
    return f"line {first}" if first == last else f"lines {first}-{last}"


# -- lists --------------------------------------------------------------------------------


def list_after(lines: list[Line], index: int) -> list[Line]:
    """The top-level items of the list that starts right after ``lines[index]``.

    For a list item, its children (deeper items directly below it); for a
    heading or a line of text, the list starting within the next two lines.
    """
    head = lines[index]
    items: list[Line] = []
    j = index + 1
    if head.kind == ITEM:
        while j < len(lines):
            line = lines[j]
            if line.kind == BLANK:
                j += 1
                continue
            if line.kind == ITEM and line.level > head.level:
                items.append(line)
                j += 1
                continue
            if line.kind == TEXT and line.level > head.level:
                j += 1
                continue
            break
    else:
        blanks = 0
        while j < len(lines) and lines[j].kind == BLANK and blanks < 2:
            j += 1
            blanks += 1
        while j < len(lines):
            line = lines[j]
            if line.kind == ITEM:
                items.append(line)
            elif line.kind == BLANK or (line.kind in (TEXT, CODE) and line.level >= 2 and items):
                pass
            else:
                break
            j += 1
    if not items:
        return []
    top = min(item.level for item in items)
    return [item for item in items if item.level == top]


# Patterns of the checks, compiled once (not looked up in ``re``'s cache per line).
_UNIT_WORD = re.compile(r"\s*([A-Za-zÀ-ÿ]+)")
_PAREN_ONLY = re.compile(r"^\s*\(.*\)\s*:?\s*$")
_STARTS_NUMBER = re.compile(r"^\W{0,3}\d")
_LIST_SPLIT = re.compile(r"[,;]")
_TREE_BRANCH = re.compile(r"(?:├──|└──|\|--|`--)")


def _unit(text: str, end: int) -> str:
    """The word after a number (``379 lines`` -> ``lines``), normalised."""
    match = _UNIT_WORD.match(text, end)
    if not match:
        return ""
    word = match.group(1).lower()
    if word in ("loc", "sloc", "line"):
        return "lines"
    if word in ("characters", "char", "character"):
        return "chars"
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def numbers_with_units(text: str) -> list[tuple[Amount, str]]:
    """Every number of ``text`` with the word that follows it."""
    out = []
    for match in NUMBER.finditer(text):
        amount = parse_amount(match)
        if amount is not None and not amount.percent:
            out.append((amount, _unit(text, match.end())))
    return out


def _value_of(item: Line, unit: str | None) -> float | None:
    """The number an item contributes to a total: with ``unit``, the number followed by it;
    without, the first number after the item's key (``TypeScript: ~30,000 lines``)."""
    key = (id(item), unit)
    try:
        return VALUE_CACHE[key]
    except KeyError:
        pass
    VALUE_CACHE[key] = value = _value_of_uncached(item, unit)
    return value


def _value_of_uncached(item: Line, unit: str | None) -> float | None:
    text = _plain(item)
    if unit:
        for amount, word in numbers_with_units(text):
            if word == unit:
                return amount.value
        return None
    pair = _kv(item)
    target = pair[1] if pair else text
    found = numbers_with_units(target)
    return found[0][0].value if found else None


# -- ratio: "N of M (P%)" -------------------------------------------------------------------

_NUM = r"(\d{1,3}(?:,\d{3})+|" + GROUPED + r"|\d+(?:\.\d+)?)\s*([kKmM])?"
#: A word between a ratio and its percentage ("5 of 8 planned (62.5%)", "2/3 of requests
#: (~67%)"): not one that starts another clause ("9 of 10 tasks and coverage at 85%").
_RATIO_WORD = (
    r"(?:\s+(?!(?:and|but|while|whereas|with|at|is|are|was|were|by|to|coverage|rate|score)\b)"
    r"[^\W\d][\w-]*)"
)
#: The percentage of a ratio is written right after it and its noun: in parentheses, after a
#: comma, a dash, "=", ":" or "i.e."; a percentage after a ";" or another clause is not its.
#: The first number of a ratio may also be grouped before "of" ("1 500 of 3 000 lines"),
#: and does not start inside a grouped number.
_NUM_BEFORE_OF = (
    r"(?<![\d.,'])(?<!\d[\u00a0\u202f ])(\d{1,3}(?:,\d{3})+|"
    + GROUPED
    + r"|\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?=\s*(?:of|out of|/|von|sur|de)\b)|\d+(?:\.\d+)?)"
    + r"\s*([kKmM])?"
)
_RATIO_FIRST = re.compile(
    _NUM_BEFORE_OF
    + r"\s*(?:of|out of|/|von|sur|de)\s*"
    + _NUM
    + r"\b(?:"
    + _RATIO_WORD
    + r"{0,3}\s*(?:\(\s*|,\s*|[—–=:→]\s*|-\s+|\s)"
    # After words of another kind, only a mark that says "that is": "i.e. 78%", "= 78%".
    + r"|[^;%()\n]{0,40}?(?:\bi\.\s?e\.,?|\bthat is,?|[=→])\s*)"
    + r"~?(\d+(?:\.\d+)?)\s*%\)?"
)
_PERCENT_FIRST = re.compile(
    r"(~)?(\d+(?:\.\d+)?)\s*%[^%()\n]{0,30}?\(\s*" + _NUM + r"\s*(?:of|out of|/)\s*" + _NUM
)


def _num(value: str, scale: str | None) -> float:
    number = float(ungroup(value).replace(",", ""))
    if scale:
        number *= 1000 if scale.lower() == "k" else 1_000_000
    return number


def ratio_claims(scope: Scope) -> Iterator[Claim]:
    for line in scope.numbered_text_lines():
        if "%" not in line.text:
            continue
        text = _plain(line)
        if "%" not in text:
            continue
        for match in _RATIO_FIRST.finditer(text):
            part, whole = _num(match[1], match[2]), _num(match[3], match[4])
            yield _ratio(
                scope, line, match.group(0), part, whole, match[5], approx="~" in match.group(0)
            )
        for match in _PERCENT_FIRST.finditer(text):
            if _RATIO_FIRST.search(match.group(0)):
                continue
            part, whole = _num(match[3], match[4]), _num(match[5], match[6])
            yield _ratio(scope, line, match.group(0), part, whole, match[2], approx=bool(match[1]))


def _ratio(
    scope: Scope, line: Line, text: str, part: float, whole: float, percent: str, approx: bool
) -> Claim:
    stated = float(percent)
    decimals = len(percent.split(".", 1)[1]) if "." in percent else 0
    tolerance = 0.5 * 10**-decimals + (2.0 if approx else 0.0) + 1e-9
    text = text.strip()
    if text.count(")") > text.count("("):
        text = text.rstrip(")")
    claim = Claim("ratio", text, line.no, UNVERIFIABLE, claimed=_fmt(stated), session=scope.name)
    if whole == 0:
        claim.reason = "the whole is zero"
        return claim
    actual = 100.0 * part / whole
    claim.found = round(actual, 2)
    claim.where = f"{_fmt(part)}/{_fmt(whole)}"
    # Rounded or cut to the precision written: "2 of 3 (66%)" is as honest as "(67%)".
    unit = 10.0**-decimals
    truncated = int(actual / unit + 1e-9) * unit
    if abs(actual - stated) <= tolerance or abs(truncated - stated) <= 1e-9:
        claim.status = CONFIRMED
        claim.reason = f"{_fmt(part)} of {_fmt(whole)} is {actual:.4g}%"
    else:
        claim.status = CONTRADICTED
        claim.reason = f"{_fmt(part)} of {_fmt(whole)} is {actual:.4g}%, not {percent}%"
    return claim


# -- tasks done against tasks listed -----------------------------------------------------------

_TASKS_KEY = re.compile(
    r"\btasks?\b.*\b(?:completed|complete|done|executed|finished|delivered|closed)\b|"
    r"\b(?:completed|done|executed|finished)\s+tasks?\b",
    re.I,
)
_TASKS_PROSE = re.compile(
    r"\b(?:completed|executed|finished|delivered|closed|did)\s+(\d+)\s+(?:[\w-]+,?\s+){0,3}?tasks?\b|"
    r"\b(\d+)\s+(?:[\w-]+,?\s+){0,3}?tasks?\s+(?:were\s+|have been\s+)?(?:completed|executed|done|finished|delivered|closed)\b",
    re.I,
)
_NEW_TASKS_PROSE = re.compile(
    r"\b(\d+)\s+(?:new|recommended|follow-up)\s+tasks?\b|\b(?:identified|recommended|added)\s+(\d+)\s+new\s+tasks?\b",
    re.I,
)


_TASK_WORD = Words("task")
_TASK_DONE_OR_NEW = Words(
    "complete",
    "done",
    "executed",
    "finished",
    "delivered",
    "closed",
    "did",
    "new",
    "recommended",
    "follow",
)


def tasks_listed(scope: Scope) -> tuple[int, str] | None:
    """How many completed tasks the report lists in this scope, and where."""
    session = scope.session
    if session is None:
        return None
    done = [t for t in session.tasks if t.role == "completed" and t.line not in scope.quoted]
    ids = sorted({t.id for t in done})
    if ids:
        lines = sorted({t.line for t in done})
        return len(
            ids
        ), f"{len(ids)} task IDs listed as done (lines {', '.join(map(str, lines[:12]))})"
    return None


def task_claims(scope: Scope) -> Iterator[Claim]:
    listed = tasks_listed(scope)
    new_count = (
        sum(1 for t in scope.session.new_tasks if t.line not in scope.quoted)
        if scope.session
        else 0
    )
    # Every form read below gives its count in digits, on a line that says "task"
    # and that it was done (``_TASKS_KEY``, ``_TASKS_PROSE``) or that tasks are new.
    for index in scope.numbered_saying(_TASK_WORD, _TASK_DONE_OR_NEW):
        line = scope.lines[index]
        text = _plain(line)
        if "task" not in text.lower():
            continue
        claimed: Amount | None = None
        shown = ""
        if line.kind == TABLE and line.cells and len(line.cells) >= 2:
            key, value = clean_inline(line.cells[0]), clean_inline(line.cells[1])
            if _TASKS_KEY.search(key):
                claimed, shown = _amount(value), f"{key}: {value}"
        else:
            pair = _kv(line)
            if pair and _TASKS_KEY.search(pair[0]) and pair[1]:
                claimed, shown = _amount(pair[1]), f"{pair[0]}: {pair[1]}"
            else:
                match = _TASKS_PROSE.search(text)
                if match:
                    claimed = _amount(match.group(1) or match.group(2))
                    shown = match.group(0)
                else:
                    new = _NEW_TASKS_PROSE.search(text)
                    if new and scope.session is not None:
                        amount = _amount(new.group(1) or new.group(2))
                        if amount is not None:
                            yield _new_tasks(scope, line, new.group(0), amount, new_count)
                    continue
        if claimed is None:
            continue
        if listed is None:
            yield Claim(
                "tasks",
                shown,
                line.no,
                UNVERIFIABLE,
                claimed=claimed.number,
                reason="the report lists no task IDs to count",
                session=scope.name,
            )
            continue
        yield _compare("tasks", scope, line, shown, claimed, listed[0], listed[1], "tasks listed")


#: A heading over the tasks a report recommends ("## Recommended New Tasks").
_NEW_TASKS_HEADING = re.compile(
    r"\b(?:new|recommended|follow-up|suggested|proposed|future)\b.*\btasks?\b", re.I
)


def _new_tasks(scope: Scope, line: Line, text: str, amount: Amount, listed: int) -> Claim:
    """ "10 new tasks" against the new tasks the reader found, or, when they are written
    as headings ("### TASK-NEW-001: Rate limit export"), the headings under "New Tasks"."""
    if not amount.matches(listed):
        headings = _new_task_headings(scope)
        if headings and not listed:
            where = f"{len(headings)} headings under a new-tasks heading ({_where(headings)})"
            return _compare(
                "tasks", scope, line, text, amount, len(headings), where, "new tasks listed"
            )
    where = f"{listed} new tasks listed for the backlog"
    return _compare("tasks", scope, line, text, amount, listed, where, "new tasks listed")


def _new_task_headings(scope: Scope) -> list[Line]:
    """The headings one level under a heading that says new or recommended tasks."""
    found: list[Line] = []
    parent: int | None = None
    child: int | None = None
    for heading in _headings(scope):
        if parent is not None and heading.level <= parent:
            parent = child = None
        if parent is None:
            if _NEW_TASKS_HEADING.search(clean_inline(heading.text)):
                parent = heading.level
            continue
        if child is None:
            child = heading.level
        if heading.level == child:
            found.append(heading)
    return found


def _compare(
    kind: str,
    scope: Scope,
    line: Line,
    text: str,
    claimed: Amount,
    found: float,
    where: str,
    what: str,
) -> Claim:
    ok = claimed.matches(found)
    return Claim(
        kind,
        text.strip(),
        line.no,
        CONFIRMED if ok else CONTRADICTED,
        claimed=claimed.number,
        found=_fmt(found),
        where=where,
        reason=f"{_fmt(found)} {what}" + ("" if ok else f", not {claimed.text}"),
        session=scope.name,
    )


# -- counts and sums over the list under a line ---------------------------------------------------

_PAREN_COUNT = re.compile(
    r"\(\s*(~?\d[\d,]*\+?)\s*(?:([A-Za-z]+)\s+)?(?:total|items?|in total)?\s*\)\s*:?\s*$"
)
_LEADING_COUNT = re.compile(r"^(?:[A-Za-z]+\s+){0,2}(\d[\d,]*)\s+([A-Za-z][\w -]{0,40}?)\s*:\s*$")
_BREAKDOWN = re.compile(
    r"^(?:breakdown|by (?:file|type|language|tool|area|component)|split|consisting of|parts|"
    r"aufschlüsselung|répartition|desglose)\b",
    re.I,
)
_TOTALISH = re.compile(r"\b(?:total|overall|combined|sum|all|gesamt|insgesamt)\b", re.I)


LABEL_CACHE: dict[int, str | None] = {}

#: A label counting what was done ("Completed 3 tasks:", "Fixed (2)").
_DONE_LABEL = re.compile(
    r"\b(?:completed?|done|finished|fixed|resolved|closed|delivered|implemented|shipped|"
    r"merged|erledigt|abgeschlossen|terminé|termin[ée]es?|completad[oa]s?|conclu[íi]d[oa]s?)\b",
    re.I,
)
#: The marks of a ticked checkbox (``scan`` lowers ``X``).
_CHECKED = frozenset("x✓✔")


def _label_text(line: Line) -> str | None:
    """The text of a heading, or of a bold-only line, or of a list item that ends with ':'."""
    key = id(line)
    if key not in LABEL_CACHE:
        LABEL_CACHE[key] = _label_text_of(line)
    return LABEL_CACHE[key]


def _label_text_of(line: Line) -> str | None:
    if line.kind == HEADING:
        return strip_symbols(clean_inline(line.text))[0]
    body, _ = strip_symbols(line.text)
    lead = bold_lead(body)
    if lead is not None and not lead[1].strip(" :"):
        return clean_inline(lead[0]) + (":" if body.rstrip().endswith(":") else "")
    if lead is not None and _PAREN_ONLY.match(lead[1]):
        return clean_inline(body)
    if line.kind in (ITEM, TEXT) and body.rstrip().endswith(":"):
        return clean_inline(body)
    return None


def count_claims(scope: Scope) -> Iterator[Claim]:
    lines = scope.lines
    # A count is written in digits, after a colon (a pair's value, a label
    # "12 files:") or in parentheses ("Scripts Created (7)").
    for index in scope.numbered():
        line = lines[index]
        if line.kind not in (HEADING, TEXT, ITEM):
            continue
        # Without a colon (no pair, no label "12 files:"), only a count in parentheses
        # in a heading or a bold lead-in ("**Scripts Created (7)**"), as ``_label_text`` reads.
        text = line.text
        if (
            ":" not in text
            and "：" not in text
            and (
                "(" not in text or (line.kind != HEADING and "**" not in text and "__" not in text)
            )
        ):
            continue
        # "Total: N" / "Lines of Code: ~60,000+" with its parts listed right below it.
        pair = _kv(line)
        if pair and pair[1]:
            if _STARTS_NUMBER.match(pair[1]):  # before reading the number: most values fail it
                amount = _amount(pair[1])
                if amount is not None and not amount.percent:
                    items = list_after(lines, index)
                    if len(items) >= 2:
                        yield from _pair_total(scope, index, items)
            continue
        label = _label_text(line)
        if not label:
            continue
        match = _PAREN_COUNT.search(label)
        lead = _LEADING_COUNT.match(label.strip())
        if not match and not lead:
            continue
        items = list_after(lines, index)
        if not items:
            continue
        if match:
            amount = _amount(match.group(1))
            unit = (match.group(2) or "").lower()
            unit = unit[:-1] if unit.endswith("s") and len(unit) > 3 else unit
        else:
            amount = _amount(lead.group(1))  # type: ignore[union-attr]
            unit = ""
        if amount is None:
            continue
        if unit and any(_value_of(item, unit) is None for item in items):
            # "(22 panels total)" over a list that does not give panels: look for parts elsewhere.
            yield _unit_total(scope, line, label, amount, unit)
            continue
        if not unit and _DONE_LABEL.search(label) and any(i.check is not None for i in items):
            # "Completed 3 tasks:" over a checklist: its open boxes ("- [ ] Gift cards") are
            # listed, not completed.
            done = [i for i in items if i.check is None or i.check in _CHECKED]
            claim = _sum_or_count(scope, line, label, amount, done, None, count=True)
            claim.reason = claim.reason.replace("items listed", "items checked", 1)
            yield claim
            continue
        yield _sum_or_count(scope, line, label, amount, items, unit or None, count=not unit)


def _field_pair(line: Line) -> tuple[str, str, Amount] | None:
    """A heading or a line ``Key: N ...`` (a field of a block such as ``**Lines of Code:** 180``)."""
    pair = _pair(line)
    if not pair or not pair[1] or not _STARTS_NUMBER.match(pair[1]) or _DATE_OR_TIME.match(pair[1]):
        return None
    amount = _amount(pair[1])
    if amount is None or amount.percent:
        return None
    return pair[0], pair[1], amount


#: A value that is a date or a time ("Datum: 2026-03-12", "Start: 14:30"), never a total.
_DATE_OR_TIME = re.compile(
    r"\s*(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./]\d{1,2}[./]\d{1,2}|"
    r"\d{1,2}:\d{2}|\d{4}\s*年)"
)


def _field_block(lines: list[Line], index: int) -> list[int]:
    """The indices of the ``Key: N`` lines written one under the other that end at ``index``."""
    block = [index]
    j = index - 1
    while j >= 0 and lines[j].kind == lines[index].kind and _field_pair(lines[j]) is not None:
        block.append(j)
        j -= 1
    block.reverse()
    return block


def _parts_unit(items: list[Line]) -> str | None:
    """The word after the first number of every item ("120 lines" -> "line"), "" when
    the items give bare numbers or none, None when they give different words."""
    units = {found[0][1] for found in (numbers_with_units(_plain(i)) for i in items) if found}
    if len(units) > 1:
        return None
    unit = units.pop() if units else ""
    return unit.rstrip("s") if unit else ""


def _counts(key: str, value: str, unit: str) -> bool:
    """Whether a total ``key: value`` counts ``unit`` (its value's unit, or its key, says so)."""
    found = numbers_with_units(value)
    if found and found[0][1].rstrip("s") == unit:
        return True
    key = key.lower()
    return unit in key or (unit == "line" and ("loc" in key or "code" in key))


def _pair_total(scope: Scope, index: int, items: list[Line]) -> Iterator[Claim]:
    """A ``Key: N`` line with a list under it: N against the list (its sum or its count).

    The list is the breakdown of that total only when it counts what the total counts:
    under "**Files Created:** 2 / **Lines of Code:** 180 / **Tests Added:** 6", a list of
    files with their lines is the breakdown of "Lines of Code", not of "Tests Added". In
    such a block of fields, a list without units is no one field's for sure: only an
    agreement is reported.
    """
    lines = scope.lines
    unit = _parts_unit(items)
    block = _field_block(lines, index)
    if unit:
        fields = [(j, _field_pair(lines[j])) for j in block]
        fitting = [(j, f) for j, f in fields if f is not None and _counts(f[0], f[1], unit)]
        if len(fitting) != 1:
            return
        j, (key, value, amount) = fitting[0]  # type: ignore[misc]
        yield _sum_or_count(scope, lines[j], f"{key}: {value}", amount, items, None)
        return
    field = _field_pair(lines[index])
    if field is None:
        return
    key, value, amount = field
    claim = _sum_or_count(scope, lines[index], f"{key}: {value}", amount, items, None)
    if len(block) == 1 or claim.status == CONFIRMED:
        yield claim


def _unit_total(scope: Scope, line: Line, text: str, amount: Amount, unit: str) -> Claim:
    for group in _groups(scope):
        members = [g for g in group if g.no != line.no and _value_of(g, unit) is not None]
        values = [_value_of(g, unit) for g in members]
        if len(members) >= 2:
            total = sum(v for v in values if v is not None)
            if amount.matches(total):
                return Claim(
                    "sum",
                    text,
                    line.no,
                    CONFIRMED,
                    claimed=amount.number,
                    found=_fmt(total),
                    where=_where(members),
                    reason=f"the {len(members)} {unit}-counts listed at {_where(members)} add up to {_fmt(total)}",
                    session=scope.name,
                )
    return Claim(
        "sum",
        text,
        line.no,
        UNVERIFIABLE,
        claimed=amount.number,
        reason=f"no list gives the {unit}s that add up to it",
        session=scope.name,
    )


def _sum_or_count(
    scope: Scope,
    line: Line,
    text: str,
    amount: Amount,
    items: list[Line],
    unit: str | None,
    *,
    count: bool = False,
) -> Claim:
    values = [_value_of(item, unit) for item in items]
    where = _where(items)
    if not count and all(v is not None for v in values):
        total = sum(v for v in values if v is not None)
        claim = _compare(
            "sum", scope, line, text, amount, total, where, "is the sum of the parts listed"
        )
        claim.reason = f"the {len(values)} parts listed add up to {_fmt(total)}" + (
            "" if claim.status == CONFIRMED else f", not {amount.text}"
        )
        return claim
    found = len(items)
    if amount.matches(found):
        return _compare("count", scope, line, text, amount, found, where, "items listed")
    pieces = sum(len([p for p in _LIST_SPLIT.split(_plain(i)) if p.strip()]) for i in items)
    if amount.matches(pieces):
        claim = _compare("count", scope, line, text, amount, pieces, where, "items listed")
        claim.reason = f"{pieces} items listed (comma-separated, in {found} lines)"
        return claim
    return _compare("count", scope, line, text, amount, found, where, "items listed")


#: The first word of each ``_BREAKDOWN`` form.
_BREAKDOWN_WORD = Words(
    "breakdown", "by", "split", "consisting", "parts", "aufschlüsselung", "répartition", "desglose"
)


def breakdown_claims(scope: Scope) -> Iterator[Claim]:
    """A "Breakdown:" list a few lines after a total with the same unit (``Total Lines: 937``)."""
    lines = scope.lines
    for index in sorted(scope.may_say(_BREAKDOWN_WORD)):
        line = lines[index]
        text = line.text
        # What ``_label_text`` reads: a heading, a bold lead-in, a text ending with ":".
        if line.kind != HEADING and ":" not in text and "**" not in text and "__" not in text:
            continue
        label = _label_text(line)
        if not label or not _BREAKDOWN.match(label.strip(" *:")):
            continue
        items = list_after(lines, index)
        if len(items) < 2:
            continue
        units = {u for item in items for _, u in numbers_with_units(_plain(item))[:1]}
        units.discard("")
        if len(units) != 1:
            continue
        unit = units.pop()
        for back in range(index - 1, max(-1, index - 9), -1):
            prior = lines[back]
            if prior.kind == HEADING:
                break
            pair = _pair(prior) if prior.kind in (TEXT, ITEM) else None
            if not pair or not pair[1]:
                continue
            found = [(a, u) for a, u in numbers_with_units(pair[1]) if u == unit]
            if found:
                yield _sum_or_count(scope, prior, f"{pair[0]}: {pair[1]}", found[0][0], items, unit)
                break


_PAREN_PARTS = re.compile(
    r"(?<![\w.])(\d[\d,]*)\s+([A-Za-z][\w-]*)\s*\(((?:\s*\d[\d,]*\s+[^,;()]+[,;]){1,}\s*\d[\d,]*\s+[^,;()]+)\)"
)


def paren_sum_claims(scope: Scope) -> Iterator[Claim]:
    """ "Found 25 issues (8 P1 critical, 9 P2 important, 8 P3 nice-to-have)"."""
    for line in scope.numbered_text_lines():
        raw = line.text
        if "(" not in raw or ("," not in raw and ";" not in raw):  # parts are listed in parentheses
            continue
        text = _plain(line)
        if "(" not in text:
            continue
        for match in _PAREN_PARTS.finditer(text):
            total = _amount(match.group(1))
            parts = [_amount(p) for p in _LIST_SPLIT.split(match.group(3))]
            if total is None or any(p is None for p in parts):
                continue
            value = sum(p.value for p in parts if p is not None)
            claim = _compare("sum", scope, line, match.group(0), total, value, _where([line]), "")
            claim.reason = f"the {len(parts)} parts in parentheses add up to {_fmt(value)}" + (
                "" if claim.status == CONFIRMED else f", not {total.text}"
            )
            yield claim


def _groups(scope: Scope) -> list[list[Line]]:
    """Candidate breakdowns anywhere in the scope: each list, each section's items, each code tree."""
    groups: list[list[Line]] = []
    current: list[Line] = []
    section: list[Line] = []
    tree: list[Line] = []
    for line in scope.lines:
        if line.kind == ITEM:
            if not current or line.level == current[0].level:
                current.append(line)
            if not section or line.level == section[0].level:
                section.append(line)
            continue
        if line.kind == CODE:
            if _TREE_BRANCH.search(line.text):
                tree.append(line)
            continue
        if line.kind == BLANK:
            continue
        if current:
            groups.append(current)
            current = []
        if tree:
            groups.append(tree)
            tree = []
        if line.kind == HEADING:
            if section:
                groups.append(section)
            section = []
    for rest in (current, section, tree):
        if rest:
            groups.append(rest)
    return groups


_TOTAL_WORD = Words("total", "overall", "combined", "sum", "all", "gesamt", "insgesamt")


def total_claims(scope: Scope, done_lines: set[int]) -> Iterator[Claim]:
    """A "Total ... N lines" confirmed by any list, section or tree whose parts add up to it.

    Only confirms: parts found elsewhere may be a different subset, so a
    mismatch says nothing.
    """
    groups = None
    for index in scope.numbered_saying(_TOTAL_WORD):  # the total is a number
        line = scope.lines[index]
        if line.no in done_lines:
            continue
        pair = _pair(line) if line.kind in (TEXT, ITEM) else None
        if not pair or not pair[1] or not (_TOTALISH.search(pair[0]) or _TOTALISH.search(pair[1])):
            continue
        for amount, unit in numbers_with_units(pair[1]):
            if not unit or unit in ("x", "of") or amount.value < 2:
                continue
            if groups is None:
                groups = _groups(scope)
            for group in groups:
                members = [g for g in group if g.no != line.no and _value_of(g, unit) is not None]
                values = [_value_of(g, unit) for g in members]
                if len(members) < 2:
                    continue
                total = sum(v for v in values if v is not None)
                if amount.matches(total):
                    yield Claim(
                        "sum",
                        f"{pair[0]}: {pair[1]}",
                        line.no,
                        CONFIRMED,
                        claimed=amount.number,
                        found=_fmt(total),
                        where=_where(members),
                        reason=f"the {len(members)} {unit}-counts listed at {_where(members)} add up to {_fmt(total)}",
                        session=scope.name,
                    )
                    break


# -- the same metric stated twice ---------------------------------------------------------------

_KEY_NOISE = re.compile(r"[^\w%]+")
_NO = attrgetter("no")
#: A heading (or a label over a list) naming one part or one moment of the work: a task,
#: a phase, a numbered step, a date, "Before"/"After". The same metric stated under two
#: such headings measures two things ("Files Created: 2" under Task 1, "3" under Task 2).
_PART_SCOPE = re.compile(
    r"\b(?:tasks?|phase|step|stage|part|day|week|sprint|session|iteration|round|milestone|"
    r"issue|ticket|pr|story|epic|fix|bug|item|chapter|run|attempt|version)\s*#?\s*[\w.-]*\d|"
    r"^\W*(?:\d+[.):]|[ivx]+\.)\s|"
    r"\b(?:before|after|baseline|previous|prior|initial|original|old|current|then|now|"
    r"yesterday|today|vorher|nachher|avant|après|antes|después)\b|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}",
    re.I,
)
#: A task ID in a heading ("## TASK-20260210-001 CSV import"): a per-task section.
_TASK_ID = re.compile(r"\b[A-Z][A-Z0-9]*-\d+")
#: A value that states a change ("120 → 142", "from 120 to 142"): not one value.
_CHANGE_ARROW = re.compile(r"→|->|⇒|=>|⟶|\bfrom\s+\S+\s+to\b", re.I)


@dataclass
class _Statement:
    line: Line
    key: str
    value: str
    amount: Amount
    unit: str
    #: Where it is stated: the line numbers of its headings (outermost first) and of the
    #: label over its list; ``partial``: whether each of them names a part (``_PART_SCOPE``).
    section: tuple[int, ...] = ()
    partial: tuple[bool, ...] = ()


def _statements(scope: Scope) -> dict[str, list[_Statement]]:
    """Every ``key: value`` (or two-cell table row) whose value starts with a number, by key."""
    by_name: dict[str, list[_Statement]] = {}
    for line in scope.numbered_text_lines():  # the value starts with a digit
        if line.kind != TABLE and ":" not in line.text and "：" not in line.text:
            continue  # no pair
        if line.kind == TABLE:
            cells = [clean_inline(c) for c in line.cells or []]
            if len(cells) < 2:
                continue
            key, value = cells[0], cells[1]
        else:
            pair = _kv(line)
            if not pair:
                continue
            key, value = pair
        if not value or not _STARTS_NUMBER.match(value):
            continue
        found = numbers_with_units(value)
        if not found:
            continue
        name = _KEY_NOISE.sub(" ", key.lower()).strip()
        if not name or len(name) > 60:
            continue
        amount, unit = found[0]
        by_name.setdefault(name, []).append(_Statement(line, key, value, amount, unit))
    return by_name


def _place(scope: Scope, statements: list[_Statement]) -> None:
    """Set each statement's ``section`` and ``partial``: the headings it is under, and the
    label of the list it is an item of ("**Before:**" over "- Tests: 120").

    Run only for keys stated more than once: one pass over the headings of the scope gives
    each its chain of parents, found for a statement by bisection.
    """
    lines = scope.lines
    headings = _headings(scope)
    heading_nos = [h.no for h in headings]
    chains: list[tuple[Line, ...]] = []
    stack: list[Line] = []
    for heading in headings:
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
        chains.append(tuple(stack))
    flags: dict[int, bool] = {}  # per heading, read once and only when a statement is under it
    labels: dict[int, Line | None] = {}
    for statement in statements:
        no = statement.line.no
        # A heading stating the metric itself ("### Lines of Code: 900") is in its parent.
        at = bisect_right(heading_nos, no) - 1
        chain = chains[at] if at >= 0 else ()
        if chain and chain[-1] is statement.line:
            chain = chain[:-1]
        section = [h.no for h in chain]
        partial = []
        for heading in chain:
            flag = flags.get(id(heading))
            if flag is None:
                flags[id(heading)] = flag = _names_a_part(heading)
            partial.append(flag)
        if statement.line.kind == ITEM:
            index = bisect_right(lines, no, key=_NO) - 1
            label = _list_label(lines, index, labels)
            if label is not None:
                section.append(label.no)
                partial.append(_names_a_part(label))
        statement.section, statement.partial = tuple(section), tuple(partial)


def _names_a_part(line: Line) -> bool:
    text = _label_text(line) or line.text
    return bool(_PART_SCOPE.search(text) or _TASK_ID.search(text))


def _headings(scope: Scope) -> list[Line]:
    return [ln for ln in scope.lines if ln.kind == HEADING]


def _list_label(lines: list[Line], index: int, seen: dict[int, Line | None]) -> Line | None:
    """The label line ("**After:**", "Before:") right over the list ``lines[index]`` is in.

    ``seen`` keeps the answer per item: the items of one list share their walk up.
    """
    j = index - 1
    while j >= 0 and lines[j].kind in (ITEM, BLANK):
        if j in seen:
            seen[index] = seen[j]
            return seen[j]
        j -= 1
    found = None
    if j >= 0 and lines[j].kind == TEXT:
        label = _label_text(lines[j])
        found = lines[j] if label and label.rstrip().endswith(":") else None
    seen[index] = found
    return found


def _comparable(first: _Statement, later: _Statement) -> bool:
    """Whether two statements of one metric must agree: in one section; or both in
    sections about the whole work (a summary and a table of metrics), never in two
    about a part or a moment of it (per task, before and after)."""
    if first.unit != later.unit:
        return False
    if first.section == later.section:
        return True
    # Only the sections they do not share say what each measures (the title of a
    # dated session is above both).
    shared = 0
    for mine, theirs in zip(first.section, later.section, strict=False):
        if mine != theirs:
            break
        shared += 1
    return not any(first.partial[shared:]) and not any(later.partial[shared:])


def repeat_claims(scope: Scope) -> Iterator[Claim]:
    by_name = _statements(scope)
    stated = [group for group in by_name.values() if len(group) > 1]
    if not stated:
        return
    _place(scope, [s for group in stated for s in group])
    for group in stated:
        # A value stating a change ("120 → 142") is two values: neither is the metric.
        group = [s for s in group if not _CHANGE_ARROW.search(s.value)]
        for index, later in enumerate(group):
            first = next((s for s in group[:index] if _comparable(s, later)), None)
            if first is None:
                continue
            yield _repeat(scope, first, later)


def _repeat(scope: Scope, first: _Statement, later: _Statement) -> Claim:
    agree = first.amount.matches(later.amount.value) or later.amount.matches(first.amount.value)
    line = later.line
    return Claim(
        "repeat",
        f"{first.key}: {first.value}",
        first.line.no,
        CONFIRMED if agree else CONTRADICTED,
        claimed=first.amount.number,
        found=later.amount.number,
        where=f"line {line.no}",
        reason=(
            f"stated again as {later.value} at line {line.no}"
            if agree
            else f"line {line.no} states {later.key} as {later.value}"
        ),
        session=scope.name,
    )


# -- duration against the time range ------------------------------------------------------------


def duration_claims(scope: Scope) -> Iterator[Claim]:
    session = scope.session
    if session is None or not session.duration_text or session.end_time is None:
        return
    start_h, start_m = map(int, (session.start_time or "0:0").split(":"))
    end_h, end_m = map(int, session.end_time.split(":"))
    minutes = (end_h * 60 + end_m) - (start_h * 60 + start_m)
    if minutes <= 0:
        minutes += 24 * 60
    stated = session.duration_minutes
    if stated is None:
        return
    line_no = next(
        (
            ln.no
            for ln in scope.text_lines()
            if session.duration_text and session.duration_text in clean_inline(ln.text)
        ),
        session.line,
    )
    approx = "~" in session.duration_text or "about" in session.duration_text.lower()
    tolerance = max(5.0, 0.1 * stated) if approx else 1.0
    ok = abs(stated - minutes) <= tolerance
    yield Claim(
        "duration",
        f"Duration: {session.duration_text}",
        line_no,
        CONFIRMED if ok else CONTRADICTED,
        claimed=_fmt(stated),
        found=minutes,
        where=f"{session.start_time}-{session.end_time} (line {session.line})",
        reason=f"the time range {session.start_time}-{session.end_time} is {minutes} minutes",
        session=scope.name,
    )
