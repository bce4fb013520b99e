"""``/events``: an account's events, newest first; ``present`` is also the webhook body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.hal import hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.api.paging import page_document, paging
from bankbridge.clock import isoformat
from bankbridge.domain.events import get_event, list_events
from bankbridge.models import Account, Event

__all__ = ["event_renderer", "list_all", "present", "retrieve"]


@authenticated
async def list_all(request: Request, account: Account) -> Response:
    """The account's events, newest first, ``limit``/``offset`` paged."""
    limit, offset = paging(request)
    page = await list_events(services_of(request).store, account, limit, offset)
    to = hrefs(request)
    return hal_response(
        page_document(
            to.to("events"),
            "event",
            "events",
            [present(to, e) for e in page.items],
            limit,
            offset,
            page.total,
        )
    )


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One event."""
    store = services_of(request).store
    event = await get_event(store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), event))


def present(to: Hrefs, event: Event) -> dict[str, Any]:
    """An event document (``_links`` self, account, resource and, if any, customer)."""
    links = {
        "self": link(to.to("events", event.id), "event"),
        "account": link(to.to("accounts", event.account_id), "account"),
        "resource": link(
            to.to(event.resource_type, event.resource_id), event.resource_type.rstrip("s")
        ),
    }
    if event.customer_id:
        links["customer"] = link(to.to("customers", event.customer_id), "customer")
    return {
        "_links": links,
        "id": event.id,
        "created": isoformat(event.created),
        "topic": event.topic,
        "resourceId": event.resource_id,
    }


def event_renderer(public_url: str) -> Callable[[Event], dict[str, Any]]:
    """``present`` under ``public_url``: how the delivery worker renders a webhook's event."""
    to = Hrefs(public_url)
    return lambda event: present(to, event)
