"""Hosted pages and drop-in scripts: templates, security headers, same-origin form posts.

Every hosted page is rendered by ``HostedPages.render``, which sends:

- ``Content-Security-Policy``: scripts only from BankBridge itself or inline with this
  response's nonce, forms posting only to BankBridge, no ``<base>``, and ``frame-ancestors``
  limited to BankBridge, local development origins (``localhost`` and ``127.0.0.1`` on
  any port; CSP has no syntax for an IPv6 literal such as ``[::1]``) and the origins of
  the owning account's registered redirect URLs: the apps that embed the partner's UI
  through the drop-in scripts.
- ``Referrer-Policy: no-referrer`` (page URLs carry capability tokens),
  ``Cache-Control: no-store``, ``X-Content-Type-Options: nosniff``.

``is_same_origin`` is the check every form post makes: a browser's cross-site post carries
an ``Origin`` (or ``Sec-Fetch-Site``) that is not BankBridge's public origin.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

__all__ = [
    "LOCAL_FRAME_ANCESTORS",
    "HostedPages",
    "frame_ancestors",
    "frame_origins",
    "is_same_origin",
    "origin_of",
    "script_response",
]

KIT_TEMPLATES = Path(__file__).parent / "templates"
LOCAL_FRAME_ANCESTORS = (
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://localhost:*",
)
PUBLIC_URL_PLACEHOLDER = "__BANKBRIDGE_EMULATOR_URL__"


class HostedPages:
    """One partner's page templates (its own folder, plus the kit's ``kit/base.html``)."""

    def __init__(self, templates: Path, public_url: str) -> None:
        loader = jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(templates),
                jinja2.PrefixLoader({"kit": jinja2.FileSystemLoader(KIT_TEMPLATES)}),
            ]
        )
        self._env = jinja2.Environment(loader=loader, autoescape=True)
        self.public_url = public_url.rstrip("/")

    def render(
        self,
        name: str,
        context: Mapping[str, Any],
        *,
        status: int = 200,
        frame_origins: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The page ``name`` with the security headers; ``frame_origins`` may embed it."""
        nonce = secrets.token_urlsafe(16)
        html = self._env.get_template(name).render({**context, "csp_nonce": nonce})
        response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
        for header, value in page_headers(nonce, frame_ancestors(frame_origins)).items():
            response.headers[header] = value
        return response


def page_headers(nonce: str, ancestors: str) -> dict[str, str]:
    """The security headers of one hosted page."""
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            f"frame-ancestors {ancestors}",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def frame_ancestors(origins: Iterable[str]) -> str:
    """``'self'``, the local development origins, and each of ``origins`` once."""
    extra = [o for o in dict.fromkeys(origins) if o and o not in LOCAL_FRAME_ANCESTORS]
    return " ".join(["'self'", *LOCAL_FRAME_ANCESTORS, *extra])


class _RegisteredUrls(Protocol):
    """What ``frame_origins`` needs of an ``EmulatorContext`` (the kit sits below it)."""

    async def registered_redirect_urls(self, owner: str) -> tuple[str, ...]: ...


async def frame_origins(context: _RegisteredUrls, owner: str) -> list[str]:
    """Origins that may embed ``owner``'s hosted pages: its registered redirect URLs'."""
    urls = await context.registered_redirect_urls(owner)
    return [origin for origin in map(origin_of, urls) if origin]


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_same_origin(request: Request, public_url: str) -> bool:
    """False when a browser says the request comes from another site than BankBridge.

    Browsers send ``Origin`` on every form post (and ``Sec-Fetch-Site``); scripts and
    command-line clients send neither, and are not what cross-site request forgery abuses.
    A page served with ``Referrer-Policy: no-referrer`` (every hosted page) makes Chromium
    send ``Origin: null`` even to its own origin; then ``Sec-Fetch-Site`` decides, and a
    ``null`` origin without it (an opaque origin, such as a sandboxed frame's) is refused.
    """
    expected = origin_of(public_url)
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        return origin.lower() == expected
    site = request.headers.get("sec-fetch-site")
    if site is None:
        return origin is None
    return site in ("same-origin", "none")


def script_response(source: str, public_url: str) -> Response:
    """A drop-in script with BankBridge's public emulator URL written into it."""
    body = source.replace(PUBLIC_URL_PLACEHOLDER, public_url.rstrip("/"))
    return Response(
        body,
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
