"""Reading one session out of its lines.

``SessionBuilder`` is fed the classified lines of one session (see
``parse.plan_document`` for how a note is cut into sessions) and keeps a
small amount of state: the stack of headings it is under and what each names
(``vocab.classify_heading``), the task a heading opened, the challenge waiting
for its solution, the entry the next indented item belongs to, the recommended
task being described. Nothing here raises on odd input: a line that fits
nothing is skipped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from agentdeck.notes.importer import scan
from agentdeck.notes.importer.dates import find_dates, find_times, first_day, parse_duration
from agentdeck.notes.importer.model import (
    BacklogTask,
    Entry,
    FileRef,
    NewTask,
    ParsedSession,
    TaskRef,
)
from agentdeck.notes.importer.numbers import NUMBER, count_in, to_int
from agentdeck.notes.importer.scan import (
    BLANK,
    CODE,
    HEADING,
    ITEM,
    RULE,
    TABLE,
    TEXT,
    Line,
    bold_lead,
    clean_inline,
    key_value,
    key_values,
    strip_symbols,
)
from agentdeck.notes.importer.vocab import (
    LIVE_MARKER,
    NO_SECTION,
    PRIMARY_DATE_LABELS,
    SESSION_ID,
    Section,
    category_of,
    classify_heading,
    effort_of,
    field_name,
    normal,
    priority_of,
    status_of,
)

#: A task ID in the backlog's form (``TASK-20260203-060``, ``BUG-20251201-001``).
TASK_ID: Final = re.compile(
    r"(?<![\w-])(?!SESSION-|SES-|SESS-)([A-Z]{2,12}-\d{8}-\d{3,6})(?![\w-])"
)
#: A short task key leading an item, a heading or an ID cell (``API-21``,
#: ``TASK-001``, ``**PAY-118**:``): a tracker's key, kept as the task's ID. Only
#: there, and not the names of standards and versions that look alike.
_SHORT_ID: Final = re.compile(
    r"^(?:\*\*|__|`|\[)?([A-Z][A-Z0-9]{1,11}-\d{1,6})(?:\*\*|__|`|\])?(?=$|[\s:.,)\]—–-])"
)
_NOT_TASK_KEYS = frozenset(
    [
        "UTF",
        "SHA",
        "ISO",
        "RFC",
        "CVE",
        "CWE",
        "GPT",
        "HTTP",
        "HTTPS",
        "TLS",
        "SSL",
        "AES",
        "RSA",
        "ES",
        "ECMA",
        "PEP",
        "COVID",
        "WCAG",
        "OWASP",
        "MD",
        "IPV",
        "ARM",
        "PR",
        "MR",
        "CL",
        "PCI",
        "SOC",
        "HIPAA",
        "GDPR",
        "OAUTH",
        "H",
        "X86",
        "AMD64",
        "WIN",
        "IE",
        "MP",
        "BASE64",
        "LEVEL",
        "STEP",
        "PHASE",
        "SPRINT",
        "WEEK",
        "DAY",
        "SESSION",
        "SES",
        "SESS",
        "PART",
    ]
)
_SHORT_ID_FIRST: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ*_`["


def task_ids(text: str) -> list[str]:
    """The task IDs ``text`` names: the backlog's dated ones anywhere, or a short key leading it."""
    if "-20" in text or "-19" in text:
        ids: list[str] = TASK_ID.findall(text)
        if ids:
            return ids
    key = short_id(text)
    return [key] if key else []


def short_id(text: str) -> str | None:
    """The tracker's key leading ``text`` (``API-21``, ``**PAY-118**:``), or None."""
    # Cheap tests first (most items start with a capital and hold no key): a
    # dash near the start, then a first character a key can follow.
    head = text[:16]
    if "-" not in head or head[0] not in _SHORT_ID_FIRST:
        return None
    match = _SHORT_ID.match(text)
    if match is None:
        return None
    key = match.group(1)
    return key if _tracker_key(key) else None


def _tracker_key(key: str) -> bool:
    """Whether ``API-21``-shaped ``key`` is a tracker's, not a standard's (``UTF-8``, ``PR-12``)."""
    return key[: key.index("-")] not in _NOT_TASK_KEYS


#: A placeholder a note gives a task it recommends (``TASK-NEW-001``, ``NEW-3``).
TASK_LABEL: Final = re.compile(
    r"^\s*((?:[A-Z]{2,12}-)?(?:NEW|TBD|TODO|XXX|NEXT)-?\d*|#\d+)\s*[:\-–—.]?\s*"
)

