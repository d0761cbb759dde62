"""Token usage and cost of a session, read from the agents' own transcript files.

Two formats are read, both JSON Lines:

**Claude Code** keeps one file per conversation under
``<config>/projects/<project>/<conversation>.jsonl`` (``<config>`` is
``CLAUDE_CONFIG_DIR``, else ``~/.claude`` and ``~/.config/claude``;
``<project>`` is the working folder with every character other than a
letter or digit turned into ``-``). Each assistant line carries
``message.usage``. Claude Code writes one line per content block of a
response, each with the same ``message.id`` and ``requestId`` and the same
usage, and a resumed conversation starts a new file that replays the old
lines: so each response is counted once, keyed by ``(message.id,
requestId)`` across all files (where the copies differ, the largest value of
each counter is kept: the final one of a stream). Lines marked
``isSidechain`` are skipped (``[sessions] count_sidechains`` counts them).

**Codex CLI** keeps one "rollout" per session under
``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl``. ``session_meta`` names
the working folder, ``turn_context`` the model, and ``event_msg`` lines of
type ``token_count`` carry cumulative ``total_token_usage``. The usage of a
span is the growth of that counter inside it, attributed to the model of the
turn; an event replayed by a resumed rollout (same time, same totals) counts
once. Codex's ``input_tokens`` include the cached ones, which are billed at
the cache-read price, so they are split out.

Only lines whose time falls in the session's span, and whose working folder
is the workspace or below it, count. Text content of the transcripts is never
copied: only counters, model names and file names are kept.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from agentdeck import clock
from agentdeck.sessions.prices import PriceTable


@dataclass
class ModelUsage:
    """Tokens of one model; ``cost_usd`` is ``None`` when its price is unknown."""

    model: str
    agent: str
    messages: int = 0
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    reasoning: int = 0
    cost_usd: float | None = None

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_read + self.cache_write

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "agent": self.agent,
            "messages": self.messages,
            "input_tokens": self.input,
            "output_tokens": self.output,
            "cache_read_tokens": self.cache_read,
            "cache_write_tokens": self.cache_write,
            "reasoning_tokens": self.reasoning,
            "total_tokens": self.total,
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 8),
        }


@dataclass
class Usage:
    """What the transcripts say a session used."""

    models: list[ModelUsage] = field(default_factory=list)
    #: Transcript files that contributed, per agent.
    files: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.models)

    def to_dict(self) -> dict[str, Any]:
        totals = {
            "messages": sum(m.messages for m in self.models),
            "input_tokens": sum(m.input for m in self.models),
            "output_tokens": sum(m.output for m in self.models),
            "cache_read_tokens": sum(m.cache_read for m in self.models),
            "cache_write_tokens": sum(m.cache_write for m in self.models),
            "reasoning_tokens": sum(m.reasoning for m in self.models),
            "total_tokens": sum(m.total for m in self.models),
        }
        known = [m.cost_usd for m in self.models if m.cost_usd is not None]
        unknown = sorted({m.model for m in self.models if m.cost_usd is None})
        return {
            "found": self.found,
            "models": [m.to_dict() for m in self.models],
            "totals": totals,
            "cost_usd": round(sum(known), 8) if known else None,
            "cost_complete": not unknown,
            "unknown_price_models": unknown,
            "files": {agent: sorted(paths) for agent, paths in self.files.items()},
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Span:
    """A session's time span and working folder."""

    start: datetime
    end: datetime
    root: Path

    def holds(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when <= self.end

    def covers_folder(self, cwd: str | None) -> bool:
        if not cwd:
            return False
        try:
            path = Path(cwd).resolve()
        except (OSError, ValueError):
            return False
        return path == self.root or self.root in path.parents


def read_usage(
    root: Path,
    start: datetime,
    end: datetime,
    *,
    prices: PriceTable,
    claude_dirs: Iterable[Path] | None = None,
    codex_home: Path | None = None,
    count_sidechains: bool = False,
) -> Usage:
    """Usage of every Claude Code and Codex transcript line in ``[start, end]`` under ``root``."""
    span = Span(start, end, root.resolve())
    usage = Usage()
    by_key: dict[tuple[str, str], ModelUsage] = {}
    claude_dirs = list(claude_dirs) if claude_dirs is not None else default_claude_dirs()
    _read_claude(span, claude_dirs, count_sidechains, usage, by_key)
    home = codex_home if codex_home is not None else default_codex_home()
    _read_codex(span, home, usage, by_key)
    for item in by_key.values():
        item.cost_usd = prices.cost(
            item.model,
            input=item.input,
            output=item.output,
            cache_read=item.cache_read,
            cache_write=item.cache_write,
        )
    usage.models = sorted(by_key.values(), key=lambda m: (m.agent, m.model))
    return usage


def default_claude_dirs() -> list[Path]:
    """``CLAUDE_CONFIG_DIR`` (comma-separated folders allowed), else ``~/.claude`` and ``~/.config/claude``."""
    named = os.environ.get("CLAUDE_CONFIG_DIR", "").strip()
    if named:
        return [Path(p.strip()).expanduser() for p in named.split(",") if p.strip()]
    home = Path.home()
    return [home / ".claude", home / ".config" / "claude"]


def default_codex_home() -> Path:
    """``CODEX_HOME``, else ``~/.codex``."""
    named = os.environ.get("CODEX_HOME", "").strip()
    return Path(named).expanduser() if named else Path.home() / ".codex"


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return clock.parse_timestamp(value)
    except ValueError:
        return None


def _lines(path: Path, usage: Usage) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file; broken lines are counted, never fatal."""
    bad = 0
    try:
        with path.open("rb") as handle:
            for raw in handle:
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    item = json.loads(raw)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(item, dict):
                    yield item
    except OSError as err:
        usage.warnings.append(f"cannot read {path}: {err.strerror or err}")
        return
    if bad:
        usage.warnings.append(f"{path}: skipped {bad} line(s) that are not JSON")


def _touched_since(path: Path, start: datetime) -> bool:
    try:
        return path.stat().st_mtime >= start.timestamp() - 1
    except OSError:
        return False


# -- Claude Code ------------------------------------------------------------------------


def claude_project_name(folder: Path) -> str:
    """The folder name Claude Code gives a working folder's transcripts."""
    return re.sub(r"[^A-Za-z0-9]", "-", str(folder))


def _claude_files(span: Span, config_dirs: list[Path]) -> list[Path]:
    slug = claude_project_name(span.root)
    files = []
    for config in config_dirs:
        projects = config / "projects"
        try:
            entries = list(os.scandir(projects))
        except OSError:
            continue
        for entry in entries:
            if not entry.is_dir() or not (entry.name == slug or entry.name.startswith(slug + "-")):
                continue
            for path in Path(entry.path).rglob("*.jsonl"):
                if _touched_since(path, span.start):
                    files.append(path)
    return sorted(files)


_CLAUDE_COUNTERS = (
    ("input", "input_tokens"),
    ("output", "output_tokens"),
    ("cache_read", "cache_read_input_tokens"),
    ("cache_write", "cache_creation_input_tokens"),
)


def _read_claude(
    span: Span,
    config_dirs: list[Path],
    count_sidechains: bool,
    usage: Usage,
    by_key: dict[tuple[str, str], ModelUsage],
) -> None:
    # (message id, request id) -> (model, counters): the copies of one response.
    seen: dict[tuple[str, str], tuple[str, dict[str, int]]] = {}
    for path in _claude_files(span, config_dirs):
        used = False
        for line in _lines(path, usage):
            if line.get("type") != "assistant":
                continue
            if line.get("isSidechain") and not count_sidechains:
                continue
            message = line.get("message")
            if not isinstance(message, dict) or not isinstance(message.get("usage"), dict):
                continue
            if not span.holds(_when(line.get("timestamp"))):
                continue
            if "cwd" in line and not span.covers_folder(line.get("cwd")):
                continue
            model = str(message.get("model") or "unknown")
            if model == "<synthetic>":
                continue
            raw = message["usage"]
            counters = {ours: _int(raw.get(theirs)) for ours, theirs in _CLAUDE_COUNTERS}
            key = (
                str(message.get("id") or line.get("uuid") or ""),
                str(line.get("requestId") or ""),
            )
            if key == ("", ""):
                continue
            used = True
            if key in seen:
                _, before = seen[key]
                seen[key] = (model, {k: max(before[k], counters[k]) for k in counters})
            else:
                seen[key] = (model, counters)
        if used:
            usage.files.setdefault("claude-code", []).append(str(path))
    for model, counters in seen.values():
        item = by_key.setdefault(("claude-code", model), ModelUsage(model, "claude-code"))
        item.messages += 1
        item.input += counters["input"]
        item.output += counters["output"]
        item.cache_read += counters["cache_read"]
        item.cache_write += counters["cache_write"]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


# -- Codex CLI --------------------------------------------------------------------------

_CODEX_COUNTERS = (
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
)


def _read_codex(
    span: Span, home: Path, usage: Usage, by_key: dict[tuple[str, str], ModelUsage]
) -> None:
    sessions = home / "sessions"
    if not sessions.is_dir():
        return
    seen_events: set[tuple[str, tuple[int, ...]]] = set()
    for path in sorted(sessions.rglob("rollout-*.jsonl")):
        if not _touched_since(path, span.start):
            continue
        used = False
        in_folder = False
        model = "unknown"
        previous = (0, 0, 0, 0)
        for line in _lines(path, usage):
            kind = line.get("type")
            payload = line.get("payload")
            if not isinstance(payload, dict):
                continue
            if kind == "session_meta":
                in_folder = span.covers_folder(payload.get("cwd"))
                model = str(payload.get("model") or model)
            elif kind == "turn_context":
                if payload.get("cwd"):
                    in_folder = span.covers_folder(payload.get("cwd"))
                model = str(payload.get("model") or model)
            elif kind == "event_msg" and payload.get("type") == "token_count":
                info = payload.get("info")
                if not isinstance(info, dict) or not isinstance(
                    info.get("total_token_usage"), dict
                ):
                    continue
                total = info["total_token_usage"]
                current = tuple(_int(total.get(name)) for name in _CODEX_COUNTERS)
                if any(c < p for c, p in zip(current, previous, strict=True)):
                    previous = (0, 0, 0, 0)  # the counter started again
                delta = tuple(c - p for c, p in zip(current, previous, strict=True))
                previous = current
                stamp = str(line.get("timestamp") or "")
                if (stamp, current) in seen_events:
                    continue  # replayed by a resumed rollout
                seen_events.add((stamp, current))
                if not in_folder or not span.holds(_when(line.get("timestamp"))):
                    continue
                if not any(delta):
                    continue
                used = True
                item = by_key.setdefault(("codex", model), ModelUsage(model, "codex"))
                item.messages += 1
                fresh_input = max(delta[0] - delta[1], 0)
                item.input += fresh_input
                item.cache_read += delta[1]
                item.output += delta[2]
                item.reasoning += delta[3]
        if used:
            usage.files.setdefault("codex", []).append(str(path))
