"""``GET /customers/{id}/exchange-sessions``: BankBridge's list of a customer's sessions."""

from __future__ import annotations

from helpers import assert_dwolla_error


def test_a_customers_sessions_are_listed_newest_first_in_their_partners_shape(api):
    customer, other = api.create_customer(), api.create_customer()
    empty = api.get(f"/customers/{customer['id']}/exchange-sessions").json()
    assert empty["total"] == 0 and empty["_embedded"]["exchange-sessions"] == []
    made = [api.create_session(customer, name).headers["location"] for name in ("MX", "Plaid")]
    api.create_session(other, "Checkout.com")
    listing = api.get(f"/customers/{customer['id']}/exchange-sessions").json()
    assert listing["total"] == 2
    shown = listing["_embedded"]["exchange-sessions"]
    assert [s["_links"]["self"]["href"] for s in shown] == made[::-1]
    assert shown[0] == api.get(made[1]).json()
    assert listing["_links"]["self"]["href"] == (
        f"http://testserver/customers/{customer['id']}/exchange-sessions?limit=25&offset=0"
    )
    paged = api.get(f"/customers/{customer['id']}/exchange-sessions?limit=1&offset=1").json()
    assert [s["_links"]["self"]["href"] for s in paged["_embedded"]["exchange-sessions"]] == [
        made[0]
    ]


def test_another_accounts_or_an_unknown_customer_is_refused(api, api_for, make_account):
    customer = api.create_customer()
    other = api_for(make_account("Other"))
    assert_dwolla_error(
        other.get(f"/customers/{customer['id']}/exchange-sessions"), 403, "forbidden"
    )
    assert_dwolla_error(
        api.get("/customers/00000000-0000-0000-0000-000000000000/exchange-sessions"),
        404,
        "NotFound",
    )
