"""Accounts (tenants), their API applications, and OAuth2 client-credentials tokens."""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bankbridge import partners
from bankbridge.clock import now
from bankbridge.errors import (
    ExpiredAccessToken,
    FieldError,
    InvalidAccessToken,
    TooManyRequests,
    ValidationError,
)
from bankbridge.ids import hash_secret, new_id, new_secret, secret_matches
from bankbridge.models import Account, Application
from bankbridge.store.base import Store

__all__ = [
    "MAX_TOKEN_FAILURES",
    "TOKEN_CACHE_SECONDS",
    "TOKEN_FAILURE_WINDOW",
    "TOKEN_LOCKOUT",
    "IssuedToken",
    "NewAccount",
    "TokenCache",
    "authenticate",
    "check_redirect_url",
    "create_account",
    "issue_token",
    "normalize_redirect_url",
    "reissue_secret",
    "remove_application",
    "revoke_token",
    "update_account_settings",
]

log = logging.getLogger("bankbridge.accounts")

REDIRECT_PATH = "/_links/redirect-url/href"
_PACKAGE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
# How long a process may go on accepting a token after it was revoked (see TokenCache).
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_ENTRIES = 10_000
# POST /token throttling per client key (see issue_token).
MAX_TOKEN_FAILURES = 10
TOKEN_FAILURE_WINDOW = timedelta(minutes=1)
TOKEN_LOCKOUT = timedelta(minutes=1)
_LOCKED_MESSAGE = (
    "Too many failed attempts with this client key. Please wait a short period of time "
    "before re-attempting the request."
)
# Compared against when the key is unknown, so that refusing it costs what a wrong secret
# costs; no secret hashes to it (it is not a hex digest).
_NO_SECRET_HASH = "no-application-has-this-key" + "-" * 37


