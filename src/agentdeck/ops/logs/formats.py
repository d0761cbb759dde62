"""Log formats: how to recognise one, where its records start, and how to read a header.

A format is chosen per file from its first lines (``detect``). The scanner never
parses every line: each format names the byte strings (``needles``) that can
only occur on lines worth a look (a level word, ``Traceback``, a 5xx status),
the scanner finds them with ``bytes.find`` over large blocks, and only those
lines are parsed here. ``record`` says whether a line starts a new record;
every other line continues the one before it (a traceback, a stack trace).

Levels are numbers as in Python's ``logging``: 10 debug, 20 info, 30 warning,
40 error, 50 critical.
"""

from __future__ import annotations

import json
import re
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50
LEVEL_NAMES = {
    DEBUG: "debug",
    INFO: "info",
    WARNING: "warning",
    ERROR: "error",
    CRITICAL: "critical",
}

_WORDS = {
    "TRACE": DEBUG,
    "DEBUG": DEBUG,
    "INFO": INFO,
    "NOTICE": INFO,
    "WARN": WARNING,
    "WARNING": WARNING,
    "ERR": ERROR,
    "ERROR": ERROR,
    "EXCEPTION": ERROR,
    "SEVERE": ERROR,
    "CRIT": CRITICAL,
    "CRITICAL": CRITICAL,
    "FATAL": CRITICAL,
    "ALERT": CRITICAL,
    "EMERG": CRITICAL,
    "EMERGENCY": CRITICAL,
    "PANIC": CRITICAL,
}


def level_value(name: str) -> int:
    """The number of a level name (``warning`` -> 30); raises ``ValueError`` when unknown."""
    try:
        return _WORDS[name.strip().upper()]
    except KeyError:
        raise ValueError(
            f"unknown level {name!r}; use debug, info, warning, error or critical"
        ) from None


def level_name(value: int) -> str:
    """The canonical name of a level number."""
    return LEVEL_NAMES.get(value, "info")


@dataclass(frozen=True, slots=True)
class Header:
    """What the first line of a record says; ``time`` in seconds since the epoch."""

    time: float | None
    level: int
    message: str


def _ts(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


@dataclass(frozen=True)
class Format:
    """One log format. See the module docstring."""

    name: str
    #: Matches at the start of a line that begins a record (None: every
    #: unindented line does, as in plain text).
    record: re.Pattern[bytes] | None
    #: Byte strings that can only occur on lines worth parsing.
    needles: tuple[bytes, ...]
    parse: Callable[[bytes], Header]
    #: Used by ``detect``: matches typical lines of this format.
    detect: re.Pattern[bytes]

    def starts_record(self, line: bytes) -> bool:
        if self.record is None:
            return bool(line.strip()) and line[:1] not in (b" ", b"\t") and not _continues(line)
        return self.record.match(line) is not None


# -- helpers ---------------------------------------------------------------------

_KEYWORD_LEVEL = re.compile(
    r"\b(fatal|panic|critical|emerg(?:ency)?|alert|crit|error|err|exception|traceback|failed|failure|warn(?:ing)?)\b",
    re.IGNORECASE,
)
_KEYWORD_VALUES = {
    "fatal": CRITICAL,
    "panic": CRITICAL,
    "critical": CRITICAL,
    "emerg": CRITICAL,
    "emergency": CRITICAL,
    "alert": CRITICAL,
    "crit": CRITICAL,
    "warn": WARNING,
    "warning": WARNING,
}


def keyword_level(text: str) -> int:
    """The level a free-text line suggests by its words (plain text, syslog)."""
    best = INFO
    for match in _KEYWORD_LEVEL.finditer(text):
        value = _KEYWORD_VALUES.get(match.group(1).lower(), ERROR)
        best = max(best, value)
        if best == CRITICAL:
            break
    return best


def _continues(line: bytes) -> bool:
    """Lines that chain one Python traceback to the next."""
    return line.startswith((b"During handling", b"The above"))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r\n")


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _local(value: datetime) -> datetime:
    """A naive log time is the machine's local time."""
    return value.astimezone() if value.tzinfo is None else value


def parse_iso(text: str) -> datetime | None:
    """An ISO-like log timestamp (``2026-11-21 09:30:00,123``, ``…T…Z``, `` +0000``)."""
    raw = text.strip().replace(",", ".")
    if len(raw) in (19, 23, 26) and raw[10] in " T":
        try:
            return datetime.fromisoformat(raw).astimezone()
        except ValueError:
            return None
    raw = re.sub(r" ?([+-])(\d{2}):?(\d{2})$", r"\1\2:\3", raw)
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        return _local(datetime.fromisoformat(raw))
    except ValueError:
        return None


# -- Python logging (and any "timestamp first, then a level word" line) -----------

_ISO_TS = rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d{1,9})?(?:Z| ?[+-]\d{2}:?\d{2})?"
_PY_RECORD = re.compile(rb"\[?(" + _ISO_TS + rb")\]?")
_PY_LEVEL = re.compile(
    r"(?<![\w.])\[?(TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|EXCEPTION|CRITICAL|FATAL)\]?(?![\w.])"
)
_SEPARATORS = " \t-:|[]"
_PID = re.compile(r"^\[?\d+\]?\s*")


