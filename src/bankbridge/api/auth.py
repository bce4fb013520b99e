"""Bearer-token authentication for API endpoints, and Accept-header negotiation."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.domain.accounts import authenticate
from bankbridge.domain.models import Account
from bankbridge.errors import InvalidAccessToken, NotAcceptable
from bankbridge.services import Services

__all__ = ["authenticated", "check_accept", "services_of"]

AccountEndpoint = Callable[[Request, Account], Awaitable[Response]]

_ACCEPTABLE = ("application/vnd.dwolla.v1.hal+json", "application/json", "application/*", "*/*")


def services_of(request: Request) -> Services:
    """The process's services, as wired by ``app.py``."""
    services: Services = request.app.state.services
    return services


def check_accept(request: Request) -> None:
    """Refuse an Accept header that admits neither Dwolla's media type nor JSON."""
    accept = request.headers.get("accept")
    if not accept:
        return
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in _ACCEPTABLE:
            return
    raise NotAcceptable()


def authenticated(endpoint: AccountEndpoint) -> Callable[[Request], Awaitable[Response]]:
    """Wrap an endpoint so it runs only for a valid bearer token, with that token's account."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidAccessToken()
        account = await authenticate(services_of(request).require_store(), token.strip())
        check_accept(request)
        return await endpoint(request, account)

    return wrapper
