"""SQL for counting failed ``POST /token`` attempts per client key (mixed into ``SqlStore``).

One row per key (by hash) that failed recently, shared by every process on the database,
so the throttle holds however many processes serve ``/token``. Counting is one upsert.
"""

from __future__ import annotations

from datetime import datetime

from bankbridge.clock import from_micros, to_micros
from bankbridge.store.base import Database

__all__ = ["TokenFailureSql"]


class TokenFailureSql:
    """Read, count and clear failed token attempts over ``self.database``."""

    database: Database

    async def token_lockout_end(self, key_hash: str) -> datetime | None:
        """When the key's lockout ends (in the past if it is not locked out); None when no
        failure is recorded for it."""
        row = await self.database.fetch_one(
            "SELECT locked_until FROM token_failures WHERE key_hash = :key", {"key": key_hash}
        )
        return from_micros(row["locked_until"]) if row else None

    async def record_token_failure(
        self,
        key_hash: str,
        moment: datetime,
        window_end: datetime,
        max_failures: int,
        locked_until: datetime,
    ) -> bool:
        """Count a failure at ``moment``; True when it locks the key (until ``locked_until``).

        Failures count within a window; a failure after the window's end starts a new one,
        ending at ``window_end``. The failure that brings the count to ``max_failures``
        (at least 2) locks the key.
        """
        row = await self.database.fetch_one(
            "INSERT INTO token_failures (key_hash, failures, window_end, locked_until) "
            "VALUES (:key, 1, :window_end, 0) "
            "ON CONFLICT (key_hash) DO UPDATE SET "
            "failures = CASE WHEN token_failures.window_end <= :now THEN 1 "
            "ELSE token_failures.failures + 1 END, "
            "window_end = CASE WHEN token_failures.window_end <= :now THEN :window_end "
            "ELSE token_failures.window_end END, "
            "locked_until = CASE WHEN (CASE WHEN token_failures.window_end <= :now THEN 1 "
            "ELSE token_failures.failures + 1 END) >= :max THEN :lock "
            "ELSE token_failures.locked_until END "
            "RETURNING locked_until",
            {
                "key": key_hash,
                "now": to_micros(moment),
                "window_end": to_micros(window_end),
                "max": max_failures,
                "lock": to_micros(locked_until),
            },
        )
        return row is not None and int(row["locked_until"]) == to_micros(locked_until)

    async def clear_token_failures(self, key_hash: str) -> None:
        """Forget a key's failures (its client proved it holds the secret)."""
        await self.database.execute(
            "DELETE FROM token_failures WHERE key_hash = :key", {"key": key_hash}
        )

    async def _purge_token_failures(self, moment: datetime, batch: int) -> int:
        """Delete up to ``batch`` rows whose window and lockout both ended before ``moment``."""
        return await self.database.execute(
            "DELETE FROM token_failures WHERE key_hash IN ("
            "SELECT key_hash FROM token_failures WHERE window_end < :now "
            "AND locked_until < :now LIMIT :batch)",
            {"now": to_micros(moment), "batch": batch},
        )
