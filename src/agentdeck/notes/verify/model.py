"""The result of auditing a report: claims with their verdicts, and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONFIRMED = "confirmed"
CONTRADICTED = "contradicted"
UNVERIFIABLE = "unverifiable"
STATUSES = (CONFIRMED, CONTRADICTED, UNVERIFIABLE)

#: What each claim kind checks (the ``kind`` field of a claim).
KINDS = {
    "ratio": '"N of M (P%)": the percentage against N/M',
    "tasks": "a number of tasks done against the tasks the report lists",
    "count": 'a stated count ("Scripts Created (7)") against the items listed under it',
    "sum": "a total against the parts it is broken down into",
    "repeat": "the same metric stated twice in one session",
    "duration": "a stated duration against the session's time range",
    "file": "a file said to exist (with its line or character count) against the repository",
    "git": "commits, files and lines against git for the session's branch and day",
    "tests": '"tests passing" against a test run (or a statement that testing was deferred)',
}


@dataclass
class Claim:
    """One checkable statement of a report and its verdict.

    ``claimed`` is the value as the report states it (a number where one was
    written); ``found`` the value measured or computed, and ``where`` where it
    was found (lines of the report, a file, a git range). ``reason`` says in
    one sentence how it was checked, or why it could not be.
    """

    kind: str
    text: str
    line: int
    status: str
    claimed: Any = None
    found: Any = None
    where: str | None = None
    reason: str = ""
    session: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "line": self.line,
            "text": self.text,
            "claimed": self.claimed,
            "found": self.found,
            "where": self.where,
            "reason": self.reason,
            "session": self.session,
        }


@dataclass
class VerifyResult:
    """Every claim found in a report with its verdict, and the counts and score.

    ``score`` is the share of checked claims that hold: confirmed / (confirmed
    + contradicted), from 0.0 to 1.0, or None when no claim could be checked.
    ``to_dict()`` is self-contained (source, its hash, when, against what) so it
    can be stored with a session.
    """

    source: str
    sha256: str
    kind: str
    verified_at: str
    repo: str | None = None
    revision: str | None = None
    tests_run: dict[str, Any] | None = None
    claims: list[Claim] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for c in self.claims if c.status == status)

    @property
    def contradicted(self) -> list[Claim]:
        return [c for c in self.claims if c.status == CONTRADICTED]

    @property
    def score(self) -> float | None:
        checked = self.count(CONFIRMED) + self.count(CONTRADICTED)
        if not checked:
            return None
        return round(self.count(CONFIRMED) / checked, 3)

    def summary(self) -> dict[str, Any]:
        return {
            "claims": len(self.claims),
            CONFIRMED: self.count(CONFIRMED),
            CONTRADICTED: self.count(CONTRADICTED),
            UNVERIFIABLE: self.count(UNVERIFIABLE),
            "score": self.score,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "agentdeck-verify",
            "version": 1,
            "source": self.source,
            "sha256": self.sha256,
            "kind": self.kind,
            "verified_at": self.verified_at,
            "repo": self.repo,
            "revision": self.revision,
            "tests_run": self.tests_run,
            "summary": self.summary(),
            "claims": [c.to_dict() for c in self.claims],
            "notes": self.notes,
        }
