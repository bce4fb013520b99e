"""``/events``: the account's events, newest first, each linking its resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bankbridge.domain.accounts import NewAccount
from helpers import ApiClient, assert_dwolla_error, assert_link

BASE = "http://testserver"


def test_creating_a_customer_records_a_customer_created_event(api: ApiClient) -> None:
    """GET /events/{id}: Dwolla's event document with self, account, resource, customer."""
    customer = api.create_customer()
    listing = api.get("/events").json()
    assert listing["total"] == 1
    event = listing["_embedded"]["events"][0]
    detail = api.get(event["_links"]["self"]["href"])
    assert detail.status_code == 200
    body = detail.json()
    assert body == event
    assert body["topic"] == "customer_created"
    assert body["resourceId"] == customer["id"]
    assert body["created"].endswith("Z")
    links = body["_links"]
    assert_link(links["self"], f"{BASE}/events/{body['id']}", "event")
    assert_link(links["resource"], f"{BASE}/customers/{customer['id']}", "customer")
    assert_link(links["customer"], f"{BASE}/customers/{customer['id']}", "customer")
    assert links["account"]["href"].startswith(f"{BASE}/accounts/")
    assert api.get(links["account"]["href"]).status_code == 200


def test_events_are_listed_newest_first_with_paging(api: ApiClient) -> None:
    """limit/offset and Dwolla's paging links; total counts every event."""
    ids = [api.create_customer()["id"] for _ in range(3)]
    first = api.get("/events?limit=2").json()
    assert first["total"] == 3
    assert [e["resourceId"] for e in first["_embedded"]["events"]] == ids[::-1][:2]
    assert first["_links"]["next"]["href"] == f"{BASE}/events?limit=2&offset=2"
    rest = api.get(first["_links"]["next"]["href"]).json()
    assert [e["resourceId"] for e in rest["_embedded"]["events"]] == [ids[0]]
    assert_dwolla_error(api.get("/events?limit=0"), 400, "ValidationError")


def test_a_duplicate_customer_records_no_event(api: ApiClient) -> None:
    """Only committed changes have events (the event shares the change's transaction)."""
    customer = api.create_customer()
    again = api.post("/customers", {"firstName": "J", "lastName": "M", "email": customer["email"]})
    assert again.status_code == 400
    assert api.get("/events").json()["total"] == 1


def test_events_are_scoped_to_their_account(
    api: ApiClient,
    api_for: Callable[[NewAccount], ApiClient],
    make_account: Callable[..., NewAccount],
) -> None:
    """Another account neither lists nor reads them (404, as Dwolla's spec says)."""
    api.create_customer()
    event: dict[str, Any] = api.get("/events").json()["_embedded"]["events"][0]
    other = api_for(make_account("Other"))
    assert other.get("/events").json()["total"] == 0
    assert_dwolla_error(other.get(event["_links"]["self"]["href"]), 404, "NotFound")
    assert_dwolla_error(api.get("/events/not-an-event"), 404, "NotFound")
