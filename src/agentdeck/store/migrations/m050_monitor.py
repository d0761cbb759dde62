"""The monitor's history: rounds of checks, per-check alert state, incidents.

Why the shape: ``monitor_rounds`` and ``monitor_results`` are the bounded
history (``[monitor] keep_rounds`` / ``keep_days``; pruned by round number,
which is indexed, after every round). ``value`` keeps a check's numeric
reading (disk %, response ms) so ``monitor report`` can show trends; other
values are not kept. ``monitor_checks`` is the alert state machine of each
check, persisted so a restarted monitor neither re-alerts nor forgets an
ongoing incident. ``monitor_incidents`` records each confirmed bad spell with
its start (the first bad round), the alert time and its end. Numbers are
DOUBLE PRECISION: PostgreSQL's REAL is 4 bytes (24.2 would come back as
24.2000007629395); SQLite reads the name as its 8-byte REAL.
"""

SQL = """
CREATE TABLE monitor_rounds (
    num {identity},
    started_at TEXT NOT NULL,
    elapsed_ms DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,
    counts TEXT NOT NULL
);
CREATE INDEX monitor_rounds_started ON monitor_rounds (started_at);

CREATE TABLE monitor_results (
    round_num INTEGER NOT NULL REFERENCES monitor_rounds (num) ON DELETE CASCADE,
    check_name TEXT NOT NULL,
    status TEXT NOT NULL,
    value DOUBLE PRECISION,
    message TEXT NOT NULL,
    PRIMARY KEY (round_num, check_name)
);
CREATE INDEX monitor_results_check ON monitor_results (check_name, round_num);

CREATE TABLE monitor_checks (
    check_name TEXT PRIMARY KEY,
    confirmed TEXT NOT NULL,
    confirmed_since TEXT,
    candidate TEXT NOT NULL,
    candidate_count INTEGER NOT NULL,
    candidate_since TEXT,
    message TEXT NOT NULL DEFAULT '',
    last_sent_at TEXT,
    incident_num INTEGER
);

CREATE TABLE monitor_incidents (
    num {identity},
    check_name TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    alerted_at TEXT NOT NULL,
    ended_at TEXT,
    message TEXT NOT NULL,
    reminders INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX monitor_incidents_started ON monitor_incidents (started_at);
CREATE INDEX monitor_incidents_open ON monitor_incidents (ended_at);
"""
