"""A person using the console, over the app's test client: sign in, pages, posted forms.

Each ``ConsoleUser`` keeps its own session cookie and sends it itself (the test client's
cookie jar is shared by everyone using it, so it is emptied after each sign-in), so two
accounts' sessions can be used side by side in one test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient

from flows import complete_plaid_link, public_token_of
from helpers import ApiClient

COOKIE = "bankbridge_console"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in_response(client: TestClient, key: str, secret: str, **form: str) -> httpx.Response:
    """POST the sign-in form (redirects not followed; the cookie jar left empty)."""
    response = client.post(
        "/console/sign-in", data={"key": key, "secret": secret, **form}, follow_redirects=False
    )
    client.cookies.clear()
    return response


def session_cookie(response: httpx.Response) -> str:
    """The session cookie's ``Set-Cookie`` header."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(COOKIE + "=")]
    assert len(headers) == 1, response.headers
    return headers[0]


@dataclass
class ConsoleUser:
    """A signed-in console session (its access token is the cookie's value)."""

    client: TestClient
    token: str

    @classmethod
    def sign_in(cls, client: TestClient, key: str, secret: str) -> ConsoleUser:
        response = sign_in_response(client, key, secret)
        assert response.status_code == 303, response.text
        value = session_cookie(response).split(";", 1)[0].split("=", 1)[1]
        return cls(client, value)

    @property
    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.token}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.cookie, **kwargs.pop("headers", {})}
        kwargs.setdefault("follow_redirects", False)
        return self.client.get(path, headers=headers, **kwargs)

    def csrf(self, page: str = "/console/") -> str:
        """The CSRF token a page's forms carry."""
        response = self.get(page)
        assert response.status_code == 200, response.text
        match = CSRF.search(response.text)
        assert match, response.text
        return match.group(1)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """Post a form as the browser does (same origin), with the page's CSRF token."""
        headers = {**self.cookie, "Origin": "http://testserver", **kwargs.pop("headers", {})}
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf())
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(path, data=form, headers=headers, **kwargs)


def link_with_plaid(client: TestClient, api: ApiClient) -> dict[str, str]:
    """A customer, a Plaid session completed through Link, its exchange and funding source."""
    customer = api.create_customer()
    session = api.create_session(customer, "Plaid").headers["location"]
    link_token = api.get(session).json()["externalProviderSessionToken"]
    page = complete_plaid_link(client, f"/sandbox/plaid/link?token={link_token}")
    exchange = api.post(
        f"/customers/{customer['id']}/exchanges",
        {"plaid": {"publicToken": public_token_of(page.text)}},
    )
    assert exchange.status_code == 201, exchange.text
    source = api.post(
        f"/customers/{customer['id']}/funding-sources",
        {
            "_links": {"exchange": {"href": exchange.headers["location"]}},
            "bankAccountType": "checking",
            "name": "Checking",
        },
    )
    assert source.status_code == 201, source.text
    return {
        "customer": customer["id"],
        "session": session.rsplit("/", 1)[1],
        "exchange": exchange.headers["location"].rsplit("/", 1)[1],
        "funding_source": source.headers["location"].rsplit("/", 1)[1],
    }
