"""Dates, times and durations as notes write them."""

from __future__ import annotations

import pytest

from agentdeck.notes.importer.dates import find_dates, find_times, first_day, parse_duration


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-02-04", "2026-02-04"),
        ("Session: 2025-11-21T13:00-13:30 PST", "2025-11-21"),
        ("2025/12/03", "2025-12-03"),
        ("12/03/2025", "2025-12-03"),  # US: month first
        ("3/4/25", "2025-03-04"),
        ("25/12/2025", "2025-12-25"),  # cannot be month first
        ("03.12.2025", "2025-12-03"),  # European dotted: day first
        ("February 4, 2026", "2026-02-04"),
        ("Tuesday, March 11, 2025", "2025-03-11"),
        ("Thu, Mar 6, 2025", "2025-03-06"),
        ("4th Feb 2026", "2026-02-04"),
        ("4. Februar 2026", "2026-02-04"),
        ("3. Dezember 2025, 09:15 Uhr", "2025-12-03"),
        ("12 février 2026", "2026-02-12"),
        ("4 de febrero de 2026", "2026-02-04"),
        ("4 de fevereiro de 2026", "2026-02-04"),
        ("4 febbraio 2026", "2026-02-04"),
        ("4 maart 2026", "2026-03-04"),
        ("4 февраля 2026", "2026-02-04"),
        ("2026年2月4日", "2026-02-04"),
    ],
)
def test_dates_read(text: str, day: str) -> None:
    assert first_day(text) == day


@pytest.mark.parametrize("text", ["December 3", "Monday, Dec 3", "3 décembre"])
def test_a_date_without_a_year_gets_no_day(text: str) -> None:
    (found,) = find_dates(text)
    assert found.day is None and found.text


@pytest.mark.parametrize(
    "text", ["v1.2.3", "2025-13-40", "31/31/2025", "version 12.03", "Phase 4 of 5"]
)
def test_not_dates(text: str) -> None:
    assert first_day(text) is None


@pytest.mark.parametrize(
    ("text", "start", "minutes"),
    [
        ("~1:00-2:15 PM PST", "13:00", 75),
        ("12:30-1:15 PM", "12:30", 45),
        ("~10:00-10:30 AM", "10:00", 30),
        ("15:30-16:00", "15:30", 30),
        ("11:00-1:00 PM", "11:00", 120),
        ("09:15–11:45 Uhr", "09:15", 150),
        ("10:01 AM", "10:01", None),
        ("14h30", "14:30", None),
    ],
)
def test_times(text: str, start: str, minutes: int | None) -> None:
    found = find_times(text)
    assert found is not None and found.start == start and found.minutes == minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("~90 minutes", 90),
        ("~2.5 hours", 150),
        ("~3 hours (started 10:01 AM)", 180),
        ("1h 45m", 105),
        ("2h 30m", 150),
        ("1:30", 90),
        ("45 min", 45),
        ("1.5h", 90),
        ("2 Stunden", 120),
        ("3 heures", 180),
        ("~90 minutos", 90),
        ("1-2 hours", 90),
        ("half an hour", 30),
        ("a while", None),
    ],
)
def test_durations(text: str, minutes: int | None) -> None:
    assert parse_duration(text) == minutes


def _find_dates_searching_on(text: str) -> tuple[object, ...]:
    """``_find_dates`` as it was before it stopped early (every search runs to the end)
    and before texts with no month name were searched for numeric forms only."""
    from agentdeck.notes.importer import dates

    if not dates._may_hold_date(text):
        return ()
    found = []
    pos = 0
    while (m := dates._DATE.search(text, pos)) is not None:
        month_word = (m["m1"] or m["m2"] or m["m3"] or m["m4"] or "").lower()
        if month_word and month_word not in dates._MONTHS:
            pos = m.start() + 1
            continue
        pos = m.end()
        date_found = dates._date_of(text, m, month_word)
        if date_found is not None:
            found.append((date_found.day, date_found.text, date_found.start, date_found.end))
    return tuple(found)


PIECES = [
    "2025-12-03",
    "12/03/2025",
    "03.12.25",
    "2026年2月4日",
    "Dec",
    "December",
    "xDecember",
    "février",
    "Feb.",
    "4th",
    "5",
    "17",
    "2025",
    "~16:00-17:00",
    "PST",
    "Session:",
    "de",
    "of",
    "мая",
    "3.",
    "TASK-20251203-001",
    "v1.2.3",
    "-",
    ",",
    " ",
    "  ",
    "(LATEST)",
    "mar",
    "Tuesday",
    "Marchx",
    "summary",
    "Amay",
    "Junes",
]


def test_stopping_early_finds_every_date_searching_on_finds() -> None:
    import random

    from agentdeck.notes.importer.dates import _find_dates

    rng = random.Random(4)
    texts = [
        "Session: 2025-07-26 ~16:00-17:00 PST",
        "2025-01-01 and xDecember 5, 2025",
        "from 3 Dec to 5. Dezember 2025 (vs 12/04/2025)",
    ]
    for _ in range(30_000):
        glue = rng.choice(["", " ", ", ", " - "])
        texts.append(glue.join(rng.choice(PIECES) for _ in range(rng.randint(1, 7))))
    several = 0
    for text in texts:
        expected = _find_dates_searching_on(text)
        got = tuple((d.day, d.text, d.start, d.end) for d in _find_dates(text))
        assert got == expected, text
        several += len(expected) > 1
    assert several > 1000  # many texts hold two dates or more


def test_a_weekday_is_found_where_a_search_from_the_start_finds_it() -> None:
    import random

    from agentdeck.notes.importer.dates import _WEEKDAY_BEFORE, _weekday_before

    rng = random.Random(11)
    pieces = ["Tuesday", "donnerstag", "Miércoles", "wed", "xmon", "day", ".", ",", " ", "\t", "  "]
    pieces += ["worked on the backlog", "5", "May", "Sunday.,", "lundi,", "\u2003", "Fri", "(", ":"]
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        end = rng.randint(0, len(text))
        whole = _WEEKDAY_BEFORE.search(text, 0, end)
        assert _weekday_before(text, end) == (whole.start() if whole else None), (text, end)
        found += whole is not None
    assert found > 2000
