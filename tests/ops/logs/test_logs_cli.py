"""``agentdeck logs …`` through the CLI: output, --json shapes, exit codes."""

from __future__ import annotations

import json
import threading
import time

from logkit import put


def test_errors_text_and_json(ws, deck) -> None:
    put(ws.root, "logs/app.log", "python.log")
    text = deck("logs", "errors")
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[0] == "4 error(s) and 2 warning(s) in 4 group(s), 1 file(s), 0.0 MB read"
    assert lines[2].split() == [
        "LEVEL",
        "COUNT",
        "FIRST",
        "SEEN",
        "LAST",
        "SEEN",
        "MESSAGE",
        "SHAPE",
    ]
    assert lines[3].startswith("CRITICAL  1      2026-11-20 10:08:00  2026-11-20 10:08:00  app.db:")
    data = json.loads(deck("logs", "errors", "--json").out)
    assert set(data) == {
        "since",
        "new_only",
        "level",
        "totals",
        "groups",
        "files",
        "problems",
        "unmatched",
    }
    assert data["totals"] == {
        "events": 6,
        "errors": 4,
        "warnings": 2,
        "groups": 4,
        "files": 1,
        "bytes": 1426,
    }
    assert set(data["groups"][0]) == {
        "level",
        "shape",
        "exception",
        "count",
        "first_seen",
        "last_seen",
        "files",
        "example",
    }
    assert set(data["groups"][0]["example"]) == {"path", "line", "time", "text"}
    only = json.loads(deck("logs", "errors", "--level", "critical", "--json").out)
    assert [g["level"] for g in only["groups"]] == ["critical"]


def test_errors_new_remembers(ws, deck) -> None:
    log = put(ws.root, "app.log", "python.log")
    assert json.loads(deck("logs", "errors", "--new", "--json").out)["totals"]["events"] == 6
    assert json.loads(deck("logs", "errors", "--new", "--json").out)["totals"]["events"] == 0
    with log.open("a") as handle:
        handle.write("2026-11-20 12:00:00,000 ERROR app: late 1\n")
    out = deck("logs", "errors", "--new")
    assert out.out.splitlines()[0].startswith("1 new error(s) and 0 warning(s)")


def test_errors_exit_codes(ws, deck) -> None:
    missing = deck("logs", "errors")
    assert missing.code == 3
    assert missing.err == (
        "agentdeck: error: no log files match *.log, logs/*.log, log/*.log; "
        "set [logs] paths in agentdeck.toml or pass --path GLOB\n"
    )
    put(ws.root, "app.log", "python.log")
    bad_since = deck("logs", "errors", "--since", "last tuesday")
    assert bad_since.code == 2
    assert "cannot read 'last tuesday' as a time" in bad_since.err
    assert deck("logs", "errors", "--level", "loud").code == 2
    partial = deck("logs", "errors", "--path", "app.log", "--path", "nope/*.log")
    assert partial.code == 0
    assert "note: nope/*.log matches no file" in partial.err


def test_search(ws, deck) -> None:
    put(ws.root, "app.log", "python.log")
    out = deck("logs", "search", r"order 100\d")
    assert out.code == 0
    assert out.out.splitlines()[0] == (
        "app.log:3: 2026-11-20 10:00:02,500 ERROR app.worker: failed to process order 1001 for user 42"
    )
    assert "    ValueError: invalid literal for int() with base 10: 'abc'" in out.out.splitlines()
    data = json.loads(deck("logs", "search", "KeyError", "--json").out)
    assert data["count"] == 1 and data["events"][0]["line"] == 17
    assert data["events"][0]["exception"] == "app.errors.NotFound: 5"
    levels = json.loads(deck("logs", "search", "app", "--level", "error", "--json").out)
    assert {e["level"] for e in levels["events"]} == {"error", "critical"}
    case = json.loads(deck("logs", "search", "KEYERROR", "-i", "--json").out)
    assert case["count"] == 1
    assert deck("logs", "search", "nothing like this").out == "No event matches.\n"
    bad = deck("logs", "search", "(unclosed")
    assert bad.code == 2 and "invalid regular expression '(unclosed'" in bad.err
    limited = json.loads(deck("logs", "search", "app", "-n", "2", "--json").out)
    assert (limited["count"], limited["truncated"]) == (2, True)


def test_tail_without_follow(ws, deck) -> None:
    put(ws.root, "app.log", "python.log")
    out = deck("logs", "tail", "--no-follow", "-n", "2", "--level", "error", "--path", "app.log")
    assert out.code == 0
    assert (
        out.out.splitlines()[0]
        == "2026-11-20 10:08:00,000 CRITICAL app.db: connection pool exhausted (size=10, waiting=31)"
    )
    assert out.out.splitlines()[1].startswith("2026-11-20 10:09:00,000 ERROR app.http")
    lines = deck("logs", "tail", "--no-follow", "--json", "-n", "3").out.splitlines()
    assert [json.loads(line)["line"] for line in lines] == [16, 17, 29]  # records, not lines


def test_tail_follows_appends_and_rotation(ws) -> None:
    from agentdeck.ops.logs import tail

    log = put(ws.root, "app.log", "python.log")
    stop = threading.Event()
    seen: list[str] = []

    def writer() -> None:
        time.sleep(0.3)
        with log.open("a") as handle:
            handle.write("2026-11-20 12:00:00,000 ERROR app: appended 1\n")
        time.sleep(0.3)
        log.rename(ws.root / "app.log.1")
        log.write_text("2026-11-20 12:01:00,000 ERROR app: after rotation 2\n")

    thread = threading.Thread(target=writer)
    thread.start()
    for event in tail(
        ws, paths=["app.log"], min_level=40, last=1, interval=0.05, should_stop=stop.is_set
    ):
        seen.append(event.message)
        if len(seen) == 3:
            stop.set()
    thread.join()
    assert seen == [
        "app.http: unhandled exception on GET /api/items/5",
        "app: appended 1",
        "app: after rotation 2",
    ]


def test_real_entry_point(ws, deck_proc) -> None:
    put(ws.root, "app.log", "python.log")
    result = deck_proc("logs", "errors", "--json", cwd=ws.root)
    assert result.code == 0, result.err
    assert json.loads(result.out)["totals"]["errors"] == 4
