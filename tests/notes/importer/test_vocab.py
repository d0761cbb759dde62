"""Section headings are classified the same whatever digits they carry.

``classify_heading`` reads each run of digits as one "0" (so that every
session heading of a history shares one search of the rules). That is exact
only while no rule can match a digit: these tests hold the rules to it, and
compare the classification with the rules searched on the heading as written.
"""

from __future__ import annotations

import random
import re

import pytest

from agentdeck.notes.importer import vocab
from agentdeck.notes.importer.vocab import NO_SECTION, classify_heading, normal


def classify_as_written(text: str) -> vocab.Section:
    name = normal(text)
    if not name or len(name) > 80:
        return NO_SECTION
    if name == "next":  # the one-word heading, outside the rules (see ``_classify_name``)
        return vocab._NEXT
    if name in vocab._WHOLE_NAMES:  # words that name a section only as the whole heading
        return vocab._WHOLE_NAMES[name]
    for section, pattern in vocab._COMPILED:
        if pattern.search(name):
            return section
    return NO_SECTION


def test_no_rule_can_match_a_digit() -> None:
    # A digit, \d, \w, \S, \W, \D, ".", a negated class or a counted repeat in a
    # rule would make the digits of a heading matter: classify_heading would
    # then have to search each heading as written.
    for _section, pattern in vocab._RULES:
        assert not re.search(r"[0-9]|\\[dwSWDb]|(?<!\\)\.|\[\^|\{", pattern), pattern


HEADINGS = [
    "Session: 2025-07-26 ~16:00-17:00 PST",
    "Session 14 (2025-12-03): Work Completed",
    "### 3. New Tasks (2)",
    "Next Steps 2026",
    "Files Created (12)",
    "Lessons Learned - 1/2",
    "Work Completed 10:00-11:30",
    "Challenges 2 and 3",
    "Metrics v2",
    "Task 7 of 8: Tasks Executed",
    "Blockers (0)",
    "Summary",
    "Decisions 2025-12-03",
    "Neue Aufgaben 3",
    "Recommended New Tasks for 2026",
]


@pytest.mark.parametrize("heading", HEADINGS)
def test_headings_with_digits_classify_as_written(heading: str) -> None:
    assert classify_heading(heading) == classify_as_written(heading)


def test_random_headings_classify_as_written() -> None:
    rng = random.Random(20261121)
    words = [w for _s, p in vocab._RULES for w in re.findall(r"[a-zäöüéèáíóúãõàç]+", p)]
    words += ["session", "2025", "12", "03", "0", "1.", "10:30", "-", "(", ")", "v2", "x1y", "٣"]
    seen = set()
    for _ in range(20_000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.5:
            text = re.sub(r"\d+", lambda m: str(rng.randint(0, 10**6)), text)
        seen.add(classify_as_written(text).kind)
        assert classify_heading(text) == classify_as_written(text), text
    assert len(seen) > 5  # the generated headings reach many sections, not only none


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Next", "next"),
        ("**Next:**", "next"),
        ("Next agent should", "next"),
        ("For the next session", "next"),
        ("Next up", "next"),
        ("Next.js migration", ""),
        ("Next release notes", ""),
    ],
)
def test_next_alone_or_addressed_to_the_next_agent_is_next_steps(heading: str, kind: str) -> None:
    assert classify_heading(heading).kind == kind
