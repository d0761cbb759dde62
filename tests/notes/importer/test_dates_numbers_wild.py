"""Dates, times, durations and counts as a tester found them in the wild.

Each case was misread before: a dotted date's digits taken for a time, a
duration half read or not at all, a number too large for the database that
made a whole file fail. The negative cases hold what must stay unread.
"""

from __future__ import annotations

import pytest

from agentdeck.notes.importer.dates import (
    MAX_DURATION_MINUTES,
    find_dates,
    find_times,
    first_day,
    parse_duration,
)
from agentdeck.notes.importer.numbers import (
    MAX_COUNT,
    NUMBER,
    count_in,
    first_amount,
    parse_amount,
    to_int,
)

# -- a date's digits are never a time ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("12.03.2026, 17:40 Uhr", "17:40"),
        ("03.12.2025 14:00", "14:00"),
        ("**Datum:** 12.03.2026, 17:40 Uhr", "17:40"),
        ("03.12.25 um 9:05", "09:05"),
        ("Release 10.15.3 at 14:00", "14:00"),
        ("2025-12-03T14:30:00.123Z", "14:30"),  # a fraction of a second still ends the time
        ("um 17.40.", "17:40"),  # a dotted time at the end of a sentence
        ("14h30", "14:30"),
    ],
)
def test_the_time_after_a_dotted_date(text: str, start: str) -> None:
    found = find_times(text)
    assert found is not None and found.start == start


@pytest.mark.parametrize(
    "text",
    ["12.03.2026", "03.12.25", "31.12.2025", "v1.2.3", "version 12.03.4", "12.03.20-13.03.20"],
)
def test_a_dotted_date_or_version_alone_holds_no_time(text: str) -> None:
    assert find_times(text) is None


def test_a_dotted_date_and_range_after_it() -> None:
    found = find_times("12.03.2026 10:00-11:30")
    assert found is not None and (found.start, found.end, found.minutes) == ("10:00", "11:30", 90)


# -- an ISO day is a real day -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "**Date:** 2026-02-30",
        "2026-13-01",
        "31.04.2026",
        "29.02.2025",  # 2025 is no leap year
        "2025-02-29",
        "February 29, 2025",
        "30 février 2026",
        "2026年2月30日",
        "02/30/2026",
        "31/04/2026",
    ],
)
def test_an_impossible_date_gets_no_day(text: str) -> None:
    assert first_day(text) is None
    assert all(found.day is None for found in find_dates(text))


def test_an_impossible_iso_date_is_still_kept_as_written() -> None:
    (found,) = find_dates("Session 2026-02-30")
    assert found.day is None and found.text == "2026-02-30"


@pytest.mark.parametrize(
    ("text", "day"),
    [("2024-02-29", "2024-02-29"), ("29.02.2024", "2024-02-29"), ("Feb 29, 2000", "2000-02-29")],
)
def test_a_leap_day_is_a_day(text: str, day: str) -> None:
    assert first_day(text) == day


