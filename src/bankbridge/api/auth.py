"""Bearer-token authentication for API endpoints, and Accept-header negotiation."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.preferred import preferred_error
from bankbridge.domain.accounts import authenticate
from bankbridge.errors import InvalidAccessToken, NotAcceptable, NotFound
from bankbridge.models import Account
from bankbridge.services import Services

__all__ = ["accept_media", "authenticated", "check_accept", "services_of"]

AccountEndpoint = Callable[[Request, Account], Awaitable[Response]]

# Dwolla versions its API by media type: requests without it are refused (406 InvalidVersion).
_ACCEPTABLE = ("application/vnd.dwolla.v1.hal+json",)


def services_of(request: Request) -> Services:
    """The process's services, built complete by ``app.py``'s lifespan."""
    services: Services = request.app.state.services
    return services


def check_accept(request: Request) -> None:
    """Refuse a request whose Accept header is missing or lacks Dwolla's media type."""
    accept_media(request.headers.get("accept"))


def accept_media(accept: str | None) -> None:
    """``check_accept`` on the header's value (None when absent)."""
    if not accept:
        raise NotAcceptable()
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
        services = services_of(request)
        account = await authenticate(services.store, token.strip(), services.token_cache)
        check_accept(request)
        if any("\x00" in value for value in request.path_params.values()):
            raise NotFound()  # no id holds NUL, and PostgreSQL cannot even compare one
        if services.settings.sandbox:
            preferred = preferred_error(request)
            if preferred is not None:
                raise preferred
        return await endpoint(request, account)

    return wrapper
