"""Numbers as people write them in reports: ``1,569``, ``~5,000+``, ``17K+``, ``62.5%``.

A claimed number keeps how exact it was meant to be. ``Amount.matches`` is the
one tolerance rule every check uses (documented in the README, "Import the notes agents already wrote"):

* a plain number must be met exactly;
* ``~N`` (or "about", "approx.", "around", "roughly") allows 10 % either way;
* ``N+`` (or "over", "more than", "at least") means N up to 25 % more;
* a rounded figure (``17K``, ``1.2M``) allows half of its last unit either way.

A number past ``MAX_COUNT`` is no count and no amount: it is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

#: Words of a whole count: after one, "1.234" and "1 234" are thousands grouped
#: as German and French notes group them ("1.234 Zeilen", "1 234 lignes"), not
#: a decimal and two numbers. Without one, "1.234" stays a decimal.
_COUNT_WORDS = (
    r"lines?|loc|sloc|zeilen|lignes?|líneas|lineas|linhas|righe|regels|chars?|characters?|"
    r"zeichen|caractères|caracteres|files?|dateien|fichiers|archivos|arquivos|tests?|tasks?|"
    r"aufgaben|tâches|tareas|tarefas|commits?|words?|wörter|mots|palabras|rows?"
)
_UNIT_AFTER: Final = re.compile(rf"\s?(?:{_COUNT_WORDS})\b", re.IGNORECASE)
#: Thousands grouped by a dot, a space, a narrow space or an apostrophe.
_EURO_GROUPED: Final = re.compile(r"\d{1,3}(?:[.\u00a0\u202f' ]\d{3})+")
_GROUP_MARKS: Final = str.maketrans("", "", ".\u00a0\u202f' ")
#: The grouped forms ``NUMBER`` reads, for patterns of their own (verify's ratios).
GROUPED: Final = rf"\d{{1,3}}(?:'\d{{3}})+(?![\d'])|\d{{1,3}}(?:[.\u00a0\u202f ]\d{{3}})+(?=\s?(?:{_COUNT_WORDS})\b)"


def ungroup(raw: str) -> str:
    """``"1.234"``, ``"1 234"``, ``"1'234"`` (matched as ``GROUPED``) -> ``"1234"``."""
    return raw.translate(_GROUP_MARKS) if _EURO_GROUPED.fullmatch(raw) else raw


#: A number with its approximation marks, e.g. "~5,000+", "17K+", "62.5%", "1.2k",
#: and counts grouped in other languages' ways ("1.234 Zeilen", "1 234 lignes", "1'234").
NUMBER: Final = re.compile(
    r"(?P<approx>~|≈|\babout\s+|\baround\s+|\bapprox(?:\.|imately)?\s+|\broughly\s+|\bover\s+|"
    r"\bmore than\s+|\bat least\s+|\bcirca\s+|\bca\.\s*)?"
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:'\d{3})+(?![\d'])|"
    rf"\d{{1,3}}(?:[.\u00a0\u202f ]\d{{3}})+(?=\s?(?:{_COUNT_WORDS})\b)|\d+(?:\.\d+)?)"
    r"(?P<scale>[kKmM](?![a-zA-Z]))?(?P<plus>\+)?(?P<pct>\s?%)?",
    re.IGNORECASE,
)


#: The largest number read as a count (``count_in``, ``to_int``) or an amount
#: (``parse_amount``). Past it the digits are noise, and as an int they may not
#: fit the database's 64-bit integers ("(9999999999999999999999 lines)" made a
#: whole file fail). Below 2**53, so the float a count is read through holds
#: it exactly; above any real count of lines, characters, bytes or rows.
MAX_COUNT: Final = 10**15


@dataclass(frozen=True)
class Amount:
    """A claimed quantity: its value, how it was written, and its tolerance."""

    value: float
    text: str
    approx: bool = False
    floor: bool = False
    #: Half of the last written unit for rounded figures (``17K`` -> 500).
    rounding: float = 0.0
    percent: bool = False

    @property
    def number(self) -> int | float:
        """The value as an int when it is whole (for JSON)."""
        return int(self.value) if float(self.value).is_integer() else self.value

    def bounds(self) -> tuple[float, float]:
        """The interval of values that agree with the claim."""
        low = high = self.value
        if self.approx:
            low, high = self.value * 0.9, self.value * 1.1
        if self.floor:
            low, high = min(low, self.value), max(high, self.value * 1.25)
        return low - self.rounding, high + self.rounding

    def matches(self, found: float) -> bool:
        """Whether a measured or computed value agrees with this claim."""
        low, high = self.bounds()
        return low - 1e-9 <= found <= high + 1e-9


def parse_amount(match: re.Match[str]) -> Amount | None:
    """An ``Amount`` from a ``NUMBER`` match (None when the digits do not parse or exceed ``MAX_COUNT``)."""
    raw = match.group("num")
    if (
        ("." in raw or "'" in raw or " " in raw or "\u00a0" in raw or "\u202f" in raw)
        and _EURO_GROUPED.fullmatch(raw)
        and ("." not in raw or _UNIT_AFTER.match(match.string, match.end()))
    ):
        raw = raw.translate(_GROUP_MARKS)
    raw = raw.replace(",", "")
    try:
        value = float(raw)
    except ValueError:  # pragma: no cover - the pattern only lets digits through
        return None
    approx_word = (match.group("approx") or "").strip().lower()
    floor = bool(match.group("plus")) or approx_word in {"over", "more than", "at least"}
    approx = (bool(approx_word) and not floor) or approx_word in {"~", "≈"}
    rounding = 0.0
    scale = (match.group("scale") or "").lower()
    if scale:
        factor = 1000.0 if scale == "k" else 1_000_000.0
        decimals = len(raw.split(".", 1)[1]) if "." in raw else 0
        rounding = factor / (10**decimals) / 2
        value *= factor
    if not value <= MAX_COUNT:  # also false for the infinite float of 400 digits
        return None
    return Amount(
        value=value,
        text=match.group(0).strip(),
        approx=approx,
        floor=floor,
        rounding=rounding,
        percent=bool(match.group("pct")),
    )


def first_amount(text: str) -> Amount | None:
    """The first number written in ``text``, or None."""
    for match in NUMBER.finditer(text):
        amount = parse_amount(match)
        if amount is not None:
            return amount
    return None


def to_int(text: str) -> int | None:
    """``"8,616"`` -> 8616; None when it is not a whole number or is beyond ``MAX_COUNT``."""
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:  # not digits, or more than Python converts (4,300)
        return None
    return value if -MAX_COUNT <= value <= MAX_COUNT else None


_COUNT_UNIT = (
    r"\s?(?P<scale>[kK])?\+?\s*"
    r"(?P<unit>lines?(?: of code)?|loc|sloc|chars?|characters?|zeilen|lignes|líneas|lineas|linhas|"
    r"righe|regels|строк[аи]?|行)\b"
)
#: "(193 lines)", "379 lines", "(NEW - 8,616 chars)", "17K+ lines", "~200 LOC",
#: "1.000 Zeilen", "1 000 lignes".
COUNT: Final = re.compile(
    r"(?P<num>~?\s?\d{1,3}(?:,\d{3})+|~?\s?\d{1,3}(?:[.\u00a0\u202f' ]\d{3})+|~?\s?\d+(?:\.\d+)?)"
    + _COUNT_UNIT,
    re.IGNORECASE,
)
#: ``COUNT`` from its first digit on (the same numbers, written to start with
#: ``\d``): the regex engine then skips to the next digit by itself instead of
#: trying the whole pattern at every character, five times quicker on the text
#: after a file name. ``count_in`` reads only the value, so the "~" it leaves
#: out makes no difference (``tests/notes/importer/test_numbers.py``).
_COUNT_AT_DIGIT: Final = re.compile(
    r"(?P<num>\d(?:\d{0,2}(?:,\d{3})+|\d{0,2}(?:[.\u00a0\u202f' ]\d{3})+|\d*(?:\.\d+)?))"
    + _COUNT_UNIT,
    re.IGNORECASE,
)


def count_in(text: str) -> tuple[int | None, int | None]:
    """Line and character counts written in ``text``: ``(lines, chars)``.

    A number beyond ``MAX_COUNT`` is no count: passed over, as if not written.
    """
    if len(text) > 120:
        return _count_in(text)
    return _count_in_cached(text)


@lru_cache(maxsize=4096)
def _count_in_cached(text: str) -> tuple[int | None, int | None]:
    # Mostly the text after a file name, " (412 lines)": three in four of
    # those read on the 21 MB corpus had been read before.
    return _count_in(text)


def _count_in(text: str) -> tuple[int | None, int | None]:
    lines: int | None = None
    chars: int | None = None
    for match in _COUNT_AT_DIGIT.finditer(text):
        num = match.group("num")
        if not num.isdigit() and _EURO_GROUPED.fullmatch(num):
            num = num.translate(_GROUP_MARKS)  # "1.000 Zeilen": a count has no decimals
        value = float(num.replace(",", ""))  # digits, maybe a decimal point
        if match.group("scale"):
            value *= 1000
        if not value <= MAX_COUNT:  # also false for the infinite float of 400 digits
            continue
        unit = match.group("unit").lower()
        if unit.startswith("char"):
            chars = chars if chars is not None else int(value)
        else:
            lines = lines if lines is not None else int(value)
    return lines, chars
