"""``/customers``: create, retrieve and list an account's customers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.body import read_json
from bankbridge.api.hal import hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.api.paging import page_document, paging
from bankbridge.clock import isoformat
from bankbridge.domain.customers import NewCustomer, create_customer, get_customer, list_customers
from bankbridge.models import Account, Customer


@authenticated
async def create(request: Request, account: Account) -> Response:
    """Create an unverified (or receive-only) customer; 201 with its Location."""
    services = services_of(request)
    body = await read_json(request, services.settings.max_body_bytes)
    fields = NewCustomer(
        first_name=body.string("/firstName") or "",
        last_name=body.string("/lastName") or "",
        email=body.string("/email") or "",
        type=body.string("/type") or "unverified",
        business_name=body.string("/businessName"),
        correlation_id=body.string("/correlationId"),
    )
    customer = await create_customer(services.store, account, fields)
    location = hrefs(request).to("customers", customer.id)
    return hal_response(None, status=201, headers={"Location": location})


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One customer."""
    store = services_of(request).store
    customer = await get_customer(store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), customer))


@authenticated
async def list_all(request: Request, account: Account) -> Response:
    """The account's customers, newest first, ``limit``/``offset`` paged."""
    limit, offset = paging(request)
    page = await list_customers(services_of(request).store, account, limit, offset)
    to = hrefs(request)
    return hal_response(
        page_document(
            to.to("customers"),
            "customer",
            "customers",
            [present(to, c) for c in page.items],
            limit,
            offset,
            page.total,
        )
    )


def present(to: Hrefs, customer: Customer) -> dict[str, Any]:
    """A customer document."""
    document: dict[str, Any] = {
        "_links": {"self": link(to.to("customers", customer.id), "customer")},
        "id": customer.id,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "email": customer.email,
        "type": customer.type,
        "status": customer.status,
        "created": isoformat(customer.created),
    }
    if customer.business_name:
        document["businessName"] = customer.business_name
    if customer.correlation_id:
        document["correlationId"] = customer.correlation_id
    return document