_EXTENSIONS = (
    "py|pyi|pyx|js|mjs|cjs|ts|tsx|jsx|mts|cts|json|jsonc|json5|yaml|yml|toml|ini|cfg|conf|env|md|mdx|rst|"
    "txt|adoc|sh|bash|zsh|fish|ps1|bat|cmd|sql|html|htm|css|scss|sass|less|vue|svelte|astro|go|rs|rb|"
    "java|kt|kts|scala|groovy|gradle|c|h|cc|cpp|cxx|hpp|hh|cs|fs|php|swift|m|mm|r|jl|lua|pl|pm|ex|exs|"
    "erl|hrl|hs|ml|clj|cljs|dart|tf|tfvars|hcl|proto|graphql|gql|xml|xsd|csv|tsv|ipynb|lock|mod|sum|"
    "mmd|svg|png|jpg|jpeg|gif|webp|pdf|log|prisma|ejs|hbs|twig|j2|jinja|jinja2|tpl|service|timer|"
    "nix|cmake|mk|dockerfile|containerfile|plist|gemspec|podspec|patch|diff|zig|nim|v|sol|wasm|"
    "properties|editorconfig|gitignore|dockerignore|npmrc|nvmrc|babelrc|eslintrc|prettierrc"
)
_NAMED = r"Dockerfile|Makefile|Procfile|Jenkinsfile|Gemfile|Rakefile|Vagrantfile|Justfile|Taskfile|LICENSE|README|CHANGELOG|CODEOWNERS"
_PATH: Final = re.compile(
    r"(?<![\w@/.:~*\\-])"
    r"((?:\.{0,2}/)?(?:[\w.@~+-]+/)*(?:[\w@+-][\w.@+-]*\.(?:"
    + _EXTENSIONS
    + r")|\.[\w-]+rc|\.env(?:\.\w+)?|"
    r"(?:" + _NAMED + r")(?:\.\w+)?))"
    r"(?![\w/-]|\.\w)",
)
_TICKED: Final = re.compile(r"`([^`\s]{2,200})`")
_NOT_FILES = {
    "node.js",
    "next.js",
    "nuxt.js",
    "vue.js",
    "react.js",
    "express.js",
    "nest.js",
    "d3.js",
    "chart.js",
    "three.js",
    "ember.js",
    "angular.js",
    "backbone.js",
    "deno.js",
    "bun.js",
    "p5.js",
    "socket.io",
    "alpine.js",
    "solid.js",
    "moment.js",
    "hapi.js",
    "koa.js",
}
_VERB_BEFORE: Final = re.compile(
    r"\b(?:created?|modified|updated|added|wrote|edited|new|enhanced|renamed|deleted|removed|"
    r"file|files|datei|fichier)\b\W{0,3}(?:\w+\W+){0,1}$",
    re.I,
)
COUNT_AFTER: Final = re.compile(
    r"^\W{0,4}(?:NEW|ENHANCED|MODIFIED)?\W{0,4}~?\d[\d,.]*\+?\s*(?:lines?|loc|chars?|characters?)\b",
    re.I,
)
_TREE: Final = re.compile(r"^[\s│|]*(?:├──|└──|├─|└─|\|--|`--|\+--)\s*(.+?)\s*$")
_CREATED_WORDS = r"created?|new|added|wrote|written|generated|erstellt|créé|creado|criado"
_MODIFIED_WORDS = r"modified|updated?|enhanced|changed|edited|refactored|extended|fixed|geändert|modifié|modificado"
_CREATED: Final = re.compile(rf"\b(?:{_CREATED_WORDS})\b", re.I)
_MODIFIED: Final = re.compile(rf"\b(?:{_MODIFIED_WORDS})\b", re.I)
#: Either word list: one search that most text fails, before the two ordered ones.
_CHANGED: Final = re.compile(rf"\b(?:{_CREATED_WORDS}|{_MODIFIED_WORDS})\b", re.I)
_NONE: Final = re.compile(
    r"^(?:none|n/?a|nothing|no blockers?|keine|aucun|ninguno|nenhum|nessuno)\b[.!]?(?:\s|$)", re.I
)
_CHALLENGE_ITEM: Final = re.compile(
    r"^(?:challenge|problem|issue|bug|blocker|herausforderung|problème|problema|défi)\s*#?\s*\d*\s*[:\-–—.]",
    re.I,
)
_DECISION_ITEM: Final = re.compile(
    r"^(?:decision|entscheidung|décision|decisión)\s*#?\s*\d*\s*$", re.I
)
_ITALIC_ONLY: Final = re.compile(r"^\s*[*_][^*_].*[*_]\s*$")
_PRIORITY_KEY = r"(?:priority|prio|priorité|priorität|prioridad|prioridade|priorità)"
_PRIORITY_INLINE: Final = re.compile(
    r"\s*[\[(]\s*(?:"
    + _PRIORITY_KEY
    + r"\s*[:=]?\s*)?([\w\u00c0-\u017f]+)(?:\s*"
    + _PRIORITY_KEY
    + r")?\s*[\])]\s*|"
    r"\s*[-–—,]\s*" + _PRIORITY_KEY + r"\s*[:=]\s*([\w\u00c0-\u017f]+)\b",
    re.I,
)
_LEAD_PARENS: Final = re.compile(r"^[(\[]([^()\[\]]{1,40})[)\]]\s*[:\-–—]?\s*")
#: Short keys anywhere in a dependency line ("depends on API-22, WEB-7").
_SHORT_IDS: Final = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]{1,11}-\d{1,6})(?![\w-])")
_DEPENDS: Final = re.compile(
    r"^(?:depends on|depends|blocked by|after|needs|requires)\b\s*:?", re.I
)
_SOLUTION_LABEL: Final = re.compile(
    r"^(?:fix(?:ed)?|solution|resolved|resolution|workaround|lösung|solución)\s*:\s*", re.I
)
_SPLIT_ARROW: Final = re.compile(
    r"\s*(?:→|->|=>|⇒)\s*|\s+[-–—]\s+(?:solution|fix|fixed by|resolved by)\s*:?\s*", re.I
)
_LEAD_NUMBERING: Final = re.compile(r"^\s*(?:\d+[.)]|#\d+[.:)]?)\s+")
_TASK_PREFIX: Final = re.compile(
    r"^\s*(?:task|aufgabe|tâche|tarea|tarefa)\s*#?\s*\d*\s*[:\-–—.]\s*", re.I
)
_SEPARATORS = " \t:-–—|.,;"
_METRIC_VALUE: Final = re.compile(
    r"^\s*(?:~|≈|about |approx\.? |over |\+|-)?\s*\d[\d,.]*(?:[kKmM%+x×)]|\s|/|$)"
)
#: Coding agents known by name, for notes that name theirs in prose or in a
#: heading's parentheses rather than in an ``Agent:`` field.
_AGENT_NAMES = (
    r"Claude Code|Claude|GitHub Copilot|Copilot|Codex(?: CLI)?|Aider|Cursor|Devin|"
    r"Gemini(?: CLI)?|Cline|Windsurf|OpenHands|Jules|Amp|Goose"
)
#: "... by Claude Code", "written by Aider", "Cursor's agent spent", "Copilot
#: coding agent session": the agent that wrote the note.
_PROSE_AGENT: Final = re.compile(
    rf"\bby\s+(?:the\s+)?({_AGENT_NAMES})\b"
    rf"|\b({_AGENT_NAMES})(?:['’]s)?\s+(?:coding\s+)?agent\b"
)
#: "## 2025-10-03 — Session 12 (Codex, 45 min)", "**Session 3** (Cursor agent,
#: branch `fix/x`)": details in parentheses, cut at commas.
_PAREN: Final = re.compile(r"\(([^()]{2,200})\)")
_PAREN_PART: Final = re.compile(r"\s*[,;·•|]\s*")
_AGENT_PART: Final = re.compile(
    rf"^(?:by\s+)?({_AGENT_NAMES})(?:['’]s)?(?:\s+(?:coding\s+)?agent)?(?:\s*\(?agent mode\)?)?$",
    re.I,
)
_BRANCH_PART: Final = re.compile(r"^(?:on\s+)?branch\s*:?\s*`?([\w][\w./+-]*)`?$", re.I)
#: "after roughly 2 hours of work", "spent ~45 minutes": the session's length.
#: Also a length alone between middle dots ("branch `x` · 23 minutes"), and
#: in words up to "ninety minutes" or "an hour and a half".
_PROSE_NUMBER = (
    r"\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|half\s+an?"
)
_PROSE_DURATION: Final = re.compile(
    r"(?:\b(?:after|spent|took|lasted|for)\s+|(?:^|[·•|])\s*)((?:about|around|roughly|"
    rf"approximately|almost|nearly|~|≈)?\s*(?:{_PROSE_NUMBER})(?:[\s-]+(?:{_PROSE_NUMBER}))?"
    r"\s*(?:hours?|hrs?|minutes?|mins?)\b(?:\s+and\s+a\s+half)?)",
    re.I,
)
#: "on branch `feat/export`", "Branch: codex/refund-flow".
_PROSE_BRANCH: Final = re.compile(
    r"\b[Bb]ranch\b\s*:?\s*(`?)([\w][\w./+-]*)\1|`([\w][\w./+-]*)`\s+branch\b"
)
#: Words after "branch" that are prose, not its name ("the branch on March 4").
_NOT_BRANCHES = frozenset(
    [
        "on",
        "in",
        "of",
        "is",
        "was",
        "and",
        "to",
        "for",
        "the",
        "a",
        "an",
        "it",
        "that",
        "this",
        "with",
        "from",
        "at",
        "by",
    ]
)
#: Aider's chat history: a session's heading, an edit applied, a commit made.
_AIDER_START: Final = re.compile(r"aider chat started at\b", re.I)
_AIDER_EDIT: Final = re.compile(r"Applied edit to\s+`?([^\s`]+)`?\s*$")
_AIDER_COMMIT: Final = re.compile(r"Commit\s+([0-9a-f]{7,40})\s+(\S.*)$")
_WORK_GROUPS = {"work", "decisions", "lessons", "blockers", "next", "summary", "challenges"}


def prose_facts(text: str) -> dict[str, str]:
    """The session's facts a sentence states, as written: ``when``, ``agent``, ``duration``, ``branch``.

    "Written on Tuesday, March 3rd 2026 by Claude Code, after roughly 2 hours
    of work on branch `feat/export`": a hand-off or a report written as prose
    rather than as ``Date:``/``Agent:`` fields. Only in these forms: the first
    date in the sentence, an agent the importer knows by name after "by", a
    duration after "after", "spent", "took", "lasted" or "for", a branch after
    the word "branch".
    """
    facts: dict[str, str] = {}
    dates = find_dates(text)
    if dates:
        facts["when"] = text[dates[0].start : dates[0].end].strip()[:200]
    agent = _PROSE_AGENT.search(text)
    if agent:
        facts["agent"] = agent.group(1) or agent.group(2)
    spent = _PROSE_DURATION.search(text)
    if spent:
        facts["duration"] = spent.group(1).strip()[:200]
    if "branch" in text or "Branch" in text:
        for branch in _PROSE_BRANCH.finditer(text):
            name = (branch.group(2) or branch.group(3) or "").rstrip(".,;:)")
            if name and (branch.group(1) or name.lower() not in _NOT_BRANCHES):
                facts["branch"] = name[:250]
                break
    return facts


def paren_facts(text: str) -> dict[str, str]:
    """The agent, duration and branch stated in parentheses, each part alone between commas.

    "(Claude Code, ~2 hours, branch `fix/proration`)" -> all three; "(Cursor
    agent)" -> the agent. A part that is anything else ("PR #12", "v2") says nothing.
    """
    facts: dict[str, str] = {}
    for group in _PAREN.finditer(text):
        for part in _PAREN_PART.split(group.group(1)):
            part = scan.clean_inline(part).strip()
            if not part or len(part) > 40:
                continue
            agent = _AGENT_PART.match(part)
            if agent:
                facts.setdefault("agent", agent.group(1))
                continue
            branch = _BRANCH_PART.match(part)
            if branch:
                facts.setdefault("branch", branch.group(1).rstrip(".,;:"))
                continue
            may_be_length = (
                any(c.isdigit() for c in part) or " an" in part or part[:2].lower() == "an"
            )
            if may_be_length and parse_duration(part) is not None:
                facts.setdefault("duration", part)
    return facts


