"""Reading what a test runner reported: pytest's JUnit XML and runners' summary lines.

Counts come from the runner's own summary line where it prints one (pytest,
unittest, jest, vitest, mocha, cargo, go test, and the plain ``N passed,
N failed``), so they equal what the runner said; per-test outcomes come from
JUnit XML (pytest writes it on request).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COUNT_KEYS = ("passed", "failed", "skipped", "errors", "xfailed", "xpassed")


@dataclass
class TestResult:
    """One test's outcome in a run."""

    test: str
    outcome: str  # passed | failed | error | skipped | xfailed | xpassed
    duration_s: float | None = None
    message: str | None = None

    __test__ = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "outcome": self.outcome,
            "duration_s": self.duration_s,
            "message": self.message,
        }


@dataclass
class Summary:
    """Counts a runner reported, and the line it said them in."""

    counts: dict[str, int] = field(default_factory=dict)
    line: str | None = None
    runner: str | None = None


def parse_junit(path: Path) -> list[TestResult]:
    """Per-test outcomes from a JUnit XML file (pytest's flavour; others read the same)."""
    import xml.etree.ElementTree as ET

    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError):
        return []
    results: dict[str, TestResult] = {}
    for case in tree.iter("testcase"):
        classname = case.get("classname") or ""
        name = case.get("name") or "?"
        test = f"{classname}::{name}" if classname else name
        try:
            duration = float(case.get("time") or 0)
        except ValueError:
            duration = None
        outcome, message = "passed", None
        for child in case:
            tag = child.tag
            text = child.get("message") or (child.text or "").strip().splitlines()[-1:] or None
            if isinstance(text, list):
                text = text[0] if text else None
            if tag == "failure":
                outcome, message = "failed", text
            elif tag == "error" and outcome != "failed":
                outcome, message = "error", text
            elif tag == "skipped" and outcome == "passed":
                kind = child.get("type") or ""
                outcome = "xfailed" if kind == "pytest.xfail" else "skipped"
                message = text
        previous = results.get(test)
        if previous is not None and previous.outcome in ("failed", "error"):
            continue  # a teardown error after a failure: keep the failure
        first = message.strip().splitlines()[0][:500] if message and message.strip() else None
        results[test] = TestResult(test, outcome, duration, first)
    return sorted(results.values(), key=lambda r: r.test)


