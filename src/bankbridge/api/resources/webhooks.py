"""``/webhooks/{id}``: one webhook with its delivery attempts, and its retries."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.hal import collection, hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.clock import isoformat
from bankbridge.domain.webhooks import get_retry, get_webhook, list_retries, retry_webhook
from bankbridge.models import Account, Header, Webhook, WebhookAttempt, WebhookRetry

__all__ = ["create_retry", "list_retries_of", "present", "retrieve", "retrieve_retry"]


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One webhook with its attempts, newest first."""
    store = services_of(request).store
    webhook = await get_webhook(store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), webhook))


@authenticated
async def create_retry(request: Request, account: Account) -> Response:
    """Deliver the webhook again, now; 201 with the retry's Location."""
    store = services_of(request).store
    retry = await retry_webhook(store, account, request.path_params["id"])
    location = hrefs(request).to("webhooks", retry.webhook_id, "retries", retry.id)
    return hal_response(None, status=201, headers={"Location": location})


@authenticated
async def list_retries_of(request: Request, account: Account) -> Response:
    """The webhook's retries, newest first."""
    webhook_id = request.path_params["id"]
    retries = await list_retries(services_of(request).store, account, webhook_id)
    to = hrefs(request)
    items = [present_retry(to, r) for r in retries]
    return hal_response(
        collection(to.to("webhooks", webhook_id, "retries"), "retry", "retries", items, len(items))
    )


@authenticated
async def retrieve_retry(request: Request, account: Account) -> Response:
    """One retry."""
    store = services_of(request).store
    params = request.path_params
    retry = await get_retry(store, account, params["id"], params["retry_id"])
    return hal_response(present_retry(hrefs(request), retry))


def present(to: Hrefs, webhook: Webhook) -> dict[str, Any]:
    """A webhook document: links, ids, topic and every attempt's request and response."""
    self_href = to.to("webhooks", webhook.id)
    retries = link(f"{self_href}/retries", "retry")
    return {
        "_links": {
            "self": link(self_href, "webhook"),
            "subscription": link(
                to.to("webhook-subscriptions", webhook.subscription_id), "webhook-subscription"
            ),
            "retry": retries,  # Dwolla's name in its spec
            "retries": retries,
            "event": link(to.to("events", webhook.event_id), "event"),
        },
        "id": webhook.id,
        "topic": webhook.topic,
        "accountId": webhook.account_id,
        "eventId": webhook.event_id,
        "subscriptionId": webhook.subscription_id,
        "attempts": [_attempt(a) for a in webhook.attempts],
    }


def present_retry(to: Hrefs, retry: WebhookRetry) -> dict[str, Any]:
    """A retry document."""
    webhook_href = to.to("webhooks", retry.webhook_id)
    return {
        "_links": {
            "self": link(f"{webhook_href}/retries/{retry.id}", "retry"),
            "webhook": link(webhook_href, "webhook"),
        },
        "id": retry.id,
        "timestamp": isoformat(retry.created),
    }


def _attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "request": {
            "timestamp": isoformat(attempt.request_at),
            "url": attempt.request_url,
            "headers": _headers(attempt.request_headers),
            "body": attempt.request_body,
        },
        "response": {
            "timestamp": isoformat(attempt.response_at),
            "headers": _headers(attempt.response_headers),
            "statusCode": attempt.response_status,
            "body": attempt.response_body,
        },
    }


def _headers(headers: tuple[Header, ...]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]
