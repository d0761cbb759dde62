"""Audit any agent's report: extract its checkable claims and check each one.

``verify_report(source, repo=..., run_tests=...)`` returns a ``VerifyResult``:
every claim with its verdict (confirmed, contradicted with the value found and
where, or unverifiable with the reason), the line it came from, and a summary
with the counts and a score. Checks against the report itself always run
(``claims.py``); checks against a repository run when one is given
(``repo.py``); "tests passing" is checked by running the project's test
command only with ``run_tests`` (through ``agentdeck.ops.testrun``).

In a history of many sessions each claim is checked within its own session,
so two sessions stating different durations are not a contradiction.
"""

from __future__ import annotations

import hashlib
import operator
import os
import re
from bisect import bisect_left, bisect_right
from itertools import islice
from pathlib import Path
from typing import Any

from agentdeck import clock
from agentdeck.errors import InvalidInput
from agentdeck.notes.importer import parse_text
from agentdeck.notes.importer.scan import CODE, tokenize
from agentdeck.notes.verify.claims import (
    LABEL_CACHE,
    PAIR_CACHE,
    PLAIN_CACHE,
    VALUE_CACHE,
    Scope,
    breakdown_claims,
    count_claims,
    duration_claims,
    paren_sum_claims,
    ratio_claims,
    repeat_claims,
    task_claims,
    total_claims,
)
from agentdeck.notes.verify.model import (
    CONFIRMED,
    CONTRADICTED,
    KINDS,
    UNVERIFIABLE,
    Claim,
    VerifyResult,
)
from agentdeck.notes.verify.repo import RepoView, file_claims, git_claims, test_claims

__all__ = [
    "CONFIRMED",
    "CONTRADICTED",
    "KINDS",
    "UNVERIFIABLE",
    "Claim",
    "VerifyResult",
    "verify_report",
]

#: Reports larger than this are refused (a report is text a person reads).
MAX_REPORT_BYTES = 64 << 20


