"""Claims found wherever their words and numbers are written: split by markup, in odd letters,
in links and table rows, in long reports and histories.

``verify`` reads only the lines that can hold what a check looks for (a digit,
a word); these reports put the words where such a shortcut could miss them.
"""

from __future__ import annotations

from agentdeck.notes.importer.scan import tokenize
from agentdeck.notes.verify import verify_report
from agentdeck.notes.verify.claims import Scope


def kinds(text: str) -> list[tuple[str, str, int]]:
    return [(c.kind, c.status, c.line) for c in verify_report(text).claims]


def test_words_split_by_emphasis_and_code_ticks() -> None:
    text = (
        "# Report\n"
        "- All 12 **te**sts passing\n"
        "- 5 **com**mits\n"
        "- Runtime `test`ing: deferred\n"
        "### **Break**down:\n"
        "- parser: 480 lines\n"
        "- tests: 560 lines\n"
    )
    found = kinds(text)
    assert ("tests", "contradicted", 2) in found  # "testing: deferred" on line 4
    assert ("git", "unverifiable", 3) in found


def test_letters_that_match_only_ignoring_case() -> None:
    # "ſ" (long s) and "ı" (dotless i) are "s" and "i" to an ignore-case pattern,
    # though lower() leaves them; a capital dotted I lowers to two characters.
    assert ("tests", "unverifiable", 2) in kinds("# Report\n- All 3 teſts passing\n")
    assert ("git", "unverifiable", 2) in kinds("# Report\n- 4 commıts\n")
    dotted = "# Report İstanbul\n- All 3 teſts passing\n- 4 **com**mits\n"
    assert {("tests", "unverifiable", 2), ("git", "unverifiable", 3)} <= set(kinds(dotted))


def test_words_in_links_tags_and_table_rows() -> None:
    text = (
        "# Report\n"
        "- All 3 [tests](ci.html) passing\n"
        "- 2 <b>commits</b>\n"
        "\n"
        "| Metric | Value |\n"
        "|---|---|\n"
        "| **Com**mits | 7 |\n"
        "| Tests | 12 **te**sts passing |\n"
    )
    found = kinds(text)
    assert {("tests", "unverifiable", 2), ("git", "unverifiable", 3)} <= set(found)
    assert {("git", "unverifiable", 7), ("tests", "unverifiable", 8)} <= set(found)


def test_table_row_with_tasks_done() -> None:
    text = (
        "# Report\n**Date:** 2025-01-02\n\n"
        "| Metric | Value |\n|---|---|\n| Tasks Completed | 3 |\n\n"
        "## Work Completed\n- ✅ TASK-20250102-001: parser\n- ✅ TASK-20250102-002: lexer\n"
    )
    (claim,) = [c for c in verify_report(text).claims if c.kind == "tasks"]
    assert (claim.line, claim.status, claim.found) == (6, "contradicted", 2)


def test_each_session_of_a_long_history_is_its_own_scope() -> None:
    sessions = [
        f"## Session: 2025-01-{day:02d} 09:00-10:00\n**Duration**: {60 if day % 2 else 90} minutes\n"
        f"### Work Completed\n- Files changed: {day}\n\n"
        for day in range(1, 29)
    ]
    result = verify_report("# History\n\n" + "".join(sessions))
    durations = [c for c in result.claims if c.kind == "duration"]
    assert len(durations) == 28
    assert [c.status for c in durations[:4]] == ["confirmed", "contradicted"] * 2
    # "Files changed" differs between sessions: never compared across them.
    assert not [c for c in result.claims if c.kind == "repeat"]


def test_scope_finds_lines_per_line_when_a_text_holds_a_newline() -> None:
    lines = list(tokenize(["- 3 tests passing", "plain", "- 4 commits"]))
    lines[1].text = "two\nlines with 5 tests"  # never made by the reader
    scope = Scope(lines, None, None)
    assert scope.numbered() == [0, 1, 2]
    from agentdeck.notes.verify.claims import Words

    assert scope.may_say(Words("test")) == {0, 1}
