"""POST /token and bearer-token enforcement."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from bankbridge.clock import now
from bankbridge.domain.ids import hash_secret
from bankbridge.housekeeping import Housekeeper
from helpers import HAL, assert_dwolla_error


def test_token_accepts_http_basic_credentials(client, account):
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        auth=(account.application.key, account.secret),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 40
    assert "error" not in body


def test_token_accepts_form_field_credentials(client, account):
    response = client.post(
        "/token",
        data={
            "grant_type": "client_credentials",
            "client_id": account.application.key,
            "client_secret": account.secret,
        },
    )
    assert response.status_code == 200
    assert (
        client.get(
            "/",
            headers={"Authorization": "Bearer " + response.json()["access_token"], "Accept": HAL},
        ).status_code
        == 200
    )


def test_token_rejects_a_wrong_secret(client, account):
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        auth=(account.application.key, account.secret + "x"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_rejects_an_unknown_key(client):
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_rejects_other_grant_types(client, account):
    response = client.post(
        "/token",
        data={"grant_type": "password"},
        auth=(account.application.key, account.secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_token_requires_a_grant_type(client, account):
    response = client.post("/token", data={}, auth=(account.application.key, account.secret))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_token_ignores_malformed_basic_header(client):
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic !!!not-base64"},
    )
    assert response.status_code == 401


def test_secret_is_stored_only_as_a_hash(run, services, account):
    application = run(services.require_store().get_application_by_key, account.application.key)
    assert application.secret_hash == hash_secret(account.secret)
    assert account.secret not in application.secret_hash


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-real-token", "Basic " + base64.b64encode(b"a:b").decode()],
)
def test_api_refuses_requests_without_a_valid_token(client, authorization):
    headers = {"Accept": HAL}
    if authorization:
        headers["Authorization"] = authorization
    response = client.get("/customers", headers=headers)
    assert_dwolla_error(response, 401, "InvalidAccessToken")


def test_api_refuses_an_expired_token(client, run, services, account):
    """A token expired a moment ago says so, even after housekeeping has run."""
    store = services.require_store()
    application = run(store.get_application_by_key, account.application.key)
    run(
        store.add_access_token,
        hash_secret("expired-token"),
        application,
        now() - timedelta(seconds=1),
    )
    run(Housekeeper(store).run_once)  # what the app's background purge does, now, not racing
    response = client.get("/customers", headers={"Authorization": "Bearer expired-token"})
    assert_dwolla_error(response, 401, "ExpiredAccessToken")


def test_token_from_one_app_instance_works_in_another(settings, account, client):
    """Tokens live in the database, so any process sharing it accepts them."""
    from starlette.testclient import TestClient

    from bankbridge.app import create_app

    token = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        auth=(account.application.key, account.secret),
    ).json()["access_token"]
    with TestClient(create_app(settings)) as other:
        response = other.get("/", headers={"Authorization": f"Bearer {token}", "Accept": HAL})
    assert response.status_code == 200
