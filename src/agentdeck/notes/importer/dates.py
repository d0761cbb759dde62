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
    r"(?P<iso>(?<![\d.])(?P<iy>(?:19|20)\d{2})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})(?![\d.]))"
    # "12-03-2026": day first, as Dutch and other European notes write it.
    r"|(?P<dash>(?<![\d-])(?P<da>\d{1,2})-(?P<db>\d{1,2})-(?P<dy>(?:19|20)\d{2})(?![\d-]))"
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
_NUMERIC_FORM: Final = re.compile(
    r"\d(?:\d{3}[-/.]\d{1,2}[-/.]\d|[/.]\d{1,2}[/.]\d\d|-\d{1,2}-\d{4}|\s*[年년])"
)


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
    elif m.group("dash"):
        a, b = int(m["da"]), int(m["db"])
        month, dom = (b, a) if b <= 12 else (a, b)
        day = _iso(int(m["dy"]), month, dom)
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
    if (m.group("num") or m.group("dash")) and day is None:
        return None
    return DateFound(day, text[start : m.end()].strip(), start, m.end())


def first_day(text: str) -> str | None:
    """The first ISO day readable in ``text``."""
    for found in find_dates(text):
        if found.day:
            return found.day
    return None


# -- times ------------------------------------------------------------------------------

#: A time: its hour, then minutes after ":", "h" or "." (and seconds, with
#: their fraction in an ISO timestamp's "14:30:00.123").
_TIME = (
    r"(?P<{p}h>[01]?\d|2[0-3])(?:(?::|h|\.)(?P<{p}m>[0-5]\d))?(?::[0-5]\d(?:[.,]\d+)?)?\s*"
    r"(?P<{p}ap>[ap]\.?\s?m\.?\b)?"
)
#: What may not follow a time: another digit, or ":" or "." and a digit. The
#: "." keeps the digits of a dotted date from being read as one: "12.03" in
#: "12.03.2026, 17:40 Uhr" is the 12th of March, not 12:03.
_TIME_END = r"(?!\d|[:.]\d)"
_RANGE: Final = re.compile(
    r"(?<![\d:])~?\s*"
    + _TIME.format(p="s")
    + r"\s*(?:-|–|—|to|bis|à|a|until)\s*~?\s*"
    + _TIME.format(p="e")
    + _TIME_END,
    re.IGNORECASE,
)
_ONE_TIME: Final = re.compile(r"(?<![\d:.])" + _TIME.format(p="s") + _TIME_END, re.IGNORECASE)


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

#: The longest duration read: ten years. Past it a "duration" is a slip or noise,
#: not the length of a session, and its minutes would not fit the database's
#: integers ("99999999999999999999 minutes" made a whole file fail).
MAX_DURATION_MINUTES: Final = 10 * 366 * 24 * 60

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
    "ч": 60,
    "時間": 60,
    "小时": 60,
    "小時": 60,
    "시간": 60,
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
    "мин": 1,
    "分": 1,
    "分钟": 1,
    "分鐘": 1,
    "分間": 1,
    "분": 1,
    "d": 60 * 24,
    "day": 60 * 24,
    "days": 60 * 24,
}
#: A number and its unit ("90 min", "1-2 hours", "1,5 Std.", "40分"), then:
#: - after an hour, bare minutes ("1h30", "1 h 30"): one or two digits that no
#:   unit, letter, digit or clock mark follows (``tail``);
#: - "and a half" or "半" ("an hour and a half", "1時間半"): half a unit more;
#: - "ago" or "前"/"전" (``ago``): a point in time, not a length.
#: A Latin unit may not run on into a letter ("3 months" is no "3 m") but may
#: into a digit ("1h30", ISO's "1H20M"); a CJK one may run on into anything,
#: CJK has no spaces ("約40分で"), except "分析" (analysis) and "分の" (a fraction).
_DURATION_PART: Final = re.compile(
    r"(?P<a>\d+(?:[.,]\d+)?)(?:\s*(?:-|–|to)\s*(?P<b>\d+(?:[.,]\d+)?))?\s*"
    r"(?:(?P<unit>hours?|hrs?|h|stunden?|std|heures?|horas?|ore|ora|uur|часа|часов|час|"
    r"minutes?|minuten|minutos?|minuti|mins?|m|минуты|минут|мин|ч|days?|d)(?![^\W\d])"
    r"|(?P<cjk>時間|小时|小時|시간|分钟|分鐘|分間|分(?![析の])|분))"
    r"(?:\s*(?P<tail>[0-5]?\d)(?![\d:%]|[.,]\d|\s*[^\W\d]))?"
    r"(?P<half>\s+and\s+a\s+half\b|半)?"
    r"(?P<ago>\s+ago\b|\s*[前전])?",
    re.IGNORECASE,
)
_CLOCK_DURATION: Final = re.compile(
    r"^\s*~?\s*(\d{1,2}):([0-5]\d)\s*(?:h|hours?)?\s*$", re.IGNORECASE
)
#: ISO 8601 ("PT1H20M", "P1DT2H"). Years and months have no fixed length: not read.
_ISO_DURATION: Final = re.compile(
    r"\s*P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?\s*"
)
_HALF_HOUR: Final = re.compile(
    r"\bhalf(?:\s+an|-an)?[\s-]hour\b|\bhalbe stunde\b|\bdemi-heure\b|\bmedia hora\b|半小时|半小時",
    re.I,
)
_WORD_NUMBERS: Final = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: A duration in English words: "ninety minutes", "twenty-five minutes", "two
#: hours", "an hour and a half", "one and a half hours".
_WORD_DURATION: Final = re.compile(
    r"\b(?:(?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[-\s](?P<ones>one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?P<small>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen))"
    r"(?P<half1>\s+and\s+a\s+half)?\s+(?P<unit>hours?|hrs?|minutes?|mins?|days?)\b"
    r"(?P<half2>\s+and\s+a\s+half\b)?(?P<ago>\s+ago\b)?",
    re.IGNORECASE,
)


