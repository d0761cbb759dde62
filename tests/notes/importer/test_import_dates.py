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
