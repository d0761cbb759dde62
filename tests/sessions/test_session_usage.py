"""Token usage from Claude Code and Codex transcripts (fixtures in their real formats)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from session_helpers import ok_json

from agentdeck.errors import ConfigError
from agentdeck.sessions.prices import PriceTable, normalise
from agentdeck.sessions.usage import claude_project_name, read_usage

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2026, 2, 4, 10, 0, tzinfo=UTC)
END = datetime(2026, 2, 4, 12, 0, tzinfo=UTC)
CODEX_DAY = Path("sessions/2026/02/04")


def install(home: Path, root: Path) -> tuple[Path, Path]:
    """Put the fixture transcripts where the agents keep them, for a workspace at ``root``."""
    claude = home / ".claude"
    project = claude / "projects" / claude_project_name(root)
    project.mkdir(parents=True)
    for name, target in (
        ("main.jsonl", "8f14e45f-ceea-4e7a-9a4f-6f7c1a2b3c4d.jsonl"),
        ("resumed.jsonl", "c9f0f895-fb98-4b91-a3e6-2c0b1d2e3f40.jsonl"),
    ):
        text = (FIXTURES / "claude" / name).read_text().replace("__CWD__", str(root))
        (project / target).write_text(text)
    elsewhere = claude / "projects" / "-srv-another-project"
    elsewhere.mkdir()
    text = (FIXTURES / "claude" / "other-project.jsonl").read_text()
    (elsewhere / "1111.jsonl").write_text(text.replace("__CWD__", "/srv/another/project"))
    codex = home / ".codex"
    day = codex / CODEX_DAY
    day.mkdir(parents=True)
    for source in sorted((FIXTURES / "codex").glob("rollout-*.jsonl")):
        (day / source.name).write_text(source.read_text().replace("__CWD__", str(root)))
    return claude, codex


def _models(usage) -> dict:
    return {
        (m["agent"], m["model"]): (
            m["messages"],
            m["input_tokens"],
            m["output_tokens"],
            m["cache_read_tokens"],
            m["cache_write_tokens"],
        )
        for m in usage["models"]
    }


def test_claude_and_codex_totals_are_exact(tmp_path) -> None:
    root = tmp_path / "work"
    root.mkdir()
    claude, codex = install(tmp_path / "home", root)
    usage = read_usage(
        root, START, END, prices=PriceTable(), claude_dirs=[claude], codex_home=codex
    ).to_dict()
    assert _models(usage) == {
        # msg_01 (three content blocks, and replayed by the resumed file) + msg_02 (two
        # blocks, replayed); the sidechain msg_03, the synthetic line, msg_00 before
        # the start and msg_05 after the end do not count.
        ("claude-code", "claude-sonnet-4-5-20250929"): (2, 120, 130, 5000, 1000),
        # msg_04, two blocks, only in the resumed file.
        ("claude-code", "claude-opus-4-1-20250805"): (1, 10, 200, 4000, 500),
        # Cumulative counters: (1000-500) - (200-100) fresh input, 100 cached, 200 out;
        # then the resumed rollout replays two events and adds 300/50/100.
        ("codex", "gpt-5-codex"): (2, 400 + 250, 200 + 100, 100 + 50, 0),
        # The model switched to o3 for one turn: 600 - 200 fresh, 200 cached, 200 out.
        ("codex", "o3"): (1, 400, 200, 200, 0),
    }
    costs = {m["model"]: m["cost_usd"] for m in usage["models"]}
    assert costs["claude-sonnet-4-5-20250929"] == pytest.approx(
        (120 * 3 + 130 * 15 + 5000 * 0.30 + 1000 * 3.75) / 1e6
    )
    assert costs["claude-opus-4-1-20250805"] == pytest.approx(
        (10 * 15 + 200 * 75 + 4000 * 1.50 + 500 * 18.75) / 1e6
    )
    assert costs["gpt-5-codex"] == pytest.approx((650 * 1.25 + 300 * 10 + 150 * 0.125) / 1e6)
    assert costs["o3"] == pytest.approx((400 * 2 + 200 * 8 + 200 * 0.5) / 1e6)
    assert usage["cost_usd"] == pytest.approx(sum(costs.values()), abs=1e-6)
    assert usage["cost_complete"] is True
    assert usage["totals"]["output_tokens"] == 130 + 200 + 300 + 200
    assert {m["model"]: m["reasoning_tokens"] for m in usage["models"]}["gpt-5-codex"] == 70
    # The cut last line is reported, not fatal.
    assert any("not JSON" in w for w in usage["warnings"])
    assert len(usage["files"]["claude-code"]) == 2 and len(usage["files"]["codex"]) == 2


def test_sidechains_count_when_configured(tmp_path) -> None:
    root = tmp_path / "work"
    root.mkdir()
    claude, _ = install(tmp_path / "home", root)
    usage = read_usage(
        root,
        START,
        END,
        prices=PriceTable(),
        claude_dirs=[claude],
        codex_home=tmp_path / "none",
        count_sidechains=True,
    ).to_dict()
    assert _models(usage)[("claude-code", "claude-sonnet-4-5-20250929")] == (
        3,
        620,
        630,
        5000,
        1000,
    )


def test_span_and_folder_limit_what_counts(tmp_path) -> None:
    root = tmp_path / "work"
    root.mkdir()
    claude, codex = install(tmp_path / "home", root)
    late = datetime(2026, 2, 4, 10, 30, tzinfo=UTC)
    usage = read_usage(
        root, late, END, prices=PriceTable(), claude_dirs=[claude], codex_home=codex
    ).to_dict()
    assert _models(usage) == {
        ("claude-code", "claude-opus-4-1-20250805"): (1, 10, 200, 4000, 500),
        ("codex", "gpt-5-codex"): (1, 250, 100, 50, 0),
    }
    other = tmp_path / "other"
    other.mkdir()
    usage = read_usage(
        other, START, END, prices=PriceTable(), claude_dirs=[claude], codex_home=codex
    ).to_dict()
    assert usage["found"] is False and usage["cost_usd"] is None


def test_unknown_model_keeps_tokens_and_never_guesses_a_cost(tmp_path) -> None:
    root = tmp_path / "work"
    project = tmp_path / "claude" / "projects" / claude_project_name(root)
    project.mkdir(parents=True)
    root.mkdir()
    line = json.dumps(
        {
            "type": "assistant",
            "isSidechain": False,
            "cwd": str(root),
            "requestId": "req_1",
            "timestamp": "2026-02-04T10:30:00Z",
            "message": {
                "id": "msg_1",
                "model": "claude-sonnet-9",
                "usage": {"input_tokens": 10, "output_tokens": 20},
            },
        }
    )
    (project / "x.jsonl").write_text(line)
    usage = read_usage(
        root,
        START,
        END,
        prices=PriceTable(),
        claude_dirs=[tmp_path / "claude"],
        codex_home=tmp_path / "none",
    ).to_dict()
    assert usage["models"][0]["cost_usd"] is None
    assert usage["models"][0]["total_tokens"] == 30
    assert usage["cost_usd"] is None and usage["cost_complete"] is False
    assert usage["unknown_price_models"] == ["claude-sonnet-9"]
    # A price in [prices] makes it known.
    priced = read_usage(
        root,
        START,
        END,
        prices=PriceTable({"claude-sonnet-9": {"input": 1.0, "output": 2.0}}),
        claude_dirs=[tmp_path / "claude"],
        codex_home=tmp_path / "none",
    ).to_dict()
    assert priced["cost_usd"] == pytest.approx((10 * 1 + 20 * 2) / 1e6)


def test_price_names_and_overrides() -> None:
    assert normalise("anthropic/claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    table = PriceTable()
    assert table.lookup("gpt-5.1-mini") is None  # never falls back to a similar name
    assert table.lookup("claude-opus-4-1-20250805").input == 15.0
    with pytest.raises(ConfigError, match="needs 'output'"):
        PriceTable({"m": {"input": 1.0}})
    with pytest.raises(ConfigError, match="unknown key 'inptu'"):
        PriceTable({"m": {"inptu": 1.0, "output": 1.0}})
    with pytest.raises(ConfigError, match="must be a number"):
        PriceTable({"m": {"input": "cheap", "output": 1.0}})
    # cache tokens without a cache price: unknown, not guessed.
    assert (
        PriceTable({"m": {"input": 1.0, "output": 1.0}}).cost("m", input=1, output=1, cache_read=5)
        is None
    )


def test_session_end_reads_usage_from_the_default_folders(ws, deck, monkeypatch) -> None:
    import os

    install(Path(os.environ["HOME"]), ws.root)
    monkeypatch.setenv("AGENTDECK_NOW", "2026-02-04T10:00:00Z")
    sid = ok_json(deck("session", "start", "--objective", "parser", "--json"))["id"]
    assert sid == "SESSION-20260204-001"
    monkeypatch.setenv("AGENTDECK_NOW", "2026-02-04T12:00:00Z")
    session = ok_json(deck("session", "end", "--json"))["session"]
    usage = session["usage"]
    assert usage["totals"]["messages"] == 6
    assert usage["totals"]["input_tokens"] == 120 + 10 + 650 + 400
    report = (ws.root / "docs" / "sessions" / f"{sid}.md").read_text()
    assert "## Agent usage" in report
    assert (
        "| claude-code | claude-opus-4-1-20250805 | 1 | 10 | 200 | 4,000 | 500 | $0.0305 |"
        in report
    )
    assert session["duration_minutes"] == 120.0
    # --no-usage skips the transcripts.
    monkeypatch.setenv("AGENTDECK_NOW", "2026-02-04T12:10:00Z")
    assert deck("session", "start", "--objective", "again").code == 0
    assert ok_json(deck("session", "end", "--no-usage", "--json"))["session"]["usage"] is None
