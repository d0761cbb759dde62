"""Webhook and SMTP notifiers against local receivers; failing and hanging ones never stop the monitor."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from health_helpers import LocalServer, refused_port

from agentdeck.config import Config, defaults
from agentdeck.errors import InvalidInput
from agentdeck.ops.checks import Check, CheckResult, Status
from agentdeck.ops.monitor import Monitor, MonitorSettings
from agentdeck.ops.monitor.alerts import AlertEvent
from agentdeck.ops.notify import (
    Dispatcher,
    EmailNotifier,
    NotifyError,
    WebhookNotifier,
    from_config,
    webhook_body,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def event(kind: str = "FIRING", status: Status = Status.CRITICAL) -> AlertEvent:
    return AlertEvent(kind, "service.api", status, Status.OK, T0, T0, "http://api answered 500")


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer()
    yield s
    s.close()


class Smtp:
    """An aiosmtpd server on 127.0.0.1 keeping the messages it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, list[str], str]] = []
        owner = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                owner.messages.append(
                    (envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode())
                )
                return "250 OK"

        self.port = refused_port()  # a free port for the server to take
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    s = Smtp()
    yield s
    s.stop()


# -- webhook ---------------------------------------------------------------------


def test_webhook_body_suits_slack_and_discord() -> None:
    body = webhook_body(event())
    assert body["text"] == "[agentdeck] CRITICAL service.api: http://api answered 500"
    assert body["content"] == body["text"]
    assert body["agentdeck"]["kind"] == "FIRING" and body["agentdeck"]["status"] == "CRITICAL"
    long = AlertEvent("FIRING", "x", Status.WARNING, Status.OK, T0, T0, "m" * 5000)
    assert len(webhook_body(long)["content"]) == 2000


def test_webhook_delivers_json(server: LocalServer) -> None:
    WebhookNotifier(server.url("/hook")).send(event())
    assert server.bodies == [webhook_body(event())]


def test_webhook_error_answer_raises(server: LocalServer) -> None:
    server.hook_status = 500
    with pytest.raises(NotifyError, match="answered 500"):
        WebhookNotifier(server.url("/hook")).send(event())


def test_webhook_hang_and_refusal_raise(server: LocalServer) -> None:
    with pytest.raises(NotifyError, match=r"no answer within 0\.3s"):
        WebhookNotifier(server.url("/hang"), timeout=0.3).send(event())
    with pytest.raises(NotifyError, match="ConnectError"):
        WebhookNotifier(f"http://127.0.0.1:{refused_port()}/hook").send(event())


def test_webhook_errors_hide_the_token_in_the_url() -> None:
    url = f"http://127.0.0.1:{refused_port()}/services/T000/B000/secret-token-value"
    with pytest.raises(NotifyError) as err:
        WebhookNotifier(url).send(event())
    assert "secret-token-value" not in str(err.value)


# -- email -----------------------------------------------------------------------


def test_email_is_delivered(smtp: Smtp) -> None:
    notifier = EmailNotifier(
        ["ops@example.com", "dev@example.com"], "deck@example.com", "127.0.0.1", smtp.port
    )
    notifier.send(event("RESOLVED", Status.OK))
    assert len(smtp.messages) == 1
    sender, to, content = smtp.messages[0]
    assert sender == "deck@example.com"
    assert to == ["ops@example.com", "dev@example.com"]
    assert "Subject: [agentdeck] RESOLVED service.api after 0s" in content
    assert "check: service.api" in content


def test_unreachable_smtp_server_raises_a_clear_error() -> None:
    port = refused_port()
    with pytest.raises(
        NotifyError, match=f"cannot reach SMTP server 127.0.0.1:{port}: Connection refused"
    ):
        EmailNotifier(["a@example.com"], host="127.0.0.1", port=port, timeout=2).send(event())


def test_smtp_server_that_never_greets_times_out() -> None:
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(NotifyError, match=r"no answer within 0\.3s"):
            EmailNotifier(["a@example.com"], host="127.0.0.1", port=port, timeout=0.3).send(event())


# -- configuration ---------------------------------------------------------------


def config_with(**sections: dict) -> Config:
    base = defaults()
    values = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.values.items()}
    for name, keys in sections.items():
        values[name.replace("_", ".")].update(keys)
    return Config(values)


def test_nothing_configured_means_no_notifiers() -> None:
    assert from_config(defaults()) == []


