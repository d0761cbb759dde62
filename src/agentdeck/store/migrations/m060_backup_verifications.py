"""Backup verification history: when each backup was last verified, and the outcome.

Backups themselves are listed from their destination (the manifests are the
truth and travel with the backups); only what this workspace learned by
verifying them lives here, so ``status``, ``health`` and ``diagnose`` can say
when a backup was last proven restorable without reading it again. One row per
verify run; ``ok`` is 0/1 on both databases.
"""

SQL = """
CREATE TABLE backup_verifications (
    num {identity},
    backup_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    verified_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    sample_pct REAL,
    entries_checked INTEGER NOT NULL,
    bytes_checked INTEGER NOT NULL,
    problem TEXT
);
CREATE INDEX backup_verifications_backup ON backup_verifications (backup_id, verified_at);
CREATE INDEX backup_verifications_at ON backup_verifications (verified_at);
"""
