"""Errors of the backup commands, each with its exit code (see the README, "Exit codes of `agentdeck backup`").

They subclass the shared ``AgentdeckError`` family so the CLI prints them as one
line and exits with their code; no new exit code is introduced:

* ``BackupDamaged`` / ``UnsafeArchive`` -> 1 (PROBLEM): verify found damage, or
  restore refused a damaged or hostile backup.
* ``WrongKey`` -> 2 (INVALID): the passphrase or key file does not open the backups.
* ``BackupNotFound`` / ``KeyFileMissing`` -> 3 (NOT_FOUND).
* ``BackupBusy`` / ``TargetExists`` -> 4 (CONFLICT).
* ``DestinationError`` -> 6 (STORE): the destination cannot be written or read
  (full, read-only, not a folder, S3 not answering); so do ``sources.DumpFailed``
  (pg_dump/pg_restore failed) and ``sources.SourceError`` (a file to back up
  cannot be read to the end).
"""

from __future__ import annotations

from agentdeck.errors import AgentdeckError, Conflict, ExitCode, InvalidInput, NotFound


class BackupDamaged(AgentdeckError):
    """A backup failed authentication or a checksum: tampered, truncated or corrupted."""

    exit_code = ExitCode.PROBLEM


class UnsafeArchive(AgentdeckError):
    """A backup holds entries that would leave the restore target (or device files)."""

    exit_code = ExitCode.PROBLEM


class WrongKey(InvalidInput):
    """The passphrase or key file does not open the backups."""


class NoKey(InvalidInput):
    """No passphrase or key file was given and none can be asked for."""


class KeyFileMissing(NotFound):
    """The configured key file does not exist or cannot be read."""


class BackupNotFound(NotFound):
    """No backup has this ID."""


class BackupBusy(Conflict):
    """Another process holds the destination's lock (a create or prune is running)."""


class TargetExists(Conflict):
    """The named restore target (a PostgreSQL database) already exists."""


class DestinationError(AgentdeckError):
    """The destination cannot be used: full, not writable, not a folder, unreachable."""

    exit_code = ExitCode.STORE