_PY_FAST = re.compile(
    rb"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d):(\d\d)(?:[,.](\d{1,6}))? "
    rb"(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL) "
)
_MINUTES: dict[tuple[bytes, tuple[str, str]], float] = {}


def _minute(key: bytes) -> float:
    """Epoch seconds of a local ``YYYY-MM-DD HH:MM`` (cached: logs repeat their minutes)."""
    cache_key = (key, _time.tzname)
    found = _MINUTES.get(cache_key)
    if found is None:
        text = key.decode("ascii").replace("T", " ")
        found = datetime.fromisoformat(text + ":00").timestamp()
        if len(_MINUTES) > 100_000:
            _MINUTES.clear()
        _MINUTES[cache_key] = found
    return found


def _parse_python(line: bytes) -> Header:
    fast = _PY_FAST.match(line)
    if fast is not None:
        # The common layout, "asctime levelname message", without a time zone.
        fraction = fast.group(3)
        moment = _minute(fast.group(1)) + int(fast.group(2))
        if fraction:
            moment += int(fraction) / 10 ** len(fraction)
        message = line[fast.end() :].decode("utf-8", "replace").strip()
        return Header(moment, _WORDS[fast.group(4).decode()], message)
    match = _PY_RECORD.match(line)
    if match is None:
        return _parse_plain(line)
    moment = parse_iso(match.group(1).decode("ascii", "replace"))
    rest = _text(line[match.end() :])
    found = _PY_LEVEL.search(rest, 0, 160)
    if found is None:
        return Header(_ts(moment), keyword_level(rest), rest.strip(_SEPARATORS))
    before = rest[: found.start()].strip(_SEPARATORS)
    if before:
        before = _PID.sub("", before)  # gunicorn's [pid]
    after = rest[found.end() :].strip(_SEPARATORS)
    message = f"{before}: {after}" if before else after
    return Header(_ts(moment), _WORDS[found.group(1)], message)


# -- uvicorn and logging.basicConfig: "LEVEL:   message" ---------------------------

_PREFIX_RECORD = re.compile(rb"(TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):")
_UVICORN_ACCESS = re.compile(r'\S+ - "(\S+) (\S+)[^"]*" (\d{3})\b')


def _parse_prefix(line: bytes) -> Header:
    match = _PREFIX_RECORD.match(line)
    if match is None:
        return _parse_plain(line)
    level = _WORDS[match.group(1).decode()]
    message = _text(line[match.end() :]).strip()
    access = _UVICORN_ACCESS.match(message)
    if access:
        # An access line inside uvicorn's log: the status decides.
        method, target, code = access.group(1), access.group(2).split("?", 1)[0], access.group(3)
        level = max(level, ERROR if code.startswith("5") else level)
        message = f"{method} {target} {code}"
    return Header(None, level, message)


# -- nginx error log ------------------------------------------------------------------

_NGINX_RECORD = re.compile(
    rb"(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(debug|info|notice|warn|error|crit|alert|emerg)\] "
)


def _parse_nginx(line: bytes) -> Header:
    match = _NGINX_RECORD.match(line)
    if match is None:
        return _parse_plain(line)
    moment = parse_iso(match.group(1).decode().replace("/", "-"))
    message = _text(line[match.end() :])
    message = re.sub(r"^\d+#\d+: (?:\*\d+ )?", "", message)
    return Header(_ts(moment), _WORDS[match.group(2).decode().upper()], message)


# -- access logs (nginx, gunicorn, Apache: common and combined) ------------------------

_ACCESS_RECORD = re.compile(
    rb'\S+ \S+ \S+ \[(\d{2})/(\w{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "([^"]*)" (\d{3}) '
)