def find_files(text: str, *, bare: bool = True) -> list[tuple[str, int, int]]:
    """File paths mentioned in ``text``: ``(path, start, end)`` in order of appearance.

    Paths in backticks or with a folder always count. A bare name such as
    ``package.json`` counts only when ``bare`` is set (a files section, a
    tree) or when a count follows it or a verb such as "created" comes just
    before it.
    """
    found: list[tuple[str, int, int]] = []
    if "`" in text:
        for m in _TICKED.finditer(text):
            # A leading dot is part of a name (`.github/`, `.env`); trailing ones are prose.
            token = m.group(1).rstrip(".,;:()").lstrip(",;:(")
            if _looks_like_path(token):
                found.append((token, m.start(), m.end()))
    ticked = len(found)
    if ("." in text or "/" in text) and (not ticked or _outside_may_hold_path(text, found)):
        for m in _PATH.finditer(text):
            at = m.start()
            if ticked and any(start <= at < end for _, start, end in found[:ticked]):
                continue  # inside a path in backticks, already taken
            token = m.group(1)
            if token.lower() in _NOT_FILES or token.startswith("//"):
                continue
            if not bare and "/" not in token:
                before = text[max(0, m.start() - 40) : m.start()]
                after = text[m.end() : m.end() + 40]
                if not (_VERB_BEFORE.search(before) or COUNT_AFTER.match(after)):
                    continue
            found.append((token, m.start(), m.end()))
    if len(found) > 1:
        found.sort(key=_start_of)
    return found


def _start_of(found: tuple[str, int, int]) -> int:
    return found[1]


def _outside_may_hold_path(text: str, ticked: list[tuple[str, int, int]]) -> bool:
    """Whether ``_PATH`` could match ``text`` outside the paths in backticks already found.

    A match never holds a backtick, so it lies wholly inside or wholly outside
    each ``ticked`` span, and the ones inside are dropped: when no stretch
    between the spans holds a dot, a slash or a named file, the scan of the
    whole line would keep nothing (every match holds a dot, a slash or one of
    the ``_NAMED`` files). Spares that scan on a file-list item
    (``- `api/x.py` (120 lines)``): about 4 µs of its 30.
    """
    at = 0
    for _token, start, end in ticked:
        if _holds_path_mark(text[at:start]):
            return True
        at = end
    return _holds_path_mark(text[at:])


def _holds_path_mark(piece: str) -> bool:
    # Spelled out rather than ``any(...)`` over ``_PATH_MARKS``: no generator per piece.
    return (
        "." in piece
        or "/" in piece
        or "file" in piece
        or "LICENSE" in piece
        or "README" in piece
        or "CHANGELOG" in piece
        or "CODEOWNERS" in piece
    )


#: Characters a path in backticks never has (code, globs, shell).
_NOT_IN_PATHS = frozenset("*$={}<>|\"'")


def _looks_like_path(token: str) -> bool:
    if not _NOT_IN_PATHS.isdisjoint(token) or "://" in token or token.endswith("/"):
        return False
    if token.lower() in _NOT_FILES or token.startswith(("-", "@")):
        return False
    match = _PATH.fullmatch(token)
    return bool(match)


def _status_from_check(check: str | None) -> str | None:
    return {
        " ": "todo",
        "x": "done",
        "✓": "done",
        "✔": "done",
        "~": "in_progress",
        "/": "in_progress",
        "?": "review",
        "!": "blocked",
        "-": "cancelled",
    }.get(check or "")


#: What ``_heading_facts`` returns: the section the heading names, its text
#: without markup and symbols, the status mark it had, the task IDs in it, the
#: line/character counts it states, whether those counts are used up (no count,
#: or a file on the heading itself takes it), and its ``Key: value`` pair.
HeadingFacts = tuple[
    Section,
    str,
    "str | None",
    tuple[str, ...],
    "tuple[int | None, int | None]",
    bool,
    "tuple[str, str] | None",
]


@lru_cache(maxsize=4096)
def _heading_facts(text: str) -> HeadingFacts:
    """What a heading's text says on its own, whatever section it is in.

    Cached: the same headings come back in every session of a history
    ("Work Completed", "Next Steps", "Files Created"), and each would otherwise
    be cleaned and searched for IDs, counts and pairs again.
    """
    own = classify_heading(text)
    cleaned = clean_inline(text)
    plain, mark = strip_symbols(cleaned)
    lines, chars = count_in(cleaned)
    counts_used = not (lines or chars) or bool(find_files(text))
    ids = tuple(TASK_ID.findall(text))  # any 8 digits: not only days of 19xx/20xx
    if not ids:
        key = short_id(strip_symbols(clean_inline(text))[0])
        ids = (key,) if key else ()
    return own, plain, mark, ids, (lines, chars), counts_used, key_value(text)


