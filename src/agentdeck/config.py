"""Typed configuration from ``agentdeck.toml``.

The schema below is the single source of truth: it validates the file, fills
defaults, names the file, line and key of any mistake, and renders the
commented ``agentdeck.toml`` that ``agentdeck init`` writes (so the file always
documents every key with its default).

A section is a TOML table (``[backlog]``), a nested table (``[backlog.urgency]``),
an open table whose keys are user-chosen (``[prices]``), or an array of tables
(``[[services]]``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentdeck.errors import ConfigError

CONFIG_FILE = "agentdeck.toml"


@dataclass(frozen=True)
class Key:
    """One configuration key: its type, default, one-line doc and limits."""

    type: type | tuple[type, ...]
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    #: For ``list`` keys: the type of each item.
    item: type | None = None


@dataclass(frozen=True)
class Section:
    """A table of the config file."""

    doc: str
    keys: dict[str, Key] = field(default_factory=dict)
    #: When set, any key is accepted and checked against this (``[prices]``).
    open_keys: Key | None = None
    #: ``[[name]]``: an array of tables, each checked against ``keys``.
    array: bool = False
    #: Keys of ``keys`` that every array item must have.
    required: tuple[str, ...] = ()
    #: Example shown commented-out in the generated file, for arrays and open tables.
    example: str = ""


_PRIORITIES = ("critical", "high", "medium", "low")

SCHEMA: dict[str, Section] = {
    "database": Section(
        "Where agentdeck keeps its records. Empty url: SQLite at .agentdeck/deck.db.",
        {
            "url": Key(
                str,
                "",
                "sqlite:///path/to.db or postgresql://user@host/db; AGENTDECK_DATABASE_URL overrides",
            ),
            "busy_timeout_ms": Key(
                int, 30000, "how long a SQLite writer waits for another one", minimum=0
            ),
        },
    ),
    "backlog": Section(
        "The task backlog.",
        {
            "default_priority": Key(
                str, "medium", "priority of a task added without one", choices=_PRIORITIES
            ),
            "archive_after_days": Key(
                int, 7, "archive moves finished tasks older than this by default", minimum=0
            ),
        },
    ),
    "backlog.urgency": Section(
        "How `next` scores ready tasks (see `agentdeck next --explain`).",
        {
            "critical": Key(float, 10.0, "points for a critical task", minimum=0),
            "high": Key(float, 6.0, "points for a high-priority task", minimum=0),
            "medium": Key(float, 3.0, "points for a medium-priority task", minimum=0),
            "low": Key(float, 1.0, "points for a low-priority task", minimum=0),
            "age_weight": Key(
                float, 2.0, "points a task gains by reaching age_days old", minimum=0
            ),
            "age_days": Key(float, 30.0, "age at which the age points are full", minimum=0.001),
            "unblock_weight": Key(
                float, 1.0, "points per open task waiting on this one", minimum=0
            ),
            "unblock_cap": Key(int, 5, "at most this many waiting tasks are counted", minimum=0),
        },
    ),
    "notes": Section(
        "Where rendered notes are written, relative to the workspace root.",
        {
            "todo": Key(str, "TODO.md", "the markdown backlog written by `export --format md`"),
            "task_index": Key(str, "TASK_INDEX.md", "archive of finished tasks"),
            "history": Key(str, "SESSION_HISTORY.md", "session history, newest first"),
            "current_work": Key(str, "CURRENT_WORK.md", "the hand-off for the next session"),
            "sessions_dir": Key(str, "docs/sessions", "one report per session"),
        },
    ),
    "sessions": Section(
        "Work sessions (`agentdeck session ...`) and the hand-off.",
        {
            "read_transcripts": Key(
                bool, True, "read token usage from the agent's transcripts at `session end`"
            ),
            "claude_config_dir": Key(
                str, "", "Claude Code's folder; empty: CLAUDE_CONFIG_DIR, else ~/.claude"
            ),
            "codex_home": Key(str, "", "Codex CLI's folder; empty: CODEX_HOME, else ~/.codex"),
            "count_sidechains": Key(
                bool, False, "count Claude Code sidechain (sub-agent replay) messages too"
            ),
            "report_files": Key(
                int, 200, "at most this many files listed in a session report (0: all)", minimum=0
            ),
            "handoff_tasks": Key(int, 5, "how many next ready tasks the hand-off lists", minimum=0),
            "handoff_sessions": Key(
                int, 3, "decisions of this many recent sessions go into the hand-off", minimum=1
            ),
        },
    ),
    "evidence": Section(
        "How `session end` measures files.",
        {
            "rename_detection": Key(
                bool, True, "follow renamed files (git -M) instead of a delete plus a create"
            ),
            "commit_stats_limit": Key(
                int,
                100,
                "per-commit line counts only for sessions of at most this many commits",
                minimum=0,
            ),
        },
    ),
    "evidence.categories": Section(
        "File categories by path glob, checked before the built-in rules (first match wins).",
        open_keys=Key(list, [], "globs of the category", item=str),
        example='tests = ["spec/**", "**/*_check.py"]\ndata = ["fixtures/**"]',
    ),
    "evidence.languages": Section(
        "Languages by file extension, checked before the built-in table.",
        open_keys=Key(str, "", "language name"),
        example='".vue" = "Vue"\n".tpl" = "Smarty"',
    ),
    "prices": Section(
        "Model prices in US dollars per million tokens; override or add to the built-in table.",
        open_keys=Key(dict, {}, "input, output, cache_read, cache_write"),
        example='"claude-sonnet-4-5" = { input = 3.0, output = 15.0, cache_read = 0.3, cache_write = 3.75 }',
    ),
    "logs": Section(
        "Log files read by `logs` and by diagnose (rotated .1/.gz siblings are read too).",
        {
            "paths": Key(
                list,
                ["*.log", "logs/*.log", "log/*.log"],
                "globs of log files, relative to the workspace root",
                item=str,
            ),
            "level": Key(
                str,
                "warning",
                "lowest level `logs errors` reports",
                choices=("debug", "info", "warning", "error", "critical"),
            ),
        },
    ),
    "tests": Section(
        "The project's test command (`test run`, `session end --run-tests`, diagnose).",
        {
            "command": Key(
                (str, list),
                "",
                "the command; empty: detected (pytest, or what the project declares)",
            ),
            "timeout": Key(
                float, 1800.0, "seconds before a run is stopped and recorded as timeout", minimum=1
            ),
            "junit": Key(bool, True, "ask pytest for JUnit XML to record each test's outcome"),
            "max_age_hours": Key(
                float, 24.0, "diagnose warns when the last run is older than this", minimum=0
            ),
        },
    ),
    "inventory": Section(
        "What `inventory` looks at.",
        {
            "ignore": Key(list, [], "globs of paths never reported as dormant", item=str),
        },
    ),
    "backup": Section(
        "Backups (`agentdeck backup`): what goes in, where it goes, how it is keyed.",
        {
            "destination": Key(
                str,
                "",
                "a folder (relative to the workspace root) or s3://bucket/prefix; empty: .agentdeck/backups",
            ),
            "include": Key(list, ["**"], "globs of the files backed up", item=str),
            "exclude": Key(
                list,
                [
                    ".git",
                    ".agentdeck",
                    ".venv",
                    "venv",
                    "node_modules",
                    "__pycache__",
                    "*.pyc",
                    "build",
                    "dist",
                    "target",
                    ".tox",
                    ".nox",
                    ".mypy_cache",
                    ".pytest_cache",
                    ".ruff_cache",
                ],
                "globs left out (folders holding pyvenv.cfg are always left out)",
                item=str,
            ),
            "key_file": Key(
                str, "", "a key file (`agentdeck backup keygen FILE`) instead of a passphrase"
            ),
            "passphrase_file": Key(
                str, "", "file whose first line is the passphrase; AGENTDECK_BACKUP_PASSPHRASE wins"
            ),
            "warn_age_hours": Key(
                float, 26.0, "health warns when the newest backup is older", minimum=0
            ),
            "critical_age_hours": Key(
                float, 72.0, "health is critical when the newest backup is older", minimum=0
            ),
            "verify_age_days": Key(
                float, 8.0, "diagnose warns when no verify ran for this long", minimum=0
            ),
            "suspicious_ratio": Key(
                float,
                0.5,
                "flag a backup smaller or faster than this share of its type's recent median",
                minimum=0,
            ),
        },
    ),
    "backup.retention": Section(
        "Default policy of `backup prune` (restic's forget rules; 0 keeps none by that rule).",
        {
            "keep_last": Key(int, 0, "the newest N backups", minimum=0),
            "keep_hourly": Key(int, 0, "the newest backup of each of the last N hours", minimum=0),
            "keep_daily": Key(int, 7, "the newest backup of each of the last N days", minimum=0),
            "keep_weekly": Key(
                int, 4, "the newest backup of each of the last N weeks (Monday-Sunday)", minimum=0
            ),
            "keep_monthly": Key(
                int, 12, "the newest backup of each of the last N months", minimum=0
            ),
            "keep_yearly": Key(int, 0, "the newest backup of each of the last N years", minimum=0),
        },
    ),
    "backup.s3": Section(
        "An S3-compatible destination (pip install 'agentdeck[s3]'); credentials come from the AWS environment, never from here.",
        {
            "endpoint_url": Key(str, "", "e.g. http://127.0.0.1:9000 for MinIO; empty: AWS"),
            "region": Key(str, "", "the bucket's region; empty: the AWS default"),
            "addressing_style": Key(
                str,
                "auto",
                "bucket in the host name or the path",
                choices=("auto", "path", "virtual"),
            ),
        },
    ),
    "health": Section(
        "Thresholds of `agentdeck health` (and the monitor): use in percent, load per core.",
        {
            "disk_warning": Key(
                float, 80.0, "disk use (%) of the workspace's filesystem that warns", minimum=0
            ),
            "disk_critical": Key(float, 90.0, "disk use (%) that is critical", minimum=0),
            "memory_warning": Key(float, 85.0, "memory use (%) that warns", minimum=0),
            "memory_critical": Key(float, 95.0, "memory use (%) that is critical", minimum=0),
            "load_warning": Key(float, 1.5, "load average per core that warns", minimum=0),
            "load_critical": Key(float, 3.0, "load average per core that is critical", minimum=0),
            "load_average": Key(
                str, "5m", "which load average is judged", choices=("1m", "5m", "15m")
            ),
            "timeout": Key(
                float, 5.0, "seconds a host check may take before it is UNKNOWN", minimum=0.1
            ),
        },
    ),
    "services": Section(
        "Services checked by health, diagnose and the monitor: an HTTP(S) url, or a TCP host and port.",
        {
            "name": Key(str, "", "short name, shown as the check service.NAME"),
            "url": Key(str, "", "http:// or https:// URL to GET (or give host and port)"),
            "expect_status": Key(
                int, 200, "the HTTP status that means up (redirects are not followed)", minimum=100
            ),
            "host": Key(str, "", "TCP host, with port (instead of url)"),
            "port": Key(int, 0, "TCP port", minimum=0),
            "timeout": Key(float, 5.0, "seconds to wait for an answer", minimum=0.1),
            "warning_ms": Key(
                float, 0.0, "an answer slower than this (ms) warns; 0: never", minimum=0
            ),
        },
        array=True,
        required=("name",),
        example='name = "api"\nurl = "http://127.0.0.1:8000/health"',
    ),
    "monitor": Section(
        "`agentdeck monitor start`: rounds of checks, history, alerts on state changes.",
        {
            "interval": Key(
                float,
                60.0,
                "seconds between rounds (monitor start INTERVAL overrides)",
                minimum=0.1,
            ),
            "scopes": Key(
                list, ["health"], "which checks a round runs: health and/or diagnose", item=str
            ),
            "checks": Key(
                list, [], "only checks whose name matches one of these globs; empty: all", item=str
            ),
            "quick": Key(bool, True, "skip slow checks (as diagnose --quick does)"),
            "debounce": Key(
                int, 2, "rounds a new state must hold before it alerts (or recovers)", minimum=1
            ),
            "reminder_minutes": Key(
                float, 60.0, "repeat an alert this often while it stays bad; 0: never", minimum=0
            ),
            "keep_rounds": Key(
                int, 10000, "rounds kept in the store; 0: no count limit", minimum=0
            ),
            "keep_days": Key(
                float, 30.0, "rounds older than this are deleted; 0: no age limit", minimum=0
            ),
        },
    ),
    "notify.webhook": Section(
        "Monitor alerts as a JSON POST that Slack and Discord incoming webhooks accept.",
        {
            "url": Key(str, "", "the webhook URL; empty: off"),
            "url_env": Key(
                str, "", "or: an environment variable holding the URL (keeps tokens out of files)"
            ),
            "timeout": Key(float, 10.0, "seconds a delivery may take", minimum=0.1),
        },
    ),
    "notify.email": Section(
        "Monitor alerts by email over SMTP.",
        {
            "to": Key(list, [], "recipients; empty: off", item=str),
            "sender": Key(str, "agentdeck@localhost", "the From address"),
            "host": Key(str, "localhost", "SMTP server"),
            "port": Key(int, 25, "SMTP port (465 with ssl, 587 with starttls)", minimum=1),
            "starttls": Key(bool, False, "upgrade the connection with STARTTLS"),
            "ssl": Key(bool, False, "connect with TLS from the start"),
            "username": Key(str, "", "login name; empty: no login"),
            "password_env": Key(str, "", "environment variable holding the password"),
            "timeout": Key(float, 10.0, "seconds a delivery may take", minimum=0.1),
        },
    ),
    "diagnose": Section(
        "`agentdeck diagnose`: project checks.",
        {
            "venv": Key(
                str,
                "",
                "the project's virtualenv (relative); empty: .venv or venv if present, else agentdeck's own",
            ),
            "requirements": Key(
                list,
                ["pyproject.toml", "requirements*.txt"],
                "files declaring the dependencies (globs)",
                item=str,
            ),
            "alembic_ini": Key(
                str,
                "",
                "the project's alembic.ini, to report pending Alembic migrations; empty: off",
            ),
            "timeout": Key(
                float, 20.0, "seconds a slow check (links, Alembic) may take", minimum=0.1
            ),
        },
    ),
}


@dataclass
class Config:
    """Validated configuration with defaults filled in.

    ``values`` maps a section name to its keys (for arrays: a list of dicts;
    for open tables: the user's keys). ``path`` is the file it came from, or
    ``None`` when no file exists and every value is a default.
    """

    values: dict[str, Any]
    path: Path | None = None

    def section(self, name: str) -> Any:
        """All values of a section (dict, or list of dicts for arrays)."""
        return self.values[name]

    def get(self, section: str, key: str) -> Any:
        """One value; the key must exist in the schema."""
        return self.values[section][key]


def defaults() -> Config:
    """The configuration used when there is no ``agentdeck.toml``."""
    return Config(_fill({}, None, ""), None)


def load(path: Path) -> Config:
    """Read and validate ``path``; a missing file gives the defaults.

    Raises ``ConfigError`` naming the file, line and key of the first problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return defaults()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(
            f"{path}: not valid TOML: {err}",
            hint="fix the line named, or run `agentdeck init --force` for a fresh file",
        ) from None
    return Config(_fill(raw, path, text), path)


def _fill(raw: dict[str, Any], path: Path | None, text: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    _check_unknown_tables(raw, (), path, text)
    for name, section in SCHEMA.items():
        given = _lookup(raw, name)
        if section.array:
            values[name] = _fill_array(name, section, given, path, text)
        elif section.open_keys is not None:
            values[name] = _fill_open(name, section, given, path, text)
        else:
            values[name] = _fill_table(name, section, given or {}, path, text)
    return values


def _lookup(raw: dict[str, Any], dotted: str) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _check_unknown_tables(
    raw: dict[str, Any], prefix: tuple[str, ...], path: Path | None, text: str
) -> None:
    """Report top-level or nested names that are neither a section nor a key of one."""
    for name, value in raw.items():
        dotted = ".".join((*prefix, name))
        if dotted in SCHEMA:
            section = SCHEMA[dotted]
            if isinstance(value, dict) and not section.array and section.open_keys is None:
                nested = {k: v for k, v in value.items() if f"{dotted}.{k}" in SCHEMA}
                _check_unknown_tables(nested, (*prefix, name), path, text)
            continue
        if prefix and ".".join(prefix) in SCHEMA:
            continue  # a key of a known section: checked by _fill_table
        if any(s.startswith(dotted + ".") for s in SCHEMA) and isinstance(value, dict):
            _check_unknown_tables(value, (*prefix, name), path, text)
            continue
        known = ", ".join(sorted(s for s in SCHEMA if "." not in s))
        raise _error(
            path, text, prefix, name, f"unknown section or key '{dotted}' (known sections: {known})"
        )


def _fill_table(
    name: str, section: Section, given: Any, path: Path | None, text: str
) -> dict[str, Any]:
    where = tuple(name.split("."))
    if not isinstance(given, dict):
        raise _error(path, text, (), where[-1], f"'{name}' must be a table ([{name}])")
    out: dict[str, Any] = {}
    for key, value in given.items():
        if f"{name}.{key}" in SCHEMA:
            continue
        if key not in section.keys:
            known = ", ".join(section.keys) or "none"
            raise _error(
                path, text, where, key, f"unknown key '{key}' in [{name}] (known: {known})"
            )
        out[key] = _check_value(section.keys[key], value, name, key, path, text, where)
    for key, spec in section.keys.items():
        out.setdefault(key, spec.default)
    return out


def _fill_open(
    name: str, section: Section, given: Any, path: Path | None, text: str
) -> dict[str, Any]:
    where = tuple(name.split("."))
    given = given or {}
    if not isinstance(given, dict):
        raise _error(path, text, (), where[-1], f"'{name}' must be a table ([{name}])")
    spec = section.open_keys
    assert spec is not None
    return {k: _check_value(spec, v, name, k, path, text, where) for k, v in given.items()}


def _fill_array(
    name: str, section: Section, given: Any, path: Path | None, text: str
) -> list[dict[str, Any]]:
    if given is None:
        return []
    if not isinstance(given, list) or not all(isinstance(item, dict) for item in given):
        raise _error(path, text, (), name, f"'{name}' must be an array of tables ([[{name}]])")
    items = []
    for index, item in enumerate(given, start=1):
        out: dict[str, Any] = {}
        for key, value in item.items():
            if key not in section.keys:
                known = ", ".join(section.keys)
                raise _error(
                    path,
                    text,
                    (name,),
                    key,
                    f"unknown key '{key}' in [[{name}]] entry {index} (known: {known})",
                )
            out[key] = _check_value(section.keys[key], value, name, key, path, text, (name,))
        missing = [k for k in section.required if k not in out]
        if missing:
            raise _error(
                path,
                text,
                (name,),
                None,
                f"[[{name}]] entry {index} lacks required key '{missing[0]}'",
            )
        for key, spec in section.keys.items():
            out.setdefault(key, spec.default)
        items.append(out)
    return items


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _check_value(
    spec: Key,
    value: Any,
    section: str,
    key: str,
    path: Path | None,
    text: str,
    where: tuple[str, ...],
) -> Any:
    kinds = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok and float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise _error(
            path,
            text,
            where,
            key,
            f"[{section}] {key} must be {_type_name(spec.type)}, not {value!r}",
        )
    if spec.choices is not None and value not in spec.choices:
        raise _error(
            path,
            text,
            where,
            key,
            f"[{section}] {key} must be one of {', '.join(spec.choices)}, not {value!r}",
        )
    if spec.minimum is not None and isinstance(value, int | float) and value < spec.minimum:
        raise _error(
            path,
            text,
            where,
            key,
            f"[{section}] {key} must be at least {spec.minimum:g}, not {value!r}",
        )
    if spec.item is not None and isinstance(value, list):
        bad = [v for v in value if not isinstance(v, spec.item)]
        if bad:
            raise _error(
                path,
                text,
                where,
                key,
                f"[{section}] {key} must hold only {_type_name(spec.item)} items, not {bad[0]!r}",
            )
    return value


def _error(
    path: Path | None, text: str, table: tuple[str, ...], key: str | None, message: str
) -> ConfigError:
    line = _locate(text, table, key) if text else None
    where = f"{path}" if path else CONFIG_FILE
    if line:
        where += f":{line}"
    return ConfigError(f"{where}: {message}")


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def _locate(text: str, table: tuple[str, ...], key: str | None) -> int | None:
    """Line number (1-based) where ``key`` is set in ``table``, or the table's header.

    tomllib reports no positions for valid TOML, so find it in the text: track the
    current ``[table]`` header and look for ``key =`` (bare or quoted, or dotted
    from an enclosing table).
    """
    current: tuple[str, ...] = ()
    header_line = None
    wanted = ".".join(table)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0].strip()
        match = _HEADER.match(stripped)
        if match:
            current = tuple(p.strip().strip("\"'") for p in match.group(1).split("."))
            if ".".join(current) == wanted and header_line is None:
                header_line = number
            if key is not None and not table and current[0] == key:
                return number
            continue
        if key is None or "=" not in stripped:
            continue
        name = stripped.split("=", 1)[0].strip()
        full = tuple(p.strip().strip("\"'") for p in name.split("."))
        if (*current, *full) == (*table, key):
            return number
    return header_line


def render_default_file() -> str:
    """The commented ``agentdeck.toml`` that ``init`` writes: every key, its doc, its default."""
    lines = [
        "# agentdeck configuration. Every key is optional: the values shown are the defaults.",
        "# Uncomment and change what you need under its [section] (a section must not be declared",
        "# twice). `agentdeck config show` prints the effective values.",
        "",
    ]
    for name, section in SCHEMA.items():
        lines.append(f"# {section.doc}")
        if section.array:
            lines.append(f"# [[{name}]]")
            for key, spec in section.keys.items():
                lines.append(f"# {key} = {toml_value(spec.default)}    # {spec.doc}")
            lines.extend(f"# {line}" for line in section.example.splitlines())
        elif section.open_keys is not None:
            lines.append(f"# [{name}]")
            lines.extend(f"# {line}" for line in section.example.splitlines())
        else:
            # Live headers, commented keys: uncommenting a key in place just works.
            lines.append(f"[{name}]")
            for key, spec in section.keys.items():
                lines.append(f"# {key} = {toml_value(spec.default)}    # {spec.doc}")
        lines.append("")
    return "\n".join(lines)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)
