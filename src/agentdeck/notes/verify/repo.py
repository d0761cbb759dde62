"""Claims checked against the repository: files, git totals, and test results."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from agentdeck.notes.importer.numbers import COUNT, Amount, ungroup
from agentdeck.notes.importer.scan import BLANK, HEADING, ITEM, TABLE, TEXT, Line, clean_inline
from agentdeck.notes.verify.claims import Scope, Words, _amount, _fmt, _pair, _plain
from agentdeck.notes.verify.model import CONFIRMED, CONTRADICTED, UNVERIFIABLE, Claim

if TYPE_CHECKING:
    from types import ModuleType

_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".agentdeck"}


def _vcs() -> ModuleType:
    """``agentdeck.vcs``, imported on first use: git runs only when a repository is given."""
    from agentdeck import vcs

    return vcs


class RepoView:
    """The files of a repository (its work tree, or a revision) as ``verify`` sees them."""

    def __init__(self, root: Path, rev: str | None = None) -> None:
        self.root = root
        self.rev = rev
        self.is_git = _vcs().is_repository(root)
        self._files: list[str] | None = None
        self._set: set[str] | None = None

    def files(self) -> list[str]:
        if self._files is None:
            if self.is_git:
                self._files = _vcs().list_files(self.root, rev=self.rev)
            else:
                found = []
                for folder, dirs, names in os.walk(self.root):
                    dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
                    for name in names:
                        found.append(os.path.relpath(os.path.join(folder, name), self.root))
                self._files = sorted(p.replace(os.sep, "/") for p in found)
            self._set = set(self._files)
        return self._files

    def resolve(self, mentioned: str) -> tuple[str | None, str]:
        """The repository path a mention stands for, or None with the reason."""
        files = self.files()
        assert self._set is not None
        parts = [
            p for p in PurePosixPath(mentioned.replace("\\", "/")).parts if p not in ("/", ".", "~")
        ]
        if not parts:
            return None, "not a file path"
        for start in range(len(parts)):
            candidate = "/".join(parts[start:])
            if candidate in self._set:
                return candidate, ""
        tail = "/" + "/".join(parts[-2:]) if len(parts) > 1 else "/" + parts[-1]
        matches = [f for f in files if f.endswith(tail) or f == tail[1:]]
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, f"{len(matches)} files match it ({', '.join(matches[:3])})"
        return None, "no such file in the repository" + (f" at {self.rev}" if self.rev else "")

    def read(self, path: str) -> bytes | None:
        if self.rev:
            return _vcs().file_bytes_at(self.root, self.rev, path)
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None


def _line_counts(data: bytes) -> set[int]:
    newlines = data.count(b"\n")
    counts = {newlines}
    if data and not data.endswith(b"\n"):
        counts.add(newlines + 1)
    return counts


def _claimed(text: str, value: int, unit: str) -> Amount:
    """The count as written on the line (to keep "~" and "+"), else exact."""
    for match in COUNT.finditer(text):
        if match.group("unit").lower().startswith("char") != (unit == "chars"):
            continue
        raw = match.group("num")
        amount = _amount(raw + ("+" if match.group(0).rstrip().endswith("+") else ""))
        number = float(ungroup(raw.replace("~", "").strip()).replace(",", "") or 0)
        if match.group("scale"):
            number *= 1000
        if amount is not None and int(number) == value:
            return Amount(
                float(value),
                match.group(0).strip(),
                approx="~" in raw or bool(match.group("scale")),
                floor="+" in match.group(0),
                rounding=500.0 if match.group("scale") else 0.0,
            )
    return Amount(float(value), f"{value} {unit}")


#: A file said to be gone, before its name ("Deleted `a.js`", "removed the old file a.js")...
_DELETED_BEFORE = re.compile(
    r"\b(?:deleted|removed|dropped|deleting|removing|gelöscht|entfernt|supprimé)\b"
    r"(?:\s+(?:the|old|obsolete|unused|legacy|stale|dead|files?|scripts?|modules?))*\s*:?\s*[`*\"']*\s*$",
    re.I,
)
#: ... or after it ("`a.py` (75 lines) was deleted", "`a.js` (removed)", "`a.js` — deleted").
_DELETED_AFTER = re.compile(
    r"^[`*\"']*\s*(?:\([^)]*\)\s*)?(?:(?:was|were|has been|have been|got|is|are)\s+(?:deleted|removed)\b|"
    r"[(—–:-]?\s*(?:deleted|removed)\s*(?:[).;,]|$))",
    re.I,
)
#: A heading or label over files that are gone ("### Deleted (1)", "**Removed:**").
_DELETED_HEAD = re.compile(
    r"\b(?:deleted|removed|deletions|gelöscht|entfernt|supprimés?|eliminad[oa]s?)\b", re.I
)
#: Every word ``_DELETED_BEFORE``, ``_DELETED_AFTER`` and ``_DELETED_HEAD`` look for, lowered.
_DELETION_WORDS = Words(
    "delet", "remov", "dropped", "dropping", "gelöscht", "entfernt", "supprim", "eliminad"
)
_CREATED_HEAD = re.compile(r"\b(?:created|added|new|modified|changed|updated)\b", re.I)
#: A count written as a change: "(+50 lines)", "-12 lines", "added 50 lines", "50 lines added".
_CHANGE_COUNT = re.compile(
    r"[+\-−±]\s?(\d[\d,]*)\s*(?:lines?|loc|sloc)\b|"
    r"\b(?:added|removed|deleted|changed|inserted)\s+(\d[\d,]*)\s+(?:new\s+)?(?:lines?|loc)\b|"
    r"\b(\d[\d,]*)\s+(?:new\s+)?(?:lines?|loc)\s+(?:added|removed|deleted|changed|inserted)\b",
    re.I,
)


def _is_change(text: str, count: int) -> bool:
    """Whether ``count`` lines are written on ``text`` as a change of a file, not its size."""
    for match in _CHANGE_COUNT.finditer(text):
        number = next(g for g in match.groups() if g)
        if int(number.replace(",", "")) == count:
            return True
    return False


def _deleted(
    scope: Scope,
    path: str,
    line_no: int,
    text: str,
    heads: dict[int, Line | None],
    said: dict[int, bool],
) -> bool:
    """Whether the report says the file at ``path`` on line ``line_no`` was deleted:
    on that line, or in the heading or label of the list it is in (``heads``, from
    ``_list_heads``; ``said`` keeps what was read of each head for the next file)."""
    lowered = text.lower()
    if "delet" in lowered or "remov" in lowered:
        at = text.find(path)
        if at < 0:
            name = path.rsplit("/", 1)[-1]
            at = text.find(name)
            path = name
        if at >= 0 and (
            _DELETED_BEFORE.search(text[:at]) or _DELETED_AFTER.match(text[at + len(path) :])
        ):
            return True
    head = heads.get(line_no)
    if head is None:
        return False
    says = said.get(head.no)
    if says is None:  # the files of a list share its head: read once
        label = clean_inline(head.text)
        says = bool(_DELETED_HEAD.search(label)) and not _CREATED_HEAD.search(label)
        said[head.no] = says
    return says


def _list_heads(scope: Scope) -> dict[int, Line | None]:
    """For each list item of ``scope`` (by line number), the heading or label over its list.

    One pass: blank lines, items and indented text belong to the list; a heading or
    text line starts what the next list is under; anything else (a table, code, a
    rule) leaves the next list under nothing.
    """
    heads: dict[int, Line | None] = {}
    head: Line | None = None
    for line in scope.lines:
        kind = line.kind
        if kind == ITEM:
            heads[line.no] = head
        elif kind == BLANK or (kind == TEXT and line.level > 0):
            continue
        elif kind in (HEADING, TEXT):
            head = line
        else:
            head = None
    return heads


def _deleted_claim(scope: Scope, path: str, line_no: int, repo: RepoView | None) -> Claim:
    """A deleted file: confirmed when the repository has no such path; still there, it is
    unverifiable (what was removed may be something in it, or the revision another)."""
    claim = Claim(
        "file", f"{path} (deleted)", line_no, UNVERIFIABLE, claimed="deleted", session=scope.name
    )
    if repo is None:
        claim.reason = "no repository to check it against (use --repo DIR)"
        return claim
    repo.files()
    assert repo._set is not None
    wanted = "/".join(
        p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("/", ".")
    )
    where = f" at {repo.rev}" if repo.rev else ""
    if wanted in repo._set:
        claim.found = "exists"
        claim.where = wanted + where
        claim.reason = f"{wanted} is still in the repository{where}; what was removed may be in it"
    else:
        claim.status, claim.found = CONFIRMED, "absent"
        claim.reason = f"{wanted} is not in the repository{where}"
    return claim


def file_claims(scope: Scope, repo: RepoView | None, source_lines: list[str]) -> Iterator[Claim]:
    """Files the report says it created (or gives a size for), against the repository.

    ``source_lines`` are the report's lines as written (``Line.no`` - 1 indexes them).
    A file said to be deleted is checked to be absent; a count written as a change
    ("(+50 lines)") is not the file's size.
    """
    session = scope.session
    if session is None:
        return
    said: dict[int, bool] = {}
    # Most reports delete nothing: without a word of deletion anywhere in the
    # scope, no file of it is read as deleted (spares reading the lists' heads).
    deletes = bool(session.files) and bool(scope.may_say(_DELETION_WORDS))
    heads = _list_heads(scope) if deletes else {}
    for ref in session.files:
        if ref.line in scope.quoted:
            continue
        line_text = source_lines[ref.line - 1] if 0 < ref.line <= len(source_lines) else ""
        if deletes and _deleted(scope, ref.path, ref.line, line_text, heads, said):
            yield _deleted_claim(scope, ref.path, ref.line, repo)
            continue
        counted = ref.lines
        if counted is not None and ref.change != "created" and _is_change(line_text, counted):
            counted = None
        if counted is None and ref.chars is None and ref.change != "created":
            continue
        bits = []
        if counted is not None:
            bits.append(f"{counted} lines")
        if ref.chars is not None:
            bits.append(f"{ref.chars} chars")
        text = ref.path + (f" ({', '.join(bits)})" if bits else " (created)")
        claimed: Any = counted if counted is not None else ref.chars
        claim = Claim("file", text, ref.line, UNVERIFIABLE, claimed=claimed, session=scope.name)
        if repo is None:
            claim.reason = "no repository to check it against (use --repo DIR)"
            yield claim
            continue
        path, why = repo.resolve(ref.path)
        if path is None:
            claim.status = UNVERIFIABLE if "match" in why else CONTRADICTED
            claim.found = None if "match" in why else "missing"
            claim.reason = f"{ref.path}: {why}"
            yield claim
            continue
        data = repo.read(path)
        if data is None:
            claim.status = CONTRADICTED
            claim.found = "missing"
            claim.reason = f"{path} cannot be read"
            yield claim
            continue
        claim.where = path + (f" at {repo.rev}" if repo.rev else "")
        problems = []
        found_parts = []
        if counted is not None:
            counts = _line_counts(data)
            amount = _claimed(line_text, counted, "lines")
            found_parts.append(max(counts))
            if not any(amount.matches(c) for c in counts):
                problems.append(f"it has {max(counts)} lines, not {amount.text}")
        if ref.chars is not None:
            text = data.decode("utf-8", errors="replace")
            chars = len(text)
            amount = _claimed(line_text, ref.chars, "chars")
            found_parts.append(chars)
            candidates = {chars, chars - 1 if text.endswith("\n") else chars, len(data)}
            if not any(amount.matches(c) for c in candidates):
                problems.append(f"it has {chars} characters, not {amount.text}")
        claim.found = found_parts[0] if len(found_parts) == 1 else (found_parts or "exists")
        if problems:
            claim.status = CONTRADICTED
            claim.reason = f"{path}: " + "; ".join(problems)
        else:
            claim.status = CONFIRMED
            claim.reason = f"{path} exists" + (" with that count" if bits else "")
        yield claim


# -- git totals ------------------------------------------------------------------------------

_GIT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("commits", re.compile(r"(?<![\w.])(\d[\d,]*\+?)\s+commits?\b", re.I)),
    (
        "lines_added",
        re.compile(
            r"(?<![\w.])\+\s?(\d[\d,]*)\s+lines?\b|(?<![\w.])(\d[\d,]*\+?)\s+lines?\s+(?:added|inserted)\b",
            re.I,
        ),
    ),
    (
        "lines_removed",
        re.compile(
            r"(?<![\w.+])-\s?(\d[\d,]*)\s+lines?\b|(?<![\w.])(\d[\d,]*\+?)\s+lines?\s+(?:removed|deleted)\b",
            re.I,
        ),
    ),
    (
        "files_changed",
        re.compile(
            r"(?<![\w.])(\d[\d,]*)\s+files?\s+(?:created/modified|modified/created|changed|touched|"
            r"created or modified|modified)\b|\bacross\s+(\d[\d,]*)\s+files\b",
            re.I,
        ),
    ),
    (
        "files_added",
        re.compile(r"(?<![\w.])(\d[\d,]*)\s+(?:new\s+)?files?\s+(?:created|added)\b(?!/)", re.I),
    ),
]
_GIT_HINT = re.compile(r"commit|lines?\b|files?\b", re.I)
#: Any of ``_GIT_PATTERNS``: most lines that name lines or files ("(193 lines)")
#: state none of them, and leave after this one search.
_GIT_ANY = re.compile("|".join(f"(?:{p.pattern})" for _, p in _GIT_PATTERNS), re.I)
#: A word every statement below needs, in its text or in its key.
_GIT_ANY_WORD = Words("commit", "line", "file", "insertion", "deletion")
#: The words of ``_GIT_PATTERNS`` besides "line" and "file" (the others need "+" or "-").
_GIT_VERB_WORD = Words(
    "commit",
    "added",
    "inserted",
    "removed",
    "deleted",
    "modified",
    "changed",
    "touched",
    "across",
    "created",
)
#: The word each of ``_GIT_PATTERNS`` needs (matched as they are, ignoring
#: case): a line is tried only against the patterns whose word it has.
_GIT_WORD = {
    "commits": "commit",
    "lines_added": "line",
    "lines_removed": "line",
    "files_changed": "file",
    "files_added": "file",
}
_GIT_WORDS = re.compile(r"(?P<commit>commit)|(?P<line>line)|(?P<file>file)", re.I)
_LEADING_NUMBER = re.compile(r"^\W{0,3}\d[\d,.]*\+?(?![\w])")
_GIT_KEYS: list[tuple[str, re.Pattern[str]]] = [
    ("commits", re.compile(r"^(?:total\s+)?commits?(?: made)?$", re.I)),
    (
        "lines_added",
        re.compile(r"^(?:total\s+)?(?:lines added|insertions|added lines|lines inserted)$", re.I),
    ),
    (
        "lines_removed",
        re.compile(r"^(?:total\s+)?(?:lines (?:removed|deleted)|deletions|removed lines)$", re.I),
    ),
    (
        "files_changed",
        re.compile(r"^(?:total\s+)?(?:files (?:changed|modified|touched)|changed files)$", re.I),
    ),
    ("files_added", re.compile(r"^(?:total\s+)?(?:files (?:created|added)|new files)$", re.I)),
]
#: A word each of ``_GIT_KEYS`` needs: keys without one are not tried against them.
_GIT_KEY_WORD = re.compile(r"commit|line|insertion|deletion|file", re.I)
_WHAT = {
    "lines_net": "lines added less lines removed",
    "lines_net_down": "lines removed less lines added",
    "commits": "commits",
    "lines_added": "lines added",
    "lines_removed": "lines removed",
    "files_changed": "files changed",
    "files_added": "files added",
}


#: A range as a value ("0-1", "8–9 (one was reverted)"): the claim is that the count is in it.
_RANGE = re.compile(r"^\W{0,3}(\d[\d,]*)\s*(?:-|–|—|to)\s*(\d[\d,]*)(?![\d.,]*\s*%)")
#: The low end of a range written before a number ("8-9 files touched").
_RANGE_BEFORE = re.compile(r"(\d[\d,]*)\s*(?:-|–|—|to)\s*$")
#: "Net", before a number of lines: lines added minus lines removed, not added.
_NET = re.compile(r"\bnet\b", re.I)
#: A file path in a line ("web/utils.js (+50 lines)"): lines counted there are that file's.
_PATHISH = re.compile(
    r"[\w.-]+/[\w.-]+|\b[\w-]+\.(?:py|js|ts|tsx|jsx|mjs|md|json|ya?ml|toml|ini|cfg|sh|go|rs|"
    r"java|kt|rb|php|cs|css|scss|html|sql|c|h|cpp|hpp|swift|txt|lock)\b"
)

#: What ``_git_statements`` yields: the metric, the claim, the claimed value to show, the
#: text and its line.
Statement = tuple[str, Amount, Any, str, int]


def _range_amount(low: str, high: str) -> tuple[Amount, str] | None:
    """A range "0-1" as an ``Amount`` that holds any value from its low to its high end."""
    first, last = int(low.replace(",", "")), int(high.replace(",", ""))
    if last <= first:
        return None
    shown = f"{first}-{last}"
    return Amount((first + last) / 2, shown, rounding=(last - first) / 2), shown


def _git_statements(scope: Scope) -> Iterator[Statement]:
    seen: set[tuple[str, int]] = set()
    # Every statement read below has its number in digits and one of these words; a
    # key before ":" (or a table's first cell), or one of the words or signs a pattern
    # needs after its number ("+120 lines", "3 files changed").
    lines = scope.lines
    file_lines = {ref.line for ref in scope.session.files} if scope.session else set()
    for index in scope.numbered_saying(_GIT_ANY_WORD):
        line = lines[index]
        raw = line.text
        if (
            ":" not in raw
            and "+" not in raw
            and "-" not in raw
            and line.kind != TABLE
            and not scope.may_say_at(index, _GIT_VERB_WORD)
        ):
            continue
        if line.kind == TABLE:
            cells = [clean_inline(c) for c in line.cells or []]
            pair = (cells[0], cells[1]) if len(cells) >= 2 else None
        else:
            pair = _pair(line) if ":" in line.text else None
        if pair and pair[1] and _GIT_KEY_WORD.search(pair[0]):
            for metric, pattern in _GIT_KEYS:
                if pattern.match(pair[0].strip()) and _LEADING_NUMBER.match(pair[1]):
                    if (metric, line.no) in seen:
                        continue
                    text = f"{pair[0]}: {pair[1]}"
                    ranged = _RANGE.match(pair[1])
                    span = _range_amount(ranged[1], ranged[2]) if ranged else None
                    if span is not None:
                        seen.add((metric, line.no))
                        yield metric, span[0], span[1], text, line.no
                        continue
                    amount = _amount(pair[1])
                    if amount is not None:
                        seen.add((metric, line.no))
                        yield metric, amount, amount.number, text, line.no
        text = _plain(line)
        if not _GIT_HINT.search(text) or not _GIT_ANY.search(text):
            continue
        words = {m.lastgroup for m in _GIT_WORDS.finditer(text)}
        # Lines counted on a line naming a file are that file's ("`web/utils.js` (+50 lines)").
        one_file = line.no in file_lines or bool(_PATHISH.search(text))
        for metric, pattern in _GIT_PATTERNS:
            if _GIT_WORD[metric] not in words:
                continue
            for match in pattern.finditer(text):
                if (metric, line.no) in seen:
                    continue
                got, shown = metric, match.group(0).strip()
                if metric.startswith("lines_"):
                    before = text[: match.start()]
                    if _NET.search(before[-30:]) or (pair is not None and _NET.search(pair[0])):
                        # "Net: +525 lines": added minus removed.
                        got = (
                            "lines_net_down" if match.group(0).lstrip()[:1] == "-" else "lines_net"
                        )
                        if pair is not None and _NET.search(pair[0]):
                            shown = f"{pair[0]}: {pair[1]}"
                    elif one_file:
                        continue
                raw_number = next(g for g in match.groups() if g)
                low = (
                    _RANGE_BEFORE.search(text[: match.start(match.lastindex or 0)])
                    if match.group(0)[:1].isdigit()  # "+12 -84 lines" is no range
                    else None
                )
                if low is not None:
                    span = _range_amount(low[1], raw_number)
                    if span is not None:
                        seen.add((metric, line.no))
                        yield got, span[0], span[1], low[0] + match.group(0).strip(), line.no
                        continue
                amount = _amount(raw_number)
                if amount is not None:
                    seen.add((metric, line.no))
                    yield got, amount, amount.number, shown, line.no


#: Time zones as reports name them (a US "CST" is taken over China's), in minutes east of UTC.
_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "CET": 60, "CEST": 120, "EET": 120,
    "EEST": 180, "MSK": 180, "IST": 330, "SGT": 480, "HKT": 480, "JST": 540, "KST": 540,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "HST": -600, "AKST": -540,
    "AKDT": -480, "PST": -480, "PDT": -420, "MST": -420, "MDT": -360, "CST": -360,
    "CDT": -300, "EST": -300, "EDT": -240,
}  # fmt: skip
_ZONE = re.compile(
    r"\b(?:UTC|GMT)\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?\b|"
    r"\b(" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")\b(?![+\-−]\d)|"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*([+\-−])(\d{2}):?(\d{2})\b"
)
#: "2026-03-09 – 2026-03-11", "2026-03-09 to 2026-03-11": a session over several days.
_DAY_SPAN = re.compile(
    r"(\d{4}-\d{2}-\d{2})\s*(?:[–—\-→]|\bto\b|\bthrough\b|\buntil\b|\bbis\b|\bau\b)\s*"
    r"(\d{4}-\d{2}-\d{2})"
)
#: The lines at the top of a session read for its time zone and its last day.
_HEADER_LINES = 40
#: Local days reach from UTC-12 to UTC+14: in an unknown zone, a day is somewhere in there.
_EARLIEST, _LATEST = 14 * 60, -12 * 60


@dataclass(frozen=True)
class _Window:
    """When a session's commits were made: its first and last day, the time zone the
    report gives (minutes east of UTC, None when it gives none), and the time its last
    day ends when the session runs past midnight ("23:00-01:00")."""

    first: date
    last: date
    zone: int | None
    ends: str | None = None

    def span(self, widest: bool = False) -> tuple[str, str]:
        """``--since``/``--until`` for the days in the report's zone (without a zone, as
        git reads a bare time: the local zone); ``widest``: what the days may be in any zone."""
        since = f"{self.first.isoformat()} 00:00:00"
        last = self.last
        until = f"{last.isoformat()} 23:59:59"
        if self.ends is not None and not widest:
            hours, minutes = map(int, self.ends.split(":"))
            end = min(hours * 60 + minutes + 60, 24 * 60 - 1)  # commits soon after the end
            until = f"{last.isoformat()} {end // 60:02d}:{end % 60:02d}:00"
        if widest and self.zone is None:
            return f"{since} {_offset(_EARLIEST)}", f"{until} {_offset(_LATEST)}"
        if self.zone is None:
            return since, until
        return f"{since} {_offset(self.zone)}", f"{until} {_offset(self.zone)}"

    @property
    def exact(self) -> bool:
        """Whether the span is all the report's session can be (a zone, no guessed end)."""
        return self.zone is not None and self.ends is None

    def __str__(self) -> str:
        days = (
            f"on {self.first}" if self.first == self.last else f"from {self.first} to {self.last}"
        )
        if self.ends is not None:
            days += f" until {self.ends}"
        return days if self.zone is None else f"{days} ({_offset(self.zone)})"