def test_notifiers_from_config() -> None:
    config = config_with(
        notify_webhook={"url_env": "HOOK"},
        notify_email={"to": ["a@example.com"], "password_env": "PW", "username": "deck"},
    )
    found = from_config(config, {"HOOK": "https://hooks.example.com/x", "PW": "s3cret"})
    assert [n.name for n in found] == ["webhook", "email"]
    assert found[0].url == "https://hooks.example.com/x"
    assert found[1].password == "s3cret"


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"notify_webhook": {"url_env": "HOOK"}}, "url_env names HOOK, which is not set"),
        ({"notify_webhook": {"url": "hooks.example.com"}}, "must start with http://"),
        ({"notify_email": {"to": ["a@b"], "password_env": "PW"}}, "password_env names PW"),
    ],
)
def test_bad_notifier_config(sections: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        from_config(config_with(**sections), {})


# -- background delivery: failures are logged and retried, hangs are skipped -----


class Flaky:
    name = "flaky"
    timeout = 1.0

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[str] = []

    def send(self, ev: AlertEvent) -> None:
        if self.failures:
            self.failures -= 1
            raise NotifyError("receiver down")
        self.delivered.append(ev.kind)


def test_a_failed_delivery_is_logged_and_retried_later() -> None:
    now = [T0]
    log: list[str] = []
    flaky = Flaky(failures=2)
    dispatcher = Dispatcher(
        [flaky], clock=lambda: now[0], log=log.append, backoff=timedelta(seconds=30)
    )
    dispatcher.submit([event("FIRING"), event("REMINDER")])
    assert dispatcher.wait(5)
    assert log == ["notify flaky: delivery failed (receiver down); retry 2 in 30s"]
    dispatcher.pump()  # not due yet
    assert dispatcher.wait(5) and flaky.delivered == []
    now[0] = T0 + timedelta(seconds=30)
    dispatcher.pump()
    assert dispatcher.wait(5)
    assert log[-1] == "notify flaky: delivery failed (receiver down); retry 3 in 60s"
    now[0] = T0 + timedelta(seconds=90)
    dispatcher.pump()
    assert dispatcher.wait(5)
    assert flaky.delivered == ["FIRING", "REMINDER"]  # in order, after the retries
    assert dispatcher.pending() == 0


def test_a_notifier_that_keeps_failing_is_given_up(smtp: Smtp) -> None:
    now = [T0]
    log: list[str] = []
    dispatcher = Dispatcher(
        [Flaky(failures=99)],
        clock=lambda: now[0],
        log=log.append,
        max_attempts=2,
        backoff=timedelta(0),
    )
    dispatcher.submit([event()])
    dispatcher.wait(5)
    dispatcher.pump()
    dispatcher.wait(5)
    assert log[-1].startswith("notify flaky: gave up after 2 attempts")
    assert dispatcher.pending() == 0


class Hanging:
    name = "hanging"
    timeout = 1.0

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def send(self, ev: AlertEvent) -> None:
        self.calls += 1
        self.release.wait(30)


def test_hanging_and_failing_notifiers_never_stop_the_monitor(
    ws, server: LocalServer, smtp: Smtp
) -> None:
    statuses = iter([Status.CRITICAL] * 4 + [Status.OK] * 4)
    now = [T0]

    def checks() -> list[Check]:
        now[0] += timedelta(minutes=1)
        status = next(statuses)
        return [Check("service.api", lambda: CheckResult("service.api", status, None, status.name))]

    hanging = Hanging()
    good_hook = WebhookNotifier(server.url("/hook"))
    dead_mail = EmailNotifier(["a@example.com"], host="127.0.0.1", port=refused_port(), timeout=1)
    good_mail = EmailNotifier(["b@example.com"], host="127.0.0.1", port=smtp.port)
    good_mail.name = "email-ok"
    lines: list[str] = []
    monitor = Monitor(
        ws,
        MonitorSettings(interval=60, debounce=2, reminder_minutes=0),
        echo=lines.append,
        notifiers=[hanging, dead_mail, good_hook, good_mail],
        clock=lambda: now[0],
        checks=checks,
    )
    try:
        for _ in range(8):
            monitor.run_round()
        assert monitor.rounds == 8
        # Deliveries run in the background; wait (bounded) for the working receivers.
        deadline = time.monotonic() + 20
        while (len(server.bodies) < 2 or len(smtp.messages) < 2) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [b["agentdeck"]["kind"] for b in server.bodies] == ["FIRING", "RESOLVED"]
        assert len(smtp.messages) == 2
        assert hanging.calls == 1  # not started again while its first delivery hangs
        assert "hanging" in monitor.dispatcher.busy()
        failures = [line for line in lines if "notify email:" in line]
        assert failures and "cannot reach SMTP server" in failures[0] and "retry 2" in failures[0]
    finally:
        hanging.release.set()


def test_notify_test_command(ws, deck, server: LocalServer, smtp: Smtp) -> None:
    none = deck("monitor", "notify-test")
    assert none.code == 3 and "no notifier configured" in none.err
    text = (ws.root / "agentdeck.toml").read_text()
    text = text.replace("[notify.webhook]\n", f'[notify.webhook]\nurl = "{server.url("/hook")}"\n')
    text = text.replace(
        "[notify.email]\n",
        f'[notify.email]\nto = ["ops@example.com"]\nhost = "127.0.0.1"\nport = {smtp.port}\n',
    )
    (ws.root / "agentdeck.toml").write_text(text)
    result = deck("monitor", "notify-test")
    assert result.code == 0, result.err
    assert result.out == "webhook: sent\nemail: sent\n"
    assert server.bodies[0]["agentdeck"]["check"] == "agentdeck.test"
    assert len(smtp.messages) == 1
    port = refused_port()
    (ws.root / "agentdeck.toml").write_text(text.replace(f"port = {smtp.port}", f"port = {port}"))
    failed = deck("monitor", "notify-test", "--json")
    assert failed.code == 1
    data = json.loads(failed.out)
    assert data[0] == {"notifier": "webhook", "ok": True, "error": None}
    assert data[1]["ok"] is False
    assert data[1]["error"] == f"cannot reach SMTP server 127.0.0.1:{port}: Connection refused"
