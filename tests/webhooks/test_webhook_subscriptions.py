"""``/webhook-subscriptions``: create, list, retrieve, pause, remove; validation and scoping."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from bankbridge.domain.accounts import NewAccount
from bankbridge.domain.webhooks import MAX_ACTIVE_SUBSCRIPTIONS, create_subscription
from bankbridge.errors import ValidationError
from bankbridge.services import Services
from helpers import HAL, ApiClient, assert_dwolla_error, assert_link
from webhook_testing import Resolver, subscribe

BASE = "http://testserver"


def _paths(body: dict[str, Any]) -> dict[str, str]:
    return {e["path"]: e["code"] for e in body["_embedded"]["errors"]}


def test_create_subscription_answers_201_with_location_and_never_shows_the_secret(
    api: ApiClient,
) -> None:
    """The subscription document has Dwolla's links and fields, and no secret."""
    response = api.post(
        "/webhook-subscriptions", {"url": "https://hooks.example/dwolla", "secret": "sshhhhhh"}
    )
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location.startswith(f"{BASE}/webhook-subscriptions/")
    body = api.get(location).json()
    sub_id = location.rsplit("/", 1)[1]
    assert_link(body["_links"]["self"], location, "webhook-subscription")
    assert_link(body["_links"]["webhooks"], f"{location}/webhooks", "webhook")
    assert body["id"] == sub_id
    assert body["url"] == "https://hooks.example/dwolla"
    assert body["paused"] is False
    assert body["created"].endswith("Z")
    assert "sshhhhhh" not in api.get(location).text
    assert "secret" not in body


def test_subscription_secret_is_stored_encrypted(
    api: ApiClient, services: Services, run: Callable[..., Any]
) -> None:
    """The database holds ciphertext, which the vault turns back into the secret."""
    sub = subscribe(api, "https://hooks.example/a", secret="plain-secret-value")
    database = services.require_store().database  # type: ignore[attr-defined]
    row = run(
        database.fetch_one,
        "SELECT secret FROM webhook_subscriptions WHERE id = :id",
        {"id": sub["id"]},
    )
    assert "plain-secret-value" not in row["secret"]
    assert services.require_vault().decrypt(row["secret"]) == "plain-secret-value"


def test_create_subscription_requires_url_and_secret(api: ApiClient) -> None:
    """Both missing: one ValidationError naming /url and /secret."""
    body = assert_dwolla_error(api.post("/webhook-subscriptions", {}), 400, "ValidationError")
    assert _paths(body) == {"/url": "Required", "/secret": "Required"}


@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.example/x", "not a url", "https://", "hooks.example/x", "http://h:99999/x"],
)
def test_create_subscription_rejects_a_url_that_is_not_http(api: ApiClient, url: str) -> None:
    """Dwolla's InvalidFormat error at /url."""
    response = api.post("/webhook-subscriptions", {"url": url, "secret": "s"})
    body = assert_dwolla_error(response, 400, "ValidationError")
    assert _paths(body) == {"/url": "InvalidFormat"}


def test_create_subscription_rejects_a_secret_over_128_characters(api: ApiClient) -> None:
    """Dwolla's SecretTooLongError; exactly 128 is fine."""
    too_long = {"url": "https://hooks.example/x", "secret": "s" * 129}
    body = assert_dwolla_error(api.post("/webhook-subscriptions", too_long), 400, "ValidationError")
    assert body["_embedded"]["errors"][0] == {
        "code": "InvalidFormat",
        "message": "Secret must be 128 or fewer characters.",
        "path": "/secret",
        "_links": {},
    }
    ok = api.post("/webhook-subscriptions", {"url": "https://hooks.example/x", "secret": "s" * 128})
    assert ok.status_code == 201


def test_create_subscription_rejects_wrongly_typed_fields(api: ApiClient) -> None:
    """Non-string url or secret: Invalid at its path."""
    response = api.post("/webhook-subscriptions", {"url": 5, "secret": ["x"]})
    body = assert_dwolla_error(response, 400, "ValidationError")
    assert _paths(body) == {"/url": "Invalid", "/secret": "Invalid"}


def test_sandbox_allows_http_localhost_but_remote_mode_requires_public_https(
    services: Services, account: NewAccount, run: Callable[..., Any], resolver: Resolver
) -> None:
    """The domain rule behind the API: outside the sandbox only https to a public host."""
    resolver.names["hooks.example"] = ["93.184.216.34"]
    store, vault = services.require_store(), services.require_vault()

    def create(url: str, sandbox: bool) -> Any:
        call = functools.partial(create_subscription, sandbox=sandbox)
        return run(call, store, vault, account.account, url, "secret")

    assert create("http://localhost:9000/hooks", sandbox=True).url.startswith("http://localhost")
    assert create("http://127.0.0.1:9000/hooks", sandbox=True)
    for url in ("http://hooks.example/x", "https://localhost/x", "https://127.0.0.1/x"):
        with pytest.raises(ValidationError) as caught:
            create(url, sandbox=False)
        assert caught.value.errors[0].path == "/url"
    assert create("https://hooks.example/x", sandbox=False)


