"""``POST /token``: OAuth2 client credentials, as form fields or HTTP Basic.

Errors here use OAuth2's own body (``{"error": "invalid_client"}``), as Dwolla's does.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bankbridge.api.auth import services_of
from bankbridge.api.body import read_body
from bankbridge.domain.accounts import issue_token
from bankbridge.errors import BadRequest

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, lone surrogates


async def create_token(request: Request) -> Response:
    """Exchange client credentials for a bearer token."""
    services = services_of(request)
    form = await _form(request, services.settings.max_body_bytes)
    if form is None:
        return _oauth_error(400, "invalid_request", "The request body could not be read.")
    key, secret = _basic_credentials(request)
    key = key or form.get("client_id", "")
    secret = secret or form.get("client_secret", "")
    grant_type = form.get("grant_type")
    if not grant_type:
        return _oauth_error(400, "invalid_request", "grant_type is required.")
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    if not key or not secret:
        return _oauth_error(401, "invalid_client", "Client credentials are missing.")
    if _UNSTORABLE.search(key + secret):  # in no credential, and no store can look it up
        return _oauth_error(401, "invalid_client", "Invalid client credentials.")
    token = await issue_token(services.store, key, secret, services.settings.token_ttl_seconds)
    if token is None:
        return _oauth_error(401, "invalid_client", "Invalid client credentials.")
    return JSONResponse(
        {
            "access_token": token.access_token,
            "token_type": "Bearer",
            "expires_in": token.expires_in,
        },
        headers={"Cache-Control": "no-store"},
    )


async def _form(request: Request, limit: int) -> dict[str, str] | None:
    try:
        raw = await read_body(request, limit)
    except BadRequest:
        return None
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    try:
        text = raw.decode()
        if media.endswith("json"):
            data = json.loads(text) if text.strip() else {}
            if not isinstance(data, dict):
                return None
            return {k: v for k, v in data.items() if isinstance(v, str)}
        return dict(parse_qsl(text, keep_blank_values=True))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None


def _basic_credentials(request: Request) -> tuple[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    key, _, secret = decoded.partition(":")
    return key, secret


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
