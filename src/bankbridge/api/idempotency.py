"""``Idempotency-Key`` on POST, with Dwolla's semantics, as ASGI middleware.

The same key from the same account within 24 hours, on the same method and path, answers
the first request's status, headers and body without running the endpoint again (on
another path it is refused with 409 ``Conflict``), also when the two requests arrive at
once on different processes: the database row for (account, key) admits one owner, and the
others wait for its response. A request that fails with a 5xx releases its key, so a retry
does the work. Requests without a valid bearer token are passed through (the endpoint
answers 401); keys are per account, so two accounts never share one.

A crash cannot release a key, so the owner holds it on a short lease (``LEASE``) that it
renews while its request runs; once a dead process stops renewing, a retry takes the key
over within ``LEASE`` and runs the request. The row names its owner (host, process and one
claim), and only that owner renews, completes or releases it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from datetime import timedelta

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankbridge.api.errors import error_body
from bankbridge.api.hal import hal_response
from bankbridge.api.observation import name_route
from bankbridge.clock import now
from bankbridge.domain.accounts import authenticate
from bankbridge.errors import BankBridgeError, Conflict, ValidationError
from bankbridge.metrics import count_idempotent_replay
from bankbridge.services import Services
from bankbridge.store.base import IdempotencyStore, StoredResponse

__all__ = ["IdempotencyMiddleware"]

log = logging.getLogger("bankbridge.idempotency")

KEY_LIFETIME = timedelta(hours=24)
# How long a key stays held without renewal: the wait for a retry after its owner died.
LEASE = timedelta(seconds=5)
RENEW_SECONDS = 1.5  # the owner renews well within the lease, even on a busy event loop
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
        store = services.store
        request_key = f"{scope['method']} {scope['path']}"
        owner = _new_owner()
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            moment = now()
            if await store.claim_idempotency_key(
                account_id, key, request_key, moment, moment + LEASE, moment - KEY_LIFETIME, owner
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
                name_route(scope)
                count_idempotent_replay()
                await _replay(found[2], send)
                return
            if time.monotonic() > deadline:
                conflict = Conflict("A request with this Idempotency-Key is still being processed.")
                await self._reply_error(conflict, services, scope, receive, send)
                return
            await asyncio.sleep(POLL_SECONDS)
        await self._run_and_remember(scope, receive, send, account_id, key, owner, services)

    async def _run_and_remember(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        account_id: str,
        key: str,
        owner: str,
        services: Services,
    ) -> None:
        store = services.store
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

        renewal = asyncio.create_task(_keep_leased(store, account_id, key, owner))
        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await _stop(renewal)
            await store.release_idempotency_key(account_id, key, owner)
            raise
        await _stop(renewal)
        if status >= 500:
            await store.release_idempotency_key(account_id, key, owner)
            return
        await store.complete_idempotency_key(
            account_id, key, owner, StoredResponse(status, response_headers, b"".join(chunks))
        )

    @staticmethod
    async def _account_id(headers: Headers, services: Services) -> str | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            account = await authenticate(services.store, token.strip(), services.token_cache)
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


def _new_owner() -> str:
    """This claim's owner: host and process (to tell in the table who held a key), and a
    random part, so that two requests of one process never pass for each other."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(8)}"  # pid: after fork


async def _keep_leased(store: IdempotencyStore, account_id: str, key: str, owner: str) -> None:
    """Renew the owner's lease every ``RENEW_SECONDS`` until cancelled or taken over."""
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        try:
            held = await store.renew_idempotency_key(account_id, key, owner, now() + LEASE)
        except Exception:  # a failed renewal must not fail the request; try again later
            log.exception("could not renew the lease on an idempotency key")
            continue
        if not held:
            log.warning("an idempotency key's lease lapsed and another request took it over")
            return


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _replay(response: StoredResponse, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
