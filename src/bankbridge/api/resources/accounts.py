"""``GET /accounts/{id}``: the token's own account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated
from bankbridge.api.hal import hal_response, link
from bankbridge.api.hrefs import hrefs
from bankbridge.errors import Forbidden
from bankbridge.models import Account


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """The account document; any other account id is forbidden."""
    if request.path_params["id"] != account.id:
        raise Forbidden("Not authorized to retrieve this account.")
    to = hrefs(request).to
    return hal_response(
        {
            "_links": {
                "self": link(to("accounts", account.id), "account"),
                "customers": link(to("customers"), "customer"),
            },
            "id": account.id,
            "name": account.name,
        }
    )
