"""``Idempotency-Key`` on POST, with Dwolla's semantics, as ASGI middleware.

The same key from the same account within 24 hours, on the same method and path, answers
the first request's status, headers and body without running the endpoint again (on
another path it is refused with 409 ``Conflict``), also when the two requests arrive at
once on different processes: the database row for (account, key) admits one owner, and the
others wait for its response. A request that fails with a 5xx releases its key, so a retry
does the work. Requests without a valid bearer token are passed through (the endpoint
answers 401); keys are per account, so two accounts never share one.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankbridge.api.errors import error_body
from bankbridge.api.hal import hal_response
from bankbridge.clock import now
from bankbridge.domain.accounts import authenticate
from bankbridge.errors import BankBridgeError, Conflict, ValidationError
from bankbridge.services import Services
from bankbridge.store.sql_idempotency import StoredResponse

__all__ = ["IdempotencyMiddleware"]

KEY_LIFETIME = timedelta(hours=24)
LEASE = timedelta(seconds=60)  # how long a first request may run before others take over
WAIT_SECONDS = 30.0  # how long a duplicate waits for the first request's response
POLL_SECONDS = 0.05
MAX_KEY_LENGTH = 255


class IdempotencyMiddleware:
    """Replays the stored response for a repeated (account, Idempotency-Key)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        services: Services = scope["app"].state.services
        if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            error = ValidationError.single(
                "/Idempotency-Key",
                "Invalid",
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
            )
            await self._reply_error(error, services, scope, receive, send)
            return
        account_id = await self._account_id(headers, services)
        if account_id is None:
            await self.app(scope, receive, send)
            return
        store = services.require_store()
        request_key = f"{scope['method']} {scope['path']}"
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            moment = now()
            if await store.claim_idempotency_key(
                account_id, key, request_key, moment, moment + LEASE, moment - KEY_LIFETIME
            ):
                break
            found = await store.read_idempotent_response(account_id, key, moment - KEY_LIFETIME)
            if found is not None and found[1] not in (None, request_key):
                reused = Conflict(
                    "This Idempotency-Key was already used for a different request "
                    f"({found[1]}); use a new key."
                )
                await self._reply_error(reused, services, scope, receive, send)
                return
            if found is not None and found[2] is not None:
                await _replay(found[2], send)
                return
            if time.monotonic() > deadline:
                conflict = Conflict("A request with this Idempotency-Key is still being processed.")
                await self._reply_error(conflict, services, scope, receive, send)
                return
            await asyncio.sleep(POLL_SECONDS)
        await self._run_and_remember(scope, receive, send, account_id, key, services)

    async def _run_and_remember(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        account_id: str,
        key: str,
        services: Services,
    ) -> None:
        store = services.require_store()
        status = 500
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.extend(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await store.release_idempotency_key(account_id, key)
            raise
        if status >= 500:
            await store.release_idempotency_key(account_id, key)
            return
        await store.complete_idempotency_key(
            account_id, key, StoredResponse(status, response_headers, b"".join(chunks))
        )

    @staticmethod
    async def _account_id(headers: Headers, services: Services) -> str | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            account = await authenticate(services.require_store(), token.strip())
        except BankBridgeError:
            return None
        return account.id

    @staticmethod
    async def _reply_error(
        error: BankBridgeError, services: Services, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response = hal_response(
            error_body(error, services.settings.public_url), status=error.status
        )
        await response(scope, receive, send)


async def _replay(response: StoredResponse, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
