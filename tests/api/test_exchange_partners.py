"""GET /exchange-partners and /exchange-partners/{id}."""

from __future__ import annotations

from datetime import datetime

from helpers import assert_dwolla_error, assert_link

EXPECTED_IDS = {
    "MX": "713fb394-20e5-58d1-8e26-8ed67d5bcddb",
    "Plaid": "cc37a51a-9674-5d46-b5d2-097d54ac7e8d",
    "Checkout.com": "a262294e-a098-5226-a367-a6231e402a42",
}


def test_partners_list_mx_plaid_and_checkout_with_stable_ids(api):
    body = api.get("/exchange-partners").json()
    partners = body["_embedded"]["exchange-partners"]
    assert {p["name"]: p["id"] for p in partners} == EXPECTED_IDS
    assert body["total"] == 3
    assert_link(body["_links"]["self"], "http://testserver/exchange-partners", "exchange-partner")


def test_each_partner_has_links_status_and_a_zoned_created_time(api):
    for partner in api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]:
        assert partner["status"] == "active"
        assert datetime.fromisoformat(partner["created"].replace("Z", "+00:00")).tzinfo is not None
        assert_link(
            partner["_links"]["self"],
            f"http://testserver/exchange-partners/{partner['id']}",
            "exchange-partner",
        )


def test_get_one_partner_matches_the_listing(api):
    listed = api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    for partner in listed:
        assert api.get(partner["_links"]["self"]["href"]).json() == partner


def test_unknown_partner_is_not_found(api):
    assert_dwolla_error(
        api.get("/exchange-partners/00000000-0000-4000-8000-000000000000"), 404, "NotFound"
    )


def test_partners_need_a_token(client):
    assert_dwolla_error(client.get("/exchange-partners"), 401, "InvalidAccessToken")