class SessionBuilder:
    """Collects one session from its lines; call ``feed`` per line, then ``finish``."""

    def __init__(self, first_line: int, *, backlog: bool = False) -> None:
        self.session = ParsedSession(line=first_line)
        self.backlog = backlog
        self.backlog_tasks: list[BacklogTask] = []
        self.stack: list[tuple[int, Section, str]] = []
        self.label: Section | None = None
        self.label_group = False
        self.task: TaskRef | None = None
        self.task_level = 0
        self.challenge: int | None = None
        self.challenge_level = 0
        self.nest: list[tuple[int, int]] = []
        self.group: int | None = None
        self.new_task: NewTask | None = None
        self.new_task_indent = -1
        self.group_priority: str | None = None
        self.heading_count: tuple[int | None, int | None] = (None, None)
        self.heading_count_used = True
        self.paragraph: list[str] = []
        self.paragraph_line = 0
        self.table_header: list[str] | None = None
        self.pending_row: Line | None = None
        self.have: set[str] = set()
        self.objective_from_section = False
        self.last_line = first_line
        #: ``_compute_kind()`` of the current stack and label; None when they
        #: changed since (``_heading`` and ``_bold_label`` reset it).
        self._kind_value: Section | None = None
        self._metric_values: dict[str, set[str]] = {}
        self._metric_counts: dict[str, int] = {}
        #: Facts read from prose (``_preamble``), used where nothing else gave them.
        self._guess: dict[str, str] = {}
        #: A session of Aider's chat history (``_aider_line``).
        self.aider = False

    # -- the header of a session ----------------------------------------------------------

    def header(self, text: str, line: int) -> None:
        """The heading (or bold lead-in) that opens the session: title, date, time, ID."""
        s = self.session
        title, _ = strip_symbols(clean_inline(text))
        title = LIVE_MARKER.sub("", title).strip(" -–—:")
        s.title = title[:500]
        label = SESSION_ID.search(text)
        if label:
            s.label = label.group(0)
        if "(" in text:
            for key, value in paren_facts(text).items():
                self._guess[key] = value
        if _AIDER_START.match(title):
            self.aider = True
            self._guess["agent"] = "Aider"
        self._read_when(clean_inline(text), heading=True)

    def guess(self, facts: dict[str, str]) -> None:
        """Facts read from prose or parentheses: used by ``finish`` where nothing else gave them."""
        for key, value in facts.items():
            self._guess.setdefault(key, value)

    def work_item(self, text: str, no: int) -> None:
        """A work item that is not a line of its own (a lead-in's rest, a log's dated item)."""
        self.session.entries.append(Entry("work", text[:2000], no))
        self._files_in(text, no)

    def row(self, row: Line, header: list[str]) -> None:
        """A session from a row of a table of sessions: its date, fields and work, by column."""
        cells = row.cells or []
        title = ""
        for index, cell in enumerate(cells):
            value = clean_inline(cell)
            if not value or index >= len(header):
                continue
            name = field_name(clean_inline(header[index]))
            if name == "date":
                self.header(value, row.no)
            elif name is not None:
                self._session_field(name, header[index], value, row)
            else:
                kind = classify_heading(header[index]).kind
                if kind in ROW_SECTIONS or not kind:
                    entry = "next" if kind == "next" else "work"
                    self.session.entries.append(Entry(entry, value[:2000], row.no))
                    self._files_in(cell, row.no)
                    title = title or (value if entry == "work" else "")
        if title:
            self.session.title = title[:500]
        self.last_line = row.no

    def _read_when(self, text: str, *, heading: bool = False, secondary: bool = False) -> None:
        s = self.session
        dates = find_dates(text)
        times = find_times(text)
        if heading and not dates and not times:
            return
        if dates:
            first = dates[0]
            if (s.day is None or ("date" not in self.have and heading)) and (
                first.day or s.when_text is None
            ):
                s.day = first.day or s.day
            end = first.end
            if times:
                index = text.find(":", first.end)
                if index >= 0:
                    end = max(end, _time_end(text, first.end))
            when = text[first.start : end].strip()
            if heading:
                when = _with_zone(text, first.start, end)
            if (not secondary or s.when_text is None) and (s.when_text is None or not heading):
                s.when_text = when[:200]
        elif times and s.when_text is None and heading:
            s.when_text = _with_zone(text, 0, _time_end(text, 0)).strip()[:200]
        if times and s.start_time is None:
            s.start_time = times.start
            s.end_time = times.end
            if times.minutes is not None and s.duration_minutes is None and times.minutes > 0:
                self._range_minutes = times.minutes

    # -- feeding lines -------------------------------------------------------------------

    def feed(self, line: Line) -> None:
        self.last_line = line.no
        kind = line.kind
        if self.aider:
            self._aider_line(line)
            return
        if kind == BLANK and self.pending_row is None:
            # A quarter of all lines: what the steps below do for one, in short.
            self.table_header = None
            if self.paragraph:
                self._flush_paragraph()
            return
        if kind == CODE:
            self._code(line)
            return
        if kind == TABLE:
            self._flush_paragraph()
            if self.pending_row is not None:
                self._table_row(self.pending_row, self.table_header)
            self.pending_row = line
            return
        if self.pending_row is not None:
            if kind == RULE and line.marker == "table":
                self.table_header = [normal(c) for c in self.pending_row.cells or []]
                self.pending_row = None
                return
            self._table_row(self.pending_row, self.table_header)
            self.pending_row = None
        if kind != TABLE and self.table_header is not None and kind != RULE:
            self.table_header = None
        if kind == HEADING:
            self._flush_paragraph()
            self._heading(line)
        elif kind == ITEM:
            self._flush_paragraph()
            self._content(line)
        elif kind == TEXT:
            self._content(line)
        else:
            self._flush_paragraph()

    def finish(self) -> ParsedSession:
        """Close the session and tidy what was read (merge files, tasks; fill durations)."""
        self._flush_paragraph()
        if self.pending_row is not None:
            self._table_row(self.pending_row, self.table_header)
            self.pending_row = None
        self._close_new_task()
        s = self.session
        s.end_line = self.last_line
        if self._guess:
            self._apply_guesses()
        if s.duration_minutes is None and getattr(self, "_range_minutes", None):
            s.duration_minutes = self._range_minutes
        if not s.objective:
            s.objective = s.title
        if s.day is None and s.when_text:
            s.day = first_day(s.when_text)
        s.files = _merge_files(s.files)
        s.tasks = _merge_tasks(s.tasks)
        return s

    # -- headings ------------------------------------------------------------------------

    def _inherited(self) -> Section:
        for _, section, _text in reversed(self.stack):
            if section.kind:
                return section
        return NO_SECTION

    def _kind(self) -> Section:
        """The section the current line is in (a bold label can override its heading).

        Kept until the heading stack or the label changes: only ``_heading``
        and ``_bold_label`` change them, and they reset ``_kind_value``. (A key
        made of the stack's depth and top heading text was not enough: "Details"
        under "Work" and then "Details" under "Next Steps" have the same key.)
        """
        value = self._kind_value
        if value is None:
            value = self._kind_value = self._compute_kind()
        return value

    def _compute_kind(self) -> Section:
        base = self._inherited()
        if self.label is not None:
            if self.label.kind:
                return self.label
            if base.kind == "work" and not self.label_group:
                return NO_SECTION
        return base

    def _heading(self, line: Line) -> None:
        text = line.text
        level = line.level
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        if self.task is not None and level <= self.task_level:
            self.task = None
        if self.challenge is not None and level <= self.challenge_level:
            self.challenge = None
        self._close_new_task()
        self.label = None
        self.label_group = False
        self._kind_value = None  # the stack and the label changed
        self.nest = []
        self.group = None
        self.group_priority = None
        parent = self._inherited()
        own, plain, mark, ids, counts, counts_used, pair = _heading_facts(text)
        self._files_in(text, line.no, heading=True)
        self.heading_count = counts
        self.heading_count_used = counts_used
        if pair and _METRIC_VALUE.match(pair[1]) and not ids:
            self._metric(pair[0], pair[1])
        if ids:
            title = _task_title(plain, ids[0])
            section = parent if parent.kind == "tasks" else Section("tasks")
            status = mark or _trailing_status(plain) or section.status
            role = _role(section, status)
            self.task = self._task_ref(ids[0], title, line.no, role, status)
            self.task_level = level
            self.stack.append((level, own if own.kind and own.kind != "tasks" else parent, text))
            self._kind_value = None
            for extra in ids[1:]:
                self._task_ref(extra, None, line.no, role, status)
            return
        effective = own if own.kind else parent
        if self.task is not None and not own.kind:
            # Details of a task (features, impact, testing): not log entries of the session.
            effective = NO_SECTION
        elif (parent.kind == "challenges" and (not own.kind or _CHALLENGE_ITEM.match(plain))) or (
            own.kind == "challenges" and _CHALLENGE_ITEM.match(plain)
        ):
            self._challenge(plain, line.no)
            self.challenge_level = level
        elif parent.kind == "decisions" and not own.kind:
            self.group = self._entry("decision", _strip_numbering(plain), line.no, None)
        elif parent.kind == "newtasks" and not own.kind:
            hint = priority_of(plain)
            if hint and len(plain.split()) <= 4:
                self.group_priority = hint
            elif plain:
                self._start_new_task(plain, line.no, indent=-1)
        elif parent.kind == "work" and not own.kind and plain:
            self.group = self._entry("work", _strip_numbering(plain), line.no, None)
        elif (
            parent.kind in ("next", "lessons", "blockers")
            and not own.kind
            and plain
            and priority_of(plain) is None
        ):
            self.group = self._entry(_ENTRY_OF[parent.kind], _strip_numbering(plain), line.no, None)
        if own.kind == "objective" and not self.session.objective and pair:
            self.session.objective = pair[1][:500]
        self.stack.append((level, effective, text))
        self._kind_value = None

    # -- Aider's chat history -----------------------------------------------------------

    def _aider_line(self, line: Line) -> None:
        """A line of ``.aider.chat.history.md``, which Aider writes as it works.

        Each "# aider chat started at ..." opens a session. What is kept: each
        request made of it ("#### add a test for empty input") as a note, each
        commit it made ("> Commit 1a2b3c4 test: empty input") as work done, each
        file it edited ("> Applied edit to parser.py") as modified. Its answers,
        code and start-up lines (model, repo map) are not records of the session.
        """
        text = line.text
        if line.kind == HEADING:
            if line.level >= 4 and text.strip():
                self._entry("note", text.strip(), line.no, None)
            return
        if line.kind != TEXT:
            return
        edit = _AIDER_EDIT.match(text)
        if edit:
            self.session.files.append(
                FileRef(edit.group(1)[:1000], line.no, None, None, "modified")
            )
            return
        commit = _AIDER_COMMIT.match(text)
        if commit:
            self._entry("work", f"{commit.group(2).strip()} ({commit.group(1)})", line.no, None)

    # -- the prose before a session's first section ------------------------------------

    def _preamble(self, text: str) -> None:
        """What a sentence before the session's first section says of the session itself.

        Each fact ``prose_facts`` reads is kept aside and used by ``finish``
        only where the heading and the fields gave none.
        """
        s = self.session
        guess = self._guess
        for key, value in prose_facts(text).items():
            if key in guess:
                continue
            if key == "when" and (s.day is not None or s.when_text is not None):
                continue
            if (
                (key == "agent" and s.agent)
                or (key == "duration" and s.duration_minutes is not None)
                or (key == "branch" and s.branch is not None)
            ):
                continue
            guess[key] = value

    def _apply_guesses(self) -> None:
        """The facts ``_preamble`` and ``header`` read from prose, where nothing else gave them."""
        s = self.session
        guess = self._guess
        when = guess.get("when")
        if when and s.day is None and s.when_text is None:
            s.when_text = when
        if guess.get("agent") and not s.agent:
            s.agent = guess["agent"]
        duration = guess.get("duration")
        if duration and s.duration_minutes is None and s.duration_text is None:
            minutes = parse_duration(duration)
            if minutes is not None:
                s.duration_minutes = minutes
                s.duration_text = duration
        if guess.get("branch") and s.branch is None:
            s.branch = guess["branch"]

    # -- content lines ---------------------------------------------------------------------

    def _content(self, line: Line) -> None:
        text = line.text
        if not text:
            return
        is_item = line.kind == ITEM
        if not is_item and not self.stack and self.task is None and text[:2] not in ("**", "__"):
            # (A bold line is a field, "**Branch**: x", or a label: not prose.)
            self._preamble(text)
        if (
            not is_item
            and line.level == 0
            and text.endswith((":", "："))
            and len(text) <= 60
            and "*" not in text
            and "_" not in text
            and classify_heading(text).kind
        ):
            # "Next:" on a line of its own labels the list below it, as "**Next:**" does.
            self._flush_paragraph()
            self._bold_label(text, line.no)
            return
        if "." in text or "/" in text or "`" in text:  # no file can be named without one
            self._files_in(text, line.no)
        section = self._kind()
        as_written = section
        if not section.kind:
            if not self.stack and self.label is None and self.task is None:
                # A session without sub-headings (a log entry): its items are the work done.
                section = _WORK if is_item else _SUMMARY
            elif ":" not in text and "*" not in text and "_" not in text and not _has_id(text):
                return  # a line of a section the importer does not keep (features, impact ...)
        kind = section.kind
        if (
            kind in _PLAIN_ENTRY
            and is_item
            and ":" not in text
            and "*" not in text
            and "_" not in text
            and not _has_id(text)
            and not (self.task is not None and line.level > 0 and _DEPENDS.match(text))
        ):
            # The common case, kept lean: a plain list item of a work/next/decision/... section.
            # An unticked box under the work done ("- [ ] Update docs") is still to do.
            entry_kind = "next" if kind == "work" and line.check == " " else _PLAIN_ENTRY[kind]
            self._plain_item(entry_kind, line, text)
            return
        if (
            kind == "files"
            and is_item
            and ":" not in text
            and "：" not in text
            and not _has_id(text)
        ):
            return  # a file list item: ``_files_in`` took what it says (nothing below applies)
        body, mark = strip_symbols(text)
        ids = task_ids(body) if "-" in body else []
        if (
            not ids
            and is_item
            and line.level > 0
            and self.task is not None
            and "-" in body
            and _DEPENDS.match(clean_inline(body))
        ):
            ids = [key for key in _SHORT_IDS.findall(body) if _tracker_key(key)]
        pairs = [p for p in key_values(body) if p[1]] if (":" in body or "：" in body) else []
        lead = bold_lead(body)
        label_only = lead is not None and not lead[1].strip(" :：") and not pairs
        if not is_item and line.level == 0 and label_only:
            self._flush_paragraph()
            self._bold_label(lead[0], line.no)  # type: ignore[index]
            return
        if pairs and not is_item:
            self._flush_paragraph()
        if (
            ids
            and is_item
            and line.level > 0
            and self.task is not None
            and _DEPENDS.match(clean_inline(body))
        ):
            if isinstance(self.task, BacklogTask):
                self.task.depends_on.extend(i for i in ids if i != self.task.id)
            return
        if is_item and pairs and not as_written.kind and _names_a_field(pairs):
            # An item "- Branch: x" outside any section is a field, as "Branch: x" is.
            section = as_written
        if pairs and self._pairs(pairs, line, section, ids):
            return
        if ids and not self._in_new_tasks(section):
            self._flush_paragraph()
            self._task_line(line, body, ids, section, mark)
            return
        kind = section.kind
        if kind == "newtasks":
            self._flush_paragraph()
            self._new_task_line(line, body, lead)
            return
        if kind == "tasks":
            self._flush_paragraph()
            entry_kind = "work" if section.role == "completed" else "note"
            self._nested_entry(entry_kind, line, body, lead)
            return
        if kind in _ENTRY_OF:
            if kind == "challenges":
                self._flush_paragraph()
                self._challenge_line(line, body)
                return
            if kind == "blockers" and _NONE.match(clean_inline(body)):
                return
            if not is_item and _ITALIC_ONLY.match(body):
                return
            self._flush_paragraph()
            entry_kind = "next" if kind == "work" and line.check == " " else _ENTRY_OF[kind]
            self._nested_entry(entry_kind, line, body, lead)
            return
        if kind == "summary":
            if is_item:
                self._flush_paragraph()
                self._entry("note", clean_inline(body), line.no, None)
            else:
                self._paragraph(line, body)
            return
        if kind == "objective" and not self.session.objective:
            self._flush_paragraph()
            self.session.objective = clean_inline(body)[:500]
            self.objective_from_section = True
            return

    def _bold_label(self, text: str, no: int) -> None:
        """A bold line on its own: a sub-section label, or an item of the section it is in."""
        self._kind_value = None  # the label changes below
        self._close_new_task()
        own = classify_heading(text)
        base = self._inherited()
        cleaned, _ = strip_symbols(clean_inline(text))
        ends_colon = text.rstrip().endswith((":", "："))
        self.nest = []
        if own.kind and own.kind != base.kind:
            self.label = own
            self.label_group = False
            self.group = None
            if own.kind == "tasks" and own.status is None:
                self.label = (
                    Section("tasks", base.status, base.role) if base.kind == "tasks" else own
                )
            return
        if base.kind == "newtasks":
            hint = priority_of(cleaned)
            if hint and len(cleaned.split()) <= 4:
                self.group_priority = hint
                return
            if not ends_colon:
                self._start_new_task(cleaned.rstrip(":："), no, indent=-1)
            return
        if base.kind == "challenges":
            self._challenge(cleaned.rstrip(":："), no)
            return
        if base.kind in _ENTRY_OF and not ends_colon:
            self.label = None
            self.group = self._entry(_ENTRY_OF[base.kind], cleaned, no, None)
            return
        self.label = NO_SECTION if base.kind == "work" else None
        self.label_group = False
        self.group = None

    def _pairs(
        self, pairs: list[tuple[str, str]], line: Line, section: Section, ids: list[str]
    ) -> bool:
        """Handle ``Key: value`` pairs; True when the line is used up."""
        used = False
        top = line.kind == TEXT or line.level == 0
        for key, value in pairs:
            name = field_name(key)
            if self.task is not None and name in ("priority", "category", "status", "effort"):
                self._task_field(self.task, name, value)
                used = True
                continue
            if self.new_task is not None and name in ("priority", "effort", "category"):
                if name == "priority":
                    self.new_task.priority = priority_of(value) or self.new_task.priority
                elif name == "effort":
                    self.new_task.effort = effort_of(value) or self.new_task.effort
                used = True
                continue
            if (section.kind == "challenges" or self.challenge is not None) and name in (
                "problem",
                "solution",
                "lesson",
            ):
                self._challenge_part(name, value, line.no)
                used = True
                continue
            if section.kind == "decisions" and _DECISION_ITEM.match(key):
                self._nested_entry("decision", line, value, None)
                used = True
                continue
            if name == "file" and value:
                used = True
                continue
            entry_kind = _kv_entry_kind(key)
            if entry_kind and section.kind not in ("newtasks", "challenges") and self.task is None:
                if not (entry_kind == "blocker" and _NONE.match(value)):
                    self._nested_entry(entry_kind, line, value, None)
                used = True
                continue
            if (
                top
                and self.task is None
                and section.kind in ("", "summary", "objective", "metrics")
                and self._session_field(name, key, value, line)
            ):
                used = True
                continue
            if section.kind == "metrics" or (
                _METRIC_VALUE.match(value)
                and self.task is None
                and section.kind != "newtasks"
                and not _date_first(value)
            ):
                self._metric(key, value)
                if section.kind in ("metrics", "", "summary", "objective", "files"):
                    used = True
                continue
        if used or section.kind in ("", "metrics", "files", "objective"):
            return True
        if ids:
            return False
        return False

    def _session_field(self, name: str | None, key: str, value: str, line: Line) -> bool:
        s = self.session
        if name is None or not value:
            return False
        if name == "date":
            primary = normal(key) in PRIMARY_DATE_LABELS
            found = find_dates(value)
            written = _with_zone(value, found[0].start, found[0].end) if found else value
            if primary and "date" not in self.have:
                self.have.add("date")
                self._read_when(value)
                s.when_text = written[:200]
                day = first_day(value)
                if day:
                    s.day = day
                return True
            if not primary and s.day is None and "date2" not in self.have:
                self.have.add("date2")
                day = first_day(value)
                if day:
                    s.day = day
                    s.when_text = s.when_text or written[:200]
            return True
        if name == "time":
            if s.start_time is None:
                self._read_when(value)
            return True
        if name == "duration":
            if s.duration_text is None:
                minutes = parse_duration(value)
                if minutes is not None:
                    s.duration_minutes = minutes
                    s.duration_text = value[:200]
                    # "~3 hours (started 10:01 AM)", "09:00-10:30": a start time said
                    # with the length; not "1h05", which is the length itself.
                    paren = value.find("(")
                    times = find_times(value[paren:] if paren >= 0 else value)
                    if times and s.start_time is None and (paren >= 0 or times.end):
                        s.start_time = times.start
            return True
        if name == "agent":
            if not s.agent:
                # (Non-breaking and zero-width spaces would keep "Claude Code" from matching.)
                s.agent = " ".join(value.lstrip("@").replace("\u200b", "").split())[:200]
            return True
        if name == "branch":
            if s.branch is None:
                words = value.replace("\u200b", "").strip()[:250].split()
                if words:
                    s.branch = words[0].strip("`'\"").rstrip(".,;:)").strip("`'\"") or None
                    rest = value.strip()[len(words[0]) :].strip(" ,;.·|")
                    if rest and s.duration_minutes is None and len(rest) <= 60:
                        # "Branch: `x`, Dauer: 1,5 Std.", "Branch: main. 25 minutes."
                        pair = key_value(rest)
                        if pair is None or field_name(pair[0]) == "duration":
                            self._session_field(
                                "duration", "duration", pair[1] if pair else rest, line
                            )
            return True
        if name in ("objective", "title"):
            if (
                name == "objective"
                and (not s.objective or self.objective_from_section)
                and "objective_field" not in self.have
            ):
                self.have.add("objective_field")
                s.objective = value[:500]
            return True
        if name == "session":
            label = SESSION_ID.search(value)
            if label and s.label is None:
                s.label = label.group(0)
            return bool(label)
        return False

    def _metric(self, key: str, value: str) -> None:
        key = clean_inline(key).strip(" :")
        if not key or len(key) > 80:
            return
        metrics = self.session.metrics
        if key not in metrics:
            metrics[key] = value[:300]
            return
        seen = self._metric_values.setdefault(key, {metrics[key]})
        if value[:300] in seen:
            return
        seen.add(value[:300])
        number = self._metric_counts.get(key, 1) + 1
        name = f"{key} ({number})"
        while name in metrics:
            number += 1
            name = f"{key} ({number})"
        self._metric_counts[key] = number
        metrics[name] = value[:300]

    # -- entries --------------------------------------------------------------------------

    def _entry(self, kind: str, text: str, no: int, parent: int | None) -> int | None:
        if "  " in text or "\t" in text or "\n" in text:
            text = " ".join(text.split())
        if not text:
            return None
        self.session.entries.append(Entry(kind, text[:2000], no, parent))
        return len(self.session.entries) - 1

    def _plain_item(self, kind: str, line: Line, text: str) -> None:
        """``_nested_entry`` of a list item, spelled out for the most common line of all.

        (``feed`` has flushed the paragraph before an item.) One call instead of
        three per item: about 0.5 µs of its 3.
        """
        text, _ = strip_symbols(clean_inline(text))
        if not text:
            return
        indent = line.level
        nest = self.nest
        while nest and nest[-1][0] >= indent:
            nest.pop()
        parent = nest[-1][1] if nest else self.group
        if "  " in text or "\t" in text or "\n" in text:  # as ``_entry`` does
            text = " ".join(text.split())
            if not text:
                return
        entries = self.session.entries
        entries.append(Entry(kind, text[:2000], line.no, parent))
        nest.append((indent, len(entries) - 1))

    def _nested_entry(self, kind: str, line: Line, body: str, lead: tuple[str, str] | None) -> None:
        text = clean_inline(body)
        text, _ = strip_symbols(text)
        if not text:
            return
        if line.kind == ITEM:
            indent = line.level
            while self.nest and self.nest[-1][0] >= indent:
                self.nest.pop()
            parent = self.nest[-1][1] if self.nest else self.group
            index = self._entry(kind, text, line.no, parent)
            if index is not None:
                self.nest.append((indent, index))
            return
        if line.level >= 2 and self.nest:
            entry = self.session.entries[self.nest[-1][1]]
            entry.text = (entry.text + " " + text)[:2000]
            return
        self.nest = []
        index = self._entry(kind, text, line.no, None)
        if kind in ("work", "decision", "next", "lesson", "blocker"):
            self.group = index

    def _paragraph(self, line: Line, body: str) -> None:
        if not self.paragraph:
            self.paragraph_line = line.no
        self.paragraph.append(clean_inline(body))

    def _flush_paragraph(self) -> None:
        if self.paragraph:
            text = " ".join(self.paragraph)
            text, _ = strip_symbols(text)
            self._entry("note", text, self.paragraph_line, None)
            self.paragraph = []

    # -- challenges -------------------------------------------------------------------------

    def _challenge(self, title: str, no: int) -> None:
        title = _CHALLENGE_ITEM.sub("", title).strip() or title
        self.challenge = self._entry("challenge", title, no, None)
        self._challenge_has_text = False

    def _challenge_part(self, name: str, value: str, no: int) -> None:
        entries = self.session.entries
        if name == "problem":
            if self.challenge is not None and not getattr(self, "_challenge_has_text", True):
                entry = entries[self.challenge]
                entry.text = f"{entry.text}: {value}"[:2000]
                self._challenge_has_text = True
            else:
                self.challenge = self._entry("challenge", value, no, None)
                self._challenge_has_text = True
        elif name == "solution":
            self._entry("solution", value, no, self.challenge)
        else:
            self._entry("lesson", value, no, self.challenge)

    def _challenge_line(self, line: Line, body: str) -> None:
        text = clean_inline(body)
        text, _ = strip_symbols(text)
        if not text:
            return
        if line.kind == ITEM and line.level > 0 and self.challenge is not None:
            self._entry("solution", text, line.no, self.challenge)
            return
        parts = _SPLIT_ARROW.split(text, maxsplit=1)
        self._challenge(parts[0], line.no)
        if len(parts) == 2 and parts[1].strip():
            self._entry(
                "solution", _SOLUTION_LABEL.sub("", parts[1].strip()), line.no, self.challenge
            )

    # -- tasks ------------------------------------------------------------------------------

    def _task_ref(
        self,
        task_id: str,
        title: str | None,
        no: int,
        role: str,
        status: str | None,
    ) -> TaskRef:
        if self.backlog:
            ref: TaskRef = BacklogTask(task_id, title, no, role, status)
            self.backlog_tasks.append(ref)  # type: ignore[arg-type]
        else:
            ref = TaskRef(task_id, title, no, role, status)
        if self.group_priority:
            ref.priority = self.group_priority
        self.session.tasks.append(ref)
        return ref

    def _task_field(self, ref: TaskRef, name: str, value: str) -> None:
        if name == "priority":
            ref.priority = priority_of(value) or ref.priority
        elif name == "category":
            ref.category = category_of(value) or ref.category
        elif name == "status":
            status = status_of(value)
            if status:
                ref.status = status
                if status == "done" and ref.role == "worked":
                    ref.role = "completed"
        elif name == "effort":
            ref.effort = effort_of(value) or ref.effort

    def _task_line(
        self, line: Line, body: str, ids: list[str], section: Section, mark: str | None
    ) -> None:
        text = clean_inline(body)
        if line.kind == ITEM and line.level > 0 and self.task is not None:
            lowered = text.lower()
            if lowered.startswith(("depends on", "depends:", "blocked by", "after:")):
                if isinstance(self.task, BacklogTask):
                    self.task.depends_on.extend(i for i in ids if i != self.task.id)
                return
        status = _status_from_check(line.check) or mark or _paren_status(text) or section.status
        role = _role(section, status)
        title = _task_title(text, ids[0])
        lead_meta: list[str] = []
        if title and title[0] in "([":
            # "API-21 (P0) Fix 500 ...": the details before the title.
            lead = _LEAD_PARENS.match(title)
            if lead and title[lead.end() :].strip():
                lead_meta = [p.strip() for p in lead.group(1).split(",")]
                title = title[lead.end() :].strip()
        ref = self._task_ref(ids[0], title, line.no, role, status)
        meta = _paren_meta(text)
        if meta or lead_meta:
            _apply_meta(ref, lead_meta + meta)
        if self.group_priority is None:
            for _, _section, heading in reversed(self.stack):
                hint = priority_of(normal(heading)) if len(heading.split()) <= 4 else None
                if hint:
                    ref.priority = ref.priority or hint
                    break
        for extra in ids[1:]:
            self._task_ref(extra, None, line.no, role, status)
        if line.kind == ITEM:
            self.task = ref
            self.task_level = 99
        if section.kind in _ENTRY_OF and section.kind not in ("challenges",):
            self._nested_entry(_ENTRY_OF[section.kind], line, body, None)

    def _table_row(self, row: Line, header: list[str] | None) -> None:
        cells = row.cells or []
        text = " | ".join(cells)
        known = len(self.session.files)
        self._files_in(text, row.no)
        if (
            header is not None
            and len(self.session.files) == known + 1
            and self.session.files[known].change != "modified"
        ):
            # (On a modified file's row, a count is what changed, not its length.)
            self._table_counts(cells, header, self.session.files[known])
        section = self._kind()
        ids = TASK_ID.findall(text)
        if not ids and header is not None:
            # A tracker's short keys, in the column that holds them.
            for index, heading in enumerate(header):
                if heading in _ID_COLUMNS and index < len(cells):
                    key = short_id(clean_inline(cells[index]))
                    if key and len(key) == len(clean_inline(cells[index])):
                        ids = [key]
                    break
        if header is None:
            if section.kind == "metrics" and len(cells) >= 2:
                self._metric(cells[0], cells[1])
            return
        columns = {name: i for i, name in enumerate(header)}
        if ids:
            title = None
            for column in ("title", "task", "name", "description", "summary", "what"):
                if column in columns and columns[column] < len(cells):
                    title = clean_inline(cells[columns[column]])
                    break
            status = None
            if "status" in columns and columns["status"] < len(cells):
                status = status_of(cells[columns["status"]])
            status = status or section.status
            ref = self._task_ref(
                ids[0], title or _task_title(text, ids[0]), row.no, _role(section, status), status
            )
            for column, field_key in (
                ("priority", "priority"),
                ("category", "category"),
                ("effort", "effort"),
            ):
                if column in columns and columns[column] < len(cells):
                    self._task_field(ref, field_key, cells[columns[column]])
            if "type" in columns and ref.category is None and columns["type"] < len(cells):
                self._task_field(ref, "category", cells[columns["type"]])
            return
        if section.kind == "newtasks":
            title_col = next(
                (columns[n] for n in ("title", "task", "name", "description") if n in columns), 0
            )
            if title_col < len(cells) and clean_inline(cells[title_col]):
                self._close_new_task()
                task = NewTask(clean_inline(cells[title_col])[:500], row.no)
                if "priority" in columns and columns["priority"] < len(cells):
                    task.priority = priority_of(cells[columns["priority"]])
                if "effort" in columns and columns["effort"] < len(cells):
                    task.effort = effort_of(cells[columns["effort"]])
                task.priority = task.priority or self.group_priority
                self.session.new_tasks.append(task)
            return
        if section.kind == "challenges" and len(cells) >= 2:
            problem = next((i for n, i in columns.items() if field_name(n) == "problem"), 0)
            solution = next((i for n, i in columns.items() if field_name(n) == "solution"), 1)
            if problem < len(cells) and clean_inline(cells[problem]):
                self._challenge(clean_inline(cells[problem]), row.no)
                if solution < len(cells) and clean_inline(cells[solution]):
                    self._entry("solution", clean_inline(cells[solution]), row.no, self.challenge)
            return
        if len(cells) >= 2:
            key = clean_inline(cells[0])
            value = clean_inline(cells[1])
            name = field_name(key)
            if (
                name in ("date", "time", "duration", "agent", "branch", "objective", "session")
                and section.kind in ("", "summary", "objective", "metrics")
                and self.task is None
                and self._session_field(name, key, value, row)
            ):
                return
            if section.kind == "metrics" or (
                _METRIC_VALUE.match(value) and len(header) == 2 and section.kind in ("", "summary")
            ):
                # "| Metric | Before | After |": the value is the one the session left.
                for column in _VALUE_COLUMNS if len(header) > 2 else ():
                    spot = columns.get(column)
                    if spot is not None and 0 < spot < len(cells) and clean_inline(cells[spot]):
                        value = clean_inline(cells[spot])
                        break
                self._metric(key, value)
                name = field_name(key)
                if name == "duration" and self.session.duration_text is None:
                    self._session_field(name, key, value, row)

    def _table_counts(self, cells: list[str], header: list[str], file: FileRef) -> None:
        """A file's line or character count from its row's own column (``| File | Lines |``)."""
        for at, name in enumerate(header):
            if at >= len(cells) or (name not in _LINE_COLUMNS and name not in _CHAR_COLUMNS):
                continue
            number = NUMBER.search(cells[at])
            value = to_int(number.group(0)) if number else None
            if value is None or value < 0:
                continue
            if name in _LINE_COLUMNS and file.lines is None:
                file.lines = value
            elif name in _CHAR_COLUMNS and file.chars is None:
                file.chars = value

    # -- recommended tasks --------------------------------------------------------------------

    def _in_new_tasks(self, section: Section) -> bool:
        return section.kind == "newtasks"

    def _start_new_task(self, text: str, no: int, indent: int) -> None:
        self._close_new_task()
        text = _strip_numbering(clean_inline(text))
        label = None
        match = TASK_LABEL.match(text)
        if match and match.group(1) and text[match.end() :].strip():
            label = match.group(1)
            text = text[match.end() :]
        text, _ = strip_symbols(text)
        priority = None
        for inline in _PRIORITY_INLINE.finditer(text):
            found = priority_of(inline.group(1) or inline.group(2) or "")
            if found:
                priority = found
                text = (text[: inline.start()] + text[inline.end() :]).strip()
                break
        text = text.strip(_SEPARATORS)
        if not text:
            return
        self.new_task = NewTask(
            text[:500], no, label=label, priority=priority or self.group_priority
        )
        self.new_task_indent = indent

    def _close_new_task(self) -> None:
        if self.new_task is not None:
            self.session.new_tasks.append(self.new_task)
            self.new_task = None
            self.new_task_indent = -1

    def _new_task_line(self, line: Line, body: str, lead: tuple[str, str] | None) -> None:
        text = clean_inline(body)
        if line.kind == ITEM:
            if (
                self.new_task is not None
                and line.level > max(self.new_task_indent, -1)
                and (self.new_task_indent >= 0 or line.level > 0)
            ):
                self.new_task.description.append(text[:500])
                return
            if lead is not None and lead[1].strip(" :"):
                head, rest = clean_inline(lead[0]), clean_inline(lead[1]).strip(" :-–—")
                if TASK_LABEL.fullmatch(head + " ") or TASK_LABEL.match(head + ":"):
                    self._start_new_task(f"{head}: {rest}", line.no, line.level)
                    return
                self._start_new_task(head, line.no, line.level)
                if self.new_task is not None and rest:
                    prio = _PRIORITY_INLINE.search(" (" + rest + ")") or None
                    if prio and priority_of(rest) and len(rest.split()) <= 3:
                        self.new_task.priority = priority_of(rest)
                    else:
                        self.new_task.description.append(rest[:500])
                return
            self._start_new_task(text, line.no, line.level)
            return
        if lead is not None and not lead[1].strip(" :"):
            self._start_new_task(lead[0], line.no, -1)
            return
        if self.new_task is not None:
            self.new_task.description.append(text[:500])

    # -- files ------------------------------------------------------------------------------

    def _files_in(self, text: str, no: int, *, heading: bool = False) -> None:
        if "." not in text and "/" not in text and "`" not in text:
            return
        in_files = self._kind().kind == "files"
        mentions = find_files(text, bare=in_files)
        if not mentions:
            return
        hint = None
        if in_files:
            heading_text = next(
                (h for _, sec, h in reversed(self.stack) if sec.kind == "files"), ""
            )
            hint = _heading_hint(heading_text)
        line_hint: str | None = _UNSET  # the whole line's hint, read when first needed
        for index, (path, _start, end) in enumerate(mentions):
            following = (
                text[end : mentions[index + 1][1]] if index + 1 < len(mentions) else text[end:]
            )
            lines, chars = count_in(following[:120])
            if lines is None and chars is None and len(mentions) == 1:
                lines, chars = count_in(text[:_start])
            if lines is None and chars is None and not self.heading_count_used and not heading:
                lines, chars = self.heading_count
                self.heading_count_used = True
            change = _near_hint(following[:60])
            if change is None:
                if line_hint is _UNSET:
                    line_hint = _change_hint(text)
                change = line_hint or hint
            self.session.files.append(FileRef(path[:1000], no, lines, chars, change))

    def _code(self, line: Line) -> None:
        match = _TREE.match(line.text)
        if not match:
            return
        entry = match.group(1)
        mentions = find_files(entry)
        if not mentions:
            return
        path, _start, end = mentions[0]
        lines, chars = count_in(entry[end:])
        self.session.files.append(FileRef(path[:1000], line.no, lines, chars, None))


