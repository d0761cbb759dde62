"""`agentdeck demo` runs end to end through the real entry point (every chapter, no failed step)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdeck.demo import chapter_names


@pytest.mark.slow
def test_demo_runs_every_chapter(tmp_path: Path, deck_proc) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "demo"
    result = deck_proc("demo", "--dir", str(target), timeout=600)
    assert result.code == 0, result.err[-2000:]
    assert result.err == ""
    assert f"The demo workspace is at {target}" in result.out
    assert result.out.count("\n== ") == len(chapter_names())
    for name in ("TODO.md", "TASK_INDEX.md", "SESSION_HISTORY.md", "CURRENT_WORK.md"):
        assert (target / name).is_file(), name


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path, deck_proc) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "keep.txt").write_text("mine")
    result = deck_proc("demo", "--dir", str(tmp_path))
    assert result.code == 2
    assert result.err == f"agentdeck: error: {tmp_path} is not empty; give a new folder to --dir\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
