"""Rotated and gzip files, and resuming where the last read stopped (on both databases)."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

from logkit import FIXTURES, age, put

from agentdeck.ops.logs import find_errors, forget_cursors, load_cursors


def _line(minute: int, level: str, text: str) -> str:
    return f"2026-11-20 11:{minute:02d}:00,000 {level} app: {text}\n"


def _rotated_set(root: Path) -> None:
    """app.log.2.gz (oldest), app.log.1, app.log (live), one error shape across all three."""
    logs = root / "logs"
    logs.mkdir()
    with gzip.open(logs / "app.log.2.gz", "wt") as handle:
        handle.write(_line(1, "ERROR", "job 1 failed") + _line(2, "INFO", "ok"))
    (logs / "app.log.1").write_text(
        _line(3, "ERROR", "job 2 failed") + _line(4, "WARNING", "slow 9")
    )
    (logs / "app.log").write_text(_line(5, "ERROR", "job 3 failed") + _line(6, "INFO", "ok"))
    age(logs / "app.log.2.gz", 300)
    age(logs / "app.log.1", 200)
    age(logs / "app.log", 100)


def test_rotated_and_gzip_files_are_read_oldest_first(logws) -> None:
    _rotated_set(logws.root)
    report = find_errors(logws, paths=["logs/app.log"])
    assert [f.path for f in report.files] == ["logs/app.log.2.gz", "logs/app.log.1", "logs/app.log"]
    assert {f.source for f in report.files} == {"logs/app.log"}
    data = report.to_dict()
    [errors, warnings] = data["groups"]
    assert (errors["shape"], errors["count"]) == ("app: job <num> failed", 3)
    assert errors["first_seen"] == "2026-11-20T11:01:00.000000Z"
    assert errors["last_seen"] == "2026-11-20T11:05:00.000000Z"
    assert errors["files"] == ["logs/app.log", "logs/app.log.1", "logs/app.log.2.gz"]
    assert errors["example"]["path"] == "logs/app.log"
    assert (warnings["shape"], warnings["count"]) == ("app: slow <num>", 1)


def test_a_glob_that_names_rotated_files_groups_them_with_their_source(logws) -> None:
    _rotated_set(logws.root)
    report = find_errors(logws, paths=["logs/*"])
    assert [f.path for f in report.files] == ["logs/app.log.2.gz", "logs/app.log.1", "logs/app.log"]
    assert report.errors == 3


def test_resume_reports_only_appended_lines(ws) -> None:
    log = put(ws.root, "app.log", "python.log")
    first = find_errors(ws, paths=["app.log"], new_only=True)
    assert (first.errors, first.warnings) == (4, 2)
    again = find_errors(ws, paths=["app.log"], new_only=True)
    assert again.groups == []
    assert again.files[0].status == "resumed"
    assert again.files[0].bytes == 0
    with log.open("a") as handle:
        handle.write(_line(30, "ERROR", "job 77 failed"))
        handle.write(_line(31, "INFO", "fine"))
        handle.write(_line(32, "ERROR", "job 78 failed"))
    new = find_errors(ws, paths=["app.log"], new_only=True)
    [group] = new.to_dict()["groups"]
    assert (group["shape"], group["count"]) == ("app: job <num> failed", 2)
    assert group["first_seen"] == "2026-11-20T11:30:00.000000Z"
    assert group["example"]["line"] == 32  # line numbers continue across reads (29 + 3)
    # Another consumer has its own cursor: it still sees everything.
    assert find_errors(ws, paths=["app.log"], new_only=True, consumer="checks").errors == 6


def test_a_partial_last_line_waits_for_its_newline(ws) -> None:
    log = put(ws.root, "app.log", text=_line(1, "INFO", "start"))
    with log.open("a") as handle:
        handle.write("2026-11-20 11:02:00,000 ERROR app: half wri")
    assert find_errors(ws, paths=["app.log"], new_only=True).errors == 0
    with log.open("a") as handle:
        handle.write("tten\n")
    [group] = find_errors(ws, paths=["app.log"], new_only=True).groups
    assert group.example is not None and group.example.message == "app: half written"


def test_rotation_by_rename_resumes_in_the_renamed_file(ws) -> None:
    log = put(ws.root, "app.log", text=_line(1, "ERROR", "job 1 failed"))
    assert find_errors(ws, paths=["app.log"], new_only=True).errors == 1
    with log.open("a") as handle:  # written after the last read, before rotation
        handle.write(_line(2, "ERROR", "job 2 failed"))
    os.rename(log, ws.root / "app.log.1")
    age(ws.root / "app.log.1", 60)
    put(ws.root, "app.log", text=_line(3, "ERROR", "job 3 failed"))
    report = find_errors(ws, paths=["app.log"], new_only=True)
    assert [(f.path, f.status) for f in report.files] == [
        ("app.log.1", "resumed"),
        ("app.log", "read"),
    ]
    assert "rotated" in (report.files[0].note or "")
    [group] = report.groups
    assert group.count == 2
    assert {group.first_seen.minute, group.last_seen.minute} == {2, 3}  # type: ignore[union-attr]


def test_rotation_to_gzip_resumes_inside_the_compressed_file(ws) -> None:
    log = put(ws.root, "app.log", text=_line(1, "ERROR", "job 1 failed"))
    find_errors(ws, paths=["app.log"], new_only=True)
    with log.open("a") as handle:
        handle.write(_line(2, "ERROR", "job 2 failed"))
    with log.open("rb") as src, gzip.open(ws.root / "app.log.1.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    log.unlink()
    age(ws.root / "app.log.1.gz", 60)
    put(ws.root, "app.log", text=_line(3, "INFO", "fresh"))
    report = find_errors(ws, paths=["app.log"], new_only=True)
    assert [g.count for g in report.groups] == [1]
    assert report.groups[0].first_seen.minute == 2  # type: ignore[union-attr]


def test_copy_truncate_reads_the_rewritten_file_from_its_start(ws) -> None:
    log = put(ws.root, "app.log", "python.log")
    assert find_errors(ws, paths=["app.log"], new_only=True).errors == 4
    # copy-truncate: the content is copied away, the file truncated in place and
    # written again, here with fewer bytes than before and then with more.
    shutil.copy(log, ws.root / "app.log.1")
    age(ws.root / "app.log.1", 60)
    with log.open("r+") as handle:
        handle.truncate(0)
    with log.open("a") as handle:
        handle.write(_line(40, "ERROR", "disk 3 full"))
    report = find_errors(ws, paths=["app.log"], new_only=True)
    assert [(g.shape, g.count) for g in report.groups] == [("app: disk <num> full", 1)]
    with log.open("r+") as handle:  # truncated and rewritten past the old position
        handle.truncate(0)
    big = "".join(_line(i % 60, "ERROR", f"disk {i} full") for i in range(400))
    log.write_text(big)
    report = find_errors(ws, paths=["app.log"], new_only=True)
    assert [(g.shape, g.count) for g in report.groups] == [("app: disk <num> full", 400)]
    assert report.files[-1].start == 0


def test_rewritten_in_place_without_a_copy_is_read_again(ws) -> None:
    log = put(ws.root, "app.log", text=_line(1, "ERROR", "a 1") * 50)
    find_errors(ws, paths=["app.log"], new_only=True)
    log.write_text(_line(2, "ERROR", "b 2") * 80)  # same inode, new content
    report = find_errors(ws, paths=["app.log"], new_only=True)
    assert [(g.shape, g.count) for g in report.groups] == [("app: b <num>", 80)]
    assert "truncated or replaced" in (report.files[0].note or "")


def test_cursors_are_stored_per_consumer_and_can_be_forgotten(ws) -> None:
    put(ws.root, "app.log", "python.log")
    find_errors(ws, paths=["app.log"], new_only=True, consumer="checks")
    [cursor] = load_cursors(ws.store, "checks").values()
    assert cursor.source == "app.log"
    assert cursor.position == (FIXTURES / "python.log").stat().st_size
    assert cursor.line == 30  # the next line to read: the fixture has 29
    assert load_cursors(ws.store, "cli") == {}
    assert forget_cursors(ws.store, "checks") == 1
    assert find_errors(ws, paths=["app.log"], new_only=True, consumer="checks").errors == 4
