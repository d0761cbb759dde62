"""The test runner: run the project's test command, record the run, keep history, spot flaky tests.

``run_tests`` runs the configured (or detected, see ``detect``) command in the
workspace root, streams its output, and records the run: when, how long, on
which commit and work tree, the exit code, a status, the counts the runner
itself printed, and each test's outcome from pytest's JUnit XML. A command
that does not exist is recorded as ``not_found``; one that runs past the
timeout is stopped (its whole process group) and recorded as ``timeout``.

A test is *flaky* when it both passed and failed (or errored) in runs on the
same code: the same commit and the same work-tree content (``tree``, a
content hash of the files, so uncommitted edits between runs do not count as
flakiness).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from agentdeck import clock
from agentdeck.errors import NotFound
from agentdeck.ops.testrun.detect import TestCommand, detect_command
from agentdeck.ops.testrun.parse import (
    COUNT_KEYS,
    Summary,
    SummaryReader,
    TestResult,
    counts_of,
    parse_junit,
)

if TYPE_CHECKING:
    from agentdeck.store import Store
    from agentdeck.workspace import Workspace

__all__ = [
    "FlakyTest",
    "TestResult",
    "TestRun",
    "detect_command",
    "flaky_tests",
    "get_run",
    "history",
    "last_run",
    "run_tests",
]

STATUSES = ("passed", "failed", "error", "timeout", "not_found")
_TAIL_LINES = 200


@dataclass
class TestRun:
    """One recorded run of the test command. ``to_dict()`` is its JSON shape."""

    id: int | None
    started_at: str
    finished_at: str | None
    duration_s: float | None
    command: list[str]
    commit: str | None
    exit_code: int | None
    status: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0
    xfailed: int = 0
    xpassed: int = 0
    session_id: str | None = None
    cwd: str = ""
    runner: str | None = None
    tree: str | None = None
    dirty: bool = False
    summary: str | None = None
    message: str | None = None
    output_tail: str = ""
    results: list[TestResult] = field(default_factory=list)

    __test__ = False

    @property
    def total(self) -> int:
        return sum(getattr(self, key) for key in COUNT_KEYS)

    def to_dict(self, *, results: bool = False, output: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": self.duration_s,
            "command": list(self.command),
            "cwd": self.cwd,
            "runner": self.runner,
            "commit": self.commit,
            "tree": self.tree,
            "dirty": self.dirty,
            "exit_code": self.exit_code,
            "status": self.status,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "errors": self.errors,
            "xfailed": self.xfailed,
            "xpassed": self.xpassed,
            "total": self.total,
            "summary": self.summary,
            "message": self.message,
            "session_id": self.session_id,
        }
        if results:
            data["results"] = [r.to_dict() for r in self.results]
        if output:
            data["output_tail"] = self.output_tail
        return data


def _git_state(root: Path) -> tuple[str | None, str | None, bool]:
    """(HEAD commit, work-tree hash, dirty) or Nones outside git."""
    from agentdeck import vcs

    try:
        if not vcs.is_repository(root):
            return None, None, False
        commit = vcs.head(root)
        tree = vcs.worktree_tree(root)
        head_tree = (
            vcs.run_git(root, "rev-parse", f"{commit}^{{tree}}", check=False).strip()
            if commit
            else None
        )
    except vcs.GitError:
        return None, None, False
    return commit, tree, bool(tree and tree != head_tree)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the command and everything it started (its process group)."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_tests(
    ws: Workspace,
    extra_args: Sequence[str] = (),
    *,
    stream: TextIO | None = None,
    session_id: str | None = None,
    timeout: float | None = None,
    command: str | list[str] | None = None,
) -> TestRun:
    """Run the project's tests and record the run; return it.

    ``extra_args`` are appended to the command. ``stream`` receives the
    output as it comes (None: quiet). ``session_id`` links the run to an agent
    session. ``timeout`` (seconds) defaults to ``[tests] timeout``;
    ``command`` overrides ``[tests] command``. Raises ``NotFound`` only when
    no command is configured or detected; a command that is missing, fails or
    hangs is a recorded run with that status.
    """
    settings = ws.config.section("tests")
    chosen: TestCommand = detect_command(ws.root, command or settings["command"])
    argv = [*chosen.argv, *extra_args]
    limit = float(timeout if timeout is not None else settings["timeout"])
    commit, tree, dirty = _git_state(ws.root)
    run = TestRun(
        id=None,
        started_at=clock.now_text(),
        finished_at=None,
        duration_s=None,
        command=argv,
        commit=commit,
        exit_code=None,
        status="error",
        session_id=session_id,
        cwd=str(ws.root),
        runner=chosen.runner,
        tree=tree,
        dirty=dirty,
    )
    with tempfile.TemporaryDirectory(prefix="agentdeck-tests-") as scratch:
        junit = Path(scratch) / "junit.xml"
        full = list(argv)
        if chosen.runner == "pytest" and settings["junit"]:
            full += [f"--junitxml={junit}", "-o", "junit_family=xunit1"]
        summary = _execute(run, full, ws.root, limit, stream)
        results = parse_junit(junit) if junit.exists() else []
    run.results = results
    # The runner's own summary line is the truth for counts; JUnit when there is none.
    counts = summary.counts if summary.counts else counts_of(results) if results else {}
    for key in COUNT_KEYS:
        setattr(run, key, counts.get(key, 0))
    run.summary = summary.line
    if run.runner is None and summary.runner:
        run.runner = summary.runner
    run.status = _status(run)
    run.id = _record(ws.store, run)
    return run


def _execute(
    run: TestRun, argv: list[str], cwd: Path, limit: float, stream: TextIO | None
) -> Summary:
    reader = SummaryReader()
    tail: deque[str] = deque(maxlen=_TAIL_LINES)
    began = time.monotonic()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except FileNotFoundError:
        run.status, run.message = "not_found", f"command not found: {argv[0]}"
        run.exit_code = 127
    except PermissionError:
        run.status, run.message = "not_found", f"command not executable: {argv[0]}"
        run.exit_code = 126
    else:
        go = run.runner == "go"

        def pump() -> None:
            assert proc.stdout is not None
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace")
                tail.append(line.rstrip("\n"))
                reader.feed(line)
                if go:
                    reader.feed_go(line)
                if stream is not None:
                    with contextlib.suppress(OSError, ValueError):
                        stream.write(line)
                        stream.flush()

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        try:
            run.exit_code = proc.wait(limit)
        except subprocess.TimeoutExpired:
            _stop(proc)
            run.status = "timeout"
            run.message = f"stopped after {limit:g} s ([tests] timeout or --timeout)"
            run.exit_code = proc.returncode
        except BaseException:
            _stop(proc)  # Ctrl-C: never leave the tests running
            raise
        thread.join(10)
    run.finished_at = clock.now_text()
    run.duration_s = round(time.monotonic() - began, 3)
    run.output_tail = "\n".join(tail)
    return reader.summary


def _status(run: TestRun) -> str:
    if run.status in ("timeout", "not_found"):
        return run.status
    if run.exit_code == 0:
        return "passed"
    if run.failed or run.errors:
        return "failed"
    if run.message is None:
        run.message = f"the test command exited {run.exit_code} without failing tests"
    return "error"


_COLUMNS = (
    "id, started_at, finished_at, duration_s, command, cwd, runner, commit_sha, tree, dirty,"
    " exit_code, status, passed, failed, skipped, errors, xfailed, xpassed, summary, message,"
    " output_tail, session_id"
)


def _record(store: Store, run: TestRun) -> int:
    with store.transaction():
        values = (
            run.started_at,
            run.finished_at,
            run.duration_s,
            json.dumps(run.command),
            run.cwd,
            run.runner,
            run.commit,
            run.tree,
            int(run.dirty),
            run.exit_code,
            run.status,
            run.passed,
            run.failed,
            run.skipped,
            run.errors,
            run.xfailed,
            run.xpassed,
            run.summary,
            run.message,
            run.output_tail,
            run.session_id,
        )
        names = _COLUMNS.split(", ", 1)[1]
        marks = ", ".join("?" * len(values))
        sql = f"INSERT INTO test_runs ({names}) VALUES ({marks})"
        if store.dialect.is_postgres:
            run_id = int(store.query_value(sql + " RETURNING id", values))
        else:
            store.execute(sql, values)
            run_id = int(store.query_value("SELECT last_insert_rowid()"))
        if run.results:
            store.executemany(
                "INSERT INTO test_results (run_id, test, outcome, duration_s, message)"
                " VALUES (?, ?, ?, ?, ?)",
                [(run_id, r.test, r.outcome, r.duration_s, r.message) for r in run.results],
            )
    return run_id


def _from_row(row: Any) -> TestRun:
    return TestRun(
        id=int(row["id"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        duration_s=row["duration_s"],
        command=json.loads(row["command"]),
        commit=row["commit_sha"],
        exit_code=row["exit_code"],
        status=row["status"],
        passed=row["passed"],
        failed=row["failed"],
        skipped=row["skipped"],
        errors=row["errors"],
        xfailed=row["xfailed"],
        xpassed=row["xpassed"],
        session_id=row["session_id"],
        cwd=row["cwd"],
        runner=row["runner"],
        tree=row["tree"],
        dirty=bool(row["dirty"]),
        summary=row["summary"],
        message=row["message"],
        output_tail=row["output_tail"] or "",
    )


def last_run(store: Store) -> TestRun | None:
    """The most recent finished run, or None when no run was recorded."""
    row = store.query_one(
        f"SELECT {_COLUMNS} FROM test_runs WHERE status <> 'running' ORDER BY id DESC LIMIT 1"
    )
    return _from_row(row) if row else None


def history(store: Store, limit: int = 20, session_id: str | None = None) -> list[TestRun]:
    """Recorded runs, newest first."""
    if session_id is not None:
        rows = store.query(
            f"SELECT {_COLUMNS} FROM test_runs WHERE session_id = ? ORDER BY id DESC LIMIT ?",
            (session_id, limit),
        )
    else:
        rows = store.query(f"SELECT {_COLUMNS} FROM test_runs ORDER BY id DESC LIMIT ?", (limit,))
    return [_from_row(row) for row in rows]


def get_run(store: Store, run_id: int | None = None) -> TestRun:
    """One run with its per-test results (the last one when ``run_id`` is None)."""
    if run_id is None:
        found = last_run(store)
        if found is None:
            raise NotFound("no test run recorded yet", hint="run `agentdeck test run`")
    else:
        row = store.query_one(f"SELECT {_COLUMNS} FROM test_runs WHERE id = ?", (run_id,))
        if row is None:
            raise NotFound(f"no test run #{run_id}", hint="see `agentdeck test history`")
        found = _from_row(row)
    rows = store.query(
        "SELECT test, outcome, duration_s, message FROM test_results WHERE run_id = ? ORDER BY test",
        (found.id,),
    )
    found.results = [
        TestResult(r["test"], r["outcome"], r["duration_s"], r["message"]) for r in rows
    ]
    return found


@dataclass
class FlakyTest:
    """A test that passed and failed on the same code."""

    test: str
    commit: str | None
    tree: str | None
    passes: int
    failures: int
    runs: list[int]
    first_seen: str
    last_seen: str

    __test__ = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "commit": self.commit,
            "tree": self.tree,
            "passes": self.passes,
            "failures": self.failures,
            "runs": self.runs,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


def flaky_tests(store: Store) -> list[FlakyTest]:
    """Tests that both passed and failed (or errored) on the same commit and work tree.

    Newest first. Runs outside git (no commit, no tree) cannot be compared and
    are left out.
    """
    rows = store.query(
        "SELECT r.test, t.commit_sha, t.tree, t.id, t.started_at, r.outcome"
        " FROM test_results r JOIN test_runs t ON t.id = r.run_id"
        " WHERE (t.tree IS NOT NULL OR t.commit_sha IS NOT NULL)"
        " AND r.outcome IN ('passed', 'failed', 'error')"
        " ORDER BY t.id"
    )
    groups: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
    for row in rows:
        key = (row["test"], row["commit_sha"], row["tree"])
        group = groups.setdefault(
            key, {"passes": 0, "failures": 0, "runs": [], "first": row["started_at"]}
        )
        if row["outcome"] == "passed":
            group["passes"] += 1
        else:
            group["failures"] += 1
        group["runs"].append(int(row["id"]))
        group["last"] = row["started_at"]
    found = [
        FlakyTest(test, commit, tree, g["passes"], g["failures"], g["runs"], g["first"], g["last"])
        for (test, commit, tree), g in groups.items()
        if g["passes"] and g["failures"]
    ]
    found.sort(key=lambda f: (f.last_seen, f.test), reverse=True)
    return found
