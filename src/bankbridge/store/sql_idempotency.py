"""SQL for Idempotency-Key bookkeeping (mixed into ``SqlStore``).

The primary key (account, key) is the lock: exactly one request inserts the pending row,
whatever process it runs in; the others wait for its response or, if its lease lapses
(the process died, so nothing renews it), take the key over with a conditional update.
Each claim names its ``owner``; renewing, completing and releasing act only on one's own.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from bankbridge.clock import to_micros
from bankbridge.store.base import Database, UniqueViolation

__all__ = ["IdempotencySql", "StoredResponse"]


@dataclass(frozen=True)
class StoredResponse:
    """A response kept for replay."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class IdempotencySql:
    """Claim, renew, complete, release and read idempotency keys over ``self.database``."""

    database: Database

    async def claim_idempotency_key(
        self,
        account_id: str,
        key: str,
        request_key: str,
        now: datetime,
        lease_until: datetime,
        expired_before: datetime,
        owner: str,
    ) -> bool:
        """True when ``owner`` now holds the key (new, expired, or its owner's lease lapsed).

        ``request_key`` names the request (method and path) the key is being used for.
        """
        params = {
            "account": account_id,
            "key": key,
            "owner": owner,
            "request": request_key,
            "now": to_micros(now),
            "lease": to_micros(lease_until),
            "expired": to_micros(expired_before),
        }
        await self.database.execute(
            "DELETE FROM idempotency_keys WHERE created_at < :expired AND state = 'done'",
            {"expired": params["expired"]},
        )
        try:
            async with self.database.transaction() as tx:
                await tx.execute(
                    "INSERT INTO idempotency_keys (account_id, idempotency_key, request_key, "
                    "state, owner, locked_until, created_at) "
                    "VALUES (:account, :key, :request, 'pending', :owner, :lease, :now)",
                    params,
                )
            return True
        except UniqueViolation:
            pass
        taken = await self.database.execute(
            "UPDATE idempotency_keys SET state = 'pending', owner = :owner, "
            "locked_until = :lease, request_key = :request, created_at = :now, "
            "response_status = NULL, "
            "response_headers = NULL, response_body = NULL "
            "WHERE account_id = :account AND idempotency_key = :key AND ("
            "created_at < :expired OR (state = 'pending' AND locked_until < :now))",
            params,
        )
        return taken > 0

    async def renew_idempotency_key(
        self, account_id: str, key: str, owner: str, lease_until: datetime
    ) -> bool:
        """Extend ``owner``'s lease on a pending key; False when it no longer holds it."""
        renewed = await self.database.execute(
            "UPDATE idempotency_keys SET locked_until = :lease "
            "WHERE account_id = :account AND idempotency_key = :key AND owner = :owner "
            "AND state = 'pending'",
            {"account": account_id, "key": key, "owner": owner, "lease": to_micros(lease_until)},
        )
        return renewed > 0

    async def complete_idempotency_key(
        self, account_id: str, key: str, owner: str, response: StoredResponse
    ) -> None:
        """Remember the response of the request that owns the key (if it still does)."""
        await self.database.execute(
            "UPDATE idempotency_keys SET state = 'done', response_status = :status, "
            "response_headers = :headers, response_body = :body "
            "WHERE account_id = :account AND idempotency_key = :key AND owner = :owner "
            "AND state = 'pending'",
            {
                "account": account_id,
                "key": key,
                "owner": owner,
                "status": response.status,
                "headers": json.dumps(response.headers),
                "body": base64.b64encode(response.body).decode(),
            },
        )

    async def release_idempotency_key(self, account_id: str, key: str, owner: str) -> None:
        """Forget a key whose request failed on our side, so that a retry runs again."""
        await self.database.execute(
            "DELETE FROM idempotency_keys WHERE account_id = :account AND idempotency_key = :key "
            "AND owner = :owner AND state = 'pending'",
            {"account": account_id, "key": key, "owner": owner},
        )

    async def read_idempotent_response(
        self, account_id: str, key: str, expired_before: datetime
    ) -> tuple[str, str | None, StoredResponse | None] | None:
        """(state, request key, response) of a live key: ('done', …, response) or
        ('pending', …, None); None when there is none."""
        row = await self.database.fetch_one(
            "SELECT state, request_key, response_status, response_headers, response_body "
            "FROM idempotency_keys "
            "WHERE account_id = :account AND idempotency_key = :key AND created_at >= :expired",
            {"account": account_id, "key": key, "expired": to_micros(expired_before)},
        )
        if row is None:
            return None
        if row["state"] != "done":
            return ("pending", row["request_key"], None)
        headers = [(str(k), str(v)) for k, v in json.loads(row["response_headers"])]
        body = base64.b64decode(row["response_body"])
        response = StoredResponse(int(row["response_status"]), headers, body)
        return ("done", row["request_key"], response)
