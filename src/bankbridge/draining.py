"""Draining: once the process is asked to stop, readiness answers 503.

A load balancer polls ``/readyz``; from the moment the server is told to stop (SIGTERM or
SIGINT, which uvicorn handles) until it exits, readiness fails so no new traffic is sent
while in-flight requests finish. ``Draining.watch_signals`` chains onto whatever handler
the server installed, so uvicorn's own graceful shutdown runs exactly as before.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["Draining"]

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Draining:
    """A flag set once, when shutdown begins."""

    def __init__(self) -> None:
        self._active = False

    @property
    def active(self) -> bool:
        """True once shutdown has begun."""
        return self._active

    def begin(self) -> None:
        """Mark the process as shutting down (idempotent)."""
        self._active = True

    def watch_signals(self) -> Callable[[], None]:
        """Begin draining on SIGTERM/SIGINT, then call the handler already installed.

        Returns a function that puts the previous handlers back. Signal handlers can be
        set only from the main thread: elsewhere (a test client's thread) nothing is
        watched and the lifespan's shutdown alone begins draining.
        """
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = {number: signal.getsignal(number) for number in _STOP_SIGNALS}
        for number, handler in previous.items():
            if callable(handler):
                signal.signal(number, self._chained(handler))

        def restore() -> None:
            for number, handler in previous.items():
                if callable(handler):
                    signal.signal(number, handler)

        return restore

    def _chained(
        self, handler: Callable[[int, FrameType | None], object]
    ) -> Callable[[int, FrameType | None], None]:
        def on_signal(number: int, frame: FrameType | None) -> None:
            self.begin()
            handler(number, frame)

        return on_signal