def _offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _window(scope: Scope) -> _Window | None:
    """The days (and zone) of the session, from its day, the header lines and its times."""
    session = scope.session
    if session is None:
        return None
    texts = [session.when_text or "", session.title or ""]
    texts.extend(ln.text for ln in scope.lines[:_HEADER_LINES] if ln.kind in (TEXT, ITEM, HEADING))
    day = session.day
    if not day:  # "**Dates:** 2026-03-09 – 2026-03-11" where no field gives one day
        day = next((m[1] for t in texts if "-" in t for m in _DAY_SPAN.finditer(t)), None)
    try:
        first = date.fromisoformat(day or "")
    except ValueError:
        return None
    zones = set()
    last = first
    for text in texts:
        for match in _ZONE.finditer(text):
            zones.add(_zone(match))
        if "-" in text:
            for span in _DAY_SPAN.finditer(text):
                try:
                    start, end = date.fromisoformat(span[1]), date.fromisoformat(span[2])
                except ValueError:
                    continue
                if start == first and first < end <= first + timedelta(days=31):
                    last = max(last, end)
    zone = zones.pop() if len(zones) == 1 else None
    ends = None
    if session.start_time and session.end_time and session.end_time < session.start_time:
        # "23:00-01:00": the session ends the next day.
        last, ends = max(last, first + timedelta(days=1)), session.end_time
    return _Window(first, last, zone, ends)