def _parse_access(line: bytes) -> Header:
    match = _ACCESS_RECORD.match(line)
    if match is None:
        return _parse_plain(line)
    day, month, year, hour, minute, second, offset = (
        g.decode() for g in match.group(1, 2, 3, 4, 5, 6, 7)
    )
    moment = None
    if month.lower() in _MONTHS:
        sign = -1 if offset[0] == "-" else 1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        moment = datetime(
            int(year),
            _MONTHS[month.lower()],
            int(day),
            int(hour),
            int(minute),
            int(second),
            0,
            zone,
        )
    request = _text(match.group(8))
    method, _, rest = request.partition(" ")
    target = rest.rsplit(" ", 1)[0] if " " in rest else rest
    target = target.split("?", 1)[0]
    code = int(match.group(9))
    level = ERROR if code >= 500 else WARNING if code >= 400 else INFO
    # 4xx are the client's mistakes (and every bot's 404): reported at info.
    level = INFO if level == WARNING else level
    return Header(_ts(moment), level, f"{method} {target} {code}")


# -- syslog (RFC 3164 and the ISO form rsyslog writes) --------------------------------

_SYSLOG_RECORD = re.compile(
    rb"(?:<(\d{1,3})>)?(?:1 )?(?:(\w{3}) ([ \d]\d) (\d{2}:\d{2}:\d{2})|(\d{4}-\d{2}-\d{2}T\S+)) (\S+) ([^\s:\[]+)(?:\[(\d+)\])?: ?"
)


def _parse_syslog(line: bytes) -> Header:
    match = _SYSLOG_RECORD.match(line)
    if match is None:
        return _parse_plain(line)
    message = _text(line[match.end() :])
    moment = None
    if match.group(5):
        moment = parse_iso(match.group(5).decode())
    elif match.group(2) and match.group(2).decode().lower() in _MONTHS:
        from agentdeck import clock

        now = clock.now().astimezone()
        month = _MONTHS[match.group(2).decode().lower()]
        hour, minute, second = (int(x) for x in match.group(4).decode().split(":"))
        try:
            moment = datetime(
                now.year, month, int(match.group(3)), hour, minute, second
            ).astimezone()
            if moment - now > timedelta(days=1):  # no year in the line: last year's
                moment = moment.replace(year=now.year - 1)
        except ValueError:
            moment = None
    if match.group(1):
        severity = int(match.group(1)) % 8
        level = (
            CRITICAL
            if severity <= 2
            else ERROR
            if severity == 3
            else WARNING
            if severity == 4
            else INFO
        )
        level = max(level, keyword_level(message))
    else:
        level = keyword_level(message)
    program = match.group(7).decode("utf-8", "replace")
    return Header(_ts(moment), level, f"{program}: {message}")


# -- JSON lines -------------------------------------------------------------------------

_LEVEL_KEYS = ("level", "levelname", "severity", "lvl", "log.level", "loglevel", "log_level")
_TIME_KEYS = ("timestamp", "time", "ts", "@timestamp", "asctime", "datetime", "date", "t")
_MESSAGE_KEYS = ("message", "msg", "event", "text", "log")
_EXCEPTION_KEYS = (
    "exc_info",
    "exception",
    "exc_text",
    "stack_trace",
    "stack",
    "traceback",
    "error",
)
_PINO = {10: DEBUG, 20: DEBUG, 30: INFO, 40: WARNING, 50: ERROR, 60: CRITICAL}


