"""``agentdeck import`` on notes: files, folders, globs, --json, --dry-run, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workspace_helpers import SEEDS

FIXTURES = Path(__file__).with_name("fixtures")

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed notes are not at {SEEDS}")


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "archive").mkdir(parents=True)
    for path in sorted(SEEDS.glob("00[0-3]_*.txt")):
        shutil.copy(path, folder / path.name)
    shutil.copy(next(SEEDS.glob("004_*.txt")), folder / "archive" / "SESSION_5.md")
    shutil.copy(FIXTURES / "README_unstructured.md", folder / "README.md")
    (folder / "image.png").write_bytes(b"\x89PNG not a note")
    (folder / "report.json").write_text('{"project": "data, not a backlog export"}')
    return folder


def test_folder_import_json_shape_and_exit_code(ws, deck, notes: Path) -> None:  # type: ignore[no-untyped-def]
    result = deck("import", str(notes), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert len(data) == 6  # four seeds, the archived report, the README; not the image or the JSON
    readme = next(v for k, v in data.items() if k.endswith("README.md"))
    assert readme["status"] == "skipped" and "no session structure" in readme["reason"]
    history = next(v for k, v in data.items() if k.endswith("002_52a768300be41371.txt"))
    assert history["kind"] == "history" and len(history["sessions"]["created"]) == 7
    assert set(history) >= {
        "path",
        "kind",
        "status",
        "title",
        "dry_run",
        "sessions",
        "tasks",
        "recommended",
        "entries",
        "files",
        "repaired",
        "warnings",
        "reason",
        "error",
    }
    report = next(v for k, v in data.items() if k.endswith("SESSION_5.md"))
    assert report["repaired"]["lines_mojibake"] > 0
    assert ws.store.query_value("SELECT count(*) FROM sessions") == 1 + 1 + 7 + 1


def test_named_file_without_structure_exits_1(ws, deck) -> None:  # type: ignore[no-untyped-def]
    result = deck("import", str(FIXTURES / "README_unstructured.md"))
    assert result.code == 1
    assert "skipped: no session structure" in result.out


def test_glob_dry_run_then_import_then_again(ws, deck, notes: Path) -> None:  # type: ignore[no-untyped-def]
    pattern = str(notes / "00*.txt")
    dry = deck("import", pattern, "--dry-run")
    assert dry.code == 0
    assert "7 would create" in dry.out and "line 5: 2025-12-04" in dry.out
    assert ws.store.query_value("SELECT count(*) FROM sessions") == 0
    first = deck("import", pattern)
    assert "Total: 4 files; sessions 9 created, 4 already imported" in first.out
    second = deck("import", pattern)
    assert "sessions 0 created, 13 already imported" in second.out


def test_dry_run_json_shows_parsed_sessions(ws, deck) -> None:  # type: ignore[no-untyped-def]
    path = next(SEEDS.glob("000_*.txt"))
    data = json.loads(deck("import", str(path), "--dry-run", "--json").out)
    (entry,) = data.values()
    assert entry["dry_run"] is True
    (session,) = entry["parsed"]
    assert session["agent"] == "GitHub Copilot" and len(session["new_tasks"]) == 10


def test_missing_path_and_empty_glob_are_one_line_errors(ws, deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = deck("import", str(tmp_path / "nope.md"))
    assert missing.code == 2
    assert missing.err == f"agentdeck: error: {tmp_path / 'nope.md'}: no such file\n"
    empty = deck("import", str(tmp_path / "*.md"))
    assert empty.code == 2 and "no file matches this pattern" in empty.err


def test_backlog_json_export_still_imports(ws, deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck("task", "add", "Exported task", "--priority", "high")
    exported = tmp_path / "backlog.json"
    exported.write_text(deck("export", "--format", "json").out)
    result = deck("import", str(exported), "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data[str(exported)]["unchanged"] and data[str(exported)]["dry_run"] is False


def test_progress_stays_quiet_when_piped(ws, deck_proc, notes: Path) -> None:  # type: ignore[no-untyped-def]
    result = deck_proc("import", str(notes), cwd=ws.root)
    assert result.code == 0
    assert result.err == ""  # no progress bar, no escape codes on a pipe
    assert "Total: 6 files" in result.out


def test_jobs_read_in_workers_with_the_same_output(ws, deck, notes: Path) -> None:  # type: ignore[no-untyped-def]
    here = deck("import", str(notes), "--dry-run", "--json", "--jobs", "0")
    ahead = deck("import", str(notes), "--dry-run", "--json", "--jobs", "2")
    assert here.code == ahead.code == 0, ahead.err
    assert json.loads(ahead.out) == json.loads(here.out)
    assert deck("import", str(notes), "--jobs", "-1").code == 2
