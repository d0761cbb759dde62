"""Notes read ahead in worker processes import exactly as notes read in the importing process.

``import_notes(..., workers=N)`` reads the next files in worker processes
(``ahead.read_ahead``) while it writes the current one. These tests hold the
two ways equal on the seeds, the fixtures and generated documents: the same
results file by file (dry runs, with every session as parsed), and a store
filled one way is "already imported" the other way. A file a worker cannot
read is read by the importing process.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_import_property import document

from agentdeck.notes.importer import import_notes, parse_text
from agentdeck.notes.importer.ahead import (
    BATCH_BYTES,
    BATCH_FILES,
    IN_MEMORY_LIMIT,
    _batches,
    prepare,
    read_ahead,
)
from agentdeck.notes.importer.model import ParsedSession, decode_session, encode_session
from workspace_helpers import SEEDS

FIXTURES = Path(__file__).with_name("fixtures")


def notes_folder(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "notes"
    folder.mkdir()
    sources = sorted(FIXTURES.iterdir()) + (sorted(SEEDS.iterdir()) if SEEDS.is_dir() else [])
    for source in sources:
        (folder / source.name).write_bytes(source.read_bytes())
    for seed in range(40):
        (folder / f"generated_{seed:02d}.md").write_bytes(document(seed * 31 + 7))
    return sorted(folder.iterdir())


def test_workers_give_the_same_results(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = notes_folder(tmp_path)
    here = [r.to_dict() for r in import_notes(ws, paths, dry_run=True, keep_parsed=True)]
    ahead = [
        r.to_dict() for r in import_notes(ws, paths, dry_run=True, keep_parsed=True, workers=2)
    ]
    assert ahead == here
    assert any(r["sessions"]["created"] for r in here)

    stored = import_notes(ws, paths, workers=2)
    assert not any(r.status == "failed" for r in stored)
    assert sum(len(r.sessions_created) for r in stored) > 0
    again = import_notes(ws, paths)
    assert {r.status for r in again} <= {"unchanged", "skipped"}
    assert not any(r.sessions_created or r.tasks_created for r in again)


def _every_field(session: ParsedSession) -> dict[str, object]:
    return {
        f.name: getattr(session, f.name)
        if f.name not in ("entries", "files", "tasks", "new_tasks")
        else [x.to_dict() for x in getattr(session, f.name)]
        for f in dataclasses.fields(ParsedSession)
    }


def test_a_session_crosses_from_a_worker_whole(tmp_path: Path) -> None:
    # Every field of ParsedSession is carried: a new field must be added to
    # ``encode_session`` and ``decode_session`` (and here).
    scalars = "line end_line title objective when_text day start_time end_time duration_minutes"
    scalars += " duration_text branch agent label"
    lists = "metrics entries tasks files new_tasks"
    assert [f.name for f in dataclasses.fields(ParsedSession)] == f"{scalars} {lists}".split()
    sessions = [s for p in notes_folder(tmp_path) for s in parse_text(p.read_bytes()).sessions]
    assert any(s.tasks for s in sessions) and any(s.new_tasks for s in sessions)
    assert any(s.end_time for s in sessions) and any(s.metrics for s in sessions)
    for session in sessions:
        decoded = decode_session(encode_session(session))
        assert _every_field(decoded) == _every_field(session)
        assert (decoded.import_key(), decoded.digest()) == (session.import_key(), session.digest())


def test_prepare_reads_as_the_parser_does(tmp_path: Path) -> None:
    for path in notes_folder(tmp_path):
        prepared = prepare(str(path))
        note = parse_text(path.read_bytes(), name=path.name)
        assert prepared is not None
        assert prepared.plan == note.plan
        assert prepared.repair.to_dict() == note.repair.to_dict()
        assert [t.to_dict() for t in prepared.tasks] == [t.to_dict() for t in note.tasks]
        assert [(s.import_key(), s.digest()) for s in prepared.sessions] == [
            (s.import_key(), s.digest()) for s in note.sessions
        ]
        assert [s.load().to_dict() for s in prepared.sessions] == [
            s.to_dict() for s in note.sessions
        ]


def test_files_workers_do_not_read(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_bytes((FIXTURES / "sitzung_de.md").read_bytes())
    gone = tmp_path / "gone.md"
    big = tmp_path / "big.md"
    big.write_text("# Big\n")
    sizes = [good.stat().st_size, 100, IN_MEMORY_LIMIT + 1]
    readings = list(read_ahead([good, gone, big], sizes, 2))
    assert readings[0] is not None and len(readings[0].sessions) == 2
    assert readings[1] is None  # unreadable: the importing process reports it
    assert readings[2] is None  # too large to hold: streamed by the importing process
    assert prepare(str(gone)) is None


@pytest.mark.parametrize("workers", [0, 1])
def test_no_workers_reads_nothing_ahead(tmp_path: Path, workers: int) -> None:
    good = tmp_path / "good.md"
    good.write_bytes((FIXTURES / "sitzung_de.md").read_bytes())
    readings = list(read_ahead([good], [good.stat().st_size], workers))
    assert (readings[0] is None) == (workers == 0)


def test_batches_cover_every_file_once_in_order() -> None:
    held = [10, 20, 0, 5, *([1] * 70), BATCH_BYTES, 3, 0, 0, 7]
    batches = _batches(held)
    assert [i for first, end in batches for i in range(first, end)] == list(range(len(held)))
    for first, end in batches:
        if 0 in held[first:end]:
            assert end - first == 1  # a file not sent stands alone
        assert end - first <= BATCH_FILES
        assert sum(held[first : end - 1]) < BATCH_BYTES  # closed at the file that reached it
    assert _batches([]) == []


def test_sessions_whose_cut_keys_coincide_are_looked_up_one_by_one(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Two sessions with the same (long) ID: their keys differ only past the
    # 1,000 characters a key is cut to, so the second finds the first, written
    # just before it, as it always did.
    label = "SESSION-" + "A" * 1200
    note = tmp_path / "twice.md"
    note.write_text(
        f"# History\n\n## Session {label} 2025-12-03\n\n- did one thing\n\n"
        f"## Session {label} 2025-12-04\n\n- did another thing\n"
    )
    (result,) = import_notes(ws, [note])
    assert result.status == "imported", result.error
    assert len(result.sessions_created) == 1
    assert len(result.sessions_differ) == 1


def test_stored_sessions_are_found_by_the_file_query(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = notes_folder(tmp_path)
    first = import_notes(ws, paths)
    again = import_notes(ws, paths, workers=2)
    assert any(r.sessions_created for r in first)
    for before, after in zip(first, again, strict=True):
        assert sorted(after.sessions_unchanged) == sorted(
            before.sessions_created + before.sessions_unchanged
        )
        assert after.sessions_differ == before.sessions_differ
        assert not after.sessions_created


def test_the_fork_server_is_started_early_only_where_workers_can_run() -> None:
    # ``import DIR`` starts it before listing the notes (``ahead.start_early``);
    # on one CPU no worker is ever started, so neither is the server.
    import subprocess
    import sys

    script = (
        "from multiprocessing import forkserver\n"
        "from agentdeck.notes.importer import ahead\n"
        "ahead.usable_cpus = lambda: {cpus}\n"
        "ahead.start_early()\n"
        "print(forkserver._forkserver._forkserver_pid is not None)\n"
    )
    for cpus, started in ((1, "False"), (2, "True")):
        run = subprocess.run(
            [sys.executable, "-c", script.format(cpus=cpus)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert run.stdout.strip() == started, run.stderr
