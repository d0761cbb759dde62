"""Demo chapter: the log analyzer, the test runner with history, and the inventory."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys

from agentdeck.demo import Tour

TITLE = "Logs grouped by shape, tests recorded (and a flaky one caught), dormant parts"

_TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/srv/shop/orders.py", line 42, in handle\n'
    "    qty = int(payload['qty'])\n"
    "ValueError: invalid literal for int() with base 10: '{bad}'\n"
)


def _log() -> str:
    lines = []
    orders = [(1, 1001, "abc"), (4, 1002, "x9"), (9, 1007, "two")]
    for minute in range(12):
        stamp = f"2026-11-20 10:{minute:02d}:00,000"
        lines.append(f"{stamp} INFO shop.http: GET /api/items/{minute + 10} 200 {minute + 3}ms\n")
        for when, order, bad in orders:
            if when == minute:
                lines.append(
                    f"{stamp} ERROR shop.orders: failed to process order {order} for user {order % 97}\n"
                    + _TRACE.format(bad=bad)
                )
        if minute in (2, 7):
            lines.append(
                f"{stamp} WARNING shop.http: slow request GET /api/items/{minute} took {1500 + minute}ms\n"
            )
        if minute == 11:
            lines.append(
                f"{stamp} CRITICAL shop.db: connection pool exhausted (size=10, waiting=31)\n"
            )
    return "".join(lines)


_SHOP = {
    "shop/__init__.py": "",
    "shop/cart.py": "def total(prices):\n    return sum(prices)\n",
    "shop/legacy_prices.py": "# Replaced by cart.total in March; nothing imports it any more.\nRATES = {}\n",
    "tests/test_cart.py": (
        "from shop.cart import total\n\n\n"
        "def test_total():\n    assert total([1, 2]) == 3\n\n\n"
        "def test_empty():\n    assert total([]) == 0\n"
    ),
    "tests/test_checkout.py": (
        "from pathlib import Path\n\n\n"
        "def test_checkout_is_flaky():\n"
        "    # Depends on state a previous run left behind: fails, then passes.\n"
        "    state = Path(__file__).parent.parent / '.demo-state' / 'runs'\n"
        "    state.parent.mkdir(exist_ok=True)\n"
        "    runs = int(state.read_text()) if state.exists() else 0\n"
        "    state.write_text(str(runs + 1))\n"
        "    assert runs % 2 == 1, 'payment sandbox timed out'\n"
    ),
    "tests/check_prices.py": "def test_prices():\n    assert True\n",
    "scripts/deploy.sh": "#!/bin/sh\necho deploying\n",
    "scripts/old_backfill.sh": "#!/bin/sh\necho one-off backfill from 2025\n",
    "docs/guide.md": "# Shop guide\n\nDeploy with scripts/deploy.sh.\n",
    "docs/plan-v1.md": "# The first plan (superseded)\n",
    "README.md": "# Shop\n\nSee [the guide](docs/guide.md); deploy with `scripts/deploy.sh`.\n",
}


def run(tour: Tour) -> None:
    tour.say(
        "An agent's service left a log with repeated failures. `logs errors` detects the format, "
        "keeps each traceback with its record, and groups events by the shape of their message: "
        "numbers, hex, UUIDs, IPs, paths and quoted values are masked, so one group is one problem."
    )
    tour.write("logs/app.log", _log())
    tour.run("logs", "errors")
    tour.run("logs", "errors", "--level", "error", "--examples", "--limit", "1")
    tour.say("Search finds whole events, tracebacks included:")
    tour.run("logs", "search", "order 100[17]")
    tour.say(
        "`--new` (and the logs check of diagnose) remember where they stopped in each file, so "
        "a second look reports only what was written since."
    )
    tour.run("logs", "errors", "--new", show=False)
    with open(tour.root / "logs" / "app.log", "a", encoding="utf-8") as handle:
        handle.write(
            "2026-11-20 10:15:00,000 ERROR shop.orders: failed to process order 1011 for user 41\n"
            + _TRACE.format(bad="ten")
        )
    tour.run("logs", "errors", "--new")

    if importlib.util.find_spec("pytest") is None:
        tour.say("pytest is not installed here, so the test-runner part of the tour is skipped.")
    else:
        tour.say(
            "`test run` runs the project's test command, streams it, and records the run with "
            "each test's outcome. The demo's checkout test is flaky: it fails, then passes, on "
            "the same code."
        )
        for name, text in _SHOP.items():
            tour.write(name, text)
        tour.write(".gitignore", ".demo-state/\n__pycache__/\n.agentdeck/\n")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        config = (tour.root / "agentdeck.toml").read_text(encoding="utf-8")
        setting = f"[tests]\ncommand = {json.dumps(shlex.join(command))}\ntimeout = 120\n"
        # The generated file declares [tests] with its keys commented: set them there.
        tour.write("agentdeck.toml", config.replace("\n[tests]\n", "\n" + setting, 1))
        tour.commit("Shop package, tests and scripts")
        tour.run("test", "run", expect=(1,), max_lines=30)
        tour.run("test", "run", max_lines=6)
        tour.run("test", "history")
        tour.say("A test that passed and failed on the same commit and work tree is flaky:")
        tour.run("test", "flaky")

    tour.say(
        "Agent sessions leave parts behind. `inventory` lists what exists but nothing uses, "
        "and why: scripts nothing mentions, modules nothing imports, docs nothing links to, "
        "tests the test command would not collect."
    )
    tour.run("inventory")
