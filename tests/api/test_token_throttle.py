"""``POST /token`` throttles failed attempts per client key, known or not, in every process."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.clock import now
from bankbridge.domain import accounts
from bankbridge.domain.accounts import MAX_TOKEN_FAILURES, TOKEN_LOCKOUT
from bankbridge.housekeeping import Housekeeper
from helpers import assert_dwolla_error


def _token(client, key, secret):
    return client.post("/token", data={"grant_type": "client_credentials"}, auth=(key, secret))


def _fail(client, key, times=MAX_TOKEN_FAILURES):
    for n in range(times):
        response = _token(client, key, f"wrong-{n}")
        assert response.status_code == 401, response.text


def _assert_throttled(response):
    body = assert_dwolla_error(response, 429, "TooManyRequests")
    assert "client key" in body["message"]
    assert 1 <= int(response.headers["retry-after"]) <= TOKEN_LOCKOUT.total_seconds()


def test_repeated_failures_lock_the_key_even_for_its_right_secret(client, account):
    key = account.application.key
    _fail(client, key)
    _assert_throttled(_token(client, key, account.secret))
    _assert_throttled(_token(client, key, "wrong-again"))


def test_an_unknown_key_is_throttled_like_a_known_one(client):
    _fail(client, "no-such-key")
    _assert_throttled(_token(client, "no-such-key", "x"))


def test_the_lockout_holds_in_every_process_sharing_the_database(client, settings, account):
    _fail(client, account.application.key)
    with TestClient(create_app(settings)) as other:
        _assert_throttled(_token(other, account.application.key, account.secret))


def test_other_keys_are_not_affected(client, account, make_account):
    other = make_account("Other")
    _fail(client, account.application.key)
    assert _token(client, other.application.key, other.secret).status_code == 200


def test_fewer_failures_than_the_limit_are_forgotten_after_a_success(client, account):
    key = account.application.key
    _fail(client, key, MAX_TOKEN_FAILURES - 1)
    assert _token(client, key, account.secret).status_code == 200
    _fail(client, key, MAX_TOKEN_FAILURES - 1)
    assert _token(client, key, account.secret).status_code == 200


def test_the_key_works_again_after_the_lockout(client, account, monkeypatch):
    key = account.application.key
    _fail(client, key)
    _assert_throttled(_token(client, key, account.secret))
    later = now() + TOKEN_LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr(accounts, "now", lambda: later)
    assert _token(client, key, account.secret).status_code == 200


def test_unknown_and_known_keys_cost_the_same_hash_comparison(client, account, monkeypatch):
    """Refusing an unknown key compares a secret hash too, so timing tells no key apart."""
    compared = []
    real = accounts.secret_matches

    def counting(secret, digest):
        compared.append(secret)
        return real(secret, digest)

    monkeypatch.setattr(accounts, "secret_matches", counting)
    assert _token(client, account.application.key, "wrong-known").status_code == 401
    assert _token(client, "unknown-key", "wrong-unknown").status_code == 401
    assert compared == ["wrong-known", "wrong-unknown"]


def test_housekeeping_forgets_failures_whose_window_and_lockout_ended(
    client, run, services, account, monkeypatch
):
    store = services.require_store()
    _fail(client, account.application.key)
    _fail(client, "someone-else", 1)
    count = "SELECT COUNT(*) AS n FROM token_failures"
    assert run(store.database.fetch_one, count)["n"] == 2
    run(Housekeeper(store).run_once)
    assert run(store.database.fetch_one, count)["n"] == 2  # still in force
    later = now() + TOKEN_LOCKOUT + timedelta(minutes=2)
    monkeypatch.setattr("bankbridge.housekeeping.now", lambda: later)
    run(Housekeeper(store).run_once)
    assert run(store.database.fetch_one, count)["n"] == 0