#: Table columns that hold a file's line count or character count (names as ``normal`` gives them).
_LINE_COLUMNS = frozenset(
    [
        "lines",
        "line count",
        "lines of code",
        "loc",
        "# lines",
        "no. of lines",
        "zeilen",
        "lignes",
        "líneas",
        "lineas",
        "linhas",
        "righe",
        "строк",
        "строки",
        "行数",
        "行",
    ]
)
_CHAR_COLUMNS = frozenset(
    [
        "chars",
        "characters",
        "character count",
        "size (chars)",
        "zeichen",
        "caractères",
        "caracteres",
        "caratteri",
        "символов",
        "文字数",
        "字符数",
    ]
)
#: The columns of a table of sessions that hold its work (the rest are its fields).
ROW_SECTIONS: Final = frozenset(["work", "summary", "next", "objective"])
#: Table columns that hold a task's ID.
_ID_COLUMNS = frozenset(["id", "task id", "task", "key", "ticket", "issue", "#", "ref"])
#: The column of a metrics table that holds the value the session left.
_VALUE_COLUMNS = (
    "after",
    "now",
    "current",
    "new",
    "result",
    "value",
    "nachher",
    "après",
    "después",
    "depois",
)

_PLAIN_ENTRY = {"work": "work", "decisions": "decision", "lessons": "lesson", "next": "next"}
_WORK = Section("work")
_SUMMARY = Section("summary")


