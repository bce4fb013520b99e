"""Signing in with an account's key and secret (through ``POST /token``), and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge.console.client import ConsoleApi
from bankbridge.console.origin import cross_site_message
from bankbridge.console.session import (
    Console,
    console_page,
    end_session,
    next_page,
    public_page,
    read_form,
    redirect,
    refused,
    services_of,
    start_session,
)
from bankbridge.domain.accounts import revoke_token
from bankbridge.partners.kit.pages import is_same_origin

__all__ = ["ROUTES"]


async def sign_in_form(request: Request) -> Response:
    """The sign-in form."""
    return _form(next_page(request.query_params.get("next")))


async def sign_in(request: Request) -> Response:
    """Check the key and secret as ``POST /token`` does (same lockout); start a session."""
    services = services_of(request)
    if not is_same_origin(request, services.settings.public_url):
        return refused(cross_site_message(request, services.settings.public_url))
    form = await read_form(request)
    if form is None:
        return refused("The form could not be read.", 400)
    key, secret = form.get("key", "").strip(), form.get("secret", "").strip()
    target = next_page(form.get("next"))
    if not key or not secret:
        return _form(target, "Enter the account's key and secret.", key, 400)
    async with ConsoleApi(request.app, services.settings.public_url) as api:
        call = await api.create_token(key, secret)
    if call.status == 429:
        return _form(target, call.error_message, key, 429)
    if not call.ok or not isinstance(call.body, dict):
        return _form(target, "That key and secret do not match an account.", key, 401)
    token, lifetime = call.body["access_token"], int(call.body["expires_in"])
    return start_session(redirect(target), request, token, lifetime)


@console_page
async def sign_out(request: Request, console: Console) -> Response:
    """Revoke the session's token and clear the cookie."""
    services = console.services
    await revoke_token(services.store, console.token, services.token_cache)
    return end_session(redirect("/console/sign-in"), request)


def _form(target: str, error: str = "", key: str = "", status: int = 200) -> Response:
    return public_page(
        "sign_in.html",
        {"error": error, "key": key, "next": target},
        title="Sign in",
        status=status,
    )


ROUTES = [
    Route("/sign-in", sign_in_form, methods=["GET"]),
    Route("/sign-in", sign_in, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
]
