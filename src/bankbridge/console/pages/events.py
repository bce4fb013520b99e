"""Events, newest first, filtered by topic and by resource id; one event."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge.console.client import segment
from bankbridge.console.pages.browse import PAGE_SIZE, embedded, offset_of, paging, show_resource
from bankbridge.console.session import Console, console_page

__all__ = ["ROUTES"]

# The API pages events (newest first) but does not filter them: a filtered view reads the
# latest SCAN_LIMIT events, SCAN_PAGE at a time, and shows those that match.
SCAN_PAGE = 200
SCAN_LIMIT = 2000
MAX_FILTER_LENGTH = 200


def matches(event: dict[str, Any], topic: str, resource: str) -> bool:
    """The event has ``topic`` (when given) and names ``resource`` (when given): its
    ``resourceId``, or the id at the end of one of its links (a customer's, say)."""
    if topic and event.get("topic") != topic:
        return False
    if not resource:
        return True
    if event.get("resourceId") == resource:
        return True
    links = event.get("_links") or {}
    hrefs = [link.get("href", "") for link in links.values() if isinstance(link, dict)]
    return any(isinstance(h, str) and h.rstrip("/").endswith("/" + resource) for h in hrefs)


@console_page
async def events(request: Request, console: Console) -> Response:
    """The account's events; ``topic`` and ``resource`` filter them."""
    topic = request.query_params.get("topic", "").strip()[:MAX_FILTER_LENGTH]
    resource = request.query_params.get("resource", "").strip()[:MAX_FILTER_LENGTH]
    context: dict[str, Any] = {"topic": topic, "resource": resource}
    if not topic and not resource:
        offset = offset_of(request)
        listing = await console.api.get("/events", {"limit": PAGE_SIZE, "offset": offset})
        if not listing.ok:
            return console.api_failed(listing)
        total = int((listing.body or {}).get("total", 0))
        context |= {
            "events": embedded(listing, "events"),
            **paging(offset, total),
            "scanned": None,
        }
    else:
        found: list[dict[str, Any]] = []
        scanned, total = 0, 0
        while scanned < SCAN_LIMIT:
            page = await console.api.get("/events", {"limit": SCAN_PAGE, "offset": scanned})
            if not page.ok:
                return console.api_failed(page)
            items = embedded(page, "events")
            total = int((page.body or {}).get("total", 0))
            found += [e for e in items if matches(e, topic, resource)]
            scanned += len(items)
            if len(items) < SCAN_PAGE:
                break
        context |= {
            "events": found,
            **paging(0, 0),
            "total": total,
            "scanned": scanned,
        }
    context["known_topics"] = sorted(
        {str(e.get("topic")) for e in context["events"]} | {topic} - {""}
    )
    return console.render("events.html", context, title="Events", nav="events")


@console_page
async def event(request: Request, console: Console) -> Response:
    """``GET /events/{id}``."""
    event_id = segment(request.path_params["id"])
    return await show_resource(console, f"/events/{event_id}", title="Event", nav="events")


ROUTES = [
    Route("/events", events, methods=["GET"]),
    Route("/events/{id}", event, methods=["GET"]),
]
