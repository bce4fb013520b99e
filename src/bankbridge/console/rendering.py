"""Rendering console pages: Jinja2 templates in ``templates/``, the layout, security headers.

Every page is rendered by ``render_page``, which sends a Content-Security-Policy that allows
scripts and styles only from BankBridge itself (inline scripts only with this response's
nonce), forms posting only to BankBridge, and no framing at all (``frame-ancestors 'none'``),
plus ``Referrer-Policy: no-referrer``, ``X-Content-Type-Options: nosniff`` and
``Cache-Control: no-store`` (pages show account data).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

__all__ = ["STATIC", "TEMPLATES", "page_headers", "register_global", "render_page"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
)


def pretty_body(text: object) -> str:
    """A body as sent: indented when it is JSON, else unchanged."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text


_env.filters["pretty_body"] = pretty_body


def register_global(name: str, value: Any) -> None:
    """Make ``value`` available to every template as ``name`` (a page module's shared data)."""
    _env.globals[name] = value


def page_headers(nonce: str) -> dict[str, str]:
    """The security headers of a console page."""
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def render_page(
    name: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Template ``name`` with ``context`` (plus ``csp_nonce``), and the security headers."""
    nonce = secrets.token_urlsafe(16)
    html = _env.get_template(name).render({**context, "csp_nonce": nonce})
    response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
    for header, value in page_headers(nonce).items():
        response.headers[header] = value
    return response


def hidden_field(name: str, value: str) -> Markup:
    """``<input type=hidden>`` with an escaped value."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(name, value)
