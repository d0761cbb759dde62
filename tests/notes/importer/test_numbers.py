"""Line and character counts read after a file name (``numbers.count_in``).

``count_in`` searches with a pattern that starts at a digit, which the regex
engine can skip ahead to; ``COUNT`` (which ``verify`` uses, to keep a "~")
may start at a "~" or a space before it. These tests hold the two to the
same counts: the hand-picked cases, then generated texts made of the pieces
counts are written with.
"""

from __future__ import annotations

import random

import pytest

from agentdeck.notes.importer.numbers import COUNT, count_in, ungroup


def count_with_count_pattern(text: str) -> tuple[int | None, int | None]:
    """What ``count_in`` returned when it searched with ``COUNT`` itself."""
    lines: int | None = None
    chars: int | None = None
    for match in COUNT.finditer(text):
        value = float(ungroup(match.group("num").replace("~", "").strip()).replace(",", ""))
        if match.group("scale"):
            value *= 1000
        if match.group("unit").lower().startswith("char"):
            chars = chars if chars is not None else int(value)
        else:
            lines = lines if lines is not None else int(value)
    return lines, chars


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" (193 lines) - client provisioning", (193, None)),
        (" (NEW - 8,616 chars)", (None, 8616)),
        (" ~ 200 LOC, 1,234,567 characters", (200, 1234567)),
        (" 17K+ lines of code", (17000, None)),
        (" 1.5k lines and 3 chars and 9 lines", (1500, 3)),
        (" 12,34 lines", (34, None)),  # "12,34" is no thousands group: the count is 34
        (" 379 Zeilen", (379, None)),
        (" (1.000 Zeilen)", (1000, None)),  # thousands grouped as German and French notes do
        (" 1 234 lignes, 1'234 chars", (1234, 1234)),
        (" 1.5 lines", (1, None)),  # a decimal stays one: "1.5" is no group of thousands
        (" version 2.0, no count", (None, None)),
        ("", (None, None)),
    ],
)
def test_counts_as_written(text: str, expected: tuple[int | None, int | None]) -> None:
    assert count_in(text) == expected
    assert count_with_count_pattern(text) == expected


PIECES = [
    "~",
    " ",
    "  ",
    ",",
    ".",
    "+",
    "k",
    "K",
    "1",
    "12",
    "193",
    "1,234",
    ",000",
    "3.5",
    "1.000",
    " 000",
    "'234",
    "lines",
    "line",
    " lines of code",
    "LOC",
    "sloc",
    "chars",
    "characters",
    "Zeilen",
    "líneas",
    "-",
    "(",
    ")",
    "x",
    "file.py",
    "linesx",
]


def test_same_counts_as_the_count_pattern_on_generated_texts() -> None:
    rng = random.Random(20261121)
    for _ in range(30_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        assert count_in(text) == count_with_count_pattern(text), repr(text)
