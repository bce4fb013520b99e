"""Webhook subscriptions, their webhooks and retries: the rules, within one account.

A subscription's secret is encrypted with the install's vault before it is stored (the
delivery worker needs it back to sign) and is never returned. Outside the sandbox a URL
must be https to a host that resolves only to public addresses (``bankbridge.egress``;
delivery checks again on every connection); the sandbox also takes http and local hosts.
Another account's subscription, webhook or retry is not found, except when listing a
subscription's webhooks, where Dwolla answers 403.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bankbridge.clock import now
from bankbridge.crypto import Vault
from bankbridge.domain.ids import new_id
from bankbridge.domain.models import Account, Page
from bankbridge.egress import DestinationRefused, resolve_public
from bankbridge.errors import (
    FieldError,
    Forbidden,
    InvalidResourceState,
    MaxNumberOfResources,
    NotFound,
    ValidationError,
)
from bankbridge.store.base import Store
from bankbridge.webhooks.models import Webhook, WebhookRetry, WebhookSubscription

__all__ = [
    "MAX_ACTIVE_SUBSCRIPTIONS",
    "SECRET_MAX",
    "create_subscription",
    "get_retry",
    "get_subscription",
    "get_webhook",
    "list_retries",
    "list_subscriptions",
    "list_webhooks",
    "remove_subscription",
    "retry_webhook",
    "update_subscription",
]

MAX_ACTIVE_SUBSCRIPTIONS = 10
SECRET_MAX = 128
URL_MAX = 2048
_NOT_PUBLIC = "Url must be a valid url: https, to a public host outside the sandbox."


async def create_subscription(
    store: Store, vault: Vault, account: Account, url: str, secret: str, *, sandbox: bool
) -> WebhookSubscription:
    """Subscribe ``url`` to the account's events; ``sandbox`` also admits http and local hosts."""
    url_errors = _check_url(url, sandbox)
    if not url_errors and not sandbox:
        url_errors = await _check_destination(url)
    errors = url_errors + _check_secret(secret)
    if errors:
        raise ValidationError(errors)
    subscription = WebhookSubscription(
        id=new_id(), account_id=account.id, url=url.strip(), paused=False, created=now()
    )
    created = await store.create_webhook_subscription(
        subscription, vault.encrypt(secret), MAX_ACTIVE_SUBSCRIPTIONS
    )
    if not created:
        raise MaxNumberOfResources()
    return subscription


async def get_subscription(
    store: Store, account: Account, subscription_id: str
) -> WebhookSubscription:
    """One of the account's subscriptions (not removed)."""
    subscription = await store.get_webhook_subscription(subscription_id)
    if subscription is None or subscription.removed or subscription.account_id != account.id:
        raise NotFound("Webhook subscription not found.")
    return subscription


async def list_subscriptions(store: Store, account: Account) -> list[WebhookSubscription]:
    """The account's subscriptions, oldest first."""
    return await store.list_webhook_subscriptions(account.id)


async def update_subscription(
    store: Store, account: Account, subscription_id: str, paused: bool
) -> WebhookSubscription:
    """Pause (no webhooks are queued or sent) or resume a subscription."""
    subscription = await get_subscription(store, account, subscription_id)
    await store.set_webhook_subscription_paused(subscription.id, paused)
    return await get_subscription(store, account, subscription_id)


async def remove_subscription(
    store: Store, account: Account, subscription_id: str
) -> WebhookSubscription:
    """Remove a subscription for good; its undelivered webhooks are given up."""
    subscription = await get_subscription(store, account, subscription_id)
    if not await store.remove_webhook_subscription(subscription.id):
        raise NotFound("Webhook subscription not found.")
    return subscription


async def list_webhooks(
    store: Store, account: Account, subscription_id: str, limit: int, offset: int
) -> Page:
    """A subscription's webhooks with their attempts, newest first."""
    subscription = await store.get_webhook_subscription(subscription_id)
    if subscription is None or subscription.removed:
        raise NotFound("Webhook subscription not found.")
    if subscription.account_id != account.id:
        raise Forbidden("Not authorized to list webhooks of this subscription.")
    return await store.list_webhooks(subscription.id, limit, offset)


async def get_webhook(store: Store, account: Account, webhook_id: str) -> Webhook:
    """One of the account's webhooks with its attempts."""
    webhook = await store.get_webhook(webhook_id)
    if webhook is None or webhook.account_id != account.id:
        raise NotFound("Webhook not found.")
    return webhook


async def retry_webhook(store: Store, account: Account, webhook_id: str) -> WebhookRetry:
    """Queue one more delivery of a webhook, due now."""
    webhook = await get_webhook(store, account, webhook_id)
    subscription = await store.get_webhook_subscription(webhook.subscription_id)
    if subscription is None or subscription.removed:
        raise InvalidResourceState("The webhook's subscription was removed.")
    retry = WebhookRetry(id=new_id(), webhook_id=webhook.id, created=now())
    await store.retry_webhook(retry)
    return retry


async def list_retries(store: Store, account: Account, webhook_id: str) -> list[WebhookRetry]:
    """A webhook's retries, newest first."""
    webhook = await get_webhook(store, account, webhook_id)
    return await store.list_webhook_retries(webhook.id)


async def get_retry(store: Store, account: Account, webhook_id: str, retry_id: str) -> WebhookRetry:
    """One retry of one of the account's webhooks."""
    for retry in await list_retries(store, account, webhook_id):
        if retry.id == retry_id:
            return retry
    raise NotFound("Webhook retry not found.")


def _check_url(url: str, sandbox: bool) -> list[FieldError]:
    invalid = [FieldError("/url", "InvalidFormat", "Url must be a valid url.")]
    text = url.strip()
    if not text:
        return [FieldError("/url", "Required", "url is required.")]
    if len(text) > URL_MAX or any(c.isspace() for c in text):
        return invalid
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return invalid
    if parts.scheme not in ("http", "https") or not host:
        return invalid
    if not sandbox and parts.scheme != "https":
        return [FieldError("/url", "InvalidFormat", _NOT_PUBLIC)]
    return []


async def _check_destination(url: str) -> list[FieldError]:
    """Refuse a URL whose host is local or resolves to any non-public address."""
    parts = urlsplit(url.strip())
    try:
        await resolve_public(parts.hostname or "", parts.port or 443)
    except DestinationRefused:
        return [FieldError("/url", "InvalidFormat", _NOT_PUBLIC)]
    return []


def _check_secret(secret: str) -> list[FieldError]:
    if not secret:
        return [FieldError("/secret", "Required", "secret is required.")]
    if len(secret) > SECRET_MAX:
        return [
            FieldError(
                "/secret", "InvalidFormat", f"Secret must be {SECRET_MAX} or fewer characters."
            )
        ]
    return []
