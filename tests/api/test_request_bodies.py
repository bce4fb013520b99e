"""Unreadable and unexpected request bodies get Dwolla 4xx bodies, never a 500."""

from __future__ import annotations

import httpx
import pytest

from helpers import HAL, assert_dwolla_error
from live_server import live_server
from raw_http import send_endless_body


def test_malformed_json_is_a_bad_request_naming_the_position(api):
    response = api.client.post(
        "/customers", content=b'{"firstName": "A",', headers={**api.headers, "Content-Type": HAL}
    )
    body = assert_dwolla_error(response, 400, "BadRequest")
    assert "line 1" in body["message"]


def test_json_that_is_not_an_object_is_a_bad_request(api):
    response = api.client.post(
        "/customers", content=b"[1, 2]", headers={**api.headers, "Content-Type": HAL}
    )
    assert_dwolla_error(response, 400, "BadRequest")


def test_empty_body_is_a_bad_request(api):
    response = api.client.post(
        "/customers", content=b"", headers={**api.headers, "Content-Type": HAL}
    )
    assert_dwolla_error(response, 400, "BadRequest")


def test_non_utf8_body_is_a_bad_request(api):
    response = api.client.post(
        "/customers", content=b'{"a": "\xff"}', headers={**api.headers, "Content-Type": HAL}
    )
    assert_dwolla_error(response, 400, "BadRequest")


def test_oversize_body_is_refused_with_the_limit(api):
    big = b'{"firstName": "' + b"a" * 1_100_000 + b'"}'
    response = api.client.post(
        "/customers", content=big, headers={**api.headers, "Content-Type": HAL}
    )
    body = assert_dwolla_error(response, 400, "BadRequest")
    assert "1048576" in body["message"]


def test_unsupported_content_type_is_refused(api):
    response = api.client.post(
        "/customers",
        content=b"firstName=A",
        headers={**api.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_dwolla_error(response, 415, "UnsupportedMediaType")


@pytest.mark.parametrize(
    "payload",
    [b"null", b"1e999999", b'"x"', b"{" * 5000 + b"}" * 5000, b"[" * 100_000 + b"]" * 100_000],
)
def test_odd_json_never_causes_a_server_error(api, payload):
    response = api.client.post(
        "/customers", content=payload, headers={**api.headers, "Content-Type": HAL}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"] in ("BadRequest", "ValidationError")


def test_failed_request_leaves_stored_data_intact(api, customer):
    api.client.post("/customers", content=b"{bad", headers={**api.headers, "Content-Type": HAL})
    assert api.get(f"/customers/{customer['id']}").json() == customer


ENDLESS = 64 * 1024 * 1024  # what a server that buffers whole bodies would read


def _live_token(base, account):
    return httpx.post(
        f"{base}/token",
        data={"grant_type": "client_credentials"},
        auth=(account.application.key, account.secret),
    ).json()["access_token"]


def test_an_endless_body_is_refused_while_it_is_read(settings, account):
    """No Content-Length: the limit is counted as the body streams in, not after."""
    with live_server(settings) as base:
        headers = {
            "Authorization": f"Bearer {_live_token(base, account)}",
            "Accept": HAL,
            "Content-Type": HAL,
        }
        status, sent = send_endless_body(base, "/customers", headers, ENDLESS)
        token_status, token_sent = send_endless_body(
            base, "/token", {"Content-Type": "application/x-www-form-urlencoded"}, ENDLESS
        )
    assert status == 400 and sent < ENDLESS // 4, (status, sent)
    assert token_status == 400 and token_sent < ENDLESS // 4, (token_status, token_sent)


def test_an_unauthenticated_body_is_not_read_at_all(settings):
    """Authentication comes first: without a token nothing of the body is buffered."""
    with live_server(settings) as base:
        status, sent = send_endless_body(
            base, "/customers", {"Accept": HAL, "Content-Type": HAL}, ENDLESS
        )
    assert status == 401 and sent < ENDLESS // 4, (status, sent)


def test_deeply_nested_json_credentials_are_an_oauth_bad_request(client):
    response = client.post(
        "/token",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
