"""Constants and assertions shared by the Plaid tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from helpers import sandbox_credentials

PlaidPost = Callable[..., httpx.Response]
CLIENT_ID, SECRET = sandbox_credentials("plaid").client_id, sandbox_credentials("plaid").secret
CREDENTIAL_HEADERS = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": SECRET}
LINK_TOKEN_BODY: dict[str, Any] = {
    "client_name": "Acme",
    "language": "en",
    "country_codes": ["US"],
    "user": {"client_user_id": "customer-1"},
    "products": ["auth"],
}


def assert_plaid_error(response: httpx.Response, status: int, error_type: str, code: str) -> None:
    """The response is Plaid's error body with this status, type and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["error_type"], body["error_code"]) == (error_type, code), body
    assert isinstance(body["error_message"], str) and body["error_message"]
    assert "display_message" in body
    assert isinstance(body["request_id"], str) and body["request_id"]
