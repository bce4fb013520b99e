"""Console customers over HTTP: the list, creating one with the form, a customer's page."""

from __future__ import annotations

import html
import json
import re

import pytest

from console_user import ConsoleUser


def _json_box(page: str) -> dict:
    match = re.search(r'<section class="json"[^>]*>.*?<pre><code>(.*?)</code></pre>', page, re.S)
    assert match, page
    return json.loads(html.unescape(match.group(1)))


def test_no_customers_shows_an_empty_state_with_the_form(console):
    page = console.get("/console/customers")
    assert page.status_code == 200
    assert "No customers yet: create one" in page.text
    assert '<label for="f-firstName">First name</label>' in page.text
    assert "<title>Customers · BankBridge console</title>" in page.text
    assert 'aria-current="page">Customers' in page.text


def test_creating_a_customer_shows_its_page_with_the_apis_json(console, api):
    form = {"firstName": "Jane", "lastName": "<Doe>", "email": "jane@example.com"}
    created = console.post("/console/customers", form)
    assert created.status_code == 303
    customer_id = created.headers["location"].rsplit("/", 1)[1]
    page = console.get(created.headers["location"])
    assert page.status_code == 200
    assert "&lt;Doe&gt;" in page.text and "<Doe>" not in page.text
    assert _json_box(page.text) == api.get(f"/customers/{customer_id}").json()
    assert "No exchanges yet" in page.text and "No funding sources yet" in page.text
    listing = console.get("/console/customers")
    assert f'href="/console/customers/{customer_id}"' in listing.text


def test_a_refused_customer_shows_dwollas_field_errors_in_the_form(console, api):
    response = console.post("/console/customers", {"firstName": "Jane", "email": "not-an-email"})
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="e-lastName"' in response.text
    assert 'aria-invalid="true" aria-describedby="e-email"' in response.text
    assert 'value="Jane"' in response.text
    assert api.get("/customers").json()["total"] == 0


def test_customers_are_paged(console, api):
    for n in range(27):
        api.create_customer(firstName=f"C{n}")
    first = console.get("/console/customers")
    assert "27 customers, 1 to 25 shown" in first.text
    assert 'href="/console/customers?offset=25" rel="next"' in first.text
    second = console.get("/console/customers?offset=25")
    assert "26 to 27 shown" in second.text
    assert 'href="/console/customers?offset=0" rel="prev"' in second.text
    assert console.get("/console/customers?offset=-4").status_code == 200
    assert console.get("/console/customers?offset=99999999999999").status_code == 200


def test_unknown_and_odd_ids_show_the_not_found_page(console):
    for odd in (
        "nope",
        "x" * 5000,
        "%00",
        "..%2F..%2Fcustomers",
        "%E2%80%AE",
        "'%22%3E%3Cscript%3E",
    ):
        response = console.get(f"/console/customers/{odd}")
        assert response.status_code == 404, (odd[:20], response.status_code)
        assert "Not found" in response.text


def test_another_accounts_customer_is_not_found(console_for, make_account, api_for):
    a, b = make_account("A"), make_account("B")
    customer = api_for(a).create_customer()
    console_b: ConsoleUser = console_for(b)
    response = console_b.get(f"/console/customers/{customer['id']}")
    assert response.status_code == 404
    assert customer["email"] not in response.text


ODD_IDS = ("nope", "x" * 5000, "%00", "%E2%80%AE", "'%22%3E%3Cscript%3E", "%2F%2F")


@pytest.mark.parametrize(
    "template",
    [
        "/console/customers/{}",
        "/console/exchange-sessions/{}",
        "/console/exchanges/{}",
        "/console/funding-sources/{}",
        "/console/events/{}",
        "/console/webhook-subscriptions/{}",
        "/console/webhooks/{}",
    ],
)
def test_odd_ids_on_every_page_kind_are_not_found_never_a_crash(console, template):
    for odd in ODD_IDS:
        response = console.get(template.format(odd))
        assert response.status_code in (404, 303), (template, odd[:20], response.status_code)
        if response.status_code == 404:
            assert "Not found" in response.text


@pytest.mark.parametrize(
    ("template", "form"),
    [
        ("/console/webhook-subscriptions/{}", {"action": "pause"}),
        ("/console/webhook-subscriptions/{}", {"action": "remove"}),
        ("/console/webhooks/{}/retries", {}),
    ],
)
def test_odd_ids_in_forms_are_not_found_never_a_crash(console, template, form):
    for odd in ODD_IDS:
        response = console.post(template.format(odd), form)
        assert response.status_code == 404, (template, odd[:20], response.status_code)