# -- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1 h 30", 90),
        ("1h30", 90),
        ("1h05", 65),
        ("2 Stunden 15", 135),
        ("2h30m", 150),
        ("1 h 30 min", 90),
        ("PT1H20M", 80),
        ("PT45M", 45),
        ("PT1.5H", 90),
        ("P1DT2H", 26 * 60),
        ("約40分", 40),
        ("40分", 40),
        ("1時間", 60),
        ("1時間30分", 90),
        ("1時間半", 90),
        ("约45分钟", 45),
        ("2小时", 120),
        ("半小时", 30),
        ("ninety minutes", 90),
        ("about ninety minutes", 90),
        ("forty minutes", 40),
        ("twenty-five minutes", 25),
        ("an hour and a half", 90),
        ("one and a half hours", 90),
        ("an hour and twenty minutes", 80),
        ("half an hour", 30),
        ("a half-hour", 30),
        ("two hours", 120),
        ("1 hour and a half", 90),
        ("~1.5 hrs", 90),
        ("1,5 Std.", 90),
        ("25 minutes.", 25),
        ("20 Min.", 20),
        ("ca. 2 Std. 15 Min.", 135),
        ("1h 30 (started 09:00)", 90),
    ],
)
def test_durations_in_the_wild(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "1.2.3",
        "v2.10",
        "12.03.2026",
        "2026-03-12",
        "Phase 4 of 5",
        "a few minutes",
        "a while",
        "3 months",  # no "3 m"
        "P1M",  # ISO: a month, which has no fixed length
        "P1Y",
        "PT",
        "10分析",  # "analysis", not minutes
        # A point in time, not a length:
        "2 hours ago",
        "two hours ago",
        "1h 30m ago",
        "2時間前",
        "30分前",
        # Two times of day, not a length:
        "14h30 - 16h00",
    ],
)
def test_not_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_a_bare_number_after_hours_is_minutes_only_when_nothing_names_it() -> None:
    assert parse_duration("2 hours 3 tasks") == 120
    assert parse_duration("2 hours, 15 files") == 120
    assert parse_duration("1h 2026-03-01") == 60


@pytest.mark.parametrize(
    "text",
    [
        "99999999999999999999 minutes",
        "9" * 400 + " minutes",  # an infinite float
        "99999 days",
        "PT99999999999H",
    ],
)
def test_a_duration_past_ten_years_is_none(text: str) -> None:
    assert parse_duration(text) is None


def test_ten_years_is_the_bound() -> None:
    assert parse_duration(f"{MAX_DURATION_MINUTES} minutes") == MAX_DURATION_MINUTES
    assert parse_duration(f"{MAX_DURATION_MINUTES + 1} minutes") is None


# -- counts and amounts are bounded -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" (9999999999999999999999 lines)", (None, None)),
        (" (" + "9" * 400 + " lines)", (None, None)),
        (" (9999999999999999999999 lines, 5 chars) then 12 lines", (12, 5)),
        (" 2,000,000,000,000,000 characters", (None, None)),
        (f" {MAX_COUNT} lines", (MAX_COUNT, None)),
        (f" {MAX_COUNT + 1} lines", (None, None)),
        (" 17K+ lines of code", (17000, None)),
    ],
)
def test_counts_are_bounded(text: str, expected: tuple[int | None, int | None]) -> None:
    assert count_in(text) == expected


def test_to_int_is_bounded() -> None:
    assert to_int("8,616") == 8616
    assert to_int(f"{MAX_COUNT:,}") == MAX_COUNT
    assert to_int("99999999999999999999") is None
    assert to_int("-99999999999999999999") is None
    assert to_int("9" * 5000) is None  # more digits than int() converts: no error either


@pytest.mark.parametrize("text", ["99999999999999999999 tests", "9" * 400, "2,000,000,000,000,000"])
def test_an_amount_past_the_bound_is_none(text: str) -> None:
    match = NUMBER.search(text)
    assert match is not None and parse_amount(match) is None


def test_amounts_under_the_bound_keep_their_value() -> None:
    amount = first_amount("about 1.2M rows, 99999999999999999999 bytes")
    assert amount is not None and amount.value == 1_200_000 and amount.approx
    big = first_amount("99999999999999999999 bytes then 5 files")
    assert big is not None and big.number == 5  # the huge number is passed over


def test_every_count_fits_sqlite() -> None:
    """Whatever is written, a count read is an int SQLite can store (at most 2**63 - 1)."""
    for digits in range(1, 30):
        lines, chars = count_in(f" {'9' * digits} lines, {'9' * digits}K chars")
        for value in (lines, chars):
            assert value is None or (isinstance(value, int) and value < 2**63)
        minutes = parse_duration(f"{'9' * digits} hours")
        assert minutes is None or minutes < 2**63
