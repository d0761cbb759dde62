"""File categories by path globs (built-in and from agentdeck.toml) and languages."""

from __future__ import annotations

import pytest
from session_helpers import commit, ok_json, write

from agentdeck.sessions.classify import glob_to_regex, make_classifier


@pytest.mark.parametrize(
    ("path", "category", "language"),
    [
        ("src/app.py", "code", "Python"),
        ("web/src/App.tsx", "code", "TypeScript"),
        ("tests/test_app.py", "tests", "Python"),
        ("pkg/tests/helpers.go", "tests", "Go"),
        ("app_test.go", "tests", "Go"),
        ("web/App.test.tsx", "tests", "TypeScript"),
        ("README.md", "docs", "Markdown"),
        ("docs/guide/setup.rst", "docs", "reStructuredText"),
        ("scripts/deploy.sh", "scripts", "Shell"),
        ("tools/gen.py", "scripts", "Python"),
        ("pyproject.toml", "config", "TOML"),
        (".github/workflows/ci.yml", "config", "YAML"),
        ("requirements-dev.txt", "config", "Text"),
        ("Makefile", "config", "Makefile"),
        ("Dockerfile", "config", "Dockerfile"),
        ("data/customers.csv", "data", "CSV"),
        ("assets/logo.png", "data", None),
        ("src/thing.unknownext", "other", None),
    ],
)
def test_default_rules(path: str, category: str, language: str | None) -> None:
    assert make_classifier().classify(path) == (category, language)


def test_user_rules_come_first_and_languages_extend() -> None:
    classifier = make_classifier(
        {
            "tests": ["spec/**", "**/*_check.py"],
            "data": ["tests/fixtures/**"],
            "infra": ["deploy/**"],
        },
        {".vue": "Vue", "tpl": "Smarty"},
    )
    assert classifier.classify("spec/a.rb") == ("tests", "Ruby")
    assert classifier.classify("src/x_check.py") == ("tests", "Python")
    assert classifier.classify("tests/fixtures/a.json") == ("data", "JSON")
    assert classifier.classify("deploy/main.tf") == ("infra", "HCL")
    assert classifier.language("views/page.tpl") == "Smarty"


@pytest.mark.parametrize(
    ("glob", "matches", "misses"),
    [
        ("*.md", ["a.md", "x/y/a.md"], ["a.mdx", "a/md"]),
        ("docs/**", ["docs/a", "docs/x/y.md"], ["src/docs/a", "docs"]),
        ("**/tests/**", ["tests/a.py", "a/tests/b/c.py"], ["atests/b.py"]),
        ("src/*.py", ["src/a.py"], ["src/x/a.py", "lib/src/a.py"]),
        ("file?.[ch]", ["file1.c", "x/fileA.h"], ["file10.c", "file1.o"]),
    ],
)
def test_glob_semantics(glob: str, matches: list[str], misses: list[str]) -> None:
    import re

    regex = re.compile(glob_to_regex(glob))
    assert all(regex.fullmatch(p) for p in matches), matches
    assert not any(regex.fullmatch(p) for p in misses), misses


def test_config_categories_reach_the_evidence(ws, deck) -> None:
    (ws.root / "agentdeck.toml").write_text(
        '[evidence.categories]\ntests = ["checks/**"]\n[evidence.languages]\n".zz" = "Zed"\n'
    )
    commit(ws.root, "config")
    assert deck("session", "start", "--objective", "o").code == 0
    write(ws.root, "checks/a.zz", "x\n")
    session = ok_json(deck("session", "end", "--json"))["session"]
    assert [(f["path"], f["category"], f["language"]) for f in session["files"]] == [
        ("checks/a.zz", "tests", "Zed")
    ]
    assert session["evidence"]["categories"] == {"tests": {"files": 1, "added": 1, "removed": 0}}
