"""The shape of a message: what stays when the values that vary are masked.

``order 1234 failed for 10.0.0.7`` and ``order 99 failed for 10.0.0.9`` have
the same shape, ``order <num> failed for <ip>``, so they fall in one group.
Masked, in this order: UUIDs, IP addresses, quoted values, file paths, hex
numbers and hashes, then any other digits.
"""

from __future__ import annotations

import re

_HEX4 = r"[0-9a-fA-F]{1,4}"
_MASK = re.compile(
    r"(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)"
    r"|(?P<ip>\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b"
    rf"|(?<![\w:])(?:{_HEX4}:){{7}}{_HEX4}(?![\w:])"
    rf"|(?<![\w:])(?:{_HEX4}:){{1,6}}:(?:{_HEX4}(?::{_HEX4})*)?(?![\w:])"
    rf"|(?<![\w:])::(?:{_HEX4}(?::{_HEX4})*)(?![\w:]))"
    r"|(?P<str>(?<!\w)\"(?:[^\"\\\n]|\\.){0,200}\"|(?<!\w)'(?:[^'\\\n]|\\.){0,200}'(?!\w))"
    r"|(?P<path>(?:(?<![\w/])(?:[A-Za-z]:\\|~?/)(?:[\w.@+-]+[\\/])+[\w.@+-]*\.[A-Za-z0-9]{1,8}\b)"
    r"|(?<![\w/])/(?:home|tmp|var|srv|usr|opt|etc|root|proc|dev|mnt|data|run|app)(?:/[\w.@+-]+)+/?)"
    r"|(?P<hex>\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b)"
    r"|(?P<num>\d+(?:\.\d+)*)"
)


def _replace(match: re.Match[str]) -> str:
    return f"<{match.lastgroup}>"


# The quote comes first so the regex engine can skip to quotes; the look-behind
# then checks that it does not follow a letter (``can't`` is not a quote).
_QUOTED = re.compile(
    r"\"(?<!\w\")(?:[^\"\\\n]|\\.){0,200}\"|'(?<!\w')(?:[^'\\\n]|\\.){0,200}'(?!\w)"
)
#: Words that are one value from end to end (most are): no need for the full regex.
_WHOLE = re.compile(
    r"(?P<num>\d+(?:\.\d+)*)"
    r"|(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?P<hex>0x[0-9a-fA-F]+|(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,})"
)
#: A word without any of these has nothing to mask (every masked value holds one).
_MASKABLE = re.compile(r"[\d/\\:~]")


def shape(message: str, limit: int = 300) -> str:
    """``message`` with its varying values masked and white space collapsed.

    Quoted values first (they may hold spaces), then word by word: only words
    holding a digit, a slash or a colon go through the masking regex, which
    keeps the cost low on ordinary text.
    """
    text = " ".join(message.split())[: limit * 2]
    if "'" in text or '"' in text:
        text = _QUOTED.sub("<str>", text)
    words = text.split(" ")
    search = _MASKABLE.search
    for index, word in enumerate(words):
        if search(word):
            whole = _WHOLE.fullmatch(word)
            words[index] = f"<{whole.lastgroup}>" if whole else _MASK.sub(_replace, word)
    return " ".join(words)[:limit]


_DIGITS = bytes.maketrans(b"123456789", b"000000000")


class ShapeCache:
    """``shape`` for many messages: messages equal but for their digits share one result.

    Masking is the costly part of grouping; most messages of one group differ
    only in numbers, so they are looked up by a cheap digits-masked key first.
    """

    def __init__(self, size: int = 100_000) -> None:
        self._cache: dict[bytes, str] = {}
        self._size = size

    def __call__(self, message: str) -> str:
        key = message.encode("utf-8", "surrogateescape").translate(_DIGITS)
        found = self._cache.get(key)
        if found is None:
            found = shape(message)
            if len(self._cache) < self._size:
                self._cache[key] = found
        return found
