"""Console sessions: the cookie, CSRF tokens, and the decorator every console page uses.

The session cookie holds the account's access token itself (from ``POST /token`` at sign-in;
the database keeps only its hash) and expires with it: ``HttpOnly``, ``SameSite=Strict``,
``Path=/console``, ``Max-Age`` the token's lifetime, ``Secure`` when the request came over
https. Every form carries a CSRF token, an HMAC of the access token's hash under the
install's secret key, and every POST must carry it and come from BankBridge's own origin
(``Origin``/``Sec-Fetch-Site``, as the hosted pages check).

A page handler is written as ``async def page(request, console) -> Response`` and wrapped
with ``console_page``: it runs only for a signed-in session (anyone else is sent to the
sign-in page), and gets a ``Console`` with the account, the in-process API client that
acts as the session's token, the submitted form (POST) and ``render``.
"""

from __future__ import annotations

import functools
import hmac
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from markupsafe import Markup
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bankbridge.console.client import ApiCall, ConsoleApi
from bankbridge.console.nav import NAV
from bankbridge.console.origin import cross_site_message
from bankbridge.console.rendering import hidden_field, render_page
from bankbridge.domain.accounts import authenticate
from bankbridge.errors import ExpiredAccessToken, InvalidAccessToken
from bankbridge.ids import hash_secret
from bankbridge.models import Account
from bankbridge.partners.kit.pages import is_same_origin
from bankbridge.services import Services

__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "SIGN_IN",
    "Console",
    "ConsolePage",
    "FormFields",
    "console_page",
    "csrf_token",
    "end_session",
    "next_page",
    "public_page",
    "read_form",
    "redirect",
    "refused",
    "services_of",
    "start_session",
    "to_sign_in",
]

COOKIE = "bankbridge_console"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
SIGN_IN = "/console/sign-in"
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200
_NEXT = re.compile(r"^/console/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$")

FormFields = ImmutableMultiDict[str, str]


def services_of(request: Request) -> Services:
    """The process's services (built by the app's lifespan)."""
    services: Services = request.app.state.services
    return services


def csrf_token(services: Services, token: str) -> str:
    """The CSRF token of the session whose access token is ``token``."""
    return services.vault.fingerprint("console-csrf", hash_secret(token))


@dataclass
class Console:
    """What a page handler gets: the signed-in account, its API client, the posted form."""

    request: Request
    account: Account
    token: str
    api: ConsoleApi
    csrf: str
    form: FormFields = field(default_factory=lambda: ImmutableMultiDict())

    @property
    def services(self) -> Services:
        """The process's services (settings, vault, sandbox keys)."""
        return services_of(self.request)

    @property
    def csrf_field(self) -> Markup:
        """The hidden CSRF input every form must contain."""
        return hidden_field(CSRF_FIELD, self.csrf)

    def render(
        self,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        title: str,
        nav: str = "",
        status: int = 200,
    ) -> Response:
        """A page in the layout (nav, account, sign-out form), with ``context``."""
        return render_page(
            template,
            {
                "title": title,
                "nav": NAV,
                "current": nav,
                "account": self.account,
                "csrf_field": self.csrf_field,
                "calls": self.api.calls,
                "sandbox": self.services.settings.sandbox,
                **(context or {}),
            },
            status=status,
        )

    def redirect(self, path: str) -> Response:
        """``303 See Other`` to a console path (after a POST, or to another page)."""
        return redirect(path)

    def not_found(self) -> Response:
        """The 404 page: unknown ids and other accounts' ids look the same."""
        return self.render("not_found.html", title="Not found", status=404)

    def api_failed(self, call: ApiCall) -> Response:
        """A page for an API answer the page did not expect (shows the call and the body)."""
        if call.status in (403, 404):
            return self.not_found()
        if call.status == 401:  # revoked or expired since this request began
            return end_session(to_sign_in(self.request), self.request)
        status = 502 if call.status >= 500 else 400
        return self.render("api_error.html", {"call": call}, title="Request refused", status=status)


ConsolePage = Callable[[Request, Console], Awaitable[Response]]


def redirect(path: str) -> Response:
    """``303 See Other`` to ``path``, not cached."""
    return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


def public_page(
    template: str, context: Mapping[str, Any], *, title: str, status: int = 200
) -> Response:
    """A page for a visitor who is not signed in (sign-in, refusals)."""
    return render_page(
        template,
        {"title": title, "nav": (), "current": "", "account": None, "calls": [], **context},
        status=status,
    )


def refused(message: str, status: int = 403) -> Response:
    """The page for a POST refused before it reached any handler."""
    return public_page("refused.html", {"message": message}, title="Refused", status=status)


def console_page(handler: ConsolePage) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page handler: signed-in sessions only; POSTs need same origin and CSRF."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        services = services_of(request)
        posting = request.method == "POST"
        if posting and not is_same_origin(request, services.settings.public_url):
            return refused(cross_site_message(request, services.settings.public_url))
        token = request.cookies.get(COOKIE, "")
        if not token or not token.isascii() or not token.isprintable() or len(token) > 200:
            return to_sign_in(request)
        try:
            account = await authenticate(services.store, token, services.token_cache)
        except (InvalidAccessToken, ExpiredAccessToken):
            return end_session(to_sign_in(request), request)
        csrf = csrf_token(services, token)
        form: FormFields = ImmutableMultiDict()
        if posting:
            read = await read_form(request)
            if read is None:
                return refused("The form could not be read.", 400)
            if not hmac.compare_digest(read.get(CSRF_FIELD, "").encode(), csrf.encode()):
                return refused("This form has no valid CSRF token; reload the page and retry.")
            form = read
        async with ConsoleApi(request.app, services.settings.public_url, token) as api:
            return await handler(request, Console(request, account, token, api, csrf, form))

    return endpoint


async def read_form(request: Request) -> FormFields | None:
    """An urlencoded form body of at most ``MAX_FORM_BYTES``; None when it is not one."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        return None
    return ImmutableMultiDict(pairs)


def to_sign_in(request: Request) -> Response:
    """Redirect to the sign-in page, coming back to this page (GET) afterwards."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET" or not _NEXT.match(target) or target.startswith(SIGN_IN):
        return redirect(SIGN_IN)
    return redirect(f"{SIGN_IN}?{urlencode({'next': target})}")


def next_page(value: str | None) -> str:
    """Where to go after sign-in: a console path, never another site."""
    if value and _NEXT.match(value) and "//" not in value and "\\" not in value:
        return value
    return "/console/"


def start_session(response: Response, request: Request, token: str, max_age: int) -> Response:
    """Set the session cookie on ``response``."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


def end_session(response: Response, request: Request) -> Response:
    """Clear the session cookie on ``response``."""
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response
