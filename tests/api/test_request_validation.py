"""Defects the spec fuzzing led to: text no store can keep, in bodies, paths and credentials.

NUL is legal in JSON ("\\u0000") and in a percent-encoded path ("%00") but PostgreSQL text
cannot hold or even compare it; a lone surrogate ("\\ud800") is legal JSON but not text. Each
must be a Dwolla 4xx on both backends, never a 500.
"""

from __future__ import annotations

import base64
import json

import pytest

from helpers import HAL, assert_dwolla_error


@pytest.mark.parametrize("value", ["a\u0000b", "\ud800", "x\udfff"])
def test_a_body_string_no_store_can_keep_is_a_validation_error_at_its_path(api, value):
    body = {"firstName": "Jane", "lastName": value, "email": "jane@example.com"}
    response = api.client.post(
        "/customers",
        content=json.dumps(body).encode(),
        headers={**api.headers, "Content-Type": HAL},
    )
    errors = assert_dwolla_error(response, 400, "ValidationError")["_embedded"]["errors"]
    assert [(e["path"], e["code"]) for e in errors] == [("/lastName", "InvalidFormat")]


def test_a_nested_string_no_store_can_keep_is_named_by_its_json_pointer(api, customer):
    body = {"_links": {"exchange-partner": {"href": "\u0000"}}}
    response = api.post(f"/customers/{customer['id']}/exchange-sessions", body)
    errors = assert_dwolla_error(response, 400, "ValidationError")["_embedded"]["errors"]
    assert [e["path"] for e in errors] == ["/_links/exchange-partner/href"]


@pytest.mark.parametrize(
    "path",
    [
        "/customers/%00",
        "/customers/%00/exchanges",
        "/customers/%00/funding-sources",
        "/customers/%00/available-exchange-connections",
        "/exchange-sessions/%00",
        "/exchanges/%00",
        "/funding-sources/%00",
        "/events/%00",
        "/webhook-subscriptions/%00",
        "/webhooks/%00",
    ],
)
def test_an_id_with_nul_is_not_found(api, path):
    assert_dwolla_error(api.get(path), 404, "NotFound")


def test_posting_to_an_id_with_nul_is_not_found(api):
    response = api.post("/exchanges/%00/exchange-sessions", {})
    assert_dwolla_error(response, 404, "NotFound")


@pytest.mark.parametrize("credentials", ["key\u0000:secret", "key:\u0000"])
def test_basic_credentials_with_nul_are_an_invalid_client(client, credentials):
    encoded = base64.b64encode(credentials.encode()).decode()
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {encoded}"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_json_credentials_with_a_lone_surrogate_are_an_invalid_client(client):
    form = {"grant_type": "client_credentials", "client_id": "\ud800", "client_secret": "s"}
    response = client.post(
        "/token", content=json.dumps(form), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# Accept and Content-Type, as Dwolla: the version lives in the media type -----------------


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "text/html"])
def test_a_request_without_dwollas_media_type_in_accept_is_invalid_version(api, accept):
    headers = {"Authorization": api.headers["Authorization"]}
    if accept is not None:
        headers["Accept"] = accept
    assert_dwolla_error(api.client.get("/customers", headers=headers), 406, "InvalidVersion")


@pytest.mark.parametrize(
    "accept",
    [
        HAL,
        "Application/VND.Dwolla.v1.HAL+JSON",
        f'{HAL}; profile="https://github.com/dwolla/hal-forms"',
        f"text/html, {HAL};q=0.9",
    ],
)
def test_dwollas_media_type_is_accepted_with_parameters_and_among_others(api, accept):
    response = api.client.get("/customers", headers={**api.headers, "Accept": accept})
    assert response.status_code == 200, response.text


def test_a_body_without_content_type_is_unsupported(api):
    response = api.client.post(
        "/customers",
        content=b'{"firstName": "A", "lastName": "B", "email": "ab@example.com"}',
        headers=api.headers,
    )
    assert_dwolla_error(response, 415, "UnsupportedMediaType")


