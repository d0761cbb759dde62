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
    folders: dict[str, str] = {}
    cached = [_display(p, root.resolve(), folders) for p in paths + paths]
    assert cached == [_display(p, root.resolve()) for p in paths + paths]
    assert cached[:3] == ["notes/a.md", "notes/b.md", str((tmp_path / "elsewhere/c.md").resolve())]
    assert folders  # the folders were resolved once and kept


def _walk_as_before(folder: Path) -> list[tuple[Path, str]]:
    """The folder walk as it was written with ``os.walk`` and a ``realpath`` per file."""
    from agentdeck.notes.importer import _SKIP_DIRS, NOTE_SUFFIXES, is_backlog_export

    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not name.lower().endswith(NOTE_SUFFIXES) or name.startswith("."):
                continue
            path = Path(root) / name
            if not path.is_file():
                continue
            if name.lower().endswith(".json") and not is_backlog_export(path, strict=True):
                continue
            found.append((path, os.path.realpath(path)))
    return found


def test_the_folder_walk_finds_what_os_walk_finds_with_the_same_real_paths(tmp_path: Path) -> None:
    from agentdeck.notes.importer import _walk

    top = tmp_path / "notes"
    for folder in ("a", "a/b", "B", "node_modules", ".hidden", "z/.git", "z/y"):
        (top / folder).mkdir(parents=True)
    for name in (
        "top.md", "a/one.md", "a/b/two.txt", "a/b/skip.png", "B/Three.MD", "node_modules/no.md",
        ".hidden/no.md", "z/.git/no.md", "z/y/four.log", ".dot.md", "data.json",
    ):  # fmt: skip
        (top / name).write_text("# x\n")
    (top / "export.json").write_text('{"format": "agentdeck-backlog", "tasks": []}\n')
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "far.md").write_text("# far\n")
    os.symlink(tmp_path / "outside", top / "linked_folder")  # listed, never walked into
    os.symlink(tmp_path / "outside" / "far.md", top / "a" / "to_far.md")
    os.symlink("missing.md", top / "a" / "broken.md")
    os.mkfifo(top / "a" / "pipe.md")
    os.symlink(top, tmp_path / "via_link")  # the folder itself named through a link
    for folder in (top, tmp_path / "via_link", top / "a"):
        walked = _walk(folder)
        assert walked == _walk_as_before(folder)
    assert [p.name for p, _ in _walk(top)][:4] == ["export.json", "top.md", "Three.MD", "one.md"]
    assert dict(_walk(top))[top / "a" / "to_far.md"] == str(
        (tmp_path / "outside" / "far.md").resolve()
    )
