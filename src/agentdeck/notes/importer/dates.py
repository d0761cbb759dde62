"""Dates, times and durations as people write them in notes.

Recognised dates: ISO (``2025-12-03``, ``2025-12-03T13:00``), ``2025/12/03``,
US-style ``12/03/2025`` (month first unless the first number cannot be a
month), European ``03.12.2025``, prose in English, German, French, Spanish,
Portuguese, Italian, Dutch and Russian (``February 4, 2026``, ``4th Feb 2026``,
``4. Februar 2026``, ``4 de febrero de 2026``), and ``2026年2月4日``. A date
without a year is kept as written and never given one: the ISO day is only
filled where it can be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Final

_HAS_DIGIT: Final = re.compile(r"\d")

_MONTHS: dict[str, int] = {}


def _months(*names: str) -> None:
    for month, group in enumerate(names, start=1):
        for name in group.split():
            _MONTHS[name] = month


_months(  # English
    "january jan",
    "february feb",
    "march mar",
    "april apr",
    "may",
    "june jun",
    "july jul",
    "august aug",
    "september sep sept",
    "october oct",
    "november nov",
    "december dec",
)
_months(  # German
    "januar jänner jan",
    "februar feb",
    "märz maerz mär",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober okt",
    "november",
    "dezember dez",
)
_months(  # French
    "janvier janv",
    "février fevrier févr fevr",
    "mars",
    "avril avr",
    "mai",
    "juin",
    "juillet juil",
    "août aout",
    "septembre",
    "octobre",
    "novembre",
    "décembre decembre déc",
)
_months(  # Spanish
    "enero ene",
    "febrero",
    "marzo",
    "abril abr",
    "mayo",
    "junio",
    "julio",
    "agosto ago",
    "septiembre setiembre",
    "octubre",
    "noviembre",
    "diciembre dic",
)
_months(  # Portuguese
    "janeiro",
    "fevereiro fev",
    "março marco",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro set",
    "outubro out",
    "novembro",
    "dezembro",
)
_months(  # Italian
    "gennaio gen",
    "febbraio",
    "marzo",
    "aprile",
    "maggio mag",
    "giugno giu",
    "luglio lug",
    "agosto",
    "settembre",
    "ottobre ott",
    "novembre",
    "dicembre",
)
_months(  # Dutch
    "januari",
    "februari",
    "maart mrt",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_months(  # Russian (genitive, as in dates)
    "января янв",
    "февраля фев",
    "марта мар",
    "апреля апр",
    "мая",
    "июня июн",
    "июля июл",
    "августа авг",
    "сентября сен",
    "октября окт",
    "ноября ноя",
    "декабря дек",
)

_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = (
    r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"lunes|martes|miércoles|jueves|viernes|sábado|domingo)\.?,?\s+"
)

_W = r"[^\W\d_]{3,12}"
#: The forms of ``_DATE`` written in digits only (tried first, in this order) ...
_NUMERIC_DATES = (
    r"(?P<iso>(?<!\d)(?P<iy>(?:19|20)\d{2})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})(?!\d))"
    r"|(?P<num>(?<![\d/.])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<ny>(?:19|20)\d{2}|\d{2})(?![\d/]))"
    r"|(?P<cjk>(?P<cy>\d{4})\s*[年년]\s*(?P<cm>\d{1,2})\s*[月월]\s*(?P<cd>\d{1,2})\s*[日일]?)"
)
#: ... and those with a month name (3 to 12 letters that end a run of letters).
_WORD_DATES = (
    r"(?P<mdy>(?P<m1>"
    + _W
    + r")\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<y1>(?:19|20)\d{2})(?!\d))"
    r"|(?P<dmy>(?<!\d)(?P<d2>\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?\s+(?:of\s+|de\s+)?(?P<m2>"
    + _W
    + r")\.?,?\s+(?:de\s+|del\s+)?(?P<y2>(?:19|20)\d{2})(?!\d))"
    r"|(?P<partial>(?P<m3>"
    + _W
    + r")\.?\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?\b|(?<!\d)(?P<d4>\d{1,2})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?(?P<m4>"
    + _W
    + r")\b)"
)
_DATE: Final = re.compile(_NUMERIC_DATES + "|" + _WORD_DATES, re.IGNORECASE)
#: ``_DATE`` for a text in which no run of letters ends with a month name: a
#: match of a word form would be passed over anyway (its "month" is no month),
#: so the word forms become one branch that never matches and only defines
#: their groups. The numeric forms then match exactly where ``_DATE`` does
#: (they come first), without the word forms tried at every letter: most of
#: the cost of reading a session heading such as "Session: 2025-08-04 ~13:00".
_NUMERIC_DATE: Final = re.compile(
    _NUMERIC_DATES
    + "|(?!)"
    + "".join(f"(?P<{name}>)" for name in re.findall(r"\(\?P<(\w+)>", _WORD_DATES)),
    re.IGNORECASE,
)
_WEEKDAY_BEFORE: Final = re.compile(_WEEKDAY.rstrip("\\s+") + r"\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class DateFound:
    """A date written in text: the ISO day when it can be read, and the text as written."""

    day: str | None
    text: str
    start: int
    end: int


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_NUMERIC_HINT: Final = re.compile(r"\d[-/.]\d|\d\s*[年년]")
_WORDS: Final = re.compile(r"[^\W\d_]{3,}")
#: What each numeric form of ``_DATE`` needs (ISO ``2025-12-03``, ``12/03/2025``
#: or ``03.12.25``, ``2026年2月``): a stricter test than ``_NUMERIC_HINT``,
#: which every task ID (``TASK-20251203-001``) passes.
#: (The shared first ``\d`` written once: a pattern that starts with a class
#: lets the regex engine skip to the next digit by itself, 2-4 times quicker.)
_NUMERIC_FORM: Final = re.compile(r"\d(?:\d{3}[-/]\d{1,2}[-/]\d|[/.]\d{1,2}[/.]\d\d|\s*[年년])")


def _month_ends(words: list[str]) -> bool:
    """Whether a month name (3 to 12 letters, as ``_W`` takes them) ends one of ``words``.

    ``_DATE`` reads a month from the end of a run of letters too ("譲December 5"),
    so a whole-word test alone would miss such a date.
    """
    for word in words:
        for size in range(3, min(len(word), 12) + 1):
            if word[-size:].lower() in _MONTHS:
                return True
    return False


def find_dates(text: str) -> list[DateFound]:
    """Every date written in ``text``, in order. Dates without a year have ``day=None``."""
    if len(text) > 300:
        return list(_find_dates(text))
    return list(_find_dates_cached(text))


@lru_cache(maxsize=8192)
def _find_dates_cached(text: str) -> tuple[DateFound, ...]:
    return _find_dates(text)


def _may_hold_date(text: str) -> bool:
    """Whether ``_DATE`` can find a date in ``text`` (False: it certainly cannot).

    The full pattern runs when the text has a numeric date form, a word that
    is a month, or (as before, when a looser numeric hint was enough) a word
    that ends in one. Any text with a date passes exactly as it did; a line
    with a task ID and no month no longer pays for the pattern.
    """
    if not _HAS_DIGIT.search(text):
        return False
    if _NUMERIC_FORM.search(text):
        return True
    words = _WORDS.findall(text)
    return any(w.lower() in _MONTHS for w in words) or bool(
        _NUMERIC_HINT.search(text) and _month_ends(words)
    )


def _find_dates(text: str) -> tuple[DateFound, ...]:
    if not _may_hold_date(text):
        return ()
    found = []
    pos = 0
    months = _month_ends(_WORDS.findall(text))
    pattern = _DATE if months else _NUMERIC_DATE
    while True:
        if pos and not (
            _NUMERIC_FORM.search(text, pos) or (months and _month_ends(_WORDS.findall(text, pos)))
        ):
            # What is left cannot hold another date: a numeric form needs
            # ``_NUMERIC_FORM`` inside it, and the month of any other form ends
            # a run of letters (what ``_month_ends`` looks for). Checked
            # before each search after the first, because a search that finds
            # nothing tries the whole pattern at every letter and digit left
            # ("~16:00-17:00 PST" after a session heading's date: most of
            # the time ``find_dates`` took).
            break
        m = pattern.search(text, pos)
        if m is None:
            break
        month_word = (m["m1"] or m["m2"] or m["m3"] or m["m4"] or "").lower()
        if month_word and month_word not in _MONTHS:
            pos = m.start() + 1  # a word that is not a month: look again from the next character
            continue
        pos = m.end()
        date_found = _date_of(text, m, month_word)
        if date_found is not None:
            found.append(date_found)
    return tuple(found)


def _weekday_before(text: str, end: int) -> int | None:
    """Where a weekday written right before ``end`` starts ("Tuesday, " in "Tuesday, 5 May").

    Such a weekday ends where ``text[:end]`` stripped ends, so it starts at
    most 12 characters before (the longest name, "donnerstag", and ".,"):
    searched from there rather than from the start of the text.
    """
    head = text[:end].rstrip()
    # A weekday's name ends in a letter, followed at most by "." and ",": when
    # the character there is no letter (a "(", ":" or digit before most dates),
    # the pattern cannot match, and is not tried at each of those 12 places.
    last = len(head) - 1
    if last >= 0 and head[last] == ",":
        last -= 1
    if last >= 0 and head[last] == ".":
        last -= 1
    if last < 0 or not head[last].isalpha():
        return None
    found = _WEEKDAY_BEFORE.search(text, max(0, len(head) - 12), end)
    return found.start() if found else None


def _date_of(text: str, m: re.Match[str], month_word: str) -> DateFound | None:
    """The date a match of ``_DATE`` (with a real month, if any) stands for; None for noise."""
    day: str | None = None
    if m.group("iso"):
        day = _iso(int(m["iy"]), int(m["im"]), int(m["id"]))
    elif m.group("num"):
        a, b, year = int(m["a"]), int(m["b"]), int(m["ny"])
        if year < 100:
            year += 2000
        if m["sep"] == "/":  # US style: month first, unless it cannot be
            month, dom = (a, b) if a <= 12 else (b, a)
        else:  # European dotted: day first, unless it cannot be
            month, dom = (b, a) if b <= 12 else (a, b)
        day = _iso(year, month, dom)
    elif m.group("cjk"):
        day = _iso(int(m["cy"]), int(m["cm"]), int(m["cd"]))
    elif m.group("mdy"):
        day = _iso(int(m["y1"]), _MONTHS[month_word], int(m["d1"]))
    elif m.group("dmy"):
        day = _iso(int(m["y2"]), _MONTHS[month_word], int(m["d2"]))
    else:
        # A month and day without a year: kept as written, no ISO day invented.
        dom = int(m["d3"] or m["d4"] or 0)
        if not 1 <= dom <= 31:
            return None
    start = m.start()
    weekday = _weekday_before(text, start)
    if weekday is not None:
        start = weekday
    if m.group("partial") and len(month_word) <= 3 and weekday is None:
        # "may 5" is a date; "mar 3" in "3 mar tests" is noise: need a long name or a weekday.
        return None
    if m.group("num") and day is None:
        return None
    return DateFound(day, text[start : m.end()].strip(), start, m.end())


def first_day(text: str) -> str | None:
    """The first ISO day readable in ``text``."""
    for found in find_dates(text):
        if found.day:
            return found.day
    return None


# -- times ------------------------------------------------------------------------------

_TIME = (
    r"(?P<{p}h>[01]?\d|2[0-3])(?:(?::|h|\.)(?P<{p}m>[0-5]\d))?(?::[0-5]\d)?\s*"
    r"(?P<{p}ap>[ap]\.?\s?m\.?\b)?"
)
_RANGE: Final = re.compile(
    r"(?<![\d:])~?\s*"
    + _TIME.format(p="s")
    + r"\s*(?:-|–|—|to|bis|à|a|until)\s*~?\s*"
    + _TIME.format(p="e")
    + r"(?!\d|:\d)",
    re.IGNORECASE,
)
_ONE_TIME: Final = re.compile(r"(?<![\d:.])" + _TIME.format(p="s") + r"(?!\d|:\d)", re.IGNORECASE)


def _to_24(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    pm = ampm.lower().startswith("p")
    if hour == 12:
        return 12 if pm else 0
    return hour + 12 if pm else hour


def _is_time(m: re.Match[str], prefix: str) -> bool:
    """A bare number is not a time: it needs minutes or am/pm."""
    return bool(m.group(prefix + "m") or m.group(prefix + "ap"))


@dataclass(frozen=True)
class TimesFound:
    """A start time (``HH:MM``, 24-hour) and, for a range, its end and length in minutes."""

    start: str
    end: str | None = None
    minutes: int | None = None


def find_times(text: str) -> TimesFound | None:
    """The first time or time range in ``text`` (``1:00-2:15 PM``, ``13:00-13:30``, ``10:01 AM``)."""
    if len(text) > 300:
        return _find_times(text)
    return _find_times_cached(text)


@lru_cache(maxsize=8192)
def _find_times_cached(text: str) -> TimesFound | None:
    # Durations such as "~75 minutes" and clock ranges recur from session to
    # session: half the texts read on the 21 MB corpus had been read before.
    return _find_times(text)


def _find_times(text: str) -> TimesFound | None:
    if ":" not in text and "h" not in text.lower() and "m" not in text.lower():
        return None
    if not _HAS_DIGIT.search(text):
        return None  # each time starts with its hour's digits
    for m in _RANGE.finditer(text):
        if not (_is_time(m, "s") and _is_time(m, "e")) and not (
            m.group("eap") and (m.group("sm") or m.group("em"))
        ):
            continue
        end_ap = m.group("eap")
        start_ap = m.group("sap") or end_ap
        sh, sm = int(m["sh"]), int(m["sm"] or 0)
        eh, em = int(m["eh"]), int(m["em"] or 0)
        start_h = _to_24(sh, start_ap)
        end_h = _to_24(eh, end_ap)
        if not m.group("sap") and end_ap and start_h * 60 + sm > end_h * 60 + em:
            start_h = _to_24(sh, "am" if end_ap.lower().startswith("p") else "pm")
        minutes = (end_h * 60 + em) - (start_h * 60 + sm)
        if minutes < 0:
            minutes += 24 * 60
        return TimesFound(f"{start_h:02d}:{sm:02d}", f"{end_h:02d}:{em:02d}", minutes)
    for m in _ONE_TIME.finditer(text):
        if not _is_time(m, "s"):
            continue
        hour = _to_24(int(m["sh"]), m.group("sap"))
        return TimesFound(f"{hour:02d}:{int(m['sm'] or 0):02d}")
    return None


# -- durations --------------------------------------------------------------------------

_UNIT_MINUTES = {
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "std": 60,
    "stunde": 60,
    "stunden": 60,
    "heure": 60,
    "heures": 60,
    "hora": 60,
    "horas": 60,
    "ora": 60,
    "ore": 60,
    "uur": 60,
    "час": 60,
    "часа": 60,
    "часов": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "minuten": 1,
    "minuto": 1,
    "minutos": 1,
    "minuti": 1,
    "минут": 1,
    "минуты": 1,
    "d": 60 * 24,
    "day": 60 * 24,
    "days": 60 * 24,
}
_DURATION_PART: Final = re.compile(
    r"(?P<a>\d+(?:[.,]\d+)?)(?:\s*(?:-|–|to)\s*(?P<b>\d+(?:[.,]\d+)?))?\s*"
    r"(?P<unit>hours?|hrs?|h|stunden?|std|heures?|horas?|ore|ora|uur|часа|часов|час|"
    r"minutes?|minuten|minutos?|minuti|mins?|m|минуты|минут|days?|d)\b",
    re.IGNORECASE,
)
_CLOCK_DURATION: Final = re.compile(
    r"^\s*~?\s*(\d{1,2}):([0-5]\d)\s*(?:h|hours?)?\s*$", re.IGNORECASE
)
_HALF_HOUR: Final = re.compile(
    r"\bhalf an hour\b|\bhalbe stunde\b|\bdemi-heure\b|\bmedia hora\b", re.I
)


def parse_duration(text: str) -> int | float | None:
    """Minutes in a written duration: ``~90 minutes``, ``~2.5 hours``, ``1h 30m``, ``1:30``.

    Only the text before a parenthesis counts (``~3 hours (started 10:01 AM)`` is 180).
    A range (``1-2 hours``) gives its middle. None when nothing can be read.
    """
    head = text.split("(", 1)[0]
    clock = _CLOCK_DURATION.match(head)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    total = 0.0
    seen = False
    for m in _DURATION_PART.finditer(head):
        a = float(m["a"].replace(",", "."))
        b = float(m["b"].replace(",", ".")) if m["b"] else None
        value = (a + b) / 2 if b is not None else a
        total += value * _UNIT_MINUTES.get(m["unit"].lower(), 1)
        seen = True
    if not seen and _HALF_HOUR.search(head):
        return 30
    if not seen:
        return None
    return int(total) if float(total).is_integer() else round(total, 1)
