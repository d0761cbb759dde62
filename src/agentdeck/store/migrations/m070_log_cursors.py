"""Where each reader of the logs stopped, per log source.

``logs errors --new`` and the ``logs`` check of ``diagnose`` (and so the
monitor) report only errors written since they last looked. A row per
(consumer, source) holds the file it stopped in, the byte position and line
there, and fingerprints of the file's first bytes and of the bytes before the
position, so rotation (rename or copy-truncate) and rewrites are recognised
(see ``agentdeck.ops.logs.files``). Positions are BIGINT: logs pass 2 GiB.
"""

SQL = """
CREATE TABLE log_cursors (
    consumer TEXT NOT NULL,
    source TEXT NOT NULL,
    file TEXT NOT NULL,
    inode BIGINT NOT NULL,
    mtime DOUBLE PRECISION NOT NULL,
    position BIGINT NOT NULL,
    line BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    head_len INTEGER NOT NULL,
    tail_hash TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (consumer, source)
);
"""
