"""``/webhook-subscriptions``: create, list, retrieve, pause/resume and remove; list webhooks."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.body import read_json
from bankbridge.api.hal import collection, hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.api.paging import page_document, paging
from bankbridge.api.resources.webhooks import present as present_webhook
from bankbridge.clock import isoformat
from bankbridge.domain.webhooks import (
    create_subscription,
    get_subscription,
    list_subscriptions,
    list_webhooks,
    remove_subscription,
    update_subscription,
)
from bankbridge.models import Account, WebhookSubscription

__all__ = ["create", "list_all", "list_webhooks_of", "present", "remove", "retrieve", "update"]


@authenticated
async def create(request: Request, account: Account) -> Response:
    """Subscribe a URL (with its signing secret) to the account's events; 201 + Location."""
    services = services_of(request)
    body = await read_json(request, services.settings.max_body_bytes)
    subscription = await create_subscription(
        services.store,
        services.vault,
        account,
        body.string("/url") or "",  # the schema requires both
        body.string("/secret") or "",
        sandbox=services.settings.sandbox,
    )
    location = hrefs(request).to("webhook-subscriptions", subscription.id)
    return hal_response(None, status=201, headers={"Location": location})


@authenticated
async def list_all(request: Request, account: Account) -> Response:
    """The account's subscriptions."""
    subscriptions = await list_subscriptions(services_of(request).store, account)
    to = hrefs(request)
    items = [present(to, s) for s in subscriptions]
    return hal_response(
        collection(
            to.to("webhook-subscriptions"),
            "webhook-subscription",
            "webhook-subscriptions",
            items,
            len(items),
        )
    )


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One subscription (never its secret)."""
    store = services_of(request).store
    subscription = await get_subscription(store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), subscription))


@authenticated
async def update(request: Request, account: Account) -> Response:
    """``{"paused": true|false}`` pauses or resumes the subscription."""
    services = services_of(request)
    body = await read_json(request, services.settings.max_body_bytes)
    subscription = await update_subscription(
        services.store,
        account,
        request.path_params["id"],
        body.boolean("/paused") is True,
    )
    return hal_response(present(hrefs(request), subscription))


@authenticated
async def remove(request: Request, account: Account) -> Response:
    """Remove the subscription; answers it as it was (as Dwolla does)."""
    store = services_of(request).store
    subscription = await remove_subscription(store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), subscription))


@authenticated
async def list_webhooks_of(request: Request, account: Account) -> Response:
    """The subscription's webhooks with their attempts, newest first, paged."""
    limit, offset = paging(request)
    subscription_id = request.path_params["id"]
    store = services_of(request).store
    page = await list_webhooks(store, account, subscription_id, limit, offset)
    to = hrefs(request)
    base = to.to("webhook-subscriptions", subscription_id, "webhooks")
    return hal_response(
        page_document(
            base,
            "webhook",
            "webhooks",
            [present_webhook(to, w) for w in page.items],
            limit,
            offset,
            page.total,
        )
    )


def present(to: Hrefs, subscription: WebhookSubscription) -> dict[str, Any]:
    """A subscription document: links, id, url, paused, created (no secret)."""
    self_href = to.to("webhook-subscriptions", subscription.id)
    return {
        "_links": {
            "self": link(self_href, "webhook-subscription"),
            "webhooks": link(f"{self_href}/webhooks", "webhook"),
        },
        "id": subscription.id,
        "url": subscription.url,
        "paused": subscription.paused,
        "created": isoformat(subscription.created),
    }
