"""The monitor's signal handler: it must never wait for a lock the interrupted code holds."""

from __future__ import annotations

import signal
import threading

from agentdeck.ops.monitor import stop_on_signal


def test_the_handler_returns_while_the_interrupted_code_holds_the_stop_events_lock() -> None:
    # A signal handler runs in the main thread between two bytecodes, and the
    # monitor's main thread spends its pauses in ``stop.wait``, which holds the
    # event's lock around its own wait. A handler that set the event itself
    # would wait for that lock forever. Here the "interrupted" thread holds the
    # lock and calls the handler as Python would.
    stop = threading.Event()
    said: list[str] = []
    handler = stop_on_signal(stop, said.append)
    returned = threading.Event()

    def interrupted() -> None:
        with stop._cond:  # type: ignore[attr-defined]  # as inside Event.wait
            handler(signal.SIGTERM, None)
            returned.set()

    # A daemon thread: were the handler to block, it would stay blocked
    # without holding up the suite, and the assertion below fails.
    threading.Thread(target=interrupted, daemon=True).start()
    assert returned.wait(10), "the signal handler blocked on the stop event's lock"
    assert stop.wait(10)
    assert said == ["SIGTERM: stopping after this round"]


def test_a_second_signal_says_nothing_more() -> None:
    stop = threading.Event()
    said: list[str] = []
    handler = stop_on_signal(stop, said.append)
    handler(signal.SIGINT, None)
    assert stop.wait(10)
    handler(signal.SIGTERM, None)
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(5)
    assert said == ["SIGINT: stopping after this round"]
