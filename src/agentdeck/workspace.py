"""Find the workspace, load its config, open its store.

A workspace is a folder holding ``agentdeck.toml`` and/or ``.agentdeck/`` (the
state folder: the SQLite database, caches). Commands find it like git finds a
repository: walking up from the current folder. ``--workspace DIR`` and
``AGENTDECK_WORKSPACE`` override the walk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from agentdeck import config as config_module
from agentdeck.config import CONFIG_FILE, Config
from agentdeck.errors import InvalidInput, NoWorkspace
from agentdeck.store import Store, open_store

STATE_DIR = ".agentdeck"
DATABASE_FILE = "deck.db"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that is a workspace."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / STATE_DIR).is_dir():
            return folder
    return None


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (folder or worktree file)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


@dataclass
class Workspace:
    """An open workspace. ``store`` opens (and upgrades) the database on first use."""

    root: Path
    config: Config
    _store: Store | None = field(default=None, repr=False)

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def database_url(self) -> str:
        """``AGENTDECK_DATABASE_URL``, else ``[database] url``, else empty (SQLite default)."""
        return os.environ.get("AGENTDECK_DATABASE_URL") or self.config.get("database", "url")

    @property
    def store(self) -> Store:
        if self._store is None:
            from agentdeck.store.migrate import ensure_current

            self.state_dir.mkdir(exist_ok=True)
            store = open_store(
                self.database_url,
                default_path=self.state_dir / DATABASE_FILE,
                busy_timeout_ms=self.config.get("database", "busy_timeout_ms"),
            )
            try:
                ensure_current(store)
            except BaseException:
                store.close()
                raise
            self._store = store
        return self._store

    def open_store_unchecked(self) -> Store:
        """The store without the schema check (for ``migrate status``)."""
        return open_store(
            self.database_url,
            default_path=self.state_dir / DATABASE_FILE,
            busy_timeout_ms=self.config.get("database", "busy_timeout_ms"),
        )

    def path(self, relative: str) -> Path:
        """A configured path (e.g. ``[notes] history``) resolved against the root."""
        return (self.root / relative).resolve()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def open_workspace(
    explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None
) -> Workspace:
    """Open the workspace named by ``explicit``, ``AGENTDECK_WORKSPACE``, or found walking up.

    Raises ``NoWorkspace`` saying how to create one, or ``ConfigError``.
    """
    named = explicit or os.environ.get("AGENTDECK_WORKSPACE")
    if named:
        root = Path(named).expanduser().resolve()
        if not root.is_dir():
            raise NoWorkspace(f"workspace folder {root} does not exist")
        if find_root(root) != root:
            raise NoWorkspace(
                f"{root} is not an agentdeck workspace",
                hint=f"create one with `agentdeck init {root}`",
            )
    else:
        here = cwd or Path.cwd()
        found = find_root(here)
        if found is None:
            raise NoWorkspace(
                f"no agentdeck workspace in {here} or any folder above it",
                hint="create one with `agentdeck init` at your repository's root",
            )
        root = found
    return Workspace(root, config_module.load(root / CONFIG_FILE))


@dataclass
class InitResult:
    """What ``init_workspace`` created."""

    root: Path
    config_written: bool
    database: str
    migrations: list[str]


def init_workspace(target: Path | None = None, *, force: bool = False) -> InitResult:
    """Create ``.agentdeck/`` and a commented ``agentdeck.toml``, then the database schema.

    The workspace goes at the root of the git repository holding ``target``
    (default: the current folder), or at ``target`` itself outside git. An
    existing ``agentdeck.toml`` is kept unless ``force``. Safe to run twice.
    """
    from agentdeck.fsutil import write_atomic

    start = (target or Path.cwd()).resolve()
    if target is not None and not start.exists():
        raise InvalidInput(f"{start} does not exist; create the folder first")
    root = repository_root(start) or start
    config_path = root / CONFIG_FILE
    config_written = False
    if force or not config_path.exists():
        write_atomic(config_path, config_module.render_default_file())
        config_written = True
    state = root / STATE_DIR
    state.mkdir(exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        # The database and caches are machine state, not source.
        write_atomic(ignore, "# agentdeck state: not for version control\n*\n")
    workspace = Workspace(root, config_module.load(config_path))
    from agentdeck.store.migrate import upgrade

    store = workspace.open_store_unchecked()
    try:
        ran = upgrade(store)
    finally:
        store.close()
    from agentdeck.store import redact_url

    url = workspace.database_url
    return InitResult(
        root, config_written, redact_url(url) if url else str(state / DATABASE_FILE), ran
    )