def _zone(match: re.Match[str]) -> int:
    if match[4]:
        return _ZONES[match[4]]
    sign, hours, minutes = (
        (match[1], match[2], match[3]) if match[1] else (match[5], match[6], match[7])
    )
    value = int(hours) * 60 + int(minutes or 0)
    return -value if sign in "-−" else value


#: Where ``main`` may be: commits reachable from it that the branch merged in are not
#: the session's work.
_MAIN_BRANCHES = ("main", "master")


class _Measure:
    """git totals of a session, with how sure they are.

    The best guess is the branch's commits in the session's days. When they may be
    something else (no time zone given, a merge from ``main`` bringing a colleague's
    commits), the totals are a range: the least the session can have made (its own
    commits, not merged in, in the days for sure) and the most (every commit in any
    reading of the days). A claim inside the range but not on a guess is unverifiable.
    """

    def __init__(self, root: Path, rev: str, window: _Window, cache: dict[Any, dict[str, int]]):
        self.root, self.rev, self.window, self.cache = root, rev, window, cache
        base = next((b for b in _MAIN_BRANCHES if b != rev and _vcs().ref_exists(root, b)), None)
        self.own_rev = f"{base}..{rev}" if base else None
        since, until = window.span()
        self.all = self._totals(rev, since, until)
        own = self._totals(self.own_rev, since, until) if self.own_rev else None
        # Nothing of its own (the branch is main, or was merged into it): all is its own.
        self.own = own if own is not None and own["commits"] else None
        self._widest: dict[str, int] | None = None

    def _totals(self, rev: str, since: str, until: str) -> dict[str, int]:
        key = (rev, since, until)
        if key not in self.cache:
            self.cache[key] = _vcs().log_totals(self.root, rev, since=since, until=until)
        return self.cache[key]

    def widest(self) -> dict[str, int]:
        if self._widest is None:
            if self.window.exact:
                self._widest = self.all
            else:
                self._widest = self._totals(self.rev, *self.window.span(widest=True))
        return self._widest

    def least(self) -> dict[str, int] | None:
        """The least the session can have made, or None when it may be nothing (no zone)."""
        if self.window.zone is None:
            return None
        return self.own if self.own is not None else self.all


