"""Claims checked against the repository: files, git totals, and test results."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from agentdeck.notes.importer.numbers import COUNT, Amount
from agentdeck.notes.importer.scan import HEADING, ITEM, TABLE, TEXT, clean_inline
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
        number = float(raw.replace("~", "").replace(",", "").strip() or 0)
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


def file_claims(
    scope: Scope, repo: RepoView | None, source_lines: dict[int, str]
) -> Iterator[Claim]:
    session = scope.session
    if session is None:
        return
    for ref in session.files:
        if ref.lines is None and ref.chars is None and ref.change != "created":
            continue
        bits = []
        if ref.lines is not None:
            bits.append(f"{ref.lines} lines")
        if ref.chars is not None:
            bits.append(f"{ref.chars} chars")
        text = ref.path + (f" ({', '.join(bits)})" if bits else " (created)")
        claimed: Any = ref.lines if ref.lines is not None else ref.chars
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
        line_text = source_lines.get(ref.line, "")
        problems = []
        found_parts = []
        if ref.lines is not None:
            counts = _line_counts(data)
            amount = _claimed(line_text, ref.lines, "lines")
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
    "commits": "commits",
    "lines_added": "lines added",
    "lines_removed": "lines removed",
    "files_changed": "files changed",
    "files_added": "files added",
}


def _git_statements(scope: Scope) -> Iterator[tuple[str, Amount, str, int]]:
    seen: set[tuple[str, int]] = set()
    # Every statement read below has its number in digits and one of these words; a
    # key before ":" (or a table's first cell), or one of the words or signs a pattern
    # needs after its number ("+120 lines", "3 files changed").
    lines = scope.lines
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
                    amount = _amount(pair[1])
                    if amount is not None and (metric, line.no) not in seen:
                        seen.add((metric, line.no))
                        yield metric, amount, f"{pair[0]}: {pair[1]}", line.no
        text = _plain(line)
        if not _GIT_HINT.search(text) or not _GIT_ANY.search(text):
            continue
        words = {m.lastgroup for m in _GIT_WORDS.finditer(text)}
        for metric, pattern in _GIT_PATTERNS:
            if _GIT_WORD[metric] not in words:
                continue
            for match in pattern.finditer(text):
                if (metric, line.no) in seen:
                    continue
                raw = next(g for g in match.groups() if g)
                amount = _amount(raw)
                if amount is not None:
                    seen.add((metric, line.no))
                    yield metric, amount, match.group(0).strip(), line.no


def git_claims(
    scope: Scope, repo: RepoView | None, cache: dict[Any, dict[str, int]]
) -> Iterator[Claim]:
    session = scope.session
    statements = list(_git_statements(scope))
    if not statements:
        return
    reason = ""
    totals: dict[str, int] | None = None
    where = ""
    if repo is None:
        reason = "no repository to check it against (use --repo DIR)"
    elif not repo.is_git:
        reason = f"{repo.root} is not a git repository"
    elif session is None or not session.day:
        reason = "the report gives no day to bound the session's commits"
    else:
        rev = repo.rev or "HEAD"
        if session.branch and not repo.rev:
            if _vcs().ref_exists(repo.root, session.branch):
                rev = session.branch
            else:
                reason = f"branch {session.branch} is not in the repository"
        if not reason:
            since, until = f"{session.day} 00:00:00", f"{session.day} 23:59:59"
            key = (rev, since, until)
            if key not in cache:
                cache[key] = _vcs().log_totals(repo.root, rev, since=since, until=until)
            totals = cache[key]
            where = f"git log {rev} on {session.day}"
    for metric, amount, text, line_no in statements:
        if totals is None:
            yield Claim(
                "git",
                text,
                line_no,
                UNVERIFIABLE,
                claimed=amount.number,
                reason=reason,
                session=scope.name,
            )
            continue
        found = totals[metric]
        ok = amount.matches(found)
        yield Claim(
            "git",
            text,
            line_no,
            CONFIRMED if ok else CONTRADICTED,
            claimed=amount.number,
            found=found,
            where=where,
            reason=f"git counts {found} {_WHAT[metric]}" + ("" if ok else f", not {amount.text}"),
            session=scope.name,
        )


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
