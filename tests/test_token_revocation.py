"""``accounts rotate-secret`` and ``accounts remove`` revoke tokens in running processes.

The commands run as their own process, as an operator would run them, against the database
a running app uses; that app has the token in its cache, and must refuse it within
``TOKEN_CACHE_SECONDS``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bankbridge.domain.accounts import TOKEN_CACHE_SECONDS
from helpers import HAL, assert_dwolla_error


def _cli(settings, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "bankbridge", "accounts", *args],
        env={**os.environ, "BANKBRIDGE_DATABASE_URL": settings.database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _token(client, key, secret):
    return client.post("/token", data={"grant_type": "client_credentials"}, auth=(key, secret))


def _seconds_until_refused(client, token):
    """How long after now the app goes on accepting ``token`` (it must stop in the bound)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": HAL}
    started = time.monotonic()
    while (response := client.get("/", headers=headers)).status_code == 200:
        assert time.monotonic() - started < TOKEN_CACHE_SECONDS + 5, "the token still works"
        time.sleep(0.1)
    assert_dwolla_error(response, 401, "InvalidAccessToken")
    return time.monotonic() - started


def _cached_token(client, account):
    token = _token(client, account.application.key, account.secret).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": HAL}
    assert client.get("/", headers=headers).status_code == 200  # now in the app's cache
    return token


def test_rotate_secret_prints_a_new_secret_and_revokes_tokens(client, settings, account):
    token = _cached_token(client, account)
    rotated = json.loads(_cli(settings, "rotate-secret", account.account.id, "--json").stdout)
    assert _seconds_until_refused(client, token) <= TOKEN_CACHE_SECONDS + 1
    assert rotated["key"] == account.application.key
    assert rotated["secret"] != account.secret
    assert _token(client, account.application.key, account.secret).status_code == 401
    assert _token(client, rotated["key"], rotated["secret"]).status_code == 200


def test_rotate_secret_without_json_shows_the_secret_once_and_the_bound(settings, account):
    result = _cli(settings, "rotate-secret", account.account.id)
    assert "secret:" in result.stdout
    assert f"{TOKEN_CACHE_SECONDS:g} seconds" in result.stdout


def test_remove_revokes_the_key_and_its_tokens_and_keeps_the_account(client, settings, account):
    token = _cached_token(client, account)
    removed = json.loads(_cli(settings, "remove", account.account.id, "--json").stdout)
    assert removed == {"id": account.account.id, "key": account.application.key, "removed": True}
    assert _seconds_until_refused(client, token) <= TOKEN_CACHE_SECONDS + 1
    refused = _token(client, account.application.key, account.secret)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    listed = json.loads(_cli(settings, "list", "--json").stdout)
    assert [a["removed"] for a in listed if a["id"] == account.account.id] == [True]
    again = _cli(settings, "rotate-secret", account.account.id, check=False)
    assert again.returncode == 1
    assert "removed" in again.stderr


def test_account_commands_refuse_an_unknown_id(settings):
    for command in ("rotate-secret", "remove"):
        for unknown in ("00000000-0000-4000-8000-000000000000", "not-an-id\x01"):
            result = _cli(settings, command, unknown, check=False)
            assert result.returncode == 1
            assert "no account" in result.stderr
            assert "Traceback" not in result.stderr
