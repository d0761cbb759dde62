"""Damaged text: mojibake, bytes that are not UTF-8, CRLF, control characters."""

from __future__ import annotations

import codecs
import io

import pytest

from agentdeck.notes.importer.repair import SUSPECT, RepairLog, iter_lines, text_lines


def mojibake(text: str, codec: str = "cp1252") -> str:
    """What an editor shows when UTF-8 bytes are read as ``codec`` (undefined bytes dropped)."""
    return text.encode("utf-8").decode(codec, errors="ignore")


@pytest.mark.parametrize(
    "original",
    ["✅ Done", "café au lait", "Größe → Breite", "naïve “quotes“ — dash", "Tests: 12/12 ✔", "€ 5"],
)
def test_cp1252_mojibake_is_undone(original: str) -> None:
    broken = mojibake(original)
    assert broken != original
    assert text_lines(broken) == [original]


def test_a_closing_quote_that_lost_its_last_byte_is_dropped_not_left_broken() -> None:
    # ” is E2 80 9D; 0x9D has no Windows-1252 character and was lost.
    (line,) = text_lines(mojibake("say “hi” now"))
    assert line == "say “hi now"


def test_emoji_with_all_bytes_is_rebuilt_and_with_a_lost_byte_is_dropped() -> None:
    # 🚀 = F0 9F 9A 80: every byte has a Windows-1252 character, so it comes back.
    assert text_lines(mojibake("🚀 Deploy")) == ["🚀 Deploy"]
    # 🎯 = F0 9F 8E AF read as Windows-1254, where 0x8E has no character: the
    # byte is gone, the emoji cannot be known for sure, so it is dropped.
    broken = mojibake("🎯 Objective", "cp1254")
    assert "ğŸ" in broken
    (line,) = text_lines(broken)
    assert line.strip() == "Objective"
    assert not SUSPECT.search(line)


def test_turkish_mojibake_as_in_the_seed_is_repaired() -> None:
    broken = mojibake("## 🤖 AUTONOMOUS WORK ✅ ⚠️ done", "cp1254")
    (line,) = text_lines(broken)
    assert "🤖 AUTONOMOUS WORK ✅" in line
    assert "ğŸ" not in line and "âœ" not in line


@pytest.mark.parametrize(
    "legit",
    [
        "Größe und Maße",
        "Doğru çalışıyor",
        "São Paulo, ação",
        "Ñandú ¿qué?",
        "Ørsted Å",
        "naïve café",
    ],
)
def test_correct_non_ascii_text_is_left_alone(legit: str) -> None:
    assert text_lines(legit) == [legit]


def test_line_ends_and_control_characters() -> None:
    log = RepairLog()
    lines = text_lines(b"one\r\ntwo\rthree\nfo\x00ur\x07\x1b[0m\tfive\x0c\n", log)
    assert lines == ["one", "two", "three", "four[0m\tfive"]
    assert log.crlf == 1 and log.control == 1


def test_bytes_that_are_not_utf8_are_read_as_windows_1252() -> None:
    log = RepairLog()
    lines = text_lines(b"caf\xe9 \x93quoted\x94\n\xff\xfe\xfd\n", log)
    assert lines[0] == "café “quoted”"
    assert log.decoded_as_1252 == 2
    assert all("\ufffd" not in line for line in lines)


def test_utf16_with_bom_and_utf8_bom() -> None:
    data = codecs.BOM_UTF16_LE + "# Sitzung – Größe\r\n- eins\r\n".encode("utf-16-le")
    log = RepairLog()
    assert list(iter_lines(io.BytesIO(data), log)) == ["# Sitzung – Größe", "- eins"]
    assert log.encoding == "utf-16"
    assert text_lines(codecs.BOM_UTF8 + b"# Title\n") == ["# Title"]


def test_a_line_without_end_is_cut_into_bounded_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentdeck.notes.importer import repair

    monkeypatch.setattr(repair, "MAX_LINE_BYTES", 1000)
    lines = list(iter_lines(io.BytesIO(b"x" * 4500)))
    assert [len(line) for line in lines] == [1000, 1000, 1000, 1000, 500]


def test_control_characters_are_found_in_the_bytes_where_the_text_has_them() -> None:
    """``_has_control`` (on UTF-8 bytes) agrees with ``_CONTROL`` searched in the text."""
    import random

    from agentdeck.notes.importer.repair import _CONTROL, _has_control

    rng = random.Random(5)
    # Characters whose UTF-8 shares lead bytes with the controls (C2, EF), the
    # controls themselves, and ordinary text around them.
    alphabet = [*"ab \t\n\r", "\x00", "\x07", "\x1b", "\x7f", "\x80", "\x9f", "\xa0", "é", "©"]
    alphabet += ["\ufffd", "\ufeff", "\ufe0f", "\uffff", "✅", "—", "🚀", "\u0100"]
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        expected = _CONTROL.search(text) is not None
        assert _has_control(text.encode("utf-8")) == expected, repr(text)
        found += expected
    assert 2_000 < found < 18_000