def _names_a_field(pairs: list[tuple[str, str]]) -> bool:
    """Whether a pair names a field of the session itself (its date, agent, branch...)."""
    return any(
        field_name(key) in ("date", "time", "duration", "agent", "branch", "session")
        for key, _value in pairs
    )


def _has_id(text: str) -> bool:
    """A cheap test before looking for task IDs (their day starts with 19 or 20, or a key leads)."""
    return "-20" in text or "-19" in text or short_id(text) is not None


_ENTRY_OF = {
    "work": "work",
    "decisions": "decision",
    "challenges": "challenge",
    "lessons": "lesson",
    "blockers": "blocker",
    "next": "next",
}


_KV_ENTRIES = {
    "next": "next",
    "todo": "next",
    "to do": "next",
    "next up": "next",
    "decision": "decision",
    "decided": "decision",
    "blocker": "blocker",
    "blockers": "blocker",
    "blocked": "blocker",
    "blocked by": "blocker",
    "lesson": "lesson",
    "lessons": "lesson",
    "learned": "lesson",
    "til": "lesson",
    "done": "work",
    "did": "work",
    "shipped": "work",
}


def _kv_entry_kind(key: str) -> str | None:
    """``Next: ...``, ``Decision: ...``, ``Blockers: ...`` written as a lead-in instead of a heading."""
    name = normal(key)
    if name in _KV_ENTRIES:
        return _KV_ENTRIES[name]
    if field_name(key) is not None or len(name.split()) > 3:
        return None
    kind = classify_heading(key).kind
    if kind in ("next", "decisions", "blockers", "lessons") and not name.startswith("next review"):
        return _ENTRY_OF[kind]
    return None


