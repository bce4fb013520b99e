"""The tenant-isolation matrix: every route that takes an id or a token, called by a second
account with the first account's ids and tokens, refuses.

The routes come from the application itself (the API's route table and every emulator's),
and each needs a verdict here: a probe that a second account must fail, or the reason the
route names nothing of an account (shared data, scripts, capability pages). A route added
without a verdict fails ``test_every_route_has_a_verdict``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from bankbridge.domain.accounts import NewAccount
from console_user import ConsoleUser
from flows import complete_plaid_link, public_token_of, submit
from helpers import ApiClient, sandbox_credentials

MX_MEDIA = "application/vnd.mx.api.v1+json"
US_DEBIT = "4024764449971519"

Probe = Callable[["World"], httpx.Response]


@dataclass
class World:
    """Account A's resources, and B's means to reach for them."""

    client: TestClient
    a: NewAccount
    b: NewAccount
    api_a: ApiClient
    api_b: ApiClient
    ids: dict[str, str] = field(default_factory=dict)

    def plaid_b(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """B's credentials at the Plaid emulator."""
        return self.client.post(f"/sandbox/plaid{path}", json=body, headers=_plaid(self.b))

    def mx_b(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """B's credentials at the MX emulator."""
        headers = {**_mx(self.b), "Content-Type": "application/json"}
        return self.client.request(method, f"/sandbox/mx{path}", headers=headers, json=body)

    def checkout_b(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """B's secret key at the Checkout.com emulator."""
        key = sandbox_credentials("checkout", self.b.account.id).secret
        headers = {"Authorization": f"Bearer {key}"}
        return self.client.request(method, f"/sandbox/checkout{path}", headers=headers, json=body)


def _plaid(owner: NewAccount) -> dict[str, str]:
    credentials = sandbox_credentials("plaid", owner.account.id)
    return {"PLAID-CLIENT-ID": credentials.client_id, "PLAID-SECRET": credentials.secret}


def _mx(owner: NewAccount) -> dict[str, str]:
    credentials = sandbox_credentials("mx", owner.account.id)
    pair = f"{credentials.client_id}:{credentials.secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode(), "Accept": MX_MEDIA}


def _id(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[1]


def _build(client: TestClient, a: NewAccount, b: NewAccount, api_a: ApiClient) -> dict[str, str]:
    """Everything account A has, through the API and the emulators, by id."""
    ids: dict[str, str] = {"account": a.account.id}
    hook = api_a.post(
        "/webhook-subscriptions", {"url": "http://127.0.0.1:9/hook", "secret": "s" * 16}
    )
    assert hook.status_code == 201, hook.text
    ids["subscription"] = _id(hook.headers["location"])
    customer = api_a.create_customer()
    ids["customer"] = customer["id"]

    # Plaid: Link through the page, exchange, funding source.
    plaid_location = api_a.create_session(customer, "Plaid").headers["location"]
    plaid = api_a.get(plaid_location).json()
    ids["plaid_session"] = _id(plaid_location)
    ids["link_token"] = plaid["externalProviderSessionToken"]
    page = complete_plaid_link(client, f"/sandbox/plaid/link?token={ids['link_token']}")
    public = public_token_of(page.text)
    exchange = api_a.post(
        f"/customers/{customer['id']}/exchanges", {"plaid": {"publicToken": public}}
    )
    assert exchange.status_code == 201, exchange.text
    ids["exchange"] = _id(exchange.headers["location"])
    source = api_a.post(
        f"/customers/{customer['id']}/funding-sources",
        {
            "_links": {"exchange": {"href": exchange.headers["location"]}},
            "bankAccountType": "checking",
            "name": "Checking",
        },
    )
    assert source.status_code == 201, source.text
    ids["funding_source"] = _id(source.headers["location"])

    # Plaid API records of A's: a spare public token, an Item's access token, a processor token.
    made = client.post(
        "/sandbox/plaid/sandbox/public_token/create",
        json={"institution_id": "ins_109508", "initial_products": ["auth"]},
        headers=_plaid(a),
    ).json()["public_token"]
    ids["public_token"] = client.post(
        "/sandbox/plaid/sandbox/public_token/create",
        json={"institution_id": "ins_109508", "initial_products": ["auth"]},
        headers=_plaid(a),
    ).json()["public_token"]
    access = client.post(
        "/sandbox/plaid/item/public_token/exchange", json={"public_token": made}, headers=_plaid(a)
    ).json()["access_token"]
    ids["access_token"] = access
    account_id = client.post(
        "/sandbox/plaid/accounts/get", json={"access_token": access}, headers=_plaid(a)
    ).json()["accounts"][0]["account_id"]
    ids["plaid_account"] = account_id
    ids["processor_token"] = client.post(
        "/sandbox/plaid/processor/token/create",
        json={"access_token": access, "account_id": account_id, "processor": "dwolla"},
        headers=_plaid(a),
    ).json()["processor_token"]

    # MX: connect through the widget URL; then A's user, member and account guids.
    mx = api_a.get(api_a.create_session(customer, "MX").headers["location"]).json()
    widget_url = mx["_links"]["external-provider-session"]["href"]
    ids["widget_token"] = widget_url.split("/connect/", 1)[1].split("/", 1)[0]
    connected = client.post(widget_url, data={"username": "mxuser", "password": "password"})
    assert connected.status_code == 200, connected.text[:300]
    user = client.get("/sandbox/mx/users", headers=_mx(a)).json()["users"][0]
    ids["mx_user"] = user["guid"]
    member = client.get(f"/sandbox/mx/users/{user['guid']}/members", headers=_mx(a)).json()
    ids["mx_member"] = member["members"][0]["guid"]
    accounts = client.get(
        f"/sandbox/mx/users/{user['guid']}/members/{ids['mx_member']}/accounts", headers=_mx(a)
    ).json()
    ids["mx_account"] = accounts["accounts"][0]["guid"]
    # A second widget URL, unused, for the Connect page probes.
    fresh = api_a.get(api_a.create_session(customer, "MX").headers["location"]).json()
    ids["fresh_widget_token"] = (
        fresh["_links"]["external-provider-session"]["href"].split("/connect/", 1)[1].split("/")[0]
    )

    # Checkout.com: a payment session and its approved payment.
    checkout = api_a.get(api_a.create_session(customer, "Checkout.com").headers["location"]).json()
    data = checkout["externalProviderSessionData"]
    ids["payment_session"] = data["id"]
    ids["payment_session_secret"] = data["payment_session_secret"]
    paid = submit(
        client,
        f"/sandbox/checkout/flow/{data['id']}",
        card_number=US_DEBIT,
        expiry_month="12",
        expiry_year="2099",
        cvv="100",
        name="Jane Doe",
    )
    ids["payment"] = re.search(r"pay_[a-z2-7]{26}", paid.text).group(0)  # type: ignore[union-attr]
    client_id = sandbox_credentials("checkout", a.account.id)
    oauth = client.post(
        "/sandbox/checkout/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id.client_id,
            "client_secret": client_id.secret,
        },
    )
    ids["cko_access_token"] = oauth.json()["access_token"]

    # Events and a webhook (the subscription got one per event), and a retry of it.
    event = api_a.get("/events").json()["_embedded"]["events"][0]
    ids["event"] = event["id"]
    webhooks = api_a.get(f"/webhook-subscriptions/{ids['subscription']}/webhooks").json()
    ids["webhook"] = webhooks["_embedded"]["webhooks"][0]["id"]
    retry = api_a.post(f"/webhooks/{ids['webhook']}/retries")
    assert retry.status_code == 201, retry.text
    ids["retry"] = _id(retry.headers["location"])
    return ids


def _refused(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.request.url, response.text[:300])


def _plaid_refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error_type"] == "INVALID_INPUT", response.text


# Verdicts --------------------------------------------------------------------------------

FORBIDDEN = (403, 404)


def _api_get(path: str) -> Probe:
    def probe(w: World) -> httpx.Response:
        return w.api_b.get(path.format(**w.ids))

    return probe


def _api_post(path: str, body: Any = None) -> Probe:
    def probe(w: World) -> httpx.Response:
        filled = body(w) if callable(body) else body
        return w.api_b.post(path.format(**w.ids), filled)

    return probe


def _api_delete(path: str) -> Probe:
    def probe(w: World) -> httpx.Response:
        return w.api_b.client.delete(path.format(**w.ids), headers=w.api_b.headers)

    return probe


def _exchange_link(w: World) -> dict[str, Any]:
    return {
        "_links": {"exchange": {"href": f"http://testserver/exchanges/{w.ids['exchange']}"}},
        "bankAccountType": "checking",
        "name": "Stolen",
    }


API_PROBES: dict[tuple[str, str], Probe] = {
    ("GET", "/accounts/{id}"): _api_get("/accounts/{account}"),
    ("GET", "/customers/{id}"): _api_get("/customers/{customer}"),
    ("POST", "/customers/{id}/exchange-sessions"): _api_post(
        "/customers/{customer}/exchange-sessions",
        lambda w: {"_links": {"exchange-partner": {"href": w.api_b.partner_href("MX")}}},
    ),
    ("GET", "/exchange-sessions/{id}"): _api_get("/exchange-sessions/{plaid_session}"),
    ("GET", "/customers/{id}/available-exchange-connections"): _api_get(
        "/customers/{customer}/available-exchange-connections"
    ),
    ("POST", "/customers/{id}/exchanges"): _api_post(
        "/customers/{customer}/exchanges",
        lambda w: {"plaid": {"publicToken": w.ids["public_token"]}},
    ),
    ("GET", "/customers/{id}/exchanges"): _api_get("/customers/{customer}/exchanges"),
    ("GET", "/exchanges/{id}"): _api_get("/exchanges/{exchange}"),
    ("POST", "/exchanges/{id}/exchange-sessions"): _api_post(
        "/exchanges/{exchange}/exchange-sessions", {}
    ),
    ("POST", "/sandbox/exchanges/{id}/reset-login"): _api_post(
        "/sandbox/exchanges/{exchange}/reset-login"
    ),
    ("POST", "/sandbox/exchanges/{id}/partner-webhooks"): _api_post(
        "/sandbox/exchanges/{exchange}/partner-webhooks", {"webhookCode": "ERROR"}
    ),
    ("POST", "/customers/{id}/funding-sources"): _api_post(
        "/customers/{customer}/funding-sources", _exchange_link
    ),
    ("GET", "/customers/{id}/funding-sources"): _api_get("/customers/{customer}/funding-sources"),
    ("GET", "/funding-sources/{id}"): _api_get("/funding-sources/{funding_source}"),
    ("GET", "/funding-sources/{id}/balance"): _api_get("/funding-sources/{funding_source}/balance"),
    ("POST", "/sandbox/funding-sources/{id}/balance"): _api_post(
        "/sandbox/funding-sources/{funding_source}/balance", {"closing": {"value": "1.00"}}
    ),
    ("POST", "/funding-sources/{id}"): _api_post(
        "/funding-sources/{funding_source}", {"removed": True}
    ),
    ("GET", "/events/{id}"): _api_get("/events/{event}"),
    ("GET", "/webhook-subscriptions/{id}"): _api_get("/webhook-subscriptions/{subscription}"),
    ("POST", "/webhook-subscriptions/{id}"): _api_post(
        "/webhook-subscriptions/{subscription}", {"paused": True}
    ),
    ("DELETE", "/webhook-subscriptions/{id}"): _api_delete("/webhook-subscriptions/{subscription}"),
    ("GET", "/webhook-subscriptions/{id}/webhooks"): _api_get(
        "/webhook-subscriptions/{subscription}/webhooks"
    ),
    ("GET", "/webhooks/{id}"): _api_get("/webhooks/{webhook}"),
    ("POST", "/webhooks/{id}/retries"): _api_post("/webhooks/{webhook}/retries"),
    ("GET", "/webhooks/{id}/retries"): _api_get("/webhooks/{webhook}/retries"),
    ("GET", "/customers/{id}/exchange-sessions"): _api_get(
        "/customers/{customer}/exchange-sessions"
    ),
    ("GET", "/webhooks/{id}/retries/{retry_id}"): _api_get("/webhooks/{webhook}/retries/{retry}"),
}

# Routes that name no account's resource: what B sees there is B's own or shared by all.
NO_ACCOUNT_IDS: dict[tuple[str, str], str] = {
    ("GET", "/health"): "no data",
    ("GET", "/livez"): "no data",
    ("GET", "/readyz"): "no data",
    ("GET", "/metrics"): "counts by route and partner, no account's data",
    ("POST", "/sandbox/faults"): "sets the caller's own emulator's fault (test_faults.py)",
    ("GET", "/sandbox/faults"): "lists the caller's own (test_faults.py)",
    ("DELETE", "/sandbox/faults"): "clears the caller's own (test_faults.py)",
    ("POST", "/token"): "issues tokens for the caller's own key",
    ("GET", "/"): "the caller's own account",
    ("POST", "/customers"): "creates for the caller",
    ("GET", "/customers"): "lists the caller's own (test_faults.py)",
    ("GET", "/exchange-partners"): "the same partners for everyone",
    ("GET", "/exchange-partners/{id}"): "the same partners for everyone",
    ("GET", "/events"): "lists the caller's own (test_faults.py)",
    ("POST", "/webhook-subscriptions"): "creates for the caller",
    ("GET", "/webhook-subscriptions"): "lists the caller's own (test_faults.py)",
    ("GET", "/openapi.json"): "no data",
    ("GET", "/docs"): "no data",
    ("POST", "/partner-webhooks/plaid/{id}"): (
        "answers only a signed Plaid webhook, and changes only the path account's own exchanges "
        "(tests/api/test_partner_webhooks.py)"
    ),
    ("POST", "/sandbox/plaid/webhook_verification_key/get"): "the install's public key",
    ("POST", "/partner-webhooks/mx/{id}"): (
        "answers only the path account's own MX credentials (tests/api/test_partner_webhooks.py)"
    ),
    ("POST", "/sandbox/mx/sandbox/webhook_url"): "sets the caller's own sandbox setting",
    ("POST", "/sandbox/mx/users"): "creates in the caller's own sandbox",
    ("GET", "/sandbox/mx/users"): "lists the caller's own (test_faults.py)",
    ("GET", "/sandbox/mx/connect.js"): "a script",
    ("POST", "/sandbox/plaid/link/token/create"): "creates in the caller's own sandbox",
    ("POST", "/sandbox/plaid/sandbox/public_token/create"): "creates in the caller's own sandbox",
    ("GET", "/sandbox/plaid/link/v2/stable/link-initialize.js"): "a script",
    ("GET", "/sandbox/plaid/link/frame.js"): "a script",
    ("POST", "/sandbox/checkout/payment-sessions"): "creates in the caller's own sandbox",
    ("POST", "/sandbox/checkout/connect/token"): "issues tokens for the caller's own key",
    ("GET", "/sandbox/checkout/web-components/index.js"): "a script",
    ("GET", "/sandbox/checkout/web-components/flow-frame.js"): "a script",
    # The console: pages of the signed-in session's own account, through its own token.
    ("GET", "/console/static/{name}"): "the console's stylesheet and script",
    ("GET", "/console/{path:path}"): "the not-found page",
    ("POST", "/console/{path:path}"): "the not-found page",
    ("GET", "/console/sign-in"): "the sign-in form",
    ("POST", "/console/sign-in"): "signs in with the caller's own key and secret",
    ("POST", "/console/sign-out"): "revokes the session's own token",
    ("GET", "/console/"): "the session's own account",
    ("GET", "/console/customers"): "lists the session's own (through GET /customers)",
    ("POST", "/console/customers"): "creates for the session's account",
    ("GET", "/console/events"): "lists the session's own (through GET /events)",
    ("GET", "/console/webhook-subscriptions"): "lists the session's own",
    ("POST", "/console/webhook-subscriptions"): "creates for the session's account",
    ("GET", "/console/settings"): "the session's own account",
    ("POST", "/console/settings"): "changes the session's own account",
    ("POST", "/console/settings/secret"): "rotates the session's own account's secret",
    ("GET", "/console/flow"): "lists the session's own customers (through GET /customers)",
    ("POST", "/console/flow"): (
        "creates for the session's account; another's customer id is refused by the API "
        "(tests/console/test_console_flow_http.py)"
    ),
    ("GET", "/console/sandbox"): "lists the session's own faults (through GET /sandbox/faults)",
    ("POST", "/console/sandbox/faults"): "sets the session's own emulator's fault",
    ("POST", "/console/sandbox/faults/clear"): "clears the session's own faults",
    ("POST", "/console/sandbox/webhook-receiver"): "answers 200 and keeps nothing (sandbox)",
}

# Console pages that name a resource: B's console session, given A's id, gets the not-found
# page (the API refused B's token), for GETs and for the forms that act on a resource.
_PAUSE = {"action": "pause"}
CONSOLE_PAGES: dict[tuple[str, str], str] = {
    ("GET", "/console/customers/{id}"): "/console/customers/{customer}",
    ("GET", "/console/exchange-sessions/{id}"): "/console/exchange-sessions/{plaid_session}",
    ("GET", "/console/exchanges/{id}"): "/console/exchanges/{exchange}",
    ("GET", "/console/funding-sources/{id}"): "/console/funding-sources/{funding_source}",
    ("GET", "/console/events/{id}"): "/console/events/{event}",
    ("GET", "/console/webhook-subscriptions/{id}"): "/console/webhook-subscriptions/{subscription}",
    (
        "POST",
        "/console/webhook-subscriptions/{id}",
    ): "/console/webhook-subscriptions/{subscription}",
    ("GET", "/console/webhooks/{id}"): "/console/webhooks/{webhook}",
    ("POST", "/console/webhooks/{id}/retries"): "/console/webhooks/{webhook}/retries",
    ("GET", "/console/flow/{customer}/sessions/{id}"): (
        "/console/flow/{customer}/sessions/{plaid_session}"
    ),
    ("POST", "/console/flow/{customer}/exchanges"): "/console/flow/{customer}/exchanges",
    ("POST", "/console/flow/{customer}/funding-sources"): (
        "/console/flow/{customer}/funding-sources"
    ),
    ("POST", "/console/exchanges/{id}/sandbox/reset-login"): (
        "/console/exchanges/{exchange}/sandbox/reset-login"
    ),
    ("POST", "/console/exchanges/{id}/sandbox/partner-webhooks"): (
        "/console/exchanges/{exchange}/sandbox/partner-webhooks"
    ),
    ("POST", "/console/funding-sources/{id}/sandbox/balance"): (
        "/console/funding-sources/{funding_source}/sandbox/balance"
    ),
    ("POST", "/console/exchanges/{id}/re-authenticate"): (
        "/console/exchanges/{exchange}/re-authenticate"
    ),
    ("GET", "/console/exchanges/{id}/re-authenticate/{session}"): (
        "/console/exchanges/{exchange}/re-authenticate/{plaid_session}"
    ),
    ("GET", "/console/exchanges/{id}/re-authenticated"): (
        "/console/exchanges/{exchange}/re-authenticated"
    ),
}

# Hosted pages: the unguessable token in the URL is the capability (as at the partners); no
# account credentials are involved. Their probe checks that a token never issued opens
# nothing, and the Checkout frame's calls also need the owner's public key (probed below).
CAPABILITY_PAGES: dict[tuple[str, str], str] = {
    ("GET", "/sandbox/mx/connect/{token}"): "/sandbox/mx/connect/never-issued",
    ("POST", "/sandbox/mx/connect/{token}"): "/sandbox/mx/connect/never-issued",
    ("GET", "/sandbox/mx/connect/{token}/{config}"): "/sandbox/mx/connect/never-issued/e30",
    ("POST", "/sandbox/mx/connect/{token}/{config}"): "/sandbox/mx/connect/never-issued/e30",
    ("GET", "/sandbox/plaid/link"): "/sandbox/plaid/link?token=link-sandbox-never-issued",
    ("POST", "/sandbox/plaid/link"): "/sandbox/plaid/link?token=link-sandbox-never-issued",
    ("GET", "/sandbox/checkout/flow/{id}"): "/sandbox/checkout/flow/ps_neverissued",
    ("POST", "/sandbox/checkout/flow/{id}"): "/sandbox/checkout/flow/ps_neverissued",
    ("GET", "/sandbox/checkout/web-components/flow/{id}"): "",
}


def _plaid_probe(path: str, **body: str) -> Probe:
    def probe(w: World) -> httpx.Response:
        return w.plaid_b(path, {k: v.format(**w.ids) for k, v in body.items()})

    return probe


def _mx_probe(method: str, path: str) -> Probe:
    def probe(w: World) -> httpx.Response:
        return w.mx_b(
            method, path.format(**w.ids), {"widget_url": {"widget_type": "connect_widget"}}
        )

    return probe


def _checkout_probe(method: str, path: str) -> Probe:
    def probe(w: World) -> httpx.Response:
        return w.checkout_b(method, path.format(**w.ids))

    return probe


def _frame_with_b_key(w: World) -> httpx.Response:
    body = {
        "public_key": sandbox_credentials("checkout", w.b.account.id).public_key,
        "payment_session_secret": w.ids["payment_session_secret"],
    }
    return w.client.post(
        f"/sandbox/checkout/web-components/flow/{w.ids['payment_session']}/init",
        json=body,
        headers={"Sec-Fetch-Site": "same-origin"},
    )


def _checkout_oauth_with_a_token(w: World) -> httpx.Response:
    # A's OAuth access token is A's; but B's own key must not read A's payment.
    return w.checkout_b("GET", "/payments/{payment}".format(**w.ids))


USER = "/users/{mx_user}"
MEMBER = USER + "/members/{mx_member}"
MX = "/sandbox/mx/users/{user_guid}"
MX_MEMBER = MX + "/members/{member_guid}"
EMULATOR_PROBES: dict[tuple[str, str], tuple[Probe, Callable[[httpx.Response], None]]] = {
    ("GET", MX): (_mx_probe("GET", USER), lambda r: _refused(r, 404)),
    ("DELETE", MX): (_mx_probe("DELETE", USER), lambda r: _refused(r, 404)),
    ("POST", MX + "/widget_urls"): (
        _mx_probe("POST", USER + "/widget_urls"),
        lambda r: _refused(r, 404),
    ),
    ("GET", MX + "/members"): (_mx_probe("GET", USER + "/members"), lambda r: _refused(r, 404)),
    ("GET", MX_MEMBER): (_mx_probe("GET", MEMBER), lambda r: _refused(r, 404)),
    ("DELETE", MX_MEMBER): (_mx_probe("DELETE", MEMBER), lambda r: _refused(r, 404)),
    ("GET", MX_MEMBER + "/status"): (
        _mx_probe("GET", MEMBER + "/status"),
        lambda r: _refused(r, 404),
    ),
    ("GET", MX_MEMBER + "/accounts"): (
        _mx_probe("GET", MEMBER + "/accounts"),
        lambda r: _refused(r, 404),
    ),
    ("GET", MX_MEMBER + "/account_numbers"): (
        _mx_probe("GET", MEMBER + "/account_numbers"),
        lambda r: _refused(r, 404),
    ),
    ("GET", MX + "/accounts/{account_guid}/account_numbers"): (
        _mx_probe("GET", USER + "/accounts/{mx_account}/account_numbers"),
        lambda r: _refused(r, 404),
    ),
    ("POST", MX_MEMBER + "/check_balance"): (
        _mx_probe("POST", MEMBER + "/check_balance"),
        lambda r: _refused(r, 404),
    ),
    ("GET", MX + "/accounts/{account_guid}"): (
        _mx_probe("GET", USER + "/accounts/{mx_account}"),
        lambda r: _refused(r, 404),
    ),
    ("POST", MX + "/accounts/{account_guid}/sandbox/balance"): (
        _mx_probe("POST", USER + "/accounts/{mx_account}/sandbox/balance"),
        lambda r: _refused(r, 404),
    ),
    ("POST", MX_MEMBER + "/sandbox/expire_credentials"): (
        _mx_probe("POST", MEMBER + "/sandbox/expire_credentials"),
        lambda r: _refused(r, 404),
    ),
    ("POST", "/sandbox/plaid/link/token/get"): (
        _plaid_probe("/link/token/get", link_token="{link_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/item/public_token/exchange"): (
        _plaid_probe("/item/public_token/exchange", public_token="{public_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/auth/get"): (
        _plaid_probe("/auth/get", access_token="{access_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/accounts/get"): (
        _plaid_probe("/accounts/get", access_token="{access_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/accounts/balance/get"): (
        _plaid_probe("/accounts/balance/get", access_token="{access_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/item/get"): (
        _plaid_probe("/item/get", access_token="{access_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/item/remove"): (
        _plaid_probe("/item/remove", access_token="{access_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/processor/token/create"): (
        _plaid_probe(
            "/processor/token/create",
            access_token="{access_token}",
            account_id="{plaid_account}",
            processor="dwolla",
        ),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/processor/auth/get"): (
        _plaid_probe("/processor/auth/get", processor_token="{processor_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/processor/balance/get"): (
        _plaid_probe("/processor/balance/get", processor_token="{processor_token}"),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/sandbox/accounts/balance/set"): (
        _plaid_probe(
            "/sandbox/accounts/balance/set",
            access_token="{access_token}",
            account_id="{plaid_account}",
        ),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/sandbox/item/fire_webhook"): (
        _plaid_probe(
            "/sandbox/item/fire_webhook", access_token="{access_token}", webhook_code="ERROR"
        ),
        _plaid_refused,
    ),
    ("POST", "/sandbox/plaid/sandbox/item/reset_login"): (
        _plaid_probe("/sandbox/item/reset_login", access_token="{access_token}"),
        _plaid_refused,
    ),
    ("GET", "/sandbox/checkout/payment-sessions/{id}"): (
        _checkout_probe("GET", "/payment-sessions/{payment_session}"),
        lambda r: _refused(r, 404),
    ),
    ("GET", "/sandbox/checkout/payments/{id}"): (
        _checkout_oauth_with_a_token,
        lambda r: _refused(r, 404),
    ),
    ("POST", "/sandbox/checkout/web-components/flow/{id}/{action}"): (
        _frame_with_b_key,
        lambda r: _refused(r, 401),
    ),
}


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, prefix + route.path


@pytest.fixture
def world(
    client: TestClient,
    make_account: Callable[..., NewAccount],
    api_for: Callable[[NewAccount], ApiClient],
) -> World:
    a, b = make_account("Tenant A"), make_account("Tenant B")
    api_a, api_b = api_for(a), api_for(b)
    return World(client, a, b, api_a, api_b, _build(client, a, b, api_a))


def test_every_route_has_a_verdict(client: TestClient) -> None:
    served = set(_routes(client.app.routes))  # type: ignore[attr-defined]
    judged = (
        set(API_PROBES)
        | set(NO_ACCOUNT_IDS)
        | set(CAPABILITY_PAGES)
        | set(EMULATOR_PROBES)
        | set(CONSOLE_PAGES)
    )
    assert served - judged == set(), "routes without a tenant-isolation verdict"
    assert judged - served == set(), "verdicts for routes that are not served"


def test_a_second_account_cannot_reach_the_firsts_resources(world: World) -> None:
    for (method, path), probe in API_PROBES.items():
        response = probe(world)
        assert response.status_code in FORBIDDEN or (
            # A token of another account is unknown to this one: nothing is spent.
            path == "/customers/{id}/exchanges" and response.status_code == 400
        ), (method, path, response.status_code, response.text[:300])
    for (method, path), (probe, check) in EMULATOR_PROBES.items():
        response = probe(world)
        try:
            check(response)
        except AssertionError as failure:
            raise AssertionError((method, path, str(failure))) from None


def test_a_second_accounts_console_session_cannot_reach_the_firsts_resources(
    world: World,
) -> None:
    w = world
    console_b = ConsoleUser.sign_in(w.client, w.b.application.key, w.b.secret)
    for (method, _), url in CONSOLE_PAGES.items():
        path = url.format(**w.ids)
        # A POST names an action a form would send (retries take none).
        response = console_b.get(path) if method == "GET" else console_b.post(path, _PAUSE)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Not found" in response.text
        assert w.ids["customer"] not in response.text.replace(path, "")
    assert w.api_a.get(f"/webhook-subscriptions/{w.ids['subscription']}").json()["paused"] is False


def test_a_second_accounts_lists_show_none_of_the_firsts(world: World) -> None:
    w = world
    customers = w.api_b.get("/customers").json()["_embedded"]["customers"]
    assert w.ids["customer"] not in {c["id"] for c in customers}
    events = w.api_b.get("/events").json()["_embedded"]["events"]
    assert w.ids["event"] not in {e["id"] for e in events}
    subscriptions = w.api_b.get("/webhook-subscriptions").json()["_embedded"]
    assert w.ids["subscription"] not in {s["id"] for s in subscriptions["webhook-subscriptions"]}
    users = w.mx_b("GET", "/users").json()["users"]
    assert w.ids["mx_user"] not in {u["guid"] for u in users}


def test_the_firsts_resources_still_work_after_the_probes(world: World) -> None:
    """Nothing B tried changed A's state (removals, resets, spent tokens)."""
    test_a_second_account_cannot_reach_the_firsts_resources(world)
    w = world
    assert w.api_a.get(f"/funding-sources/{w.ids['funding_source']}").json()["removed"] is False
    assert w.api_a.get(f"/exchanges/{w.ids['exchange']}").json()["status"] == "active"
    assert w.api_a.get(f"/webhook-subscriptions/{w.ids['subscription']}").json()["paused"] is False
    auth = w.client.post(
        "/sandbox/plaid/auth/get", json={"access_token": w.ids["access_token"]}, headers=_plaid(w.a)
    )
    assert auth.status_code == 200, auth.text
    exchanged = w.api_a.post(
        f"/customers/{w.ids['customer']}/exchanges",
        {"plaid": {"publicToken": w.ids["public_token"]}},
    )
    assert exchanged.status_code == 201, exchanged.text
    member = w.client.get(
        f"/sandbox/mx/users/{w.ids['mx_user']}/members/{w.ids['mx_member']}", headers=_mx(w.a)
    )
    assert member.status_code == 200 and member.json()["member"]["connection_status"] == "CONNECTED"


def test_capability_pages_open_nothing_for_a_token_never_issued(world: World) -> None:
    for (method, _), url in CAPABILITY_PAGES.items():
        if not url:
            continue
        response = world.client.request(method, url, headers={"Sec-Fetch-Site": "same-origin"})
        assert response.status_code in (400, 403, 404, 410), (method, url, response.text[:200])