@dataclass(frozen=True)
class NewAccount:
    """A freshly created account, with the only copy of its application's secret."""

    account: Account
    application: Application
    secret: str


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token as handed to the client; only its hash is stored."""

    access_token: str
    expires_in: int


def normalize_redirect_url(value: str) -> str | None:
    """The redirect URL if it is acceptable (http(s) URL with a host, or an app package name)."""
    value = value.strip()
    if _PACKAGE_NAME.match(value):
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.hostname and not parts.fragment:
        return value
    return None


def check_redirect_url(account: Account, url: str | None) -> None:
    """A session's redirect URL must be well formed and exactly one of the account's."""
    if url is None:
        return
    if normalize_redirect_url(url) is None:
        raise ValidationError.single(REDIRECT_PATH, "Invalid", f"{REDIRECT_PATH} is invalid")
    if url not in account.redirect_urls:
        raise ValidationError.single(
            REDIRECT_PATH,
            "Invalid",
            "The provided redirect URL must exactly match one of the configured URLs for the "
            "account",
        )


async def create_account(
    store: Store,
    name: str,
    redirect_urls: list[str] | None = None,
    partner_names: list[str] | None = None,
) -> NewAccount:
    """Create an account with its first application; all partners enabled unless listed."""
    if not name.strip():
        raise ValueError("an account needs a name")
    urls: list[str] = []
    for raw in redirect_urls or []:
        url = normalize_redirect_url(raw)
        if url is None:
            raise ValueError(f"not a valid redirect URL (http(s) URL or app package): {raw!r}")
        urls.append(url)
    if partner_names:
        slugs = []
        for partner_name in partner_names:
            partner = partners.by_name(partner_name)
            if partner is None:
                known = ", ".join(p.name for p in partners.PARTNERS)
                raise ValueError(f"unknown exchange partner {partner_name!r} (known: {known})")
            slugs.append(partner.slug)
    else:
        slugs = [p.slug for p in partners.PARTNERS]
    created = now()
    account = Account(new_id(), name.strip(), created, tuple(urls), tuple(dict.fromkeys(slugs)))
    secret = new_secret()
    application = Application(new_id(), account.id, new_secret(), hash_secret(secret), created)
    await store.create_account(account, application)
    return NewAccount(account, application, secret)


async def reissue_secret(
    store: Store, account: Account, secret: str | None = None, cache: TokenCache | None = None
) -> NewAccount:
    """Give the account's application a new secret (``secret``, or a random one); the old
    one and its tokens stop working.

    Tokens are revoked in the database at once; a process that cached one refuses it
    within ``TOKEN_CACHE_SECONDS``.
    """
    application = await _application_of(store, account)
    secret = secret or new_secret()
    await store.set_application_secret(application.id, hash_secret(secret))
    if cache is not None:
        cache.forget_account(account.id)
    return NewAccount(account, application, secret)


MAX_REDIRECT_URLS = 20
MAX_REDIRECT_URL_LENGTH = 2048


async def update_account_settings(
    store: Store,
    account: Account,
    redirect_urls: list[str],
    partner_slugs: list[str],
    cache: TokenCache | None = None,
) -> Account:
    """Replace the account's redirect URLs and enabled exchange partners.

    Every field that is wrong is named (Dwolla's ``ValidationError`` with one error per
    path): a redirect URL as ``create_account`` accepts it (http(s) URL with a host and no
    fragment, or an app package name), at most ``MAX_REDIRECT_URLS``, and partner slugs
    that exist, at least one. Blank lines and repeats are dropped.
    """
    errors: list[FieldError] = []
    urls: list[str] = []
    for index, raw in enumerate(redirect_urls):
        if not raw.strip():
            continue
        url = normalize_redirect_url(raw) if len(raw) <= MAX_REDIRECT_URL_LENGTH else None
        if url is None:
            errors.append(
                FieldError(
                    f"/redirectUrls/{index}",
                    "Invalid",
                    "Must be an http(s) URL with a host and no fragment, or an app package "
                    "name (com.example.app).",
                )
            )
        elif url not in urls:
            urls.append(url)
    if len(urls) > MAX_REDIRECT_URLS:
        errors.append(
            FieldError("/redirectUrls", "Invalid", f"At most {MAX_REDIRECT_URLS} redirect URLs.")
        )
    known = [p.slug for p in partners.PARTNERS]
    slugs = [slug for slug in known if slug in partner_slugs]
    if any(slug not in known for slug in partner_slugs):
        errors.append(FieldError("/partners", "Invalid", "Unknown exchange partner."))
    elif not slugs:
        errors.append(FieldError("/partners", "Required", "Enable at least one exchange partner."))
    if errors:
        raise ValidationError(errors)
    await store.set_account_settings(account.id, tuple(urls), tuple(slugs))
    if cache is not None:  # this process's tokens show the change at once
        cache.forget_account(account.id)
    return Account(account.id, account.name, account.created, tuple(urls), tuple(slugs))


async def revoke_token(store: Store, token: str, cache: TokenCache | None = None) -> None:
    """Make one bearer token stop working (sign-out). Other processes that cached it refuse
    it within ``TOKEN_CACHE_SECONDS``; this one at once."""
    token_hash = hash_secret(token)
    await store.remove_access_token(token_hash)
    if cache is not None:
        cache.forget(token_hash)


async def remove_application(store: Store, account: Account) -> Application:
    """Delete the account's application: its key, secret and tokens stop working.

    The account and its data stay; without an application nobody can act for it.
    """
    application = await _application_of(store, account)
    await store.remove_application(application.id)
    return application


def _seconds_until(moment: datetime, start: datetime) -> int:
    """Whole seconds from ``start`` to ``moment``, rounded up (a Retry-After value)."""
    return max(1, math.ceil((moment - start).total_seconds()))


async def _application_of(store: Store, account: Account) -> Application:
    application = await store.get_first_application(account.id)
    if application is None:
        raise ValueError(f"account {account.id} has no API application (it was removed)")
    return application


async def issue_token(store: Store, key: str, secret: str, ttl_seconds: int) -> IssuedToken | None:
    """A new bearer token for valid client credentials, or None when they are wrong.

    Raises ``TooManyRequests`` while the key is locked out: ``MAX_TOKEN_FAILURES`` wrong
    attempts within ``TOKEN_FAILURE_WINDOW`` lock it for ``TOKEN_LOCKOUT``, in every process
    (the count is in the database). An unknown key is refused after the same work as a
    known one (a lookup, a hash comparison, a counted failure), so timing does not tell
    which keys exist.
    """
    key_hash = hash_secret(key)
    moment = now()
    locked_until = await store.token_lockout_end(key_hash)
    if locked_until is not None and locked_until > moment:
        raise TooManyRequests(_seconds_until(locked_until, moment), _LOCKED_MESSAGE)
    application = await store.get_application_by_key(key)
    expected = application.secret_hash if application is not None else _NO_SECRET_HASH
    if not secret_matches(secret, expected) or application is None:
        lockout_end = moment + TOKEN_LOCKOUT
        if await store.record_token_failure(
            key_hash, moment, moment + TOKEN_FAILURE_WINDOW, MAX_TOKEN_FAILURES, lockout_end
        ):
            log.warning(
                "POST /token: client key %s… locked for %d s after %d failed attempts",
                key_hash[:12],
                TOKEN_LOCKOUT.total_seconds(),
                MAX_TOKEN_FAILURES,
            )
        return None
    if locked_until is not None:  # earlier failures no longer count against the client
        await store.clear_token_failures(key_hash)
    token = new_secret()
    await store.add_access_token(
        hash_secret(token), application, now() + timedelta(seconds=ttl_seconds)
    )
    return IssuedToken(token, ttl_seconds)


class TokenCache:
    """A process-local memo of ``token hash -> (account, token expiry)``, for a few seconds.

    An access-token row never changes: it names one account (the key is the hash of that
    account's token, so no entry can answer for another account) and one expiry.
    ``authenticate`` checks the expiry on every request, hit or miss, so a cached token never
    outlives it. A row is deleted when its application's secret is rotated or the application
    removed (by any process, the CLI's included, which cannot reach this cache): the entry
    lifetime, ``TOKEN_CACHE_SECONDS``, is how long a revoked token may still work in a
    process that cached it, and how stale the cached account (name, redirect URLs, partners)
    may be after a change. Unknown tokens are not cached.
    """

    def __init__(
        self, seconds: float = TOKEN_CACHE_SECONDS, max_entries: int = TOKEN_CACHE_ENTRIES
    ) -> None:
        self._seconds = seconds
        self._max_entries = max_entries
        self._entries: dict[str, tuple[Account, datetime, float]] = {}

    def get(self, token_hash: str) -> tuple[Account, datetime] | None:
        """The cached account and token expiry, unless absent or older than the lifetime."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[2] <= time.monotonic():
            self._entries.pop(token_hash, None)
            return None
        return entry[0], entry[1]

    def put(self, token_hash: str, account: Account, expires_at: datetime) -> None:
        """Remember a token found in the store (the oldest entry makes room when full)."""
        if len(self._entries) >= self._max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[token_hash] = (account, expires_at, time.monotonic() + self._seconds)

    def forget(self, token_hash: str) -> None:
        """Forget one token (revoked in this process)."""
        self._entries.pop(token_hash, None)

    def forget_account(self, account_id: str) -> None:
        """Forget every token of one account (its settings or secret changed here)."""
        for token_hash in [h for h, entry in self._entries.items() if entry[0].id == account_id]:
            del self._entries[token_hash]

    def clear(self) -> None:
        """Forget every token."""
        self._entries.clear()


async def authenticate(store: Store, token: str, cache: TokenCache | None = None) -> Account:
    """The account behind a bearer token; raises when unknown or expired."""
    token_hash = hash_secret(token)
    found = cache.get(token_hash) if cache is not None else None
    if found is None:
        found = await store.get_access_token(token_hash)
        if found is None:
            raise InvalidAccessToken()
        if cache is not None:
            cache.put(token_hash, *found)
    account, expires_at = found
    if expires_at <= now():
        raise ExpiredAccessToken()
    return account
