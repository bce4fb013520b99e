"""``POST /sandbox/exchanges/{id}/partner-webhooks``: the partner sends its webhook about an
exchange, BankBridge's receiver verifies and applies it (the platform never holds the Item's
access token or the MX member, so this is its way to see each webhook's effect)."""

from __future__ import annotations

import pytest

from api.test_balances import mx_source, plaid_source
from api.test_checkout_flow import exchange as card_exchange
from api.test_checkout_flow import payment_id
from helpers import assert_dwolla_error


def _fire(api, exchange, code):
    return api.post(
        f"/sandbox/exchanges/{exchange.rsplit('/', 1)[1]}/partner-webhooks", {"webhookCode": code}
    )


def _topics(api, exchange):
    events = api.get("/events").json()["_embedded"]["events"]
    return [e["topic"] for e in events if e["resourceId"] == exchange.rsplit("/", 1)[1]]


def test_plaid_webhooks_flag_repair_and_revoke_the_exchange(api, customer):
    source, exchange = plaid_source(api, customer)

    flagged = _fire(api, exchange, "ERROR")
    assert flagged.status_code == 200, flagged.text
    assert "re-authenticate" in flagged.json()["_links"]
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "UpdateCredentials")

    repaired = _fire(api, exchange, "LOGIN_REPAIRED")
    assert "re-authenticate" not in repaired.json()["_links"]
    assert api.get(f"{source}/balance").status_code == 200

    revoked = _fire(api, exchange, "USER_PERMISSION_REVOKED")
    assert revoked.json()["status"] == "deactivated"
    assert _topics(api, exchange).count("customer_exchange_deactivated") == 1
    assert_dwolla_error(_fire(api, exchange, "ERROR"), 400, "InactiveExchange")


def test_mx_webhooks_expire_credentials_and_delete_the_member(api, customer):
    _, exchange = mx_source(api, customer)
    expired = _fire(api, exchange, "CONNECTION_STATUS")
    assert expired.status_code == 200, expired.text
    assert "re-authenticate" in expired.json()["_links"]
    assert _topics(api, exchange).count("customer_exchange_reauth_required") == 1
    deleted = _fire(api, exchange, "MEMBER_DELETED")
    assert deleted.json()["status"] == "deactivated"


@pytest.mark.parametrize("code", ["", "LOGIN_LOST", "MEMBER_DELETED"])
def test_a_code_the_partner_does_not_send_is_refused_with_the_choices(api, customer, code):
    _, exchange = plaid_source(api, customer)
    refused = _fire(api, exchange, code)
    assert_dwolla_error(refused, 400, "ValidationError")
    assert refused.json()["_embedded"]["errors"][0]["path"] == "/webhookCode"
    assert api.get(exchange).json()["status"] == "active"


def test_checkout_exchanges_have_no_partner_webhooks(api, customer):
    made = card_exchange(api, customer, payment_id(api, customer))
    assert_dwolla_error(_fire(api, made.headers["location"], "ERROR"), 400, "UnsupportedOperation")


def test_another_accounts_exchange_is_refused(api, customer, api_for, make_account):
    _, exchange = plaid_source(api, customer)
    other = api_for(make_account())
    assert _fire(other, exchange, "ERROR").status_code in (403, 404)
    assert "re-authenticate" not in api.get(exchange).json()["_links"]
