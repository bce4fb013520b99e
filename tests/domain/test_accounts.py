"""Bearer-token authentication with the process-local token cache."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bankbridge.clock import now
from bankbridge.domain.accounts import TokenCache, authenticate, create_account
from bankbridge.errors import ExpiredAccessToken, InvalidAccessToken
from bankbridge.ids import hash_secret
from bankbridge.store import SqlStore, open_database


def _run(database_url, scenario):
    async def main():
        database = await open_database(database_url)
        try:
            return await scenario(SqlStore(database))
        finally:
            await database.close()

    return asyncio.run(main())


async def _token(store, name, token, expires_in=timedelta(hours=1)):
    created = await create_account(store, name)
    await store.add_access_token(hash_secret(token), created.application, now() + expires_in)
    return created.account


def test_cached_tokens_answer_each_for_its_own_account(database_url):
    """Two tokens through one cache: each resolves to its own account, hit or miss."""

    async def scenario(store):
        first = await _token(store, "First", "token-one")
        second = await _token(store, "Second", "token-two")
        cache = TokenCache()
        seen = [
            (await authenticate(store, token, cache)).id
            for token in ("token-one", "token-two", "token-one", "token-two")
        ]
        return seen, [first.id, second.id, first.id, second.id]

    seen, expected = _run(database_url, scenario)
    assert seen == expected


def test_a_cached_token_stops_working_at_its_expiry(database_url):
    """The expiry is checked on every request, so a cache hit never outlives the token."""

    async def scenario(store):
        account = await _token(store, "Acme", "short-lived", timedelta(minutes=5))
        cache = TokenCache(seconds=3600)
        assert (await authenticate(store, "short-lived", cache)).id == account.id
        # The token's expiry passes while its entry is still fresh in the cache.
        cache.put(hash_secret("short-lived"), account, now() - timedelta(seconds=1))
        with pytest.raises(ExpiredAccessToken):
            await authenticate(store, "short-lived", cache)

    _run(database_url, scenario)


def test_unknown_tokens_are_not_cached(database_url):
    async def scenario(store):
        cache = TokenCache()
        with pytest.raises(InvalidAccessToken):
            await authenticate(store, "no-such-token", cache)
        return cache.get(hash_secret("no-such-token"))

    assert _run(database_url, scenario) is None


def test_cache_entries_lapse_after_their_lifetime():
    cache = TokenCache(seconds=0)
    cache.put("hash", object(), now() + timedelta(hours=1))  # type: ignore[arg-type]
    assert cache.get("hash") is None


def test_cache_stays_within_its_size():
    cache = TokenCache(max_entries=2)
    for name in ("a", "b", "c"):
        cache.put(name, object(), now() + timedelta(hours=1))  # type: ignore[arg-type]
    assert cache.get("a") is None
    assert cache.get("b") is not None and cache.get("c") is not None
