"""The single error handler: every ``BankBridgeError`` becomes a Dwolla error body.

Anything else is logged with its traceback and answered as a bare 500 ``ServerError``;
partner detail (``PartnerError.detail``) is logged, never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.hal import hal_response, link
from bankbridge.errors import (
    BankBridgeError,
    DuplicateResource,
    MethodNotAllowed,
    NotFound,
    PartnerError,
    PartnerUnavailable,
    TooManyRequests,
    UpdateCredentials,
    ValidationError,
)
from bankbridge.redaction import redact_target

__all__ = ["EXCEPTION_HANDLERS", "error_body"]

log = logging.getLogger("bankbridge.api")


def error_body(error: BankBridgeError, base_url: str = "") -> dict[str, Any]:
    """Dwolla's error shape: ``code``, ``message`` and, for validation, embedded errors."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if isinstance(error, ValidationError):
        items = []
        for item in error.errors:
            links = {}
            if item.about is not None:
                collection, resource_id = item.about
                href = f"{base_url}/{collection}/{resource_id}"
                links["about"] = link(href, collection.rstrip("s"))
            items.append(
                {"code": item.code, "message": item.message, "path": item.path, "_links": links}
            )
        body["_embedded"] = {"errors": items}
    if isinstance(error, DuplicateResource):
        collection, resource_id = error.about
        href = f"{base_url}/{collection}/{resource_id}"
        body["_links"] = {"about": link(href, collection.rstrip("s"))}
    if isinstance(error, UpdateCredentials):
        href = f"{base_url}/exchanges/{error.exchange_id}/exchange-sessions"
        body["_links"] = {"about": link(href, "exchange-sessions")}
    return body


async def _bankbridge_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BankBridgeError)
    if isinstance(exc, PartnerError):
        log.warning("partner call failed: %s", exc)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if isinstance(exc, TooManyRequests | PartnerUnavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    base_url = request.app.state.services.settings.public_url
    return hal_response(error_body(exc, base_url), status=exc.status, headers=headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: BankBridgeError
    if exc.status_code == 404:
        error = NotFound()
    elif exc.status_code == 405:
        error = MethodNotAllowed()
    else:
        error = BankBridgeError(str(exc.detail))
        error.status = exc.status_code
        error.code = "BadRequest" if 400 <= exc.status_code < 500 else "ServerError"
    return await _bankbridge_error(request, error)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, redact_target(request.url.path))
    return hal_response(error_body(BankBridgeError()), status=500)


EXCEPTION_HANDLERS: Mapping[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    BankBridgeError: _bankbridge_error,
    HTTPException: _http_exception,
    Exception: _unexpected,
}
