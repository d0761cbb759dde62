"""Each supported format: detected, and its errors grouped with exact counts and times."""

from __future__ import annotations

import pytest
from logkit import FIXTURES, put, summary

from agentdeck.ops.logs import find_errors
from agentdeck.ops.logs.formats import detect
from agentdeck.ops.logs.shape import shape

NUM = "<num>"

EXPECTED = {
    "python.log": (
        "python",
        [
            (
                "critical",
                1,
                "2026-11-20T10:08:00.000000Z",
                "2026-11-20T10:08:00.000000Z",
                "app.db: connection pool exhausted (size=<num>, waiting=<num>)",
                None,
            ),
            (
                "error",
                2,
                "2026-11-20T10:00:02.500000Z",
                "2026-11-20T10:05:00.000000Z",
                "app.worker: failed to process order <num> for user <num>",
                "ValueError: invalid literal for int() with base <num>: <str>",
            ),
            (
                "error",
                1,
                "2026-11-20T10:09:00.000000Z",
                "2026-11-20T10:09:00.000000Z",
                "app.http: unhandled exception on GET /api/items/<num>",
                "app.errors.NotFound: <num>",
            ),
            (
                "warning",
                2,
                "2026-11-20T10:00:01.250000Z",
                "2026-11-20T10:06:00.000000Z",
                "app.http: slow request GET /api/items/<num> took <num>ms",
                None,
            ),
        ],
    ),
    "json.log": (
        "json",
        [
            (
                "error",
                2,
                "2026-11-20T10:01:00.000000Z",
                "2026-11-20T10:03:00.000000Z",
                "api: payment <num> declined by provider",
                "pay.Declined: card <num> declined",
            ),
            (
                "error",
                1,
                "2026-11-20T10:04:00.000000Z",
                "2026-11-20T10:04:00.000000Z",
                "worker: job <num> crashed",
                None,
            ),
            (
                "warning",
                1,
                "2026-11-20T10:02:00.000000Z",
                "2026-11-20T10:02:00.000000Z",
                "api: retrying webhook <uuid>",
                None,
            ),
        ],
    ),
    "uvicorn.log": (
        "uvicorn",
        [
            ("error", 2, None, None, "GET /api/items/<num> <num>", None),
            ("error", 1, None, None, "Exception in ASGI application", "KeyError: <num>"),
            ("warning", 1, None, None, "Invalid HTTP request received.", None),
        ],
    ),
    "gunicorn.log": (
        "gunicorn",
        [
            (
                "critical",
                2,
                "2026-11-20T10:15:00.000000Z",
                "2026-11-20T10:20:00.000000Z",
                "WORKER TIMEOUT (pid:<num>)",
                None,
            ),
            (
                "error",
                1,
                "2026-11-20T10:15:01.000000Z",
                "2026-11-20T10:15:01.000000Z",
                "Error handling request /api/report",
                "SystemExit: <num>",
            ),
            (
                "warning",
                1,
                "2026-11-20T10:20:02.000000Z",
                "2026-11-20T10:20:02.000000Z",
                "Worker with pid <num> was terminated due to signal <num>",
                None,
            ),
        ],
    ),
    "access.log": (
        "access",
        [
            (
                "error",
                2,
                "2026-11-20T10:00:05.000000Z",
                "2026-11-20T10:01:00.000000Z",
                "GET /api/items/<num> <num>",
                None,
            ),
            (
                "error",
                1,
                "2026-11-20T09:02:00.000000Z",  # +0100 in the file
                "2026-11-20T09:02:00.000000Z",
                "POST /api/orders <num>",
                None,
            ),
        ],
    ),
    "nginx.log": (
        "nginx",
        [
            (
                "critical",
                1,
                "2026-11-20T10:06:00.000000Z",
                "2026-11-20T10:06:00.000000Z",
                "open() <str> failed (<num>: Permission denied), client: <ip>, server: example.com",
                None,
            ),
            (
                "error",
                2,
                "2026-11-20T10:03:00.000000Z",
                "2026-11-20T10:04:00.000000Z",
                "connect() failed (<num>: Connection refused) while connecting to upstream, "
                "client: <ip>, server: example.com, request: <str>, upstream: <str>, host: <str>",
                None,
            ),
            (
                "warning",
                1,
                "2026-11-20T10:05:00.000000Z",
                "2026-11-20T10:05:00.000000Z",
                "an upstream response is buffered to a temporary file <path> while reading "
                "upstream, client: <ip>, server: example.com",
                None,
            ),
        ],
    ),
    "syslog.log": (
        "syslog",
        [
            (
                "error",
                2,
                "2026-11-20T10:02:00.000000Z",
                "2026-11-20T10:03:00.000000Z",
                "sshd: error: kex_exchange_identification: Connection closed by remote host",
                None,
            ),
            (
                "warning",
                1,
                "2026-11-20T10:04:00.000000Z",
                "2026-11-20T10:04:00.000000Z",
                "app: WARNING disk usage at <num>% on /srv",
                None,
            ),
        ],
    ),
    "plain.log": (
        "plain",
        [
            ("error", 2, None, None, "Error: invoice <num> has no customer", None),
            (
                "error",
                1,
                None,
                None,
                "Traceback (most recent call last):",
                "FileNotFoundError: [Errno <num>] No such file or directory: <str>",
            ),
            ("warning", 1, None, None, "WARNING: <num> rows skipped in invoices.csv", None),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_format_is_detected_and_grouped_exactly(logws, name: str) -> None:
    put(logws.root, name, name)
    report = find_errors(logws, paths=[name])
    fmt, groups = EXPECTED[name]
    assert [f.format for f in report.files] == [fmt]
    assert detect((FIXTURES / name).read_bytes()).name == fmt
    assert summary(report) == groups


def test_a_traceback_is_one_event_with_its_chained_exceptions(logws) -> None:
    put(logws.root, "app.log", "python.log")
    report = find_errors(logws, paths=["app.log"])
    chained = next(g for g in report.groups if g.exception == "app.errors.NotFound: <num>")
    example = chained.example
    assert example is not None
    assert example.line == 17
    lines = example.text.splitlines()
    assert (
        lines[0]
        == "2026-11-20 10:09:00,000 ERROR app.http: unhandled exception on GET /api/items/5"
    )
    assert "During handling of the above exception, another exception occurred:" in lines
    assert lines[-1] == "app.errors.NotFound: 5"
    assert len(lines) == 12


def test_the_example_is_the_most_recent_event(logws) -> None:
    put(logws.root, "app.log", "python.log")
    report = find_errors(logws, paths=["app.log"])
    worker = next(g for g in report.groups if g.shape.startswith("app.worker"))
    assert worker.example is not None
    assert "order 1002" in worker.example.text
    assert worker.example.line == 9


def test_level_floor_and_since(logws) -> None:
    put(logws.root, "app.log", "python.log")
    from agentdeck.ops.logs import parse_since
    from agentdeck.ops.logs.formats import ERROR

    only_errors = find_errors(logws, paths=["app.log"], min_level=ERROR)
    assert [g.level for g in only_errors.groups] == [50, 40, 40]
    recent = find_errors(logws, paths=["app.log"], since=parse_since("2026-11-20T10:05:30Z"))
    assert [(g["level"], g["count"]) for g in recent.to_dict()["groups"]] == [
        ("critical", 1),
        ("error", 1),
        ("warning", 1),
    ]


def test_info_line_mentioning_error_is_not_an_event(logws) -> None:
    put(logws.root, "app.log", text="2026-11-20 10:00:00,000 INFO app: ERROR count is 0\n" * 3)
    assert find_errors(logws, paths=["app.log"]).groups == []


def test_info_record_with_a_traceback_counts_as_an_error(logws) -> None:
    text = (
        "2026-11-20 10:00:00,000 INFO app: retrying\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "OSError: boom\n"
        "2026-11-20 10:00:01,000 INFO app: fine\n"
    )
    put(logws.root, "app.log", text=text)
    [group] = find_errors(logws, paths=["app.log"]).groups
    assert (group.level, group.shape, group.exception) == (40, "app: retrying", "OSError: boom")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "order 1234 failed for 10.0.0.7:8080 at 0x7f3a2b",
            "order <num> failed for <ip> at <hex>",
        ),
        ("request 3f2a9c1e-1b2c-4d5e-8f90-a1b2c3d4e5f6 done", "request <uuid> done"),
        ("cannot open /srv/app/data/file_123.json now", "cannot open <path> now"),
        ("bad value 'x12' and \"y\"", "bad value <str> and <str>"),
        ("can't reach fe80::1 or 2001:db8:0:0:0:0:0:1", "can't reach <ip> or <ip>"),
        ("commit a3f9c2e1d4 broke GET /api/items/7", "commit <hex> broke GET /api/items/<num>"),
        ("spaces   collapse\tto one", "spaces collapse to one"),
    ],
)
def test_shape_masks_what_varies(message: str, expected: str) -> None:
    assert shape(message) == expected
