"""Section names, field labels and hand-off titles found in notes in the wild.

Keep a Changelog's headings, one-word headings ("Work", "Status", "TODO"),
the languages whose words were missing (Russian; some of French, Spanish,
Portuguese, Italian, German, Dutch), Chinese and Japanese field labels, and
titles such as "NEXT_STEPS". The words that name a section only as the whole
heading must not make a longer heading about something else one.
"""

from __future__ import annotations

import pytest

from agentdeck.notes.importer import vocab
from agentdeck.notes.importer.vocab import (
    HANDOFF_TITLE,
    PRIMARY_DATE_LABELS,
    classify_heading,
    field_name,
    normal,
)


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        # Keep a Changelog
        ("Added", "work"),
        ("Fixed", "work"),
        ("Changed", "work"),
        ("Removed", "work"),
        ("Deprecated", "work"),
        ("Security", "work"),
        ("**Fixed:**", "work"),
        # a log's own one-word headings
        ("Work", "work"),
        ("🛠️ Work", "work"),
        ("### 🛠️ Work", "work"),
        ("2. 🛠️ Work", "work"),
        ("Wins", "work"),
        # work done, in other languages
        ("O que foi feito", "work"),
        ("Feito", "work"),
        ("Fatto", "work"),
        ("Lavoro fatto", "work"),
        ("Сделано", "work"),
        ("Что сделано", "work"),
        ("Выполнено", "work"),
        # challenges
        ("Difficultés", "challenges"),
        ("Dificultades", "challenges"),
        ("Dificuldades", "challenges"),
        ("Schwierigkeiten", "challenges"),
        ("Difficoltà", "challenges"),
        ("Problemen", "challenges"),
        ("Проблемы", "challenges"),
        ("Трудности", "challenges"),
        ("Fixed bugs", "challenges"),  # as "Bugs fixed" is
        # next steps
        ("Still to do", "next"),
        ("TODO", "next"),
        ("To do", "next"),
        ("To-do", "next"),
        ("TODO list", "next"),
        ("Don't forget", "next"),
        ("Don’t forget", "next"),
        ("Do next", "next"),
        ("Do next (in order)", "next"),
        ("Noch zu tun", "next"),
        ("Reste à faire", "next"),
        ("À faire", "next"),
        ("Por hacer", "next"),
        ("Следующие шаги", "next"),
        ("Задачи на следующую сессию", "next"),
        # blockers, decisions, lessons and the rest, in Russian
        ("Блокеры", "blockers"),
        ("Решения", "decisions"),
        ("Уроки", "lessons"),
        ("Изменённые файлы", "files"),
        ("Метрики", "metrics"),
        ("Задачи", "tasks"),
        ("Новые задачи", "newtasks"),
        ("Цели", "objective"),
        ("Итоги", "summary"),
        # notes: a summary's items and paragraphs are read as notes
        ("Open questions", "summary"),
        ("Questions", "summary"),
        ("Questions for the user", "summary"),
        ("Offene Fragen", "summary"),
        ("未解决的问题", "summary"),  # not a challenge, though 问题 is one
        ("Status", "summary"),
        ("Stand", "summary"),
        ("Статус", "summary"),
    ],
)
def test_wild_section_names_are_read(heading: str, kind: str) -> None:
    assert classify_heading(heading).kind == kind


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        # The words that name a section only as the whole heading, inside a
        # longer one about something else. (These pass before the change too:
        # they hold the new words to their anchors.)
        ("Fixed-point math notes", ""),
        ("Status codes of the API", ""),
        ("Security model", ""),
        ("Security review", ""),
        ("Added value", ""),
        ("Removed features rationale", ""),
        ("Quick wins", ""),
        ("Work 2", ""),
        ("How to do the release", ""),
        ("Feito por", ""),
        ("Di fatto", ""),
        ("Standortwahl", ""),
        ("Stand-up notes", ""),
        # ... and the longer headings keep what they were.
        ("Future work", "ideas"),
        ("Work in progress", "tasks"),
        ("Work completed", "work"),
        ("Status update", "summary"),
        ("Current status", "summary"),
        ("Stand der Dinge", "summary"),
        ("Changed files", "files"),
        ("Files added", "files"),
        ("Bugs fixed", "challenges"),
        ("Open issues", "blockers"),
        ("Up next", "next"),
        ("Next.js migration", ""),
    ],
)
def test_whole_heading_words_name_nothing_inside_other_headings(heading: str, kind: str) -> None:
    assert classify_heading(heading).kind == kind


def test_an_emoji_after_the_numbering_is_dropped() -> None:
    assert normal("3. ✅ Done") == "done"
    assert normal("### 🛠️ Work:") == "work"


@pytest.mark.parametrize(
    "title",
    [
        "Next steps",
        "NEXT STEPS",
        "NEXT_STEPS",
        "Next Steps for the next agent",
        # ("Übergabe", "Passation", "Traspaso", "Passagem de turno" matched already.)
        "引き継ぎ",
        "引継ぎメモ",
        "交接",
        "交接文档",
        "Передача дел",
    ],
)
def test_hand_off_titles(title: str) -> None:
    assert HANDOFF_TITLE.search(title)


@pytest.mark.parametrize("name", ["NEXT_STEPS.md", "next-steps.md", "NextSteps.md", "引き継ぎ.md"])
def test_hand_off_file_names(name: str) -> None:
    # ``parse.plan_document`` searches the file's name with the same pattern.
    assert HANDOFF_TITLE.search(name)


@pytest.mark.parametrize("title", ["Project notes", "Steps to reproduce", "Next.js upgrade log"])
def test_other_titles_are_not_hand_offs(title: str) -> None:
    assert not HANDOFF_TITLE.search(title)


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("日期", "date"),
        ("日付", "date"),
        ("**日期:**", "date"),
        ("Дата", "date"),
        ("代理", "agent"),
        ("智能体", "agent"),
        ("エージェント", "agent"),
        ("担当エージェント", "agent"),
        ("Агент", "agent"),
        ("分支", "branch"),
        ("ブランチ", "branch"),
        ("Ветка", "branch"),
        ("时长", "duration"),
        ("耗时", "duration"),
        ("所要時間", "duration"),
        ("作業時間", "duration"),
        ("Длительность", "duration"),
        ("Продолжительность", "duration"),
    ],
)
def test_field_labels_in_chinese_japanese_and_russian(label: str, field: str) -> None:
    assert field_name(label) == field


@pytest.mark.parametrize("label", ["日期", "日付", "Дата"])
def test_the_date_labels_name_the_day_of_the_session(label: str) -> None:
    assert normal(label) in PRIMARY_DATE_LABELS


def test_no_rule_matches_a_whole_heading_word() -> None:
    """``_WHOLE_NAMES`` is looked up before the rules: that order must not matter."""
    for name in vocab._WHOLE_NAMES:
        assert not vocab._ANY_RULE.search(name), name


def test_the_rules_hold_no_anchored_alternative() -> None:
    """An anchored alternative slows every search of the combined rules (``_WHOLE_NAMES``)."""
    for _section, pattern in vocab._RULES:
        assert "^" not in pattern.replace("[^", "") and "$" not in pattern, pattern