def _date_first(value: str) -> bool:
    found = find_dates(value[:40])
    return bool(found) and found[0].start <= 2


def _role(section: Section, status: str | None) -> str:
    if section.role:
        return section.role if not (status == "done" and section.role == "worked") else "completed"
    return "completed" if status == "done" else "worked"


def _strip_numbering(text: str) -> str:
    return _LEAD_NUMBERING.sub("", text).strip()


# Patterns of the helpers below, compiled once (not looked up in ``re``'s cache per call).
_LAST_PARENS: Final = re.compile(r"\s*\((?:[^()]*)\)\s*$")
_TWO_WORDS: Final = re.compile(r"[a-z]{4,}\s+[a-z]{4,}")
_TRAILING_WORDS: Final = re.compile(r"[-–—(]\s*([A-Za-z ]{3,20})\)?\s*$")
_PAREN_END_80: Final = re.compile(r"\(([^()]{2,80})\)\s*$")
_PAREN_END_200: Final = re.compile(r"\(([^()]{2,200})\)\s*$")
_CLOCK_RANGE: Final = re.compile(
    r"~?\s*\d{1,2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:-|–|—|to)\s*~?\s*\d{1,2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?",
    re.I,
)
_AM_PM: Final = re.compile(r"[ap]\.?m", re.I)