def parse_duration(text: str) -> int | float | None:
    """Minutes in a written duration: ``~90 minutes``, ``~2.5 hours``, ``1h 30m``, ``1:30``.

    Also ``1h30``, ``PT1H20M``, ``約40分``, ``1時間30分``, ``约45分钟`` and English
    words (``ninety minutes``, ``an hour and a half``). Only the text before a
    parenthesis counts (``~3 hours (started 10:01 AM)`` is 180). A range
    (``1-2 hours``) gives its middle. None when nothing can be read, for a
    point in time (``2 hours ago``), and past ``MAX_DURATION_MINUTES``.
    """
    head = text.split("(", 1)[0]
    if "（" in head:  # a full-width parenthesis, as CJK text writes it
        head = head.split("（", 1)[0]
    clock = _CLOCK_DURATION.match(head)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    iso = _ISO_DURATION.fullmatch(head) if "P" in head else None
    if iso is not None:  # read as ISO alone: its "M" before any "T" is months, not minutes
        minutes = _iso_minutes(iso)
        return _bounded(minutes) if minutes is not None else None
    total = 0.0
    seen = False
    for m in _DURATION_PART.finditer(head):
        if m["ago"]:
            return None  # "2 hours ago": a point in time, not a length
        value = float(m["a"].replace(",", "."))
        if m["b"]:
            value = (value + float(m["b"].replace(",", "."))) / 2
        if m["half"]:
            value += 0.5
        name = m["unit"]
        unit = _UNIT_MINUTES.get(name.lower(), 1) if name else _UNIT_MINUTES[m["cjk"]]
        total += value * unit
        tail = m["tail"]
        if tail and unit == 60:
            if _clock_range(head):
                return None  # "14h30 - 16h00": two times of day, not a length
            total += int(tail)
        seen = True
    if not seen:
        if _HALF_HOUR.search(head):
            return 30
        return _word_duration(head)
    return _bounded(total)


def _clock_range(head: str) -> bool:
    """Whether ``head`` holds a range of two times of day ("14h30 - 16h00")."""
    found = _find_times(head)
    return found is not None and found.end is not None


def _bounded(total: float) -> int | float | None:
    """``total`` minutes as a whole number when it is one; None past ``MAX_DURATION_MINUTES``."""
    if not 0 <= total <= MAX_DURATION_MINUTES:  # also false for an infinite float ("9" * 400)
        return None
    return int(total) if float(total).is_integer() else round(total, 1)


def _iso_minutes(m: re.Match[str]) -> float | None:
    """Minutes in a match of ``_ISO_DURATION``; None for years or months, or no part at all."""
    if m["y"] or m["mo"]:
        return None
    total = 0.0
    seen = False
    for group, minutes in (("w", 7 * 24 * 60.0), ("d", 24 * 60.0), ("h", 60.0), ("m", 1.0)):
        if m[group]:
            total += float(m[group].replace(",", ".")) * minutes
            seen = True
    if m["s"]:
        total += float(m["s"].replace(",", ".")) / 60
        seen = True
    return total if seen else None


def _word_duration(head: str) -> int | float | None:
    """Minutes in a duration written in English words ("ninety minutes", "an hour and a half")."""
    total = 0.0
    seen = False
    for m in _WORD_DURATION.finditer(head):
        if m["ago"]:
            return None
        if m["tens"]:
            count = float(_WORD_NUMBERS[m["tens"].lower()])
            if m["ones"]:
                count += _WORD_NUMBERS[m["ones"].lower()]
        else:
            count = float(_WORD_NUMBERS[m["small"].lower()])
        if m["half1"] or m["half2"]:
            count += 0.5
        total += count * _UNIT_MINUTES.get(m["unit"].lower(), 1)
        seen = True
    return _bounded(total) if seen else None
