"""Bad input: binary garbage, huge lines, unreadable files, globs matching nothing.

Nothing crashes, every problem gets a clear message, memory stays bounded.

Unreadable files while running as root (as CI does): ``chmod 000`` does not
stop root, so these tests use ways that fail for root too: a FIFO (never
opened: opening one would wait for a writer), a symlink loop (``stat`` fails
with ELOOP), a symlink to ``/proc/self/mem`` (``open`` works, ``read`` fails
with EIO), and a forked child that drops to ``nobody`` before reading a
``chmod 000`` file (a real EACCES).
"""

from __future__ import annotations

import json
import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from logkit import put

from agentdeck.errors import NotFound
from agentdeck.ops.logs import find_errors, search
from agentdeck.ops.logs.scan import BLOCK, MAX_LINE

ERROR_LINE = "2026-11-20 10:00:00,000 ERROR app: disk 1 full\n"
HEADER = "2026-11-20 09:59:00,000 INFO app: start\n"


def test_binary_file_is_skipped_with_a_note(logws) -> None:
    (logws.root / "core.log").write_bytes(os.urandom(200_000) + b"\x00" * 1000)
    put(logws.root, "app.log", text=ERROR_LINE)
    report = find_errors(logws, paths=["*.log"])
    binary = next(f for f in report.files if f.path == "core.log")
    assert (binary.status, binary.note) == ("binary", "not a text log (binary content): skipped")
    assert report.errors == 1


def test_garbage_in_the_middle_of_a_text_log_is_survived(logws) -> None:
    garbage = bytes(b for b in range(256) if b != 10) * 4000  # 1 MB, NULs, no newline
    log = logws.root / "app.log"
    log.write_bytes(HEADER.encode() * 300 + garbage + b"\n" + ERROR_LINE.encode() + b"\x00" * 5000)
    report = find_errors(logws, paths=["app.log"])
    assert report.files[0].status == "read"
    assert [(g.shape, g.count) for g in report.groups] == [("app: disk <num> full", 1)]


def test_a_10_mb_line_without_newline_is_cut_and_memory_stays_bounded(logws) -> None:
    log = logws.root / "app.log"
    with log.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.write(b"2026-11-20 10:00:01,000 ERROR app: huge payload " + b"x" * (10 << 20))
        handle.write(b"\n" + ERROR_LINE.encode())
        handle.write(b"y" * (10 << 20))  # and one more at the very end, no newline at all
    tracemalloc.start()
    try:
        report = find_errors(logws, paths=["app.log"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A block, one carried line at most, and the cut line: never the 20 MB.
    assert peak < 3 * BLOCK + 2 * MAX_LINE
    file = report.files[0]
    assert file.long_lines == 2
    assert file.lines is None  # logs errors counts lines only for its examples
    disk = next(g for g in report.groups if g.shape == "app: disk <num> full")
    assert disk.example is not None and disk.example.line == 3
    [found] = search(logws, "disk", paths=["app.log"]).events  # search counts every line
    assert found.line == 3
    assert "longer than 1 MiB" in (file.note or "")
    assert sorted(g.count for g in report.groups) == [1, 1]
    assert any(g.shape == "app: disk <num> full" for g in report.groups)
    assert report.errors == 2
    huge = next(g for g in report.groups if g.shape.startswith("app: huge"))
    assert huge.example is not None and len(huge.example.text) < 5000


def test_a_fifo_is_reported_and_never_opened(logws) -> None:
    os.mkfifo(logws.root / "pipe.log")
    put(logws.root, "app.log", text=ERROR_LINE)
    report = find_errors(logws, paths=["*.log"])  # would hang if the FIFO were opened
    assert [p.to_dict() for p in report.problems] == [
        {"path": "pipe.log", "message": "skipped: a FIFO, not a log file"}
    ]
    assert report.errors == 1


def test_a_file_whose_read_fails_is_reported(logws) -> None:
    (logws.root / "mem.log").symlink_to("/proc/self/mem")  # open works, read gives EIO
    (logws.root / "loop.log").symlink_to("loop.log")  # stat fails: ELOOP
    put(logws.root, "app.log", text=ERROR_LINE)
    report = find_errors(logws, paths=["*.log"])
    mem = next(f for f in report.files if f.path == "mem.log")
    assert (mem.status, mem.note) == ("error", "cannot read: Input/output error")
    assert [p.to_dict() for p in report.problems] == [
        {"path": "loop.log", "message": "cannot read: Too many levels of symbolic links"}
    ]
    assert report.errors == 1


def test_only_unreadable_files_is_a_clear_not_found(logws) -> None:
    os.mkfifo(logws.root / "pipe.log")
    with pytest.raises(NotFound, match=r"no readable log file: pipe\.log: skipped: a FIFO"):
        find_errors(logws, paths=["*.log"])


def test_permission_denied_for_a_real_user(tmp_path: Path) -> None:
    """chmod 000 read by an unprivileged process (a forked child drops to nobody as root)."""
    from agentdeck import config
    from agentdeck.workspace import Workspace

    root = Path(tempfile.mkdtemp(prefix="agentdeck-perm-"))
    try:
        os.chmod(root, 0o755)
        (root / "secret.log").write_text(ERROR_LINE)
        os.chmod(root / "secret.log", 0o000)
        (root / "app.log").write_text(ERROR_LINE)
        os.chmod(root / "app.log", 0o644)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: drop privileges, read, report through the pipe
            try:
                if os.geteuid() == 0:
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                ws = Workspace(root, config.defaults())
                report = find_errors(ws, paths=["*.log"])
                out = json.dumps(
                    {"files": [f.to_dict() for f in report.files], "errors": report.errors}
                )
            except BaseException as err:  # reported to the parent, which fails the test
                out = json.dumps({"crash": repr(err)})
            os.write(writer, out.encode())
            os._exit(0)
        os.close(writer)
        data = b""
        while chunk := os.read(reader, 65536):
            data += chunk
        os.waitpid(pid, 0)
        result = json.loads(data)
        assert "crash" not in result, result
        secret = next(f for f in result["files"] if f["path"] == "secret.log")
        assert (secret["status"], secret["note"]) == ("error", "cannot read: Permission denied")
        assert result["errors"] == 1
    finally:
        os.chmod(root / "secret.log", 0o644)
        for child in root.iterdir():
            child.unlink()
        root.rmdir()


def test_a_glob_matching_nothing(logws) -> None:
    with pytest.raises(NotFound) as raised:
        find_errors(logws, paths=["logs/*.log", "nothing-*.txt"])
    assert str(raised.value) == (
        "no log files match logs/*.log, nothing-*.txt; "
        "set [logs] paths in agentdeck.toml or pass --path GLOB"
    )
    put(logws.root, "app.log", text=ERROR_LINE)
    report = find_errors(logws, paths=["app.log", "nothing-*.txt"])
    assert report.unmatched == ["nothing-*.txt"]
    assert report.errors == 1


def test_empty_file_and_search_on_garbage(logws) -> None:
    put(logws.root, "empty.log", text="")
    (logws.root / "bin.log").write_bytes(b"\x00\x01\x02" * 1000)
    report = find_errors(logws, paths=["*.log"])
    assert report.groups == []
    assert {f.path: f.status for f in report.files} == {"bin.log": "binary", "empty.log": "read"}
    assert search(logws, "anything", paths=["*.log"]).events == []
