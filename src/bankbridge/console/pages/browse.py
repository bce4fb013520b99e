"""Browsing the account's resources: customers and what hangs off them.

Every page reads through the API (``console.api``) and shows each resource's JSON as the API
returned it, with its ``_links`` turned into console links. An id that the API refuses
(404, or 403 for another account's) shows the console's not-found page.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge.console.client import ApiCall, segment
from bankbridge.console.links import console_links
from bankbridge.console.session import Console, console_page

__all__ = ["PAGE_SIZE", "ROUTES", "embedded", "href_id", "offset_of", "paging", "show_resource"]

PAGE_SIZE = 25
CUSTOMER_FIELDS = ("firstName", "lastName", "email", "businessName")


def offset_of(request: Request) -> int:
    """The ``offset`` query parameter (0 when absent or not a small whole number)."""
    raw = request.query_params.get("offset", "0")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


def paging(offset: int, total: int) -> dict[str, int | None]:
    """What the ``ui.pager`` macro needs: ``offset``, ``total``, the ``previous`` and
    ``next`` pages' offsets (None at either end)."""
    return {
        "offset": offset,
        "total": total,
        "previous": max(0, offset - PAGE_SIZE) if offset else None,
        "next": offset + PAGE_SIZE if offset + PAGE_SIZE < total else None,
    }


def embedded(call: ApiCall, name: str) -> list[dict[str, Any]]:
    """``_embedded[name]`` of a list the API returned."""
    body = call.body if isinstance(call.body, dict) else {}
    items = body.get("_embedded", {}).get(name, [])
    return [item for item in items if isinstance(item, dict)]


def resource_context(console: Console, call: ApiCall) -> dict[str, Any]:
    """What ``resource.html`` shows of one resource: its JSON and its links."""
    return {
        "resource": call.body,
        "json": call.pretty,
        "links": console_links(call.body, console.api.base_url),
    }


async def show_resource(
    console: Console,
    api_path: str,
    *,
    title: str,
    template: str = "resource.html",
    nav: str = "customers",
    extra: dict[str, Any] | None = None,
    known: ApiCall | None = None,
    status: int = 200,
) -> Response:
    """GET one resource (unless ``known`` is its answer) and render it; the not-found page
    when the API refuses."""
    call = known or await console.api.get(api_path)
    if not call.ok:
        return console.api_failed(call)
    context = {**resource_context(console, call), **(extra or {})}
    return console.render(template, context, title=title, nav=nav, status=status)


@console_page
async def home(request: Request, console: Console) -> Response:
    """The overview: the account, and where to go from here."""
    customers = await console.api.get("/customers", {"limit": 5})
    events = await console.api.get("/events", {"limit": 5})
    return console.render(
        "home.html",
        {
            "customers": embedded(customers, "customers"),
            "customer_total": (customers.body or {}).get("total", 0),
            "events": embedded(events, "events"),
        },
        title="Overview",
        nav="home",
    )


@console_page
async def customers(request: Request, console: Console) -> Response:
    """Customers, a page at a time, with the form to create one."""
    return await _customers_page(request, console)


async def _customers_page(
    request: Request,
    console: Console,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    message: str = "",
) -> Response:
    offset = offset_of(request)
    listing = await console.api.get("/customers", {"limit": PAGE_SIZE, "offset": offset})
    if not listing.ok:
        return console.api_failed(listing)
    total = int((listing.body or {}).get("total", 0))
    return console.render(
        "customers.html",
        {
            "customers": embedded(listing, "customers"),
            **paging(offset, total),
            "errors": errors or {},
            "values": values or {},
            "message": message,
        },
        title="Customers",
        nav="customers",
        status=status,
    )


@console_page
async def create_customer(request: Request, console: Console) -> Response:
    """``POST /customers`` with the form's fields; field errors are shown in the form."""
    values = {name: console.form.get(name, "").strip() for name in CUSTOMER_FIELDS}
    body = {name: value for name, value in values.items() if value}
    call = await console.api.post("/customers", body)
    if call.status == 201 and call.location:
        return console.redirect(f"/console/customers/{call.created_id}")
    errors = call.form_errors()
    return await _customers_page(
        request, console, errors, values, status=400, message=call.error_message
    )


@console_page
async def customer(request: Request, console: Console) -> Response:
    """One customer: its JSON, exchanges and funding sources."""
    customer_id = segment(request.path_params["id"])
    call = await console.api.get(f"/customers/{customer_id}")
    if not call.ok:
        return console.api_failed(call)
    sessions = await console.api.get(f"/customers/{customer_id}/exchange-sessions")
    exchanges = await console.api.get(f"/customers/{customer_id}/exchanges")
    sources = await console.api.get(f"/customers/{customer_id}/funding-sources")
    partners = await console.api.get("/exchange-partners")
    body = call.body if isinstance(call.body, dict) else {}
    name = " ".join(str(body.get(k, "")) for k in ("firstName", "lastName")).strip()
    return console.render(
        "customer.html",
        {
            **resource_context(console, call),
            "sessions": _sessions(embedded(sessions, "exchange-sessions"), partners),
            "exchanges": embedded(exchanges, "exchanges"),
            "funding_sources": embedded(sources, "funding-sources"),
        },
        title=f"Customer {name}".strip(),
        nav="customers",
    )


def href_id(resource: Any, rel: str) -> str:
    """The id at the end of a resource document's ``rel`` link (``""`` without one)."""
    links = resource.get("_links", {}) if isinstance(resource, dict) else {}
    link = links.get(rel, {}) if isinstance(links, dict) else {}
    href = link.get("href", "") if isinstance(link, dict) else ""
    return str(href).rstrip("/").rsplit("/", 1)[-1]


def _sessions(sessions: list[dict[str, Any]], partners: ApiCall) -> list[dict[str, str]]:
    """Each session's id (its ``self`` href's), partner name and creation time."""
    names = {p.get("id"): p.get("name") for p in embedded(partners, "exchange-partners")}
    return [
        {
            "id": href_id(s, "self"),
            "partner": str(names.get(href_id(s, "exchange-partner"), "")),
            "created": str(s.get("created", "")),
        }
        for s in sessions
    ]


ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/customers", customers, methods=["GET"]),
    Route("/customers", create_customer, methods=["POST"]),
    Route("/customers/{id}", customer, methods=["GET"]),
]
