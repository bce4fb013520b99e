"""GET /, GET /accounts/{id} and /health."""

from __future__ import annotations

from helpers import assert_dwolla_error, assert_link


def test_health_answers_ok_once_started(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_root_links_the_account_and_its_resources(api, account):
    response = api.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.dwolla.v1.hal+json"
    links = response.json()["_links"]
    assert_link(links["account"], f"http://testserver/accounts/{account.account.id}", "account")
    assert_link(links["customers"], "http://testserver/customers", "customer")


def test_account_document_is_the_tokens_own_account(api, account):
    response = api.get(f"/accounts/{account.account.id}")
    assert response.status_code == 200
    assert response.json()["name"] == "Acme"


def test_another_accounts_document_is_forbidden(api, make_account):
    other = make_account("Other")
    assert_dwolla_error(api.get(f"/accounts/{other.account.id}"), 403, "forbidden")


def test_unknown_path_is_a_dwolla_not_found(api):
    assert_dwolla_error(api.get("/no-such-thing"), 404, "NotFound")


def test_wrong_method_is_a_dwolla_error(api):
    assert_dwolla_error(
        api.client.delete("/customers", headers=api.headers), 405, "MethodNotAllowed"
    )


def test_accept_header_that_excludes_json_is_refused(api):
    response = api.client.get("/", headers={**api.headers, "Accept": "text/html"})
    assert_dwolla_error(response, 406, "InvalidVersion")
