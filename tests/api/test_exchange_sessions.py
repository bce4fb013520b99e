"""POST /customers/{id}/exchange-sessions and GET /exchange-sessions/{id}: the seed's shapes."""

from __future__ import annotations

import re

import pytest

from helpers import HAL, assert_dwolla_error, assert_link

SEED_KEYS = {"created", "_links"}


def _session(api, customer, partner, redirect_url=None):
    created = api.create_session(customer, partner, redirect_url)
    assert created.status_code == 201, created.text
    assert created.content == b""
    location = created.headers["location"]
    assert re.fullmatch(r"http://testserver/exchange-sessions/[0-9a-f-]{36}", location)
    response = api.get(location)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == HAL
    return location, response.json()


def _common_links(body, location, api, partner):
    assert_link(body["_links"]["self"], location, "exchange-sessions")
    assert_link(body["_links"]["exchange-partner"], api.partner_href(partner), "exchange-partner")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["created"])


def test_mx_session_has_only_the_external_provider_session_link(api, customer):
    location, body = _session(api, customer, "MX")
    assert set(body) == SEED_KEYS
    assert set(body["_links"]) == {"self", "exchange-partner", "external-provider-session"}
    _common_links(body, location, api, "MX")
    link = body["_links"]["external-provider-session"]
    assert link["type"] == HAL
    assert link["resource-type"] == "text/html"
    assert link["href"].startswith("http://testserver/sandbox/mx/connect/")


def test_plaid_session_has_only_a_link_token(api, customer):
    location, body = _session(api, customer, "Plaid")
    assert set(body) == SEED_KEYS | {"externalProviderSessionToken"}
    assert set(body["_links"]) == {"self", "exchange-partner"}
    _common_links(body, location, api, "Plaid")
    assert re.fullmatch(r"link-sandbox-[0-9a-f-]{36}", body["externalProviderSessionToken"])


def test_checkout_session_has_only_payment_session_data(api, customer):
    location, body = _session(api, customer, "Checkout.com")
    assert set(body) == SEED_KEYS | {"externalProviderSessionData"}
    assert set(body["_links"]) == {"self", "exchange-partner"}
    _common_links(body, location, api, "Checkout.com")
    data = body["externalProviderSessionData"]
    assert set(data) == {"id", "payment_session_secret", "payment_session_token"}
    assert re.fullmatch(r"ps_[A-Za-z0-9]{27}", data["id"])
    assert re.fullmatch(r"pss_[0-9a-f-]{36}", data["payment_session_secret"])
    assert data["payment_session_token"]


def test_each_session_gets_its_own_partner_session(api, customer):
    _, first = _session(api, customer, "Plaid")
    _, second = _session(api, customer, "Plaid")
    assert first["externalProviderSessionToken"] != second["externalProviderSessionToken"]


def test_session_accepts_a_configured_redirect_url(api, customer):
    _, body = _session(api, customer, "Plaid", "https://platform.example/return")
    assert body["externalProviderSessionToken"].startswith("link-sandbox-")


def test_session_accepts_a_configured_android_package_name(api, customer):
    _, body = _session(api, customer, "Plaid", "com.example.app")
    assert body["externalProviderSessionToken"].startswith("link-sandbox-")


def test_session_rejects_a_redirect_url_not_configured(api, customer):
    body = assert_dwolla_error(
        api.create_session(customer, "Plaid", "https://evil.example/return"), 400, "ValidationError"
    )
    assert body["message"] == (
        "The provided redirect URL must exactly match one of the configured URLs for the account"
    )
    assert body["_embedded"]["errors"][0]["path"] == "/_links/redirect-url/href"


def test_session_rejects_a_malformed_redirect_url(api, customer):
    body = assert_dwolla_error(
        api.create_session(customer, "Plaid", "not a url"), 400, "ValidationError"
    )
    assert body["_embedded"]["errors"][0]["path"] == "/_links/redirect-url/href"


@pytest.mark.parametrize(
    "href",
    [
        "http://testserver/exchange-partners/00000000-0000-4000-8000-000000000000",
        "http://testserver/exchange-partners/not-a-uuid",
        "http://testserver/customers/713fb394-20e5-58d1-8e26-8ed67d5bcddb",
        "mx",
        "",
    ],
)
def test_session_rejects_unknown_or_malformed_partner_href_with_its_path(api, customer, href):
    response = api.post(
        f"/customers/{customer['id']}/exchange-sessions",
        {"_links": {"exchange-partner": {"href": href}}},
    )
    body = assert_dwolla_error(response, 400, "ValidationError")
    assert body["_embedded"]["errors"][0]["path"] == "/_links/exchange-partner/href"


@pytest.mark.parametrize(
    "payload, path",
    [
        ({}, "/_links/exchange-partner/href"),
        ({"_links": []}, "/_links"),
        ({"_links": {"exchange-partner": "x"}}, "/_links/exchange-partner"),
        ({"_links": {"exchange-partner": {"href": 7}}}, "/_links/exchange-partner/href"),
    ],
)
def test_session_rejects_misshapen_links_with_the_json_path(api, customer, payload, path):
    body = assert_dwolla_error(
        api.post(f"/customers/{customer['id']}/exchange-sessions", payload), 400, "ValidationError"
    )
    assert body["_embedded"]["errors"][0]["path"] == path


def test_session_for_a_disabled_partner_is_forbidden(api_for, make_account):
    api = api_for(make_account("Plaid only", partners=["Plaid"]))
    customer = api.create_customer()
    body = assert_dwolla_error(api.create_session(customer, "MX"), 403, "forbidden")
    assert (
        body["message"]
        == "Exchange sessions with this exchange partner are not enabled for your account"
    )
    assert api.create_session(customer, "Plaid").status_code == 201


