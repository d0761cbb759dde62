"""Reading damaged text: bytes that are not UTF-8, mojibake, CRLF, stray control characters.

Notes copied between editors, terminals and chat windows arrive damaged. Each
line is repaired on its own, so a file of any size streams in bounded memory:

1. **Decoding.** UTF-8 (a BOM is dropped; UTF-16 files with a BOM are read as
   such). A line that is not valid UTF-8 is read as Windows-1252, whose bytes
   the mojibake step then puts back together where they were UTF-8.
2. **Mojibake.** UTF-8 read as Windows-1252/1254 or Latin-1 (``âœ…`` for ✅,
   ``ðŸš€``/``ğŸš€`` for 🚀, ``Ã©`` for é) is mapped back to its bytes and
   decoded again. Editors often dropped the bytes that have no character in
   those code pages (0x81, 0x8D, 0x8F, 0x90, 0x9D): a sequence missing one of
   them cannot be rebuilt with certainty, so it is dropped rather than guessed
   (the emoji is lost; the text around it is kept). Whatever still looks like
   mojibake after that goes through ``ftfy`` (imported only then).
3. **Line ends and control characters.** CR and CRLF end lines; C0/C1 control
   characters other than tab are removed, as is U+FFFD.

``RepairLog`` counts what was done, so an import can say "repaired mojibake on
12 lines".
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Final

#: Longest line read at once; a longer one is cut into pieces of this size,
#: so a file without line ends still streams in bounded memory.
MAX_LINE_BYTES = 1 << 20


def _build_byte_map() -> dict[str, int]:
    """Characters that stand for a byte 0x80-0xFF in Latin-1, Windows-1252 or Windows-1254."""
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        raw = bytes([byte])
        table.setdefault(raw.decode("latin-1"), byte)
        for codec in ("cp1252", "cp1254"):
            with contextlib.suppress(UnicodeDecodeError):
                table.setdefault(raw.decode(codec), byte)
    return table


_BYTE_OF = _build_byte_map()
_BYTE_CLASS = "[" + "".join(re.escape(ch) for ch in sorted(_BYTE_OF)) + "]"
_RUN: Final = re.compile(_BYTE_CLASS + "{2,}")
#: Any character mojibake is made of: a document without one has no mojibake to repair.
_BYTE_CHAR: Final = re.compile(_BYTE_CLASS)
#: What still looks like mojibake after our own pass (for ftfy, and for the tests).
SUSPECT: Final = re.compile("(?:[ÂÃâðğÅÄ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ])|ðŸ|ğŸ|âœ|â€")
_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_CONTROL_TRANS = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}
_CONTROL_TRANS.update({c: None for c in range(0x80, 0xA0)})
_CONTROL_TRANS[0xFFFD] = None


def _sloppy_1252(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode error handler: read each bad byte as Windows-1252 (Latin-1 where undefined)."""
    raw = error.object[error.start : error.end]
    out = []
    for byte in raw:
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out), error.end


# typeshed types the handler for any UnicodeError; this one is registered for decoding only.
codecs.register_error("agentdeck-sloppy-1252", _sloppy_1252)  # type: ignore[arg-type]


def _fix_run(run: str) -> str | None:
    """Rebuild the UTF-8 text a mojibake run stood for; None when it is not mojibake."""
    data = bytes([_BYTE_OF[ch] for ch in run])
    out: list[str] = []
    i, n = 0, len(data)
    applied = False
    while i < n:
        lead = data[i]
        need = (
            1 if 0xC2 <= lead <= 0xDF else 2 if 0xE0 <= lead <= 0xEF else 3 if lead <= 0xF4 else 0
        )
        if lead < 0xC2:
            need = 0
        if need:
            k = 0
            while k < need and i + 1 + k < n and 0x80 <= data[i + 1 + k] <= 0xBF:
                k += 1
            if k == need:
                try:
                    out.append(data[i : i + 1 + k].decode("utf-8"))
                    applied = True
                    i += 1 + k
                    continue
                except UnicodeDecodeError:
                    pass
            elif k >= 1 and lead >= 0xE0:
                # A multi-byte sequence that lost a byte the code page has no
                # character for: it cannot be rebuilt with certainty; drop it.
                applied = True
                i += 1 + k
                continue
        out.append(run[i])
        i += 1
    if not applied:
        return None
    return "".join(out)


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252/1254 or Latin-1 (up to three layers deep)."""
    for _ in range(3):
        changed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal changed
            fixed = _fix_run(match.group(0))
            if fixed is None:
                return match.group(0)
            changed = True
            return fixed

        text = _RUN.sub(replace, text)
        if not changed:
            break
    return text


def _ftfy(text: str) -> str:
    try:
        import ftfy  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - ftfy is a dependency
        return text
    config = ftfy.TextFixerConfig(
        unescape_html=False,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        fix_line_breaks=False,
        normalization=None,
        explain=False,
    )
    try:
        return ftfy.fix_text(text, config)
    except Exception:  # ftfy is a best effort on a line that is already odd
        return text


@dataclass
class RepairLog:
    """What repairing a document did, counted by kind."""

    decoded_as_1252: int = 0
    mojibake: int = 0
    control: int = 0
    crlf: int = 0
    encoding: str = "utf-8"
    samples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, int | str]:
        return {
            "encoding": self.encoding,
            "lines_not_utf8": self.decoded_as_1252,
            "lines_mojibake": self.mojibake,
            "lines_control_chars": self.control,
            "lines_crlf": self.crlf,
        }

    @property
    def repaired(self) -> bool:
        return bool(self.decoded_as_1252 or self.mojibake or self.control or self.crlf)


def repair_line(line: str, log: RepairLog | None = None) -> str:
    """Repair one decoded line (no line end): mojibake, control characters."""
    if line.isascii():
        if line.isprintable() or not _CONTROL.search(line):
            return line
        if log is not None:
            log.control += 1
        return line.translate(_CONTROL_TRANS)
    fixed = fix_mojibake(line)
    if SUSPECT.search(fixed):
        fixed = _ftfy(fixed)
        fixed = fix_mojibake(fixed)
    if fixed != line and log is not None:
        log.mojibake += 1
    if _CONTROL.search(fixed):
        if log is not None:
            log.control += 1
        fixed = fixed.translate(_CONTROL_TRANS)
    return fixed


def _decode(raw: bytes, log: RepairLog | None) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if log is not None:
            log.decoded_as_1252 += 1
        return raw.decode("utf-8", errors="agentdeck-sloppy-1252")


def _split_cr(text: str, log: RepairLog | None) -> Iterator[str]:
    if text.endswith("\r"):
        text = text[:-1]
        if log is not None:
            log.crlf += 1
    if "\r" in text:
        yield from text.split("\r")
    else:
        yield text


def iter_lines(stream: BinaryIO, log: RepairLog | None = None) -> Iterator[str]:
    """Repaired lines (without line ends) of a binary stream, read one at a time."""
    head = stream.read(4)
    reader = io.BufferedReader(_Prepend(head, stream), buffer_size=1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if log is not None:
            log.encoding = "utf-16"
        wrapper = io.TextIOWrapper(reader, encoding="utf-16", errors="replace", newline="")
        for piece in iter(lambda: wrapper.readline(MAX_LINE_BYTES), ""):
            for line in _split_cr(piece.removesuffix("\n"), log):
                yield repair_line(line, log)
        return
    if head.startswith(codecs.BOM_UTF8):
        reader.read(3)
    for chunk in iter(lambda: reader.readline(MAX_LINE_BYTES), b""):
        text = _decode(chunk.removesuffix(b"\n"), log)
        for line in _split_cr(text, log):
            yield repair_line(line, log)


class _Prepend(io.RawIOBase):
    """A raw stream that yields ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


