"""Time, in one place.

Timestamps are stored as ISO 8601 text in UTC with microseconds and a ``Z``
(``2026-11-21T09:30:00.000000Z``): fixed width, so text order is time order on
SQLite and PostgreSQL alike, and JSON exports round-trip byte for byte.

``AGENTDECK_NOW`` (an ISO timestamp) pins the clock. The demo and the tests use
it to build backlogs with realistic ages through the real entry point.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> datetime:
    """The current time (UTC, aware), or the pinned ``AGENTDECK_NOW``."""
    pinned = os.environ.get("AGENTDECK_NOW")
    if pinned:
        try:
            return parse_timestamp(pinned)
        except ValueError:
            from agentdeck.errors import InvalidInput

            raise InvalidInput(
                f"AGENTDECK_NOW={pinned!r} is not a timestamp",
                hint="use ISO 8601 such as 2026-11-21T09:30:00Z, or unset it",
            ) from None
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """Format an aware datetime as the stored text form."""
    return moment.astimezone(UTC).strftime(_FORMAT)


def now_text() -> str:
    """``to_text(now())``."""
    return to_text(now())


def parse_timestamp(text: str) -> datetime:
    """Parse a stored or user-given ISO timestamp; naive values are taken as UTC.

    Raises ``ValueError`` on text that is not a timestamp.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def age_seconds(stored: str, now_utc_naive: datetime) -> float:
    """Seconds from a stored timestamp to ``now_utc_naive`` (naive UTC).

    Stored text is always ``…Z`` UTC, so the fast naive parse is exact; anything
    else falls back to the full parser.
    """
    try:
        return (now_utc_naive - datetime.fromisoformat(stored[:-1])).total_seconds()
    except ValueError:
        return (
            now_utc_naive - parse_timestamp(stored).astimezone(UTC).replace(tzinfo=None)
        ).total_seconds()


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as a naive UTC datetime (for ``age_seconds``)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_day(moment: datetime | None = None) -> str:
    """The local calendar day of ``moment`` as ``YYYYMMDD`` (used in IDs).

    IDs carry the day the person at the keyboard sees, not the UTC day.
    """
    moment = moment or now()
    return moment.astimezone().strftime("%Y%m%d")


_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$")


def parse_when(text: str) -> datetime:
    """Parse a user's point in time: ISO date/time, ``today``, or ``7d``/``12h``/``2w``/``30m`` ago.

    Raises ``ValueError`` with a message that says what forms are accepted.
    """
    raw = text.strip().lower()
    if raw == "today":
        local = now().astimezone()
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if raw == "now":
        return now()
    match = _RELATIVE.match(raw)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        span = {
            "m": timedelta(minutes=amount),
            "min": timedelta(minutes=amount),
            "h": timedelta(hours=amount),
            "d": timedelta(days=amount),
            "w": timedelta(weeks=amount),
        }[unit]
        return now() - span
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day).astimezone()
        return parse_timestamp(text)
    except ValueError:
        raise ValueError(
            f"cannot read {text!r} as a time; use YYYY-MM-DD, an ISO timestamp, 'today', or an age like 7d, 12h, 2w"
        ) from None
