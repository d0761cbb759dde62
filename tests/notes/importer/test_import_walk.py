"""Which files a folder import reads: notes only, never through broken or looping links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentdeck.errors import InvalidInput
from agentdeck.notes.importer import collect_paths


def test_folder_walk_skips_links_that_lead_nowhere(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "SESSION_1.md").write_text("# Session 1\n")
    (tmp_path / "notes" / "plain.txt").write_text("text\n")
    os.symlink("loop.log", tmp_path / "notes" / "loop.log")  # points at itself
    os.symlink("gone.md", tmp_path / "notes" / "broken.md")
    os.symlink("SESSION_1.md", tmp_path / "notes" / "alias.md")  # same file twice
    found = collect_paths([str(tmp_path / "notes")])
    assert [f.path.name for f in found] == ["SESSION_1.md", "plain.txt"]


def test_a_named_symlink_loop_is_a_missing_file(tmp_path: Path) -> None:
    os.symlink("self.md", tmp_path / "self.md")
    with pytest.raises(InvalidInput, match="no such file"):
        collect_paths([str(tmp_path / "self.md")])


def test_import_of_a_folder_with_a_loop_reports_no_internal_error(ws, deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "report.md").write_text(
        "# Session report\n\n**Date:** 2026-03-02\n**Agent:** Claude\n\n## Work completed\n\n- Fixed the parser\n"
    )
    os.symlink("loop.log", folder / "loop.log")
    result = deck("import", str(folder), "--json")
    assert result.code in (0, 1), result.err
    assert "internal error" not in result.err


def test_files_are_named_as_resolved_whether_their_folder_was_seen_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentdeck.notes.importer import _display

    root = tmp_path / "repo"
    (root / "notes" / "deep").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    for name in ("a.md", "b.md"):
        (root / "notes" / name).write_text("# x\n")
    (tmp_path / "elsewhere" / "c.md").write_text("# x\n")
    os.symlink(root / "notes", root / "linked")  # a folder reached through a link
    os.symlink(tmp_path / "elsewhere" / "c.md", root / "notes" / "to_c.md")  # a linked file
    monkeypatch.chdir(root / "notes" / "deep")
    paths = [
        root / "notes" / "a.md",
        root / "linked" / "b.md",
        root / "notes" / "to_c.md",
        Path("../a.md"),
        Path("../../linked/b.md"),
        Path("../to_c.md"),
        tmp_path / "elsewhere" / "c.md",
    ]
    folders: dict[Path, Path] = {}
    cached = [_display(p, root.resolve(), folders) for p in paths + paths]
    assert cached == [_display(p, root.resolve()) for p in paths + paths]
    assert cached[:3] == ["notes/a.md", "notes/b.md", str((tmp_path / "elsewhere/c.md").resolve())]
    assert folders  # the folders were resolved once and kept