#: The bytes a character of ``_CONTROL`` starts with in UTF-8: an ASCII control,
#: or the lead byte of U+0080-U+009F (C2) or of U+FFFD (EF) ...
_CONTROL_LEAD_BYTES = {c for c in _CONTROL_TRANS if c < 0x80} | {0xC2, 0xEF}
#: ... and every other byte, which ``bytes.translate`` drops.
_NOT_CONTROL_BYTES = bytes([b for b in range(256) if b not in _CONTROL_LEAD_BYTES])
_C1_CONTROL: Final = re.compile(rb"\xc2[\x80-\x9f]")


def _has_control(data: bytes) -> bool:
    """Whether the valid UTF-8 ``data`` holds a character of ``_CONTROL``.

    Asked of the bytes rather than the decoded text: ``bytes.translate``
    drops the bytes no such character starts with in one pass, and the few
    lead bytes left are looked at only when there are some; eight times
    quicker than searching the text with ``_CONTROL`` (which tries its class
    at every character).
    """
    rest = data.translate(None, _NOT_CONTROL_BYTES)
    if not rest:
        return False
    if rest.strip(b"\xc2\xef"):
        return True  # an ASCII control character
    # Each search starts with a fixed byte: the regex engine and ``in`` skip
    # ahead to it instead of trying a class at every byte.
    return bool(
        (b"\xc2" in rest and _C1_CONTROL.search(data))
        or (b"\xef" in rest and b"\xef\xbf\xbd" in data)
    )


def text_lines(text: str | bytes, log: RepairLog | None = None) -> list[str]:
    """Repaired lines of a whole document held in memory.

    The same result as ``iter_lines`` (lines are not cut at ``MAX_LINE_BYTES``),
    faster when the whole document is valid UTF-8: it is decoded in one call.
    """
    data = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return list(iter_lines(io.BytesIO(data), log))
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return list(iter_lines(io.BytesIO(data), log))
    if "\r" in decoded:
        crlf = decoded.count("\r\n")
        if crlf == decoded.count("\r"):
            # Every CR ends a CRLF line end: drop them all at once (what
            # ``_split_cr`` does line by line, with the same count).
            decoded = decoded.replace("\r\n", "\n")
            if log is not None:
                log.crlf += crlf
    pieces = decoded.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    # One scan of the whole document (in C) instead of a test per line: most
    # notes have no CR, no control character and no character mojibake is made
    # of, and then no line needs repairing (``repair_line`` would return each
    # one unchanged: its mojibake and ftfy steps start from such characters).
    control = _has_control(data)
    if (
        "\r" not in decoded
        and not control
        and (decoded.isascii() or not _BYTE_CHAR.search(decoded))
    ):
        return pieces
    out: list[str] = []
    for piece in pieces:
        if "\r" in piece:
            out.extend(repair_line(line, log) for line in _split_cr(piece, log))
        elif piece.isascii() and (not control or piece.isprintable()):
            out.append(piece)
        else:
            out.append(repair_line(piece, log))
    return out


def repaired_lines(lines: Iterable[str], log: RepairLog | None = None) -> Iterator[str]:
    """Repair already-decoded lines (the ``str`` input path)."""
    for line in lines:
        for piece in _split_cr(line, log):
            yield repair_line(piece, log)