def test_session_for_another_accounts_customer_is_forbidden(api, api_for, make_account):
    other = api_for(make_account("Other"))
    foreign = other.create_customer()
    assert_dwolla_error(api.create_session(foreign, "Plaid"), 403, "forbidden")


def test_session_for_an_unknown_customer_is_not_found(api):
    ghost = {"id": "4a9e5c2e-1111-4bbb-8ccc-000000000000"}
    assert_dwolla_error(api.create_session(ghost, "Plaid"), 404, "NotFound")


def test_another_accounts_session_is_forbidden(api, api_for, make_account, customer):
    location, _ = _session(api, customer, "MX")
    other = api_for(make_account("Other"))
    body = assert_dwolla_error(other.get(location), 403, "forbidden")
    assert "external-provider-session" not in str(body)


def test_unknown_session_is_not_found(api):
    assert_dwolla_error(
        api.get("/exchange-sessions/4a9e5c2e-1111-4bbb-8ccc-000000000000"), 404, "NotFound"
    )


def test_session_reads_are_stable(api, customer):
    location, body = _session(api, customer, "Checkout.com")
    assert api.get(location).json() == body


@pytest.mark.parametrize("partner", ["MX", "Plaid", "Checkout.com"])
def test_session_read_fast_path_answers_the_routed_endpoints_bytes(
    api, customer, partner, monkeypatch
):
    """The fast path and the routed endpoint answer the same status, headers and bytes."""
    from bankbridge.api import observation

    location, _ = _session(api, customer, partner)
    same_id = {**api.headers, "X-Request-Id": "fast-path-comparison"}
    fast = api.client.get(location, headers=same_id)

    async def decline(scope):
        return None

    monkeypatch.setattr(observation, "session_read", decline)
    routed = api.client.get(location, headers=same_id)
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content
    assert fast.headers.items() == routed.headers.items()


def _stored_document(services, run, session_id):
    async def read():
        return await services.store.database.fetch_one(
            "SELECT document, provider_data FROM exchange_sessions WHERE id = :id",
            {"id": session_id},
        )

    return run(read)


@pytest.mark.parametrize("partner", ["MX", "Plaid", "Checkout.com"])
def test_a_session_stored_before_documents_reads_the_same_bytes(
    api, customer, partner, services, run
):
    """Sessions from before migration 0013 have no stored document: they are rendered per
    read, and read exactly as a session with one."""
    location, _ = _session(api, customer, partner)
    with_document = api.get(location)
    session_id = location.rsplit("/", 1)[1]

    async def forget():
        await services.store.database.execute(
            "UPDATE exchange_sessions SET document = NULL WHERE id = :id", {"id": session_id}
        )

    run(forget)
    assert _stored_document(services, run, session_id)["document"] is None
    rendered = api.get(location)
    assert rendered.status_code == 200
    assert rendered.content == with_document.content


def test_a_stored_document_holding_a_partner_secret_is_sealed(api, customer, services, run):
    location, body = _session(api, customer, "Checkout.com")
    secret = body["externalProviderSessionData"]["payment_session_secret"]
    row = _stored_document(services, run, location.rsplit("/", 1)[1])
    assert row["document"] and secret not in row["document"]
    assert secret not in row["provider_data"]
    plaid_location, plaid = _session(api, customer, "Plaid")
    plain = _stored_document(services, run, plaid_location.rsplit("/", 1)[1])["document"]
    assert plain.startswith("{") and plaid["externalProviderSessionToken"] in plain


def test_stored_documents_take_the_public_url_of_the_server_reading_them(api, customer, settings):
    """The document is stored with relative hrefs: a server started with another public URL
    (a new domain, a proxy) answers with its own, as for a document rendered per read."""
    from starlette.testclient import TestClient

    from bankbridge.app import create_app

    location, before = _session(api, customer, "Plaid")
    moved = settings.with_changes(public_url_override="https://bank.example:8443/dwolla")
    with TestClient(create_app(moved), base_url="https://bank.example:8443") as other:
        answer = other.get(location.replace("http://testserver", ""), headers=api.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    session_path = location.replace("http://testserver", "")
    assert body["_links"]["self"]["href"] == "https://bank.example:8443/dwolla" + session_path
    assert body["_links"]["exchange-partner"]["href"].startswith(
        "https://bank.example:8443/dwolla/exchange-partners/"
    )
    assert body["externalProviderSessionToken"] == before["externalProviderSessionToken"]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Authorization": "Bearer not-a-real-token"}, 401, "InvalidAccessToken"),
        ({"Authorization": "Basic YTpi"}, 401, "InvalidAccessToken"),
        ({"Accept": "text/html"}, 406, "InvalidVersion"),
    ],
)
def test_session_read_errors_are_unchanged_by_the_fast_path(api, customer, headers, status, code):
    location, _ = _session(api, customer, "Plaid")
    response = api.client.get(location, headers={**api.headers, **headers})
    assert_dwolla_error(response, status, code)


def test_mx_sessions_remember_the_customers_mx_user_and_replace_one_mx_forgot(
    api, customer, services, run
):
    """The first MX session's user is remembered for the customer; a remembered user the
    emulator does not know (here: made up) is found again instead of failing the session."""
    store = services.store
    _session(api, customer, "MX")
    remembered = run(store.get_partner_user, customer["id"], "mx")
    assert remembered is not None and remembered.startswith("USR-")
    _session(api, customer, "MX")
    assert run(store.get_partner_user, customer["id"], "mx") == remembered
    assert run(store.get_partner_user, customer["id"], "plaid") is None
    run(store.set_partner_user, customer["id"], "mx", "USR-forgotten")
    _session(api, customer, "MX")
    assert run(store.get_partner_user, customer["id"], "mx") == remembered
