"""What goes into a backup: glob semantics and the walk."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdeck.ops.backup.sources import Walk, glob_match, walk


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("node_modules", "node_modules", True, True),
        ("node_modules", "web/app/node_modules", True, True),
        ("node_modules", "web/node_modules_old", True, False),
        ("*.pyc", "pkg/sub/mod.pyc", False, True),
        ("*.pyc", "pkg/sub/mod.py", False, False),
        ("docs/**/*.tmp", "docs/a/b/c.tmp", False, True),
        ("docs/**/*.tmp", "docs/c.tmp", False, True),
        ("docs/**/*.tmp", "src/docs/c.tmp", False, False),
        ("build/", "build", True, True),
        ("build/", "build", False, False),
        ("/src/*.py", "src/app.py", False, True),
        ("src/*.py", "src/deep/app.py", False, False),
        ("**", "anything/at/all", False, True),
        ("data/[ab]?.csv", "data/a1.csv", False, True),
        ("data/[!ab]?.csv", "data/a1.csv", False, False),
    ],
)
def test_glob_match(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    assert glob_match(pattern, path, is_dir) is expected


def _tree(root: Path) -> None:
    for rel in (
        "src/app.py",
        "src/util/helpers.py",
        "docs/guide.md",
        "web/node_modules/x.js",
        "notes.txt",
    ):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rel)
    (root / "empty").mkdir()
    (root / "venv-with-odd-name").mkdir()
    (root / "venv-with-odd-name" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "venv-with-odd-name" / "lib.py").write_text("x")


def test_walk_defaults_and_narrowed_include(tmp_path: Path) -> None:
    _tree(tmp_path)
    everything = [i.relative for i in walk(tmp_path, ["**"], ["node_modules"], [], Walk())]
    assert everything == [
        "docs",
        "docs/guide.md",
        "empty",
        "notes.txt",
        "src",
        "src/app.py",
        "src/util",
        "src/util/helpers.py",
        "web",
    ]
    narrowed = [i.relative for i in walk(tmp_path, ["src/**/*.py"], [], [], Walk())]
    # Folders appear only when something under them is included.
    assert narrowed == ["src", "src/app.py", "src/util", "src/util/helpers.py"]
    skipped = [i.relative for i in walk(tmp_path, ["**"], [], [tmp_path / "src"], Walk())]
    assert not any(p.startswith("src") for p in skipped)