def _value(totals: dict[str, int], metric: str) -> int:
    if metric.startswith("lines_net"):
        net = totals["lines_added"] - totals["lines_removed"]
        return -net if metric == "lines_net_down" else net
    return totals[metric]


def git_claims(
    scope: Scope, repo: RepoView | None, cache: dict[Any, dict[str, int]]
) -> Iterator[Claim]:
    session = scope.session
    statements = list(_git_statements(scope))
    if not statements:
        return
    reason = ""
    measure: _Measure | None = None
    window = _window(scope)
    if repo is None:
        reason = "no repository to check it against (use --repo DIR)"
    elif not repo.is_git:
        reason = f"{repo.root} is not a git repository"
    elif session is None or window is None:
        reason = "the report gives no day to bound the session's commits"
    else:
        rev = repo.rev or "HEAD"
        if session.branch and not repo.rev:
            if _vcs().ref_exists(repo.root, session.branch):
                rev = session.branch
            else:
                reason = f"branch {session.branch} is not in the repository"
        if not reason:
            measure = _Measure(repo.root, rev, window, cache)
    for metric, amount, shown, text, line_no in statements:
        claim = Claim("git", text, line_no, UNVERIFIABLE, claimed=shown, session=scope.name)
        if measure is None:
            claim.reason = reason
        else:
            _judge(claim, measure, metric, amount)
        yield claim


