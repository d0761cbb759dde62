"""Errors and exit codes.

Exit codes are API: agents branch on them. Every error a user can cause is an
``AgentdeckError`` subclass that carries its exit code; the CLI prints its
message as one line on stderr and exits with that code. Anything else is a bug
and exits with ``ExitCode.INTERNAL``.

The table is mirrored in the README; ``tests/test_exit_codes.py`` reaches each one.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes shared by every command."""

    OK = 0
    #: The command ran and found a problem: ``verify`` found contradicted claims,
    #: ``health``/``diagnose`` found a WARNING.
    PROBLEM = 1
    #: Invalid input: a bad option or value. (``health``/``diagnose``: CRITICAL.)
    INVALID = 2
    #: Something named does not exist: a task, a session, a workspace; ``next``
    #: found no ready task. (``health``/``diagnose``: UNKNOWN.)
    NOT_FOUND = 3
    #: The request conflicts with the stored state: a task already claimed, a
    #: dependency cycle, an import that differs from what is stored.
    CONFLICT = 4
    #: ``agentdeck.toml`` is malformed or holds an unknown key or a bad value.
    CONFIG = 5
    #: The database cannot be used: it does not answer, or its schema is newer
    #: than this version of agentdeck.
    STORE = 6
    #: A bug in agentdeck. Rerun with ``AGENTDECK_DEBUG=1`` for the traceback.
    INTERNAL = 70
    #: Interrupted by Ctrl-C.
    INTERRUPTED = 130


class AgentdeckError(Exception):
    """Base of every error a user can cause; ``str(err)`` is the one-line message."""

    exit_code: ExitCode = ExitCode.INVALID

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message


class InvalidInput(AgentdeckError):
    """A value given by the user is not acceptable."""

    exit_code = ExitCode.INVALID


class NotFound(AgentdeckError):
    """A named thing (task, session, workspace, backup) does not exist."""

    exit_code = ExitCode.NOT_FOUND


class Conflict(AgentdeckError):
    """The request conflicts with the current stored state."""

    exit_code = ExitCode.CONFLICT


class ConfigError(AgentdeckError):
    """``agentdeck.toml`` cannot be used. The message names file, line and key."""

    exit_code = ExitCode.CONFIG


class StoreError(AgentdeckError):
    """The database does not answer, is locked for too long, or has a newer schema."""

    exit_code = ExitCode.STORE


class CannotWrite(AgentdeckError):
    """A file agentdeck must write (a note, an export, its config) cannot be written:
    the folder is missing and cannot be made, is read-only, or the disk is full."""

    exit_code = ExitCode.STORE


class NoWorkspace(NotFound):
    """No workspace was found walking up from the current folder."""
