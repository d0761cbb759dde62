"""Test runs and each test's outcome in them.

``test run`` records every run of the project's test command: when, on which
commit and work tree (``tree`` is the content hash of the work tree, so two
runs on the same code compare even when it is uncommitted), the command, its
exit code and status, and the counts the runner itself reported. Per-test
outcomes (from pytest's JUnit XML) go to ``test_results``: ``test flaky``
looks for a test that passed and failed on the same code. ``session_id``
links a run to the agent session that asked for it (``session end
--run-tests``); it is not a foreign key so a run survives its session's
deletion.
"""

SQL = """
CREATE TABLE test_runs (
    id {identity},
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_s DOUBLE PRECISION,
    command TEXT NOT NULL,
    cwd TEXT NOT NULL,
    runner TEXT,
    commit_sha TEXT,
    tree TEXT,
    dirty INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER,
    status TEXT NOT NULL
        CHECK (status IN ('running', 'passed', 'failed', 'error', 'timeout', 'not_found')),
    passed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    xfailed INTEGER NOT NULL DEFAULT 0,
    xpassed INTEGER NOT NULL DEFAULT 0,
    summary TEXT,
    message TEXT,
    output_tail TEXT,
    session_id TEXT
);
CREATE INDEX test_runs_started ON test_runs (started_at);
CREATE INDEX test_runs_session ON test_runs (session_id);

CREATE TABLE test_results (
    run_id BIGINT NOT NULL REFERENCES test_runs (id) ON DELETE CASCADE,
    test TEXT NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome IN ('passed', 'failed', 'error', 'skipped', 'xfailed', 'xpassed')),
    duration_s DOUBLE PRECISION,
    message TEXT,
    PRIMARY KEY (run_id, test)
);
CREATE INDEX test_results_test ON test_results (test, outcome);
"""