def _read(source: Path | str | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<text>"
    if isinstance(source, Path) or (
        "\n" not in source and len(source) < 4096 and os.path.exists(source)
    ):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_REPORT_BYTES:
                raise InvalidInput(
                    f"{path} is larger than {MAX_REPORT_BYTES >> 20} MB; not a report"
                )
            return path.read_bytes(), str(path)
        except FileNotFoundError:
            raise InvalidInput(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InvalidInput(f"{path} is a folder; give the report file") from None
        except OSError as err:
            raise InvalidInput(f"{path}: cannot read: {err.strerror or err}") from None
    if (
        isinstance(source, str)
        and "\n" not in source
        and source.endswith((".md", ".txt", ".markdown"))
    ):
        raise InvalidInput(f"{source}: no such file")
    return source.encode("utf-8", errors="surrogateescape"), "<text>"


def verify_report(
    source: Path | str | bytes,
    *,
    repo: Path | None = None,
    workspace: Any = None,
    run_tests: bool = False,
    rev: str | None = None,
) -> VerifyResult:
    """Check the claims of a report; see the module docstring.

    ``source`` is a path (``Path``, or a ``str`` naming an existing file) or
    the report's text (``str`` or ``bytes``). ``repo`` is the repository to check files and git
    totals against (default: the workspace's root when a workspace is given,
    else none); ``rev`` checks files at that revision instead of the work tree.
    ``run_tests`` runs the workspace's test command (``agentdeck.ops.testrun``).
    Raises ``InvalidInput`` for an unreadable source or a bad repository.
    """
    data, name = _read(source)
    note = parse_text(data, name=Path(name).name if name != "<text>" else "")
    if repo is None and workspace is not None:
        repo = Path(workspace.root)
    view = None
    notes: list[str] = []
    if repo is not None:
        repo = Path(repo).expanduser().resolve()
        if not repo.is_dir():
            raise InvalidInput(f"--repo {repo}: no such folder")
        view = RepoView(repo, rev)
        if rev and not view.is_git:
            raise InvalidInput(f"--rev needs a git repository; {repo} is not one")
        if rev:
            from agentdeck import vcs

            if not vcs.ref_exists(repo, rev):
                raise InvalidInput(f"--rev {rev}: no such revision in {repo}")
    result = VerifyResult(
        source=name,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=note.plan.kind,
        verified_at=clock.now_text(),
        repo=str(repo) if repo is not None else None,
        revision=rev,
        notes=notes,
    )
    tests_run, why_not = _tests(run_tests, workspace, repo, notes)
    result.tests_run = tests_run
    lines = note.tokens or list(tokenize(note.lines))
    quoted = _quoted(note.lines)
    if quoted:
        lines = [ln for ln in lines if ln.no not in quoted or ln.kind == CODE]
    # The lines as written (file claims read how a count is written: "(+50 lines)").
    source_lines = note.lines
    git_cache: dict[Any, dict[str, int]] = {}
    caches = (PLAIN_CACHE, PAIR_CACHE, LABEL_CACHE, VALUE_CACHE)
    for cache in caches:
        cache.clear()
    try:
        _check_scopes(
            result, lines, note, view, source_lines, git_cache, tests_run, why_not, quoted
        )
    finally:
        for cache in caches:
            cache.clear()
    result.claims.sort(key=operator.attrgetter("line", "kind"))
    if note.plan.kind == "unstructured" and not result.claims:
        notes.append("no session structure and no checkable claims found")
    return result


def _check_scopes(
    result, lines, note, view, source_lines, git_cache, tests_run, why_not, quoted
) -> None:  # type: ignore[no-untyped-def]
    for scope in _scopes(lines, note):
        scope.quoted = quoted
        claims = list(_internal(scope))
        claims.extend(file_claims(scope, view, source_lines))
        claims.extend(git_claims(scope, view, git_cache))
        claims.extend(test_claims(scope, tests_run, why_not))
        result.claims.extend(_dedupe(claims))


def _internal(scope: Scope):  # type: ignore[no-untyped-def]
    yield from ratio_claims(scope)
    yield from task_claims(scope)
    counted = list(count_claims(scope))
    yield from counted
    broken = list(breakdown_claims(scope))
    yield from broken
    yield from paren_sum_claims(scope)
    done = {c.line for c in counted + broken if c.kind == "sum"}
    yield from total_claims(scope, done)
    yield from repeat_claims(scope)
    yield from duration_claims(scope)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    seen: set[tuple[str, int, str]] = set()
    out = []
    for claim in claims:
        key = (claim.kind, claim.line, claim.text)
        if key in seen:
            continue
        seen.add(key)
        out.append(claim)
    return out


def _scopes(lines, note):  # type: ignore[no-untyped-def]
    """One scope per session of a history; the whole report otherwise."""
    if note.plan.kind in ("history", "log") and note.sessions:
        numbers = [ln.no for ln in lines]
        # The lines come in order of their numbers: each session's lines are a slice,
        # found by bisection (a filter of every line per session is quadratic: a
        # history of 1,000 sessions made 40 million comparisons).
        ordered = all(map(operator.le, numbers, islice(numbers, 1, None)))
        for session in note.sessions:
            if ordered:
                first = bisect_left(numbers, session.line)
                inside = lines[first : bisect_right(numbers, session.end_line, first)]
            else:
                inside = [ln for ln in lines if session.line <= ln.no <= session.end_line]
            name = session.day or session.when_text or session.title
            yield Scope(
                inside, session, f"{name}: {session.title}"[:120] if session.title else name
            )
        return
    session = note.sessions[0] if note.sessions else _whole(lines)
    yield Scope(lines, session, None)


#: A blockquote line: ``scan`` reads it as the text quoted.
_QUOTE = re.compile(r"^ {0,3}>", re.M)


def _quoted(raw: list[str]) -> frozenset[int]:
    """The numbers of the lines that are blockquotes: what someone else wrote (an old note,
    an error message), quoted, not what the report claims. One search of the whole text."""
    text = "\n".join(raw)
    if ">" not in text:
        return frozenset()
    found = set()
    no, at = 1, 0
    for match in _QUOTE.finditer(text):
        no += text.count("\n", at, match.start())
        at = match.start()
        found.add(no)
    return frozenset(found)


def _whole(lines):  # type: ignore[no-untyped-def]
    """A report without session structure is still read as one session for its claims."""
    from agentdeck.notes.importer.extract import SessionBuilder

    builder = SessionBuilder(1)
    for line in lines:
        builder.feed(line)
    return builder.finish()


def _tests(
    run_tests: bool, workspace: Any, repo: Path | None, notes: list[str]
) -> tuple[dict[str, Any] | None, str]:
    """Run the test command when asked; return its ``to_dict()`` or why tests are unverifiable."""
    if not run_tests:
        return None, "not run (use --run-tests to run the configured test command)"
    from agentdeck.ops.testrun import run_tests as run

    ws = workspace
    if ws is None:
        from agentdeck.workspace import open_workspace

        try:
            ws = open_workspace(repo) if repo is not None else open_workspace()
        except Exception as err:  # no workspace: tests cannot be run
            message = f"no workspace to read the test command from ({err})"
            notes.append(message)
            return None, message
    outcome = run(ws)
    data = outcome.to_dict() if hasattr(outcome, "to_dict") else dict(outcome)
    return data, ""
