"""Console resource pages over HTTP: exchange sessions, exchanges, funding sources."""

from __future__ import annotations

import html
import json
import re


def json_box(page: str) -> dict:
    """The JSON a resource page shows (unescaped)."""
    match = re.search(r'<section class="json"[^>]*>.*?<pre><code>(.*?)</code></pre>', page, re.S)
    assert match, page[:2000]
    return json.loads(html.unescape(match.group(1)))


def test_a_customers_page_lists_its_exchanges_and_funding_sources(console, linked):
    page = console.get(f"/console/customers/{linked['customer']}")
    assert f'href="/console/exchanges/{linked["exchange"]}"' in page.text
    assert f'href="/console/funding-sources/{linked["funding_source"]}"' in page.text


def test_each_resource_page_shows_the_apis_json_and_console_links(console, api, linked):
    pages = {
        f"/console/exchange-sessions/{linked['session']}": (
            f"/exchange-sessions/{linked['session']}"
        ),
        f"/console/exchanges/{linked['exchange']}": f"/exchanges/{linked['exchange']}",
        f"/console/funding-sources/{linked['funding_source']}": (
            f"/funding-sources/{linked['funding_source']}"
        ),
    }
    for console_path, api_path in pages.items():
        page = console.get(console_path)
        assert page.status_code == 200, (console_path, page.text[:500])
        shown = json_box(page.text)
        fresh = api.get(api_path).json()
        if "balance" not in api_path:
            assert shown == fresh, console_path
        # The API calls made, as curl, without the token.
        assert f"curl -X GET http://testserver{api_path}" in page.text
        assert console.token not in page.text
    exchange = console.get(f"/console/exchanges/{linked['exchange']}").text
    assert f'<a href="/console/customers/{linked["customer"]}">' in exchange


def test_a_bank_funding_source_shows_its_balance(console, linked):
    page = console.get(f"/console/funding-sources/{linked['funding_source']}")
    assert "<dt>Available</dt>" in page.text
    assert "USD" in page.text


def test_another_accounts_resources_are_not_found(client, console_for, make_account, api_for):
    from console_user import link_with_plaid

    a, b = make_account("A"), make_account("B")
    ids = link_with_plaid(client, api_for(a))
    console_b = console_for(b)
    for path in (
        f"/console/customers/{ids['customer']}",
        f"/console/exchange-sessions/{ids['session']}",
        f"/console/exchanges/{ids['exchange']}",
        f"/console/funding-sources/{ids['funding_source']}",
    ):
        response = console_b.get(path)
        assert response.status_code == 404, path
        assert ids["customer"] not in response.text
