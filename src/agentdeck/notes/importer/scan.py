"""A line-oriented reading of markdown: each line becomes one ``Line`` token.

Not a full CommonMark parser on purpose: notes are read line by line (so a
50 MB file streams), and what the importer needs is the shape of each line:
heading (ATX ``##`` or setext ``===``/``---`` underlines), list item (with
indent, marker and checkbox), table row, code (inside fences), rule, blank or
text. Inline markup is left in the text; ``clean_inline`` strips it where a
value is wanted. On a 21 MB corpus in the seed formats the whole read
(decode, repair, classify, cut into sessions, extract) runs about twice as
fast as markdown-it-py takes just to tokenize the same text, and it never
raises on odd input (see ``benchmarks/results/import.md``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Final

from agentdeck.notes.importer.tokens import Tokens

# Line kinds. ``Final``: compiled (mypyc), each comparison with one is a C comparison.
BLANK: Final = 0
HEADING: Final = 1
ITEM: Final = 2
TABLE: Final = 3
CODE: Final = 4
FENCE: Final = 5
RULE: Final = 6
TEXT: Final = 7
KIND_NAMES = ("blank", "heading", "item", "table", "code", "fence", "rule", "text")


class Line:
    """One line of a note, classified.

    ``text`` is the content without its markdown prefix (``#``, ``- ``, ``|``);
    ``level`` is the heading level or, for list items and text, the indent in
    columns; ``marker`` the list marker; ``check`` the checkbox mark (``" "``,
    ``"x"``, ``"~"``...) or None; ``cells`` the cells of a table row.
    """

    __slots__ = ("cells", "check", "kind", "level", "marker", "no", "text")

    def __init__(
        self,
        no: int,
        kind: int,
        text: str,
        level: int = 0,
        marker: str = "",
        check: str | None = None,
        cells: list[str] | None = None,
    ) -> None:
        self.no = no
        self.kind = kind
        self.text = text
        self.level = level
        self.marker = marker
        self.check = check
        self.cells = cells

    def __repr__(self) -> str:
        return f"Line({self.no}, {KIND_NAMES[self.kind]}, {self.level}, {self.text!r})"


_HEADING: Final = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ITEM: Final = re.compile(r"^([ \t]*)([-*+•]|\d{1,9}[.)]|[a-zA-Z][.)])[ \t]+(.*)$")
_CHECK: Final = re.compile(r"^\[([ xX~?!\-/✓✔])\][ \t]*")
_FENCE: Final = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RULE: Final = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT: Final = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_QUOTE: Final = re.compile(r"^ {0,3}(?:>[ \t]?)+")
_CELL_SPLIT: Final = re.compile(r"(?<!\\)\|")
_TABLE_SEP: Final = re.compile(r"^[\s|:\-]+$")


def atx_heading(raw: str) -> tuple[int, str] | None:
    """``(level, text)`` of an ATX heading line, or None: what ``_HEADING`` matches.

    Spelled out with string methods (the lazy ``(.*?)`` of the pattern retries
    its closing-hashes tail at every character): up to three spaces, one to
    six ``#`` followed by a space, a tab or the end; the text is the rest
    without a closing run of ``#`` that has a space or tab before it.
    """
    if "\n" in raw:  # ``.`` and ``$`` treat a newline specially: the pattern decides
        match = _HEADING.match(raw)
        return (len(match.group(1)), (match.group(2) or "").strip()) if match else None
    start = 0
    while start < 3 and raw[start : start + 1] == " ":
        start += 1
    end = start
    while raw[end : end + 1] == "#":
        end += 1
    level = end - start
    if not 1 <= level <= 6 or raw[end : end + 1] not in ("", " ", "\t"):
        return None
    text = raw[end:].strip(" \t")
    if text.endswith("#"):
        before = text.rstrip("#")
        if before[-1:] in (" ", "\t"):
            text = before.rstrip(" \t")
    return level, text.strip()


def _checkbox(text: str) -> tuple[str, str | None]:
    """An item's text without its leading ``[ ]``/``[x]`` box, and the box's mark."""
    if text[:1] == "[":
        box = _CHECK.match(text)
        if box:
            return text[box.end() :], box.group(1).lower()
    return text, None


def _indent(prefix: str) -> int:
    return len(prefix.expandtabs(4))


#: Front-matter keys kept as ``key: value`` lines (the reader's own field
#: labels take them from there); other keys (tags, layout...) are dropped.
_FRONT_MATTER_KEYS: Final = frozenset(
    [
        "date",
        "created",
        "updated",
        "agent",
        "author",
        "model",
        "assistant",
        "branch",
        "duration",
        "time",
        "started",
        "ended",
        "start",
        "end",
        "session",
    ]
)
_FRONT_MATTER_LINE: Final = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
#: Lines a YAML front matter block may hold besides ``key: value``.
_FRONT_MATTER_OTHER: Final = re.compile(r"^(?:\s*(?:#.*|- .*|-)?|\s+\S.*)$")
_FRONT_MATTER_MAX = 80


def _front_matter(first: str, rest: Iterator[str], start: int) -> tuple[list[Line], list[str]]:
    """Read a YAML front matter block opened by ``first`` (``---``).

    Returns its lines as tokens (the delimiters and unknown keys blank, known
    keys as text, ``title`` as a heading) and no raw lines; or, when the block
    is not front matter (no closing ``---``/``...`` within
    ``_FRONT_MATTER_MAX`` lines, or a line YAML would not hold), no tokens and
    the raw lines read, to be classified as usual.
    """
    raws = [first]
    for raw in rest:
        raws.append(raw)
        stripped = raw.strip()
        if stripped in ("---", "...") and len(raws) > 2:
            break
        if len(raws) > _FRONT_MATTER_MAX or not (
            _FRONT_MATTER_LINE.match(raw) or _FRONT_MATTER_OTHER.match(raw)
        ):
            return [], raws
    else:
        return [], raws
    tokens = [Line(start, BLANK, "")]
    no = start
    for raw in raws[1:-1]:
        no += 1
        match = _FRONT_MATTER_LINE.match(raw)
        key = match.group(1).lower() if match else ""
        value = match.group(2).strip("\"'") if match else ""
        if key == "title" and value:
            tokens.append(Line(no, HEADING, value, 1))
        elif key in _FRONT_MATTER_KEYS and value:
            tokens.append(Line(no, TEXT, f"{key}: {value}"))
        else:
            tokens.append(Line(no, BLANK, ""))
    tokens.append(Line(no + 1, BLANK, ""))
    return tokens, []


def _strip_comments(raw: str) -> tuple[str, bool]:
    """``raw`` without its HTML comments, and whether a comment stays open at its end."""
    out: list[str] = []
    at = 0
    while True:
        opened = raw.find("<!--", at)
        if opened < 0:
            out.append(raw[at:])
            return "".join(out), False
        out.append(raw[at:opened])
        closed = raw.find("-->", opened + 4)
        if closed < 0:
            return "".join(out), True
        at = closed + 3


def tokenize(lines: Iterable[str], start: int = 1) -> Iterator[Line]:
    """Classify each line. One line of lookahead turns setext underlines into headings.

    A YAML front matter block opening the note gives its known keys as
    ``key: value`` text and its ``title`` as a heading when no heading follows
    it; HTML comments read as blank (a template left in a note, an item
    commented out), keeping every line's number.
    """
    if isinstance(lines, Tokens):
        yield from lines
        return
    source = iter(lines)
    first = next(source, None)
    if first is None:
        return
    no = start - 1
    if first.strip() == "---":
        tokens, raws = _front_matter(first, source, start)
        if tokens:
            # The front matter's title is the note's, unless the note opens with
            # a heading of its own: look past the blank lines that follow.
            ahead: list[str] = []
            for raw in source:
                ahead.append(raw)
                if raw.strip():
                    break
            opens_with_heading = bool(ahead) and ahead[-1].lstrip().startswith("#")
            for token in tokens:
                if token.kind == HEADING and opens_with_heading:
                    token = Line(token.no, BLANK, "")
                yield token
            raws = ahead
        no += len(tokens)
        source = chain(raws, source)
    else:
        source = chain((first,), source)
    fence: str | None = None
    pending: Line | None = None
    in_comment = False
    for raw in source:
        no += 1
        # ("<" first: one character is found with memchr, four need a search.)
        if fence is None and (in_comment or ("<" in raw and "<!--" in raw)):
            if in_comment:
                closed = raw.find("-->")
                if closed < 0:
                    yield Line(no, BLANK, "")
                    continue
                raw = raw[closed + 3 :]
            raw, in_comment = _strip_comments(raw)
        if fence is not None:
            if pending is not None:
                yield pending
                pending = None
            stripped = raw.strip()
            if stripped.startswith(fence) and set(stripped) <= {fence[0]}:
                fence = None
                yield Line(no, FENCE, "")
            else:
                yield Line(no, CODE, raw)
            continue
        line = _classify(no, raw)
        if line.kind == FENCE:
            match = _FENCE.match(raw)
            fence = match.group(1) if match else "```"
        if pending is not None:
            if line.kind in (RULE, TEXT) and pending.level < 4 and _SETEXT.match(raw):
                underline = raw.strip()[0]
                yield Line(pending.no, HEADING, pending.text.strip(), 1 if underline == "=" else 2)
                yield Line(no, BLANK, "")
                pending = None
                continue
            yield pending
            pending = None
        if line.kind == TEXT or (
            line.kind == ITEM and line.level == 0 and line.marker and "0" <= line.marker[0] <= "9"
        ):
            # Text, or "1. Summary" (a numbered heading), may be underlined as a heading.
            pending = line
        else:
            yield line
    if pending is not None:
        yield pending


def _classify(no: int, raw: str) -> Line:
    if not raw:
        return Line(no, BLANK, "")
    # Most lines start at column 0: take their first character without copying
    # the line (``lstrip``); indented lines pay for the strip.
    first = raw[0]
    stripped = raw
    if first.isspace():
        stripped = raw.lstrip()
        if not stripped:
            return Line(no, BLANK, "")
        first = stripped[0]
    if first == ">":
        raw = _QUOTE.sub("", raw, count=1)
        stripped = raw.lstrip()
        if not stripped:
            return Line(no, BLANK, "")
        first = stripped[0]
    if first == "#":
        heading = atx_heading(raw)
        if heading:
            return Line(no, HEADING, heading[1], heading[0])
    elif first in "`~" and _FENCE.match(raw):
        return Line(no, FENCE, raw.strip())
    elif first == "|":
        body = raw.strip()
        if _TABLE_SEP.match(body):
            return Line(no, RULE, "", 0, "table")
        inner = body[1:-1] if body.endswith("|") and len(body) > 1 else body[1:]
        cells = [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(inner)]
        return Line(no, TABLE, body, 0, "", None, cells)
    # A rule is three or more of its character: counting them (in C) spares the
    # regex on every "- item" line.
    if first in "-*_" and raw.count(first) >= 3 and _RULE.match(raw):
        return Line(no, RULE, "")
    if first in "-*+•" and raw[0] == first and raw[1:2] in (" ", "\t") and "\n" not in raw:
        # An unindented bullet item, the most common line after blank ones: what
        # ``_ITEM`` matches for it (no indent, the marker, blanks, the rest),
        # without the regex (a third of this line's classifying).
        text, check = _checkbox(raw[1:].lstrip(" \t"))
        return Line(no, ITEM, text.strip(), 0, first, check)
    # A bullet is followed by a blank (``**Bold**`` lines are not tried as items).
    if (
        (first in "-*+•" and stripped[1:2] in (" ", "\t"))
        or first.isdigit()
        or (first.isalpha() and raw[1:2] in ".)")
    ):
        match = _ITEM.match(raw)
        if match and not (first.isalpha() and not match.group(3)[:1].isupper()):
            text, check = _checkbox(match.group(3))
            start = match.start(2)
            return Line(
                no,
                ITEM,
                text.strip(),
                start if start == 0 else _indent(match.group(1)),
                match.group(2),
                check,
            )
    if len(stripped) == len(raw):
        return Line(no, TEXT, raw.rstrip())
    return Line(no, TEXT, stripped.rstrip(), _indent(raw[: len(raw) - len(stripped)]))


# -- inline text ------------------------------------------------------------------------

# Each pattern opens with a lookahead for the characters a match must start
# with: a position that cannot start one is then given up at once, instead of
# after trying every branch and its lookbehind (twice as fast on a line).
_LINK: Final = re.compile(r"(?=[!\[])!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS: Final = re.compile(
    r"(?=[*_])(?:"
    r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*]+?)\*(?![\w*])|(?<!\w)_([^_]+?)_(?!\w))"
)


def _emphasised(match: re.Match[str]) -> str:
    """The text inside ``**bold**``, ``*italic*`` or ``_italic_`` (one group takes part).

    A function rather than the template ``r"\2\3\4"``: on Python 3.11 a
    template is expanded by Python code per match, twice as slow as this.
    """
    return match[2] or match[3] or match[4] or ""


def clean_inline(text: str) -> str:
    """Text without markdown emphasis, links (their label is kept) or code ticks."""
    # ``" ".join(text.split())`` is ``re.sub(r"\s+", " ", text).strip()`` at a
    # quarter of the cost: ``str.split`` and ``\s`` agree on every whitespace character.
    # Six substring tests (``memchr``), not a ``frozenset(...).isdisjoint(text)``:
    # that hashes every character, and was most of the cost of this function.
    if not (
        "[" in text or "*" in text or "_" in text or "`" in text or "<" in text or "\t" in text
    ):
        return text.strip() if "  " not in text else " ".join(text.split())
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(_emphasised, text)
        text = text.replace("**", "")
    if "`" in text:
        text = text.replace("`", "")
    if "<" in text:
        text = re.sub(r"</?[a-zA-Z][^>]{0,80}>", "", text)
    return " ".join(text.split())


#: Marks written before an item that say its status.
STATUS_MARKS = {
    "✅": "done",
    "✓": "done",
    "✔": "done",
    "☑": "done",
    "🟢": "done",
    "✗": "cancelled",
    "❌": "cancelled",
    "✖": "cancelled",
    "🔄": "in_progress",
    "⏳": "in_progress",
    "🚧": "in_progress",
    "🟡": "in_progress",
    "⚠": "blocked",
    "🛑": "blocked",
    "⛔": "blocked",
    "🔴": "blocked",
    "⬜": "todo",
    "☐": "todo",
}
_SYMBOL_CATEGORIES = {"So", "Sk", "Sm", "Mn", "Cf", "Co", "Cs"}


def strip_symbols(text: str) -> tuple[str, str | None]:
    """Drop emoji and other symbols at the start and end of ``text``.

    Returns the text and the status a leading or trailing mark stood for
    (``✅ Done thing`` -> ``("Done thing", "done")``).
    """
    first, last = text[:1], text[-1:]
    if "!" <= first < "\x85" and "!" <= last < "\x85":
        # The usual case, in two comparisons: no character from "!" to U+0084
        # is a space or a symbol this strips (U+0085 is a space).
        return text, None
    if text and first < "\u2000" and last < "\u2000" and not first.isspace() and not last.isspace():
        return text, None
    status = None
    start, end = 0, len(text)
    while start < end:
        ch = text[start]
        if ch in STATUS_MARKS and status is None:
            status = STATUS_MARKS[ch]
        if ch.isspace() or (ord(ch) > 0x2000 and unicodedata.category(ch) in _SYMBOL_CATEGORIES):
            start += 1
        else:
            break
    while end > start:
        ch = text[end - 1]
        if ch in STATUS_MARKS and status is None:
            status = STATUS_MARKS[ch]
        if ch.isspace() or (ord(ch) > 0x2000 and unicodedata.category(ch) in _SYMBOL_CATEGORIES):
            end -= 1
        else:
            break
    return text[start:end], status


_LEAD: Final = re.compile(r"^(\*\*|__)(?P<lead>.+?)(\1)(?P<rest>.*)$")
_KEY_VALUE_IN_BOLD: Final = re.compile(r"^(?P<key>[^:]{1,60}?)\s*[:：]\s*$")


def bold_lead(text: str) -> tuple[str, str] | None:
    """``**Date:** 2026`` -> ``("Date:", " 2026")``; None when the line does not open with bold."""
    if not text.startswith(("**", "__")):
        return None
    if "\n" in text:  # ``.`` stops at a newline: only the pattern says what then
        match = _LEAD.match(text)
        if not match:
            return None
        return match.group("lead"), match.group("rest")
    # What ``_LEAD`` matches, without its character-by-character lazy scan: the
    # lead runs to the first closing mark after at least one character.
    mark = text[:2]
    end = text.find(mark, 3)
    if end < 0:
        return None
    return text[2:end], text[end + 2 :]


_PLAIN_KEY: Final = re.compile(
    r"^(?P<key>[A-Za-zÀ-ÿ\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff][\w /&().'’-]{0,48}?)"
    # A full-width colon needs no space after it ("日期：2026年3月12日").
    r"\s*(?::\s+|：\s*)(?P<value>\S.*)$"
)


def key_value(text: str) -> tuple[str, str] | None:
    """A ``Key: value`` pair written as ``**Key:** value``, ``**Key**: value`` or ``Key: value``.

    Returns the key and value without markup, or None. A bold phrase without a
    colon (``**Phase 4** - done``) is not a pair.
    """
    if ":" not in text and "：" not in text:
        return None  # every form below needs one of them
    lead = bold_lead(text)
    if lead is not None:
        inner, rest = lead
        inner_match = (":" in inner or "：" in inner) and _KEY_VALUE_IN_BOLD.match(inner)
        if inner_match:
            return clean_inline(inner_match.group("key")), clean_inline(rest)
        stripped = rest.lstrip()
        if stripped[:1] in (":", "："):
            return clean_inline(inner), clean_inline(stripped[1:])
        return None
    if text[:1] in ("*", "_"):
        text = clean_inline(text)
    match = _PLAIN_KEY.match(text)
    if match and "://" not in match.group("key"):
        return match.group("key").strip(), _tidy_value(clean_inline(match.group("value")))
    return None


def _tidy_value(value: str) -> str:
    return value.strip().rstrip("·•|;,").strip()


_AFTER_SEPARATOR: Final = re.compile(r"\s+[·•|]\s+")
_SENTENCE_SPLIT: Final = re.compile(r"(?<=[.;·|])\s+(?=[A-Z][\w ]{0,24}:\s)")
_SENTENCE_PAIRS: Final = re.compile(r"^[A-Z][\w ]{0,24}:\s[^:]+?[.;·|]\s+[A-Z][\w ]{0,24}:\s")
_MULTI_PAIR: Final = re.compile(
    r"\*\*([^*:]{1,40}):\*\*\s*([^|*]+)|\*\*([^*:]{1,40})\*\*:\s*([^|*]+)"
)


def key_values(text: str) -> list[tuple[str, str]]:
    """Every ``**Key:** value`` pair of a line such as ``**Priority:** High | **Type:** Ops``."""
    if text.count("**") < 4:
        if "**" not in text and _SENTENCE_PAIRS.search(text):
            # "Agent: Cursor. Branch: fix/x. Duration: 40 min." -- several pairs in one line.
            pairs = []
            for piece in _SENTENCE_SPLIT.split(text):
                pair = key_value(piece.strip().rstrip("."))
                if pair is None:
                    return [p for p in [key_value(text)] if p]
                # "Agent: Copilot · ~1.5 hours": what follows a separator is no part of the value.
                pairs.append((pair[0], _AFTER_SEPARATOR.split(pair[1], 1)[0]))
            return pairs
        pair = key_value(text)
        return [pair] if pair else []
    pairs = []
    for m in _MULTI_PAIR.finditer(text):
        key = m.group(1) or m.group(3)
        value = m.group(2) or m.group(4)
        pairs.append((key.strip(), _tidy_value(clean_inline(value).strip(" |"))))
    if not pairs:
        pair = key_value(text)
        return [pair] if pair else []
    return pairs
