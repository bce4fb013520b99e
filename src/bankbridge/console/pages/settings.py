"""Account settings: redirect URLs, enabled exchange partners, the sandbox partner
credentials, and rotating the API secret (the new one is shown once).

The API has no operations for these (Dwolla sets them in its dashboard), so this page calls
the domain's account functions, for the signed-in account only.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge.console.client import ConsoleApi
from bankbridge.console.rendering import hidden_field
from bankbridge.console.session import (
    CSRF_FIELD,
    Console,
    console_page,
    csrf_token,
    end_session,
    start_session,
)
from bankbridge.domain.accounts import reissue_secret, update_account_settings
from bankbridge.errors import ValidationError
from bankbridge.models import Account
from bankbridge.partners import PARTNERS

__all__ = ["ROUTES"]

CONFIRM = "rotate"


@console_page
async def settings_page(request: Request, console: Console) -> Response:
    """The account's settings."""
    return _page(console, console.account)


@console_page
async def save_settings(request: Request, console: Console) -> Response:
    """Replace the redirect URLs (one a line) and the enabled partners."""
    lines = console.form.get("redirect_urls", "").splitlines()
    slugs = console.form.getlist("partners")
    services = console.services
    try:
        account = await update_account_settings(
            services.store, console.account, lines, slugs, services.token_cache
        )
    except ValidationError as error:
        errors: dict[str, str] = {}
        for field in error.errors:
            if field.path.startswith("/redirectUrls/"):
                line = int(field.path.rsplit("/", 1)[1]) + 1
                errors.setdefault("redirect_urls", f"Line {line}: {field.message}")
            elif field.path == "/redirectUrls":
                errors.setdefault("redirect_urls", field.message)
            else:
                errors["partners"] = field.message
        return _page(
            console,
            console.account,
            errors=errors,
            typed={"redirect_urls": "\n".join(lines), "partners": slugs},
            status=400,
        )
    return _page(console, account, saved=True)


@console_page
async def rotate_secret(request: Request, console: Console) -> Response:
    """Give the account a new secret; show it once and sign this session in with it.

    Rotating revokes every token of the account, this session's too: the console gets a new
    token with the new secret (through ``POST /token``, as before) and replaces the cookie.
    """
    if console.form.get("confirm", "") != CONFIRM:
        return _page(
            console,
            console.account,
            errors={"confirm": f'Type "{CONFIRM}" to confirm.'},
            status=400,
        )
    services = console.services
    rotated = await reissue_secret(services.store, console.account, cache=services.token_cache)
    async with ConsoleApi(request.app, services.settings.public_url) as api:
        call = await api.create_token(rotated.application.key, rotated.secret)
    token = call.body.get("access_token") if call.ok and isinstance(call.body, dict) else None
    context: dict[str, Any] = {
        "key": rotated.application.key,
        "secret": rotated.secret,
        "signed_in": isinstance(token, str),
    }
    if isinstance(token, str):  # the layout's forms belong to the new session
        context["csrf_field"] = hidden_field(CSRF_FIELD, csrf_token(services, token))
    response = console.render(
        "secret_rotated.html", context, title="New API secret", nav="settings"
    )
    if isinstance(token, str) and isinstance(call.body, dict):
        return start_session(response, request, token, int(call.body["expires_in"]))
    return end_session(response, request)


def _page(
    console: Console,
    account: Account,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    settings = console.services.settings
    sandbox = {p.slug: p.name for p in PARTNERS if settings.partner_mode(p.slug) == "sandbox"}
    credentials = console.services.sandbox_keys.document(account.id) if sandbox else {}
    typed = typed or {}
    return console.render(
        "settings.html",
        {
            "account": account,
            "partners": [(p.slug, p.name) for p in PARTNERS],
            "redirect_urls": typed.get("redirect_urls", "\n".join(account.redirect_urls)),
            "enabled": typed.get("partners", list(account.partners)),
            "credentials": {slug: credentials[slug] for slug in sandbox if slug in credentials},
            "partner_names": sandbox,
            "errors": errors or {},
            "saved": saved,
            "confirm": CONFIRM,
        },
        title="Settings",
        nav="settings",
        status=status,
    )


ROUTES = [
    Route("/settings", settings_page, methods=["GET"]),
    Route("/settings", save_settings, methods=["POST"]),
    Route("/settings/secret", rotate_secret, methods=["POST"]),
]