def _judge(claim: Claim, measure: _Measure, metric: str, amount: Amount) -> None:
    """Confirmed when a guess of the session's commits gives the claim; contradicted when
    the claim is outside what any reading of them gives; else unverifiable."""
    what = _WHAT[metric]
    claim.where = f"git log {measure.rev} {measure.window}"
    guess = _value(measure.all, metric)
    own = _value(measure.own, metric) if measure.own is not None else None
    merged = own is not None and own != guess
    for found, whose in ((own, " of the branch's own (not merged in)"), (guess, "")):
        if found is not None and amount.matches(found):
            claim.status, claim.found = CONFIRMED, found
            claim.reason = f"git counts {found} {what}" + (whose if merged else "")
            return
    low: int | None = None
    high: int | None = None
    if not metric.startswith("lines_net"):
        least = measure.least()
        low = _value(least, metric) if least is not None else None
        high = _value(measure.widest(), metric)
    elif measure.window.exact and not merged:  # a net total has no bounds: only exactly
        low = high = guess
    claim.found = own if own is not None else guess
    bottom, top = amount.bounds()
    under = low is not None and top < low - 1e-9
    if under or (high is not None and bottom > high + 1e-9):
        claim.status = CONTRADICTED
        claim.found = low if under else high
        span = f"{low}-{high}" if low is not None and high is not None and low != high else None
        claim.reason = f"git counts {span or claim.found} {what}, not {_shown(claim, amount)}"
        return
    doubts = []
    if measure.window.zone is None:
        doubts.append("the report gives no time zone")
    if merged:
        doubts.append(f"{guess} with commits merged in")
    if high is not None and high != claim.found and measure.window.zone is None:
        doubts.append(f"{high} within its day in any time zone")
    claim.reason = f"git counts {claim.found} {what}, not {_shown(claim, amount)}, but " + (
        "; ".join(doubts) if doubts else "the session's end is a guess"
    )