def _task_title(text: str, task_id: str) -> str | None:
    """The title written next to a task ID: ``1. TASK-x: Title ✓`` -> ``Title``."""
    text = clean_inline(text)
    index = text.find(task_id)
    after = text[index + len(task_id) :] if index >= 0 else text
    before = text[:index] if index >= 0 else ""
    title = after.strip(_SEPARATORS)
    if not title:
        title = _TASK_PREFIX.sub("", _strip_numbering(before)).strip(_SEPARATORS)
    title = _LAST_PARENS.sub("", title) if title.endswith(")") else title
    title, _ = strip_symbols(title)
    title = title.strip(_SEPARATORS)
    if title and len(title.split()) <= 2 and status_of(title) and not _TWO_WORDS.search(title):
        return None
    return title[:500] or None


def _trailing_status(text: str) -> str | None:
    match = _TRAILING_WORDS.search(text)
    if match:
        status = status_of(match.group(1))
        if status in ("done", "in_progress", "blocked", "cancelled"):
            return status
    return None


def _paren_status(text: str) -> str | None:
    match = _PAREN_END_80.search(text)
    if match:
        return status_of(match.group(1).split(",")[0])
    return _trailing_status(text)


def _paren_meta(text: str) -> list[str]:
    match = _PAREN_END_200.search(text)
    return [p.strip() for p in match.group(1).split(",")] if match else []


def _apply_meta(ref: TaskRef, meta: list[str]) -> None:
    """``(todo, infrastructure/monitoring, effort M, #ops)``, as ``export --format md`` writes."""
    for part in meta:
        lowered = part.lower()
        if lowered.startswith("effort "):
            ref.effort = effort_of(part[7:]) or ref.effort
        elif part.startswith("#") and isinstance(ref, BacklogTask):
            ref.tags.extend(t.lstrip("#") for t in part.split() if t.startswith("#"))
        elif part.startswith("@"):
            continue
        elif "/" in part and " " not in part.strip():
            ref.category = category_of(part)
        elif priority_of(part) and len(part.split()) <= 2 and not status_of(part):
            ref.priority = priority_of(part)
        elif lowered.startswith(("priority", "prio")):
            ref.priority = priority_of(part.split(":", 1)[-1]) or ref.priority


#: A piece of every word of ``_CHANGED`` that has no letter outside ASCII, in lower case.
_CHANGED_STEM: Final = re.compile(
    "crea|criad|new|add|wr|generat|erstellt|modif|updat|enhanc|chang|edit|refactor|extend|fix"
)


def _change_hint(text: str) -> str | None:
    # An ASCII text holds a word of ``_CHANGED`` only if its lower case holds
    # one of these stems: a case-sensitive search without word boundaries
    # (about 0.5 µs) spares the case-blind one (2-5 µs) on most text. Other
    # text may match through Unicode case folding, so it goes to the search.
    if text.isascii() and not _CHANGED_STEM.search(text.lower()):
        return None
    if not _CHANGED.search(text):
        return None
    if _CREATED.search(text):
        return "created"
    if _MODIFIED.search(text):
        return "modified"
    return None


#: The hint of a files heading ("Files Created"), read once per heading text.
_heading_hint = lru_cache(maxsize=1024)(_change_hint)
#: The hint in the few words after a file name (" (NEW - 120 lines)"), which recur.
_near_hint = lru_cache(maxsize=4096)(_change_hint)
#: "Not read yet" for a value that may be None.
_UNSET: str = "\0unset"


def _time_end(text: str, start: int) -> int:
    end = start
    for m in _CLOCK_RANGE.finditer(text, start):
        if ":" in m.group(0) or _AM_PM.search(m.group(0)):
            end = m.end()
            break
    return end


_ZONE: Final = re.compile(r"\s*(?:[A-Z]{2,5}T|UTC|GMT|Z|[+-]\d{2}:?\d{2})\b")


def _with_zone(text: str, start: int, end: int) -> str:
    end = max(end, _time_end(text, end))
    zone = _ZONE.match(text, end)
    if zone:
        end = zone.end()
    return text[start:end].strip()


def _merge_files(files: list[FileRef]) -> list[FileRef]:
    """One entry per path; a bare name mentioned beside a full path that ends with it joins it."""
    by_path: dict[str, FileRef] = {}
    for ref in files:
        path = ref.path.strip().removeprefix("./")
        if not path:
            continue
        known = by_path.get(path)
        if known is None:
            by_path[path] = FileRef(path, ref.line, ref.lines, ref.chars, ref.change)
            continue
        known.lines = known.lines if known.lines is not None else ref.lines
        known.chars = known.chars if known.chars is not None else ref.chars
        if ref.change == "created" or known.change is None:
            known.change = ref.change or known.change
    by_name: dict[str, list[str]] = {}
    for path in by_path:
        by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    for path in sorted(by_path, key=len):
        if path not in by_path:
            continue
        suffix = "/" + path.lstrip("/")
        matches = [
            f
            for f in by_name.get(path.rsplit("/", 1)[-1], ())
            if f != path and f in by_path and f.endswith(suffix)
        ]
        if len(matches) == 1:
            bare = by_path.pop(path)
            target = by_path[matches[0]]
            target.lines = target.lines if target.lines is not None else bare.lines
            target.chars = target.chars if target.chars is not None else bare.chars
            target.change = target.change or bare.change
    return list(by_path.values())


def _merge_tasks(tasks: list[TaskRef]) -> list[TaskRef]:
    """One reference per (task, role); later mentions fill what earlier ones left empty."""
    merged: dict[tuple[str, str], TaskRef] = {}
    for ref in tasks:
        known = merged.get((ref.id, ref.role))
        if known is None:
            merged[(ref.id, ref.role)] = ref
            continue
        for name in ("title", "status", "priority", "category", "effort"):
            if getattr(known, name) is None and getattr(ref, name) is not None:
                setattr(known, name, getattr(ref, name))
    return list(merged.values())


__all__ = ["NUMBER", "TASK_ID", "SessionBuilder", "find_files", "scan"]
