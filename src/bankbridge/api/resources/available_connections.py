"""``GET /customers/{id}/available-exchange-connections`` (MX)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.hal import hal_response, link
from bankbridge.api.hrefs import hrefs
from bankbridge.domain.available_connections import list_available_connections
from bankbridge.models import Account


@authenticated
async def list_all(request: Request, account: Account) -> Response:
    """The accounts the customer connected through MX Connect, with signed tokens."""
    services = services_of(request)
    customer, connections = await list_available_connections(
        services.store,
        services.adapters_for(account.id),
        services.vault,
        account,
        request.path_params["id"],
    )
    to = hrefs(request)
    customer_href = to.to("customers", customer.id)
    return hal_response(
        {
            "_links": {
                "self": link(f"{customer_href}/available-exchange-connections", "customer"),
                "customers": link(customer_href, "customer"),
            },
            "_embedded": {
                "available-exchange-connections": [
                    {"name": c.name, "availableConnectionToken": c.token} for c in connections
                ]
            },
        }
    )