def _shown(claim: Claim, amount: Amount) -> str:
    return claim.claimed if isinstance(claim.claimed, str) else amount.text


# -- tests -----------------------------------------------------------------------------------

_TEST_HINT = re.compile(r"test", re.I)
_TEST_WORD = Words("test")
_TESTS_PASSING = re.compile(
    r"\b(?:all\s+)?(?P<n>\d[\d,]*\+?)?\s*(?:[\w-]+\s+){0,2}tests?\s+(?:are\s+|were\s+)?(?:all\s+)?(?:passing|passed|pass|green)\b|"
    r"\btests?\s*[:=]\s*(?:✅\s*)?(?:all\s+)?(?:passing|passed|green|pass)\b|"
    r"\b100\s*%\s*(?:tested|test coverage|passing|pass rate)\b|"
    r"\btesting\s*[:=]\s*100\s*%|"
    r"\b(?:fully|thoroughly|all tools|everything)\s+tested\b",
    re.I,
)
_TESTS_NOT_RUN = re.compile(
    r"\b(?:runtime |manual |integration |unit |e2e )?(?:testing|tests?)\b[^.\n]{0,25}?\b(?:deferred|skipped|not (?:yet )?run|"
    r"postponed|pending|blocked|not (?:yet )?(?:done|executed|performed)|to be done)\b|\buntested\b",
    re.I,
)


