"""Demo chapter: health, diagnose --fix, and a monitor that sees a service go down and come back."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import click

from agentdeck.demo import Tour

TITLE = "Ops: health, diagnose --fix, and a monitor that alerts once and recovers once"


class _Service:
    """A local HTTP service whose answers follow a script, and a webhook receiver."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.hooks: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                code = owner.script.pop(0) if owner.script else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.hooks.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(tour: Tour) -> None:
    service = _Service()
    try:
        _run(tour, service)
    finally:
        service.stop()


def _run(tour: Tour, service: _Service) -> None:
    config = tour.root / "agentdeck.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        "[monitor]\n",
        '[monitor]\ndebounce = 2\nchecks = ["service.*"]\nreminder_minutes = 0\n',
        1,
    ).replace(
        "[notify.webhook]\n", f'[notify.webhook]\nurl = "http://127.0.0.1:{service.port}/hook"\n', 1
    )
    text += f'\n[[services]]\nname = "api"\nurl = "http://127.0.0.1:{service.port}/health"\n'
    config.write_text(text, encoding="utf-8")
    tour.say(
        "The project's API runs locally and is declared in agentdeck.toml as a [[services]] "
        "entry. `health` checks the host (disk of the workspace's filesystem, memory, load per "
        "core) and each service; its exit code is the monitoring convention: 0 OK, 1 WARNING, "
        "2 CRITICAL, 3 UNKNOWN. (On this machine the load may well warn: the numbers are real.)"
    )
    tour.run("health", expect=(0, 1, 2, 3))
    tour.say(
        "`diagnose` looks at the project: git state, dependencies, agentdeck's migrations, the "
        "README and broken relative links. The overall verdict is HEALTHY, WARNING (one or two "
        "findings), DEGRADED (three or more) or FAIL, and --fix prints the exact commands."
    )
    tour.write(
        "docs/ops.md", "# Operations\n\nSee [the runbook](runbook.md) and [home](../README.md).\n"
    )
    tour.write("README.md", "# Demo project\n\nOperations: [docs/ops.md](docs/ops.md)\n")
    tour.run("diagnose", "--fix", expect=(0, 1, 2, 3))
    tour.say(
        "Now the monitor, every 0.3 s for ten rounds, alerting to the console and to a webhook. "
        "The API answers 503 for four rounds in the middle: one alert once the failure has held "
        "for two rounds (the debounce), one recovery message once it is back for two rounds."
    )
    service.script = [200, 200, 503, 503, 503, 503]
    tour.run("monitor", "start", "0.3", "--rounds", "10")
    if service.hooks:
        tour.say("The webhook receiver got (Slack reads `text`, Discord reads `content`):")
        for body in service.hooks:
            click.echo(f"  POST /hook  text={body.get('text')!r}")
    tour.say("The history stays in the store: per check the share of rounds OK, and incidents.")
    tour.run("monitor", "report")
    tour.say("`status` is the one screen an agent reads at the start of a session.")
    tour.run("status")
