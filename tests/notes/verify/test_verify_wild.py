"""Report shapes met in the wild that verify misread, each with a true contradiction of its kind."""

from __future__ import annotations

from agentdeck.notes.verify import verify_report


def claims(text: str, kind: str):  # type: ignore[no-untyped-def]
    return [c for c in verify_report(text).claims if c.kind == kind]


def verdicts(text: str, kind: str) -> dict[str, str]:
    return {c.text: c.status for c in claims(text, kind)}


# -- 1. the same metric in per-task sections ------------------------------------------------

PER_TASK = """# Report

**Date:** 2026-01-10

## Summary
- **Modules Written:** 4

## Task 1: TASK-20260101-001 Parser

**Modules Written:** 1
**Lines of Code:** 90
**Checks Added:** 4

- `parse/core.py` (70 lines)
- `parse/errors.py` (20 lines)

## Task 2: TASK-20260101-002 Printer

**Modules Written:** 3
**Lines of Code:** 130
**Checks Added:** 7

- `print/core.py` (100 lines)
- `print/table.py` (30 lines)

## Totals
- **Modules Written:** {total}
"""


def test_per_task_sections_are_not_repeats() -> None:
    found = verdicts(PER_TASK.format(total=4), "repeat")
    assert found == {"Modules Written: 4": "confirmed"}  # the summary against the totals only


def test_summary_and_totals_still_disagree() -> None:
    (claim,) = claims(PER_TASK.format(total=5), "repeat")
    assert (claim.status, claim.claimed, claim.found) == ("contradicted", 4, 5)


def test_list_under_a_block_of_fields_is_the_breakdown_of_the_field_it_counts() -> None:
    sums = {c.text: (c.status, c.found) for c in claims(PER_TASK.format(total=4), "sum")}
    # Not "Checks Added: 4" against the files' lines: those add up to "Lines of Code".
    assert sums == {
        "Lines of Code: 90": ("confirmed", 90),
        "Lines of Code: 130": ("confirmed", 130),
    }
    wrong = PER_TASK.format(total=4).replace("**Lines of Code:** 90", "**Lines of Code:** 95")
    assert verdicts(wrong, "sum")["Lines of Code: 95"] == "contradicted"


def test_total_over_a_list_of_another_unit_is_not_summed() -> None:
    text = "# R\n\n**Tests Added:** 6\n\n- `tests/test_a.py` (120 lines)\n- `tests/test_b.py` (60 lines)\n"
    assert claims(text, "sum") == [] and claims(text, "count") == []


def test_same_metric_twice_in_one_task_section_is_still_a_repeat() -> None:
    text = "# R\n\n## Task 1: Parser\n- **Tests:** 12\n- **Coverage:** 80%\n- **Tests:** 15\n"
    (claim,) = claims(text, "repeat")
    assert claim.status == "contradicted" and (claim.claimed, claim.found) == (12, 15)


# -- 2. before and after ---------------------------------------------------------------------


def test_before_and_after_sections_are_not_repeats() -> None:
    text = "# R\n\n## Before\n- **Tests:** 120\n- **Warnings:** 30\n\n## After\n- **Tests:** 142\n- **Warnings:** 4\n"
    assert claims(text, "repeat") == []
    labels = "# R\n\n**Before:**\n- Tests: 120\n\n**After:**\n- Tests: 142\n"
    assert claims(labels, "repeat") == []


def test_a_change_written_with_an_arrow_is_not_a_second_value() -> None:
    text = "# R\n\n## Summary\n- **Tests:** 142\n\n## Metrics\n- **Tests:** 120 → 142\n"
    assert claims(text, "repeat") == []
    wrong = "# R\n\n## Summary\n- **Tests:** 142\n\n## Metrics\n- **Tests:** 140\n"
    assert verdicts(wrong, "repeat") == {"Tests: 142": "contradicted"}


# -- 5. checkboxes -----------------------------------------------------------------------------


def test_completed_count_counts_only_ticked_boxes() -> None:
    text = "# R\n\n## Completed 2 items:\n- [x] one\n- [X] two\n- [ ] three (next sprint)\n"
    (claim,) = claims(text, "count")
    assert (claim.status, claim.found) == ("confirmed", 2)
    wrong = text.replace("Completed 2", "Completed 3")
    (claim,) = claims(wrong, "count")
    assert (claim.status, claim.found) == ("contradicted", 2)


def test_a_list_of_all_boxes_counts_every_box() -> None:
    text = "# R\n\n## Checklist (3):\n- [x] one\n- [ ] two\n- [ ] three\n"
    (claim,) = claims(text, "count")
    assert (claim.status, claim.found) == ("confirmed", 3)


# -- 6. new tasks written as headings ------------------------------------------------------------