def test_claims(scope: Scope, run: dict[str, Any] | None, why_not: str) -> Iterator[Claim]:
    claims = []
    negation = None
    lines = scope.lines
    for index in sorted(scope.may_say(_TEST_WORD)):
        line = lines[index]
        if line.kind not in (TEXT, ITEM, HEADING, TABLE):
            continue
        text = _plain(line)
        if not _TEST_HINT.search(text):
            continue
        if negation is None and _TESTS_NOT_RUN.search(text):
            negation = (line, _TESTS_NOT_RUN.search(text).group(0))  # type: ignore[union-attr]
        match = _TESTS_PASSING.search(text)
        if match:
            claims.append((line, match))
    for line, match in claims:
        number = match.groupdict().get("n")
        amount = _amount(number) if number else None
        claim = Claim(
            "tests",
            match.group(0).strip(),
            line.no,
            UNVERIFIABLE,
            claimed=amount.number if amount else "all passing",
            session=scope.name,
        )
        if run is not None:
            passed = int(run.get("passed") or 0)
            failed = int(run.get("failed") or 0) + int(run.get("errors") or 0)
            claim.where = f"test run: {passed} passed, {failed} failed or errored"
            claim.found = {"passed": passed, "failed": failed}
            ok = failed == 0 and passed > 0 and (amount is None or amount.matches(passed))
            claim.status = CONFIRMED if ok else CONTRADICTED
            claim.reason = f"the test run had {passed} passed and {failed} failed or errored"
        elif negation is not None:
            claim.status = CONTRADICTED
            claim.found = negation[1]
            claim.where = f"line {negation[0].no}"
            claim.reason = f'line {negation[0].no} says "{negation[1]}"'
        else:
            claim.reason = why_not
        claims_out = claim
        yield claims_out


__all__ = ["RepoView", "_fmt", "file_claims", "git_claims", "test_claims"]
