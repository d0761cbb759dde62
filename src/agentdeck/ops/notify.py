"""Where monitor alerts go besides the console: a webhook, email.

``WebhookNotifier`` POSTs JSON that Slack incoming webhooks (``text``) and
Discord webhooks (``content``) both accept, plus the structured event under
``agentdeck`` for any other receiver. ``EmailNotifier`` sends a plain-text
mail over SMTP (smtplib; STARTTLS or TLS and login when configured; the
password comes from an environment variable, never from the file).

``Dispatcher`` delivers in the background: each notifier has a bounded queue
and at most one delivery thread; a failure is logged and retried later with
exponential backoff; a delivery that hangs past its timeout is left on its
daemon thread and the notifier is skipped until it returns. Nothing here can
stop or stall a monitor round.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from agentdeck.errors import AgentdeckError

if TYPE_CHECKING:
    from agentdeck.config import Config
    from agentdeck.ops.monitor.alerts import AlertEvent


class NotifyError(AgentdeckError):
    """A notification could not be delivered (the message says where and why)."""


class Notifier(Protocol):
    """Delivers one alert; raises ``NotifyError`` (or ``OSError``) when it cannot."""

    name: str
    timeout: float

    def send(self, event: AlertEvent) -> None: ...


def webhook_body(event: AlertEvent) -> dict[str, Any]:
    """JSON for Slack (``text``), Discord (``content``, at most 2000 characters) and others."""
    text = f"[agentdeck] {event.title()}"
    return {"text": text, "content": text[:2000], "agentdeck": event.to_dict()}


@dataclass
class WebhookNotifier:
    """POST the alert as JSON to ``url``; any 2xx answer is a delivery."""

    url: str
    timeout: float = 10.0
    name: str = "webhook"

    def send(self, event: AlertEvent) -> None:
        import httpx

        from agentdeck.ops.checks_host import ssl_context

        try:
            with httpx.Client(
                timeout=self.timeout, trust_env=False, verify=ssl_context()
            ) as client:
                response = client.post(self.url, json=webhook_body(event))
        except httpx.TimeoutException:
            raise NotifyError(
                f"webhook {_safe_url(self.url)}: no answer within {self.timeout:g}s"
            ) from None
        except httpx.HTTPError as err:
            raise NotifyError(
                f"webhook {_safe_url(self.url)}: {type(err).__name__}: {err}"
            ) from None
        if not 200 <= response.status_code < 300:
            raise NotifyError(
                f"webhook {_safe_url(self.url)} answered {response.status_code}: {response.text[:200]}"
            )


def _safe_url(url: str) -> str:
    """Scheme, host and the start of the path: webhook URLs carry their token in the path."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path if len(parts.path) <= 12 else parts.path[:12] + "…"
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass
class EmailNotifier:
    """Mail the alert over SMTP to ``to``."""

    to: list[str]
    sender: str = "agentdeck@localhost"
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 10.0
    name: str = "email"

    def message(self, event: AlertEvent) -> Any:
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        msg = EmailMessage()
        msg["Subject"] = f"[agentdeck] {event.title()}"[:200]
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="agentdeck")
        data = event.to_dict()
        lines = [event.title(), ""] + [f"{k}: {v}" for k, v in data.items() if k != "title"]
        msg.set_content("\n".join(lines) + "\n")
        return msg

    def send(self, event: AlertEvent) -> None:
        import smtplib

        where = f"SMTP server {self.host}:{self.port}"
        try:
            factory = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
            with factory(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls and not self.ssl:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(self.message(event))
        except TimeoutError:
            raise NotifyError(f"{where}: no answer within {self.timeout:g}s") from None
        except smtplib.SMTPServerDisconnected as err:
            if "timed out" in str(err):
                raise NotifyError(f"{where}: no answer within {self.timeout:g}s") from None
            raise NotifyError(f"{where} closed the connection: {err}") from None
        except smtplib.SMTPException as err:
            raise NotifyError(f"{where} refused the mail: {err}") from None
        except OSError as err:
            raise NotifyError(f"cannot reach {where}: {err.strerror or err}") from None


def from_config(config: Config, environ: dict[str, str] | None = None) -> list[Notifier]:
    """The webhook and email notifiers ``[notify.*]`` configures (none by default).

    Raises ``InvalidInput`` when a configured notifier cannot work (a url_env
    that is unset, a URL that is not http).
    """
    from agentdeck.errors import InvalidInput

    env = os.environ if environ is None else environ
    found: list[Notifier] = []
    hook = config.section("notify.webhook")
    url = hook["url"]
    if hook["url_env"]:
        url = env.get(hook["url_env"], "")
        if not url:
            raise InvalidInput(
                f"[notify.webhook] url_env names {hook['url_env']}, which is not set",
                hint=f"export {hook['url_env']}=https://… or remove url_env",
            )
    if url:
        if not url.startswith(("http://", "https://")):
            raise InvalidInput(
                f"[notify.webhook] url must start with http:// or https://, not {url[:30]!r}"
            )
        found.append(WebhookNotifier(url, hook["timeout"]))
    mail = config.section("notify.email")
    if mail["to"]:
        password = ""
        if mail["password_env"]:
            password = env.get(mail["password_env"], "")
            if not password:
                raise InvalidInput(
                    f"[notify.email] password_env names {mail['password_env']}, which is not set"
                )
        found.append(
            EmailNotifier(
                list(mail["to"]),
                mail["sender"],
                mail["host"],
                mail["port"],
                mail["starttls"],
                mail["ssl"],
                mail["username"],
                password,
                mail["timeout"],
            )
        )
    return found


# -- background delivery ---------------------------------------------------------


@dataclass
class _Pending:
    event: AlertEvent
    attempts: int = 0
    next_try: datetime | None = None


@dataclass
class _Channel:
    notifier: Notifier
    queue: deque[_Pending] = field(default_factory=deque)
    thread: threading.Thread | None = None
    sent: int = 0  # delivered events, for tests and diagnostics
    failed: int = 0  # failed attempts


class Dispatcher:
    """Queues events per notifier and delivers them on background threads with retries.

    ``clock`` gives the time used for backoff (the monitor's clock, so tests
    control it); ``log`` receives one line per failure, retry and drop.
    """

    def __init__(
        self,
        notifiers: list[Notifier],
        *,
        clock: Callable[[], datetime],
        log: Callable[[str], None],
        max_queue: int = 100,
        max_attempts: int = 10,
        backoff: timedelta = timedelta(seconds=30),
        max_backoff: timedelta = timedelta(minutes=30),
    ) -> None:
        self.channels = [_Channel(n) for n in notifiers]
        self.clock = clock
        self.log = log
        self.max_queue = max_queue
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._lock = threading.Lock()

    def submit(self, events: list[AlertEvent]) -> None:
        """Queue ``events`` for every notifier and start deliveries that are due."""
        with self._lock:
            for channel in self.channels:
                for event in events:
                    if len(channel.queue) >= self.max_queue:
                        dropped = channel.queue.popleft()
                        self.log(
                            f"notify {channel.notifier.name}: queue full, dropped {dropped.event.title()}"
                        )
                    channel.queue.append(_Pending(event))
        self.pump()

    def pump(self) -> None:
        """Start a delivery thread for each notifier with due events and no delivery running."""
        for channel in self.channels:
            with self._lock:
                if channel.thread is not None or not self._due(channel):
                    continue
                thread = threading.Thread(
                    target=self._deliver,
                    args=(channel,),
                    name=f"notify:{channel.notifier.name}",
                    daemon=True,
                )
                channel.thread = thread
            thread.start()

    def _due(self, channel: _Channel) -> _Pending | None:
        """The oldest queued event when it is due (later events wait behind it, in order)."""
        head = channel.queue[0] if channel.queue else None
        if head is None or (head.next_try is not None and head.next_try > self.clock()):
            return None
        return head

    def _deliver(self, channel: _Channel) -> None:
        """Deliver due events one by one until none is due or one fails; then end the thread."""
        notifier = channel.notifier
        while True:
            with self._lock:
                pending = self._due(channel)
                if pending is None:
                    channel.thread = None  # under the lock: pump() starts a new one if needed
                    return
            try:
                notifier.send(pending.event)
            except Exception as err:
                now = self.clock()
                with self._lock:
                    pending.attempts += 1
                    channel.failed += 1
                    if pending.attempts >= self.max_attempts:
                        if pending in channel.queue:
                            channel.queue.remove(pending)
                        self.log(
                            f"notify {notifier.name}: gave up after {pending.attempts} attempts: "
                            f"{pending.event.title()} ({err})"
                        )
                        continue
                    wait = min(self.backoff * 2 ** (pending.attempts - 1), self.max_backoff)
                    pending.next_try = now + wait
                    self.log(
                        f"notify {notifier.name}: delivery failed ({err}); "
                        f"retry {pending.attempts + 1} in {int(wait.total_seconds())}s"
                    )
                continue  # not due any more: the loop ends unless the backoff is zero
            with self._lock:
                channel.sent += 1
                if pending in channel.queue:
                    channel.queue.remove(pending)

    def pending(self) -> int:
        """Events waiting in all queues."""
        with self._lock:
            return sum(len(c.queue) for c in self.channels)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for running deliveries; True when none runs."""
        import time

        deadline = time.monotonic() + timeout
        for channel in self.channels:
            thread = channel.thread
            if thread is not None:
                thread.join(max(0.0, deadline - time.monotonic()))
        return not self.busy()

    def busy(self) -> list[str]:
        """Names of notifiers whose delivery is still running (e.g. hanging)."""
        return [c.notifier.name for c in self.channels if c.thread is not None]


def send_test(notifiers: list[Notifier], now: datetime) -> list[dict[str, Any]]:
    """Send one test alert to each notifier, synchronously; ``[{"notifier", "ok", "error"}]``."""
    from agentdeck.ops.checks import Status
    from agentdeck.ops.monitor.alerts import AlertEvent

    event = AlertEvent(
        "FIRING",
        "agentdeck.test",
        Status.WARNING,
        Status.OK,
        now,
        now,
        "a test alert from `agentdeck monitor notify-test`; nothing is wrong",
    )
    outcome = []
    for notifier in notifiers:
        try:
            notifier.send(event)
        except Exception as err:
            outcome.append({"notifier": notifier.name, "ok": False, "error": str(err)})
        else:
            outcome.append({"notifier": notifier.name, "ok": True, "error": None})
    return outcome