NEW_TASKS = """# R

**Date:** 2026-02-02

## Summary
- **{n} new tasks** for the backlog

## Suggested Follow-up Tasks

### TASK-NEW-001: Cache the index
**Priority:** High

### TASK-NEW-002: Retry uploads
**Priority:** Low

#### Notes on retries
- exponential

## Lessons
### Keep it small
"""


def test_new_tasks_written_as_headings_are_counted() -> None:
    (claim,) = claims(NEW_TASKS.format(n=2), "tasks")
    assert (claim.status, claim.found) == ("confirmed", 2)
    (wrong,) = claims(NEW_TASKS.format(n=3), "tasks")
    assert (wrong.status, wrong.found) == ("contradicted", 2)


# -- 7. a percentage of another clause ---------------------------------------------------------


def test_percentage_of_another_clause_is_not_the_ratios() -> None:
    text = (
        "# R\n\n- Finished 9 of 10 tasks; coverage is at 85%\n- Done 4 of 5 and coverage at 60%\n"
    )
    assert claims(text, "ratio") == []


def test_percentage_right_after_the_ratio_is_still_checked() -> None:
    text = (
        "# R\n\n- Migrated 6 of 8 services (70%)\n- Passed: 45/50 — 90%\n"
        "- 7 out of 9 alerts now go to the pager, i.e. 78%\n- Done: 3/4 pages, 75%\n"
    )
    assert verdicts(text, "ratio") == {
        "6 of 8 services (70%)": "contradicted",
        "45/50 — 90%": "confirmed",
        "7 out of 9 alerts now go to the pager, i.e. 78%": "confirmed",
        "3/4 pages, 75%": "confirmed",
    }


# -- 9. code spans, comments, quotes -------------------------------------------------------------


def test_code_spans_and_blockquotes_are_not_claims() -> None:
    text = (
        "# R\n\n**Date:** 2026-03-01\n\n"
        "The old banner said `2 of 5 jobs done (90%)`, which was the bug.\n\n"
        "> From the incident note: 1 of 4 regions (10%) were affected\n"
        "> **Tasks Completed:** 9\n\n"
        "## Work\n- Fixed 1 of 4 banners (50%)\n"
    )
    assert verdicts(text, "ratio") == {"1 of 4 banners (50%)": "contradicted"}
    assert claims(text, "tasks") == []


def test_code_spans_without_digits_keep_list_items_apart() -> None:
    text = "# R\n\n### Scripts (4):\n- `a.sh`, `b.sh`\n- `c.sh`, `d_v2.sh`\n"
    (claim,) = claims(text, "count")
    assert (claim.status, claim.found) == ("confirmed", 4)


def test_html_comments_are_not_claims() -> None:
    text = "# R\n\n<!-- draft:\nCreated 5 files:\n- a\n3 of 4 (10%)\n-->\n\n- Merged 3 of 4 (75%) <!-- 1 of 2 (9%) -->\n"
    assert verdicts(text, "ratio") == {"3 of 4 (75%)": "confirmed"}
    assert claims(text, "count") == []


# -- thousands grouped as other languages group them ---------------------------------------

GROUPED = """# Bericht

**Datum:** 2026-03-12

- 900 von 1.200 Zeilen geprüft (75 %)
- 1'234 von 2'468 Zeilen geprüft (50 %)
- 1 500 of 3 000 lines reviewed (50%)
- 1 500 of 3 000 lines reviewed (40%)

**Gesamt:** 1.234 Zeilen
- Parser: 1.000 Zeilen
- Drucker: 234 Zeilen

**Total :** 2 500 lignes
- a : 2 000 lignes
- b : 400 lignes
"""


def test_thousands_grouped_by_dots_spaces_and_apostrophes() -> None:
    ratios = verdicts(GROUPED, "ratio")
    assert [ratios[k] for k in sorted(ratios)] == [
        "contradicted",  # 1 500 of 3 000 is 50 %, not 40 %: still caught
        "confirmed",
        "confirmed",
        "confirmed",
    ]
    # (Without "Datum: 2026-03-12" read as a total of the list under it.)
    sums = {c.text: (c.status, c.found) for c in claims(GROUPED, "sum")}
    assert sums == {
        "Gesamt: 1.234 Zeilen": ("confirmed", 1234),
        "Total: 2 500 lignes": ("contradicted", 2400),
    }


def test_a_percentage_cut_rather_than_rounded_is_not_wrong() -> None:
    text = "# R\n\n**Date:** 2026-03-12\n\n- 2 of 3 (66%)\n- 1 of 6 (16%)\n- 7 of 9 (77%)\n- 2 of 3 (65%)\n"
    assert verdicts(text, "ratio") == {
        "2 of 3 (66%)": "confirmed",
        "1 of 6 (16%)": "confirmed",
        "7 of 9 (77%)": "confirmed",
        "2 of 3 (65%)": "contradicted",
    }
