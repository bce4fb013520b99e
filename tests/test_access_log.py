"""No capability token or secret reaches the access log of a real ``bankbridge serve``.

The server runs as a child process with its output captured; the test walks the hosted
pages of each partner with real tokens, sends credentials in query strings, then scans
everything the process printed.
"""

from __future__ import annotations

import re

import httpx
import pytest

from helpers import HAL
from server_process import create_account, served

PLAID, MX, CHECKOUT = (
    "cc37a51a-9674-5d46-b5d2-097d54ac7e8d",
    "713fb394-20e5-58d1-8e26-8ed67d5bcddb",
    "a262294e-a098-5226-a367-a6231e402a42",
)


def _session(base, headers, customer_url, partner_id):
    created = httpx.post(
        f"{customer_url}/exchange-sessions",
        json={"_links": {"exchange-partner": {"href": f"{base}/exchange-partners/{partner_id}"}}},
        headers={**headers, "Content-Type": HAL},
    )
    assert created.status_code == 201, created.text
    session = httpx.get(created.headers["location"], headers=headers)
    assert session.status_code == 200, session.text
    return session.json()


@pytest.mark.parametrize(
    ("workers", "log_format"),
    [([], "text"), (["--workers", "2"], "text"), ([], "json")],
    ids=["one-process", "two-workers", "json-lines"],
)
def test_capability_tokens_and_secrets_are_redacted_in_the_access_log(
    tmp_path, workers, log_format
):
    env = {
        "BANKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/bankbridge.db",
        "BANKBRIDGE_SECRET_KEY": "access-log-test-key",
        "BANKBRIDGE_LOG_FORMAT": log_format,
    }
    account = create_account(env, tmp_path)
    log = tmp_path / "serve.log"
    secrets: list[str] = [account["secret"]]
    with served(env, log, *workers) as base:
        # A client secret in a query string (which /token ignores) reaches the access log.
        httpx.post(
            f"{base}/token",
            params={"client_id": account["key"], "client_secret": account["secret"]},
            data={"grant_type": "client_credentials"},
        )
        token = httpx.post(
            f"{base}/token",
            data={"grant_type": "client_credentials"},
            auth=(account["key"], account["secret"]),
        )
        assert token.status_code == 200, token.text
        bearer = token.json()["access_token"]
        secrets.append(bearer)
        headers = {"Authorization": f"Bearer {bearer}", "Accept": HAL}
        customer = httpx.post(
            f"{base}/customers",
            json={"firstName": "L", "lastName": "G", "email": "log@example.com"},
            headers={**headers, "Content-Type": HAL},
        )
        customer_url = customer.headers["location"]

        plaid = _session(base, headers, customer_url, PLAID)
        link_token = plaid["externalProviderSessionToken"]
        assert link_token.startswith("link-sandbox-")
        secrets.append(link_token)
        assert httpx.get(f"{base}/sandbox/plaid/link", params={"token": link_token}).is_success

        mx = _session(base, headers, customer_url, MX)
        widget_url = mx["_links"]["external-provider-session"]["href"]
        widget_token = re.search(r"/sandbox/mx/connect/([^/?#]+)", widget_url).group(1)
        secrets.append(widget_token)
        assert httpx.get(widget_url).is_success

        checkout = _session(base, headers, customer_url, CHECKOUT)["externalProviderSessionData"]
        session_id, session_secret = checkout["id"], checkout["payment_session_secret"]
        assert session_id.startswith("ps_")
        secrets += [session_id, session_secret]
        assert httpx.get(f"{base}/sandbox/checkout/flow/{session_id}").is_success

        # The console: signing in (the secret in the form body), pages with the session cookie.
        signed_in = httpx.post(
            f"{base}/console/sign-in",
            params={"next": "/console/customers"},
            data={"key": account["key"], "secret": account["secret"]},
        )
        assert signed_in.status_code == 303, signed_in.text
        console_token = signed_in.cookies["bankbridge_console"]
        secrets.append(console_token)
        cookies = {"bankbridge_console": console_token}
        customer_page = httpx.get(base + customer_url.replace(base, "/console"), cookies=cookies)
        assert customer_page.status_code == 200, customer_page.text

        # Credentials in query strings of any route, answered or not.
        planted = {
            "token": "planted-token-value-1",
            "secret": "planted-secret-value-2",
            "public_token": "public-sandbox-planted-3",
            "client_secret": "planted-client-secret-4",
        }
        for name, value in planted.items():
            httpx.get(f"{base}/health", params={name: value})
        httpx.get(f"{base}/sandbox/plaid/link", params={"token": "link-sandbox-planted-5"})
        httpx.get(f"{base}/nowhere/public-sandbox-planted-6")
        secrets += [*planted.values(), "link-sandbox-planted-5", "public-sandbox-planted-6"]

    output = log.read_text()
    logged = '"{} {}' if log_format == "text" else '"method": "{}", "path": "{}'
    assert logged.format("GET", "/sandbox/mx/connect/[redacted]") in output  # access log written
    assert logged.format("GET", "/sandbox/checkout/flow/[redacted]") in output
    assert logged.format("GET", "/sandbox/plaid/link?token=[redacted]") in output
    assert logged.format("POST", "/token?client_id=") in output
    assert logged.format("GET", "/console/customers/") in output
    assert "partner call" in output  # BankBridge's own lines are in the same output
    leaked = [secret for secret in secrets if secret in output]
    assert leaked == [], output