def test_a_post_without_a_body_needs_no_content_type(api, customer):
    response = api.client.post(
        "/exchanges/6a1b7a5e-4d7a-4a4e-9e0e-8b8b8b8b8b8b/exchange-sessions", headers=api.headers
    )
    assert_dwolla_error(response, 404, "NotFound")


def test_unknown_body_fields_are_ignored(api):
    body = {"firstName": "A", "lastName": "B", "email": "ignored@example.com", "foo": {"x": 1}}
    created = api.post("/customers", body)
    assert created.status_code == 201, created.text
    assert "foo" not in api.get(created.headers["location"]).json()


# Bodies are checked against the schemas /openapi.json publishes -------------------------


def _errors(response: object) -> list[tuple[str, str]]:
    body = assert_dwolla_error(response, 400, "ValidationError")
    return sorted((e["path"], e["code"]) for e in body["_embedded"]["errors"])


def test_a_body_with_three_mistakes_gets_one_400_listing_all_three(api):
    body = {"firstName": 5, "lastName": "Lee", "email": "not-an-email", "type": "verified"}
    assert _errors(api.post("/customers", body)) == [
        ("/email", "InvalidFormat"),
        ("/firstName", "Invalid"),
        ("/type", "Invalid"),
    ]


def test_nested_mistakes_are_all_named_by_their_json_pointers(api, customer):
    body = {"_links": {"exchange": {"href": 7}}, "name": "", "bankAccountType": "credit"}
    response = api.post(f"/customers/{customer['id']}/funding-sources", body)
    assert _errors(response) == [
        ("/_links/exchange/href", "Invalid"),
        ("/bankAccountType", "Invalid"),
        ("/name", "Required"),
    ]
    messages = {e["path"]: e["message"] for e in response.json()["_embedded"]["errors"]}
    assert messages["/bankAccountType"] == "bankAccountType must be checking or savings."
    assert messages["/name"] == "name is required."


def test_a_null_member_counts_as_absent(api):
    required_null = {"firstName": None, "lastName": "Lee", "email": "null@example.com"}
    assert _errors(api.post("/customers", required_null)) == [("/firstName", "Required")]
    optional_null = {**required_null, "firstName": "Ann", "businessName": None}
    assert api.post("/customers", optional_null).status_code == 201


def test_a_string_longer_than_the_schema_allows_is_invalid_format(api):
    body = {"firstName": "A" * 51, "lastName": "Lee", "email": "long@example.com"}
    response = api.post("/customers", body)
    assert _errors(response) == [("/firstName", "InvalidFormat")]
    error = response.json()["_embedded"]["errors"][0]
    assert error["message"] == "firstName must be 50 characters or less."


def test_the_published_schema_states_the_limits_the_server_enforces(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["NewCustomer"]["properties"]["firstName"]["maxLength"] == 50
    assert schemas["NewWebhookSubscription"]["properties"]["secret"]["maxLength"] == 128
    assert schemas["RemoveFundingSource"]["properties"]["removed"]["const"] is True


def test_removing_a_funding_source_only_takes_removed_true(api, customer):
    response = api.post("/funding-sources/6a1b7a5e-4d7a-4a4e-9e0e-8b8b8b8b8b8b", {"removed": False})
    body = assert_dwolla_error(response, 400, "ValidationError")
    assert body["_embedded"]["errors"][0] == {
        "code": "Invalid",
        "message": 'Only {"removed": true} is supported for these funding sources.',
        "path": "/removed",
        "_links": {},
    }


def test_a_deeply_nested_body_is_a_client_error(api):
    nested = '{"a":' * 900 + "1" + "}" * 900
    response = api.client.post(
        "/customers", content=nested.encode(), headers={**api.headers, "Content-Type": HAL}
    )
    assert 400 <= response.status_code < 500, response.text
