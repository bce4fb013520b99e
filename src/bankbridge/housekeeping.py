"""Housekeeping: a background task that deletes expired rows in small batches.

Expired emulator records are already invisible to every read; deleting them keeps tables
(and the cost of reading them) from growing with time. Expired access tokens are kept for
``EXPIRED_TOKEN_RETENTION`` first, so that a client using one still hears
``ExpiredAccessToken`` (time to fetch a new token), not ``InvalidAccessToken``, and no request
races the purge. Each process runs the task; the batched deletes are idempotent, so several
processes may run it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bankbridge.clock import now
from bankbridge.store.base import Store

__all__ = ["EXPIRED_TOKEN_RETENTION", "Housekeeper"]

log = logging.getLogger("bankbridge.housekeeping")

INTERVAL_SECONDS = 60.0
EXPIRED_TOKEN_RETENTION = timedelta(days=1)


class Housekeeper:
    """Runs ``store.purge_expired`` every ``interval`` seconds until stopped."""

    def __init__(self, store: Store, interval: float = INTERVAL_SECONDS) -> None:
        self._store = store
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Purge until a batch comes back short; returns the rows deleted."""
        total = 0
        while True:
            moment = now()
            removed = await self._store.purge_expired(moment, moment - EXPIRED_TOKEN_RETENTION)
            total += removed
            if removed < 500:
                return total

    def start(self) -> None:
        """Begin purging in the background."""
        self._task = asyncio.create_task(self._loop(), name="bankbridge-housekeeping")

    async def stop(self) -> None:
        """Stop the background task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # keep purging later; a failure here must not stop the app
                log.exception("housekeeping failed")
            await asyncio.sleep(self._interval)