def _json_time(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        return parse_iso(value)
    return None


def parse_json_record(line: bytes) -> tuple[Header, str | None]:
    """A JSON record's header and its exception text (a traceback), if any."""
    try:
        record = json.loads(line)
    except ValueError:
        return _parse_plain(line), None
    if not isinstance(record, dict):
        return _parse_plain(line), None
    level = INFO
    for key in _LEVEL_KEYS:
        value = record.get(key)
        if isinstance(value, dict):
            value = value.get("level")
        if isinstance(value, str) and value.strip():
            level = _WORDS.get(value.strip().upper(), INFO)
            break
        if isinstance(value, int) and not isinstance(value, bool):
            level = _PINO.get(value, INFO)
            break
    if isinstance(record.get("log"), dict) and isinstance(record["log"].get("level"), str):
        level = _WORDS.get(record["log"]["level"].upper(), level)
    moment = None
    for key in _TIME_KEYS:
        if key in record:
            moment = _json_time(record[key])
            if moment is not None:
                break
    message = ""
    for key in _MESSAGE_KEYS:
        value = record.get(key)
        if isinstance(value, str):
            message = value
            break
    if not message:
        message = _text(line)[:200]
    exception = None
    for key in _EXCEPTION_KEYS:
        value = record.get(key)
        if isinstance(value, str) and value.strip() and value.strip() not in ("true", "True"):
            exception = value
            break
        if isinstance(value, dict):
            exception = value.get("stack_trace") or value.get("message") or json.dumps(value)
            exception = str(exception)
            break
    if exception and level < ERROR and "Traceback" in exception:
        level = ERROR
    logger = record.get("logger") or record.get("name") or record.get("logger_name")
    if isinstance(logger, str) and logger:
        message = f"{logger}: {message}"
    return Header(_ts(moment), level, message), exception


def _parse_json(line: bytes) -> Header:
    return parse_json_record(line)[0]


# -- plain text --------------------------------------------------------------------------


def _parse_plain(line: bytes) -> Header:
    text = _text(line)
    return Header(None, keyword_level(text), text.strip())


_PLAIN_NEEDLES = (
    b"ERROR",
    b"Error",
    b"error",
    b"FATAL",
    b"Fatal",
    b"fatal",
    b"CRITICAL",
    b"Critical",
    b"critical",
    b"WARN",
    b"Warn",
    b"warn",
    b"Traceback",
    b"Exception",
    b"exception",
    b"panic",
    b"PANIC",
    b"failed",
    b"Failed",
    b"FAILED",
)

#: The long form is found faster (longer skips) and only ever starts a Python traceback.
_TRACEBACK = b"Traceback (most recent call last)"

PYTHON = Format(
    "python",
    _PY_RECORD,
    (b"ERROR", b"CRITICAL", b"WARN", _TRACEBACK),
    _parse_python,
    re.compile(
        rb"\[?" + _ISO_TS + rb"\]?[^\n]{0,60}?\b(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\b"
    ),
)
GUNICORN = Format(
    "gunicorn",
    re.compile(rb"\[" + _ISO_TS + rb"\] "),
    (b"[ERROR]", b"[CRITICAL]", b"[WARNING]", _TRACEBACK),
    _parse_python,
    re.compile(rb"\[" + _ISO_TS + rb"\] \[\d+\] \[[A-Z]+\] "),
)
UVICORN = Format(
    "uvicorn",
    _PREFIX_RECORD,
    (b"ERROR:", b"CRITICAL:", b"WARNING:", _TRACEBACK, b'" 5'),
    _parse_prefix,
    re.compile(rb"(?:TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):"),
)
NGINX = Format(
    "nginx",
    _NGINX_RECORD,
    (b" [error] ", b" [crit] ", b" [alert] ", b" [emerg] ", b" [warn] "),
    _parse_nginx,
    _NGINX_RECORD,
)
ACCESS = Format("access", _ACCESS_RECORD, (b'" 5',), _parse_access, _ACCESS_RECORD)
SYSLOG = Format("syslog", _SYSLOG_RECORD, _PLAIN_NEEDLES, _parse_syslog, _SYSLOG_RECORD)
JSON = Format(
    "json",
    re.compile(rb"\s*\{"),
    (
        b'rror"',
        b'RROR"',
        b'arn"',
        b'ARN"',
        b'arning"',
        b'ARNING"',
        b'atal"',
        b'ATAL"',
        b'ritical"',
        b'RITICAL"',
        b'"err"',
        b'"ERR"',
        b'mergency"',
        b'lert"',
        b'"level":40',
        b'"level":50',
        b'"level":60',
        b"Traceback",
    ),
    _parse_json,
    re.compile(rb"\s*\{.*\}\s*$"),
)
PLAIN = Format("plain", None, _PLAIN_NEEDLES, _parse_plain, re.compile(rb"(?!)"))

#: Most specific first: on a tie in ``detect`` the earlier one wins.
FORMATS: tuple[Format, ...] = (GUNICORN, NGINX, ACCESS, JSON, PYTHON, UVICORN, SYSLOG, PLAIN)
BY_NAME = {f.name: f for f in FORMATS}


def detect(sample: bytes) -> Format:
    """The format most of the first lines of ``sample`` match (plain text when none)."""
    lines = [line for line in sample.split(b"\n")[:60] if line.strip()]
    if sample and not sample.endswith(b"\n") and len(lines) > 1:
        lines = lines[:-1]  # a cut-off last line says little
    best, best_score = PLAIN, 0
    for candidate in FORMATS[:-1]:
        score = sum(1 for line in lines if candidate.detect.match(line))
        if score > best_score:
            best, best_score = candidate, score
    # A line or two that happen to look like a format do not make it one.
    if best_score < 5 and best_score * 4 < len(lines):
        return PLAIN
    return best