def test_an_account_may_have_at_most_ten_subscriptions(api: ApiClient) -> None:
    """The eleventh answers MaxNumberOfResources; removing one makes room again."""
    ids = [
        subscribe(api, f"https://hooks.example/{i}")["id"] for i in range(MAX_ACTIVE_SUBSCRIPTIONS)
    ]
    response = api.post("/webhook-subscriptions", {"url": "https://hooks.example/x", "secret": "s"})
    body = assert_dwolla_error(response, 400, "MaxNumberOfResources")
    assert body["message"] == "The maximum number of subscriptions has been reached."
    assert (
        api.client.delete(f"/webhook-subscriptions/{ids[0]}", headers=api.headers).status_code
        == 200
    )
    assert subscribe(api, "https://hooks.example/again")


def test_list_subscriptions_shows_the_accounts_live_subscriptions(
    api: ApiClient,
    api_for: Callable[[NewAccount], ApiClient],
    make_account: Callable[..., NewAccount],
) -> None:
    """Oldest first, removed and other accounts' subscriptions left out."""
    first = subscribe(api, "https://hooks.example/1")
    second = subscribe(api, "https://hooks.example/2")
    gone = subscribe(api, "https://hooks.example/3")
    api.client.delete(f"/webhook-subscriptions/{gone['id']}", headers=api.headers)
    subscribe(api_for(make_account("Other")), "https://other.example/hooks")
    body = api.get("/webhook-subscriptions").json()
    assert_link(body["_links"]["self"], f"{BASE}/webhook-subscriptions", "webhook-subscription")
    assert body["total"] == 2
    assert [s["id"] for s in body["_embedded"]["webhook-subscriptions"]] == [
        first["id"],
        second["id"],
    ]


def test_pause_and_resume_a_subscription(api: ApiClient) -> None:
    """POST {paused} answers the updated subscription."""
    sub = subscribe(api, "https://hooks.example/p")
    href = sub["_links"]["self"]["href"]
    paused = api.post(href, {"paused": True})
    assert paused.status_code == 200, paused.text
    assert paused.json()["paused"] is True
    assert api.get(href).json()["paused"] is True
    assert api.post(href, {"paused": False}).json()["paused"] is False


@pytest.mark.parametrize(
    ("body", "code"), [({"paused": "yes"}, "Invalid"), ({"paused": 1}, "Invalid"), ({}, "Required")]
)
def test_pause_requires_a_boolean(api: ApiClient, body: dict[str, Any], code: str) -> None:
    """A ValidationError at /paused."""
    sub = subscribe(api, "https://hooks.example/p")
    error = assert_dwolla_error(
        api.post(sub["_links"]["self"]["href"], body), 400, "ValidationError"
    )
    assert _paths(error) == {"/paused": code}


def test_delete_subscription_answers_it_and_then_it_is_gone(api: ApiClient) -> None:
    """DELETE answers 200 with the subscription; afterwards it is not found."""
    sub = subscribe(api, "https://hooks.example/d")
    href = sub["_links"]["self"]["href"]
    deleted = api.client.delete(href, headers=api.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.headers["content-type"] == HAL
    assert deleted.json()["id"] == sub["id"]
    assert_dwolla_error(api.get(href), 404, "NotFound")
    assert_dwolla_error(api.client.delete(href, headers=api.headers), 404, "NotFound")
    assert_dwolla_error(api.post(href, {"paused": True}), 404, "NotFound")
    assert_dwolla_error(api.get(f"{href}/webhooks"), 404, "NotFound")


def test_another_accounts_subscription_is_not_found_and_its_webhooks_forbidden(
    api: ApiClient,
    api_for: Callable[[NewAccount], ApiClient],
    make_account: Callable[..., NewAccount],
) -> None:
    """As Dwolla's spec says per path: 404 on the subscription, 403 on its webhooks."""
    sub = subscribe(api, "https://hooks.example/mine")
    href = sub["_links"]["self"]["href"]
    other = api_for(make_account("Other"))
    assert_dwolla_error(other.get(href), 404, "NotFound")
    assert_dwolla_error(other.post(href, {"paused": True}), 404, "NotFound")
    assert_dwolla_error(other.client.delete(href, headers=other.headers), 404, "NotFound")
    assert_dwolla_error(other.get(f"{href}/webhooks"), 403, "forbidden")
    assert api.get(href).json()["paused"] is False


def test_unknown_subscription_is_not_found(api: ApiClient) -> None:
    """Any id that is not one: 404."""
    for href in ("/webhook-subscriptions/nope", "/webhook-subscriptions/nope/webhooks"):
        assert_dwolla_error(api.get(href), 404, "NotFound")


def test_subscription_endpoints_need_a_token(client: Any) -> None:
    """No bearer token: 401."""
    assert_dwolla_error(client.get("/webhook-subscriptions"), 401, "InvalidAccessToken")