def counts_of(results: list[TestResult]) -> dict[str, int]:
    """Counts by outcome of per-test results (``error`` counts under ``errors``)."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for result in results:
        key = "errors" if result.outcome == "error" else result.outcome
        counts[key] = counts.get(key, 0) + 1
    return counts


# -- summary lines -------------------------------------------------------------------

_PYTEST = re.compile(
    r"^=*\s*((?:\d+ (?:passed|failed|skipped|deselected|xfailed|xpassed|errors?|warnings?|rerun)"
    r"(?:, )?)+)(?: in [\d.]+s(?: \([^)]*\))?)?\s*=*\s*$"
)
_PYTEST_ITEM = re.compile(r"(\d+) (\w+)")
_PYTEST_NONE = re.compile(r"^=*\s*no tests ran in [\d.]+s\s*=*$")
_UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in [\d.]+s$")
_UNITTEST_END = re.compile(r"^(OK|FAILED)(?: \((.*)\))?$")
_JEST = re.compile(r"^Tests:\s+(.*\d+ total)\s*$")
_VITEST = re.compile(r"^\s*Tests\s+(.*)\((\d+)\)\s*$")
_MOCHA = re.compile(r"^\s+(\d+) (passing|failing|pending)\b")
_CARGO = re.compile(
    r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored; \d+ measured; \d+ filtered out"
)
_GO = re.compile(r"^\s*--- (PASS|FAIL|SKIP): ")
_PLAIN = re.compile(
    r"^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\.?\s*$", re.IGNORECASE
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class SummaryReader:
    """Fed the output line by line; remembers the last summary it recognised."""

    def __init__(self) -> None:
        self.summary = Summary()
        self._unittest_total: int | None = None
        self._mocha: dict[str, int] = {}
        self._cargo: dict[str, int] = {}
        self._go: dict[str, int] = {}

    def feed(self, raw_line: str) -> None:
        line = _ANSI.sub("", raw_line).rstrip()
        if not line or len(line) > 400:
            return
        digit = any(c.isdigit() for c in line)
        if digit and (
            "passed" in line
            or "failed" in line
            or "error" in line
            or "skipped" in line
            or "xfailed" in line
            or "xpassed" in line
            or "deselected" in line
        ):
            match = _PYTEST.match(line)
            if match:
                counts = dict.fromkeys(COUNT_KEYS, 0)
                for number, word in _PYTEST_ITEM.findall(match.group(1)):
                    key = {"error": "errors", "errors": "errors"}.get(word, word)
                    if key in counts:
                        counts[key] = int(number)
                self._set(counts, line, "pytest")
                return
        if _PYTEST_NONE.match(line):
            self._set(dict.fromkeys(COUNT_KEYS, 0), line, "pytest")
            return
        match = _UNITTEST_RAN.match(line)
        if match:
            self._unittest_total = int(match.group(1))
            return
        if self._unittest_total is not None:
            match = _UNITTEST_END.match(line)
            if match:
                detail = dict(
                    (k.strip(), int(v))
                    for k, v in re.findall(r"([a-z ]+)=(\d+)", match.group(2) or "")
                )
                counts = dict.fromkeys(COUNT_KEYS, 0)
                counts["failed"] = detail.get("failures", 0)
                counts["errors"] = detail.get("errors", 0)
                counts["skipped"] = detail.get("skipped", 0)
                counts["xfailed"] = detail.get("expected failures", 0)
                counts["xpassed"] = detail.get("unexpected successes", 0)
                counts["passed"] = self._unittest_total - sum(
                    counts[k] for k in ("failed", "errors", "skipped", "xfailed", "xpassed")
                )
                self._set(counts, line, "unittest")
                self._unittest_total = None
                return
        if not digit:
            return
        match = _JEST.match(line)
        if match:
            self._set(_jest_counts(match.group(1)), line, "jest")
            return
        match = _VITEST.match(line)
        if match and ("passed" in line or "failed" in line):
            self._set(_jest_counts(match.group(1)), line, "vitest")
            return
        match = _MOCHA.match(line)
        if match:
            self._mocha[match.group(2)] = int(match.group(1))
            counts = dict.fromkeys(COUNT_KEYS, 0)
            counts.update(
                passed=self._mocha.get("passing", 0),
                failed=self._mocha.get("failing", 0),
                skipped=self._mocha.get("pending", 0),
            )
            self._set(counts, line.strip(), "mocha")
            return
        match = _CARGO.match(line)
        if match:
            for key, value in zip(("passed", "failed", "skipped"), match.groups(), strict=True):
                self._cargo[key] = self._cargo.get(key, 0) + int(value)
            counts = dict.fromkeys(COUNT_KEYS, 0)
            counts.update(self._cargo)
            self._set(counts, line, "cargo")
            return
        match = _PLAIN.match(line)
        if match:
            counts = dict.fromkeys(COUNT_KEYS, 0)
            counts.update(
                passed=int(match.group(1)),
                failed=int(match.group(2)),
                skipped=int(match.group(3) or 0),
            )
            self._set(counts, line, self.summary.runner or None)

    def feed_go(self, raw_line: str) -> None:
        match = _GO.match(raw_line)
        if match:
            key = {"PASS": "passed", "FAIL": "failed", "SKIP": "skipped"}[match.group(1)]
            self._go[key] = self._go.get(key, 0) + 1
            counts = dict.fromkeys(COUNT_KEYS, 0)
            counts.update(self._go)
            self._set(counts, None, "go")

    def _set(self, counts: dict[str, int], line: str | None, runner: str | None) -> None:
        self.summary = Summary(counts, line.strip("= ") if line else None, runner)


def _jest_counts(summary: str) -> dict[str, int]:
    """Counts from a Jest or Vitest summary (``2 failed, 10 passed, 1 todo, 13 total``)."""
    found = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}
    counts = dict.fromkeys(COUNT_KEYS, 0)
    counts.update(
        passed=found.get("passed", 0),
        failed=found.get("failed", 0),
        skipped=found.get("skipped", 0) + found.get("todo", 0),
    )
    return counts
