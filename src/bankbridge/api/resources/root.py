"""``GET /``: the API root, linking the account's resources."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated
from bankbridge.api.hal import hal_response, link
from bankbridge.api.hrefs import hrefs
from bankbridge.models import Account


@authenticated
async def get_root(request: Request, account: Account) -> Response:
    """Links to what this token can reach."""
    to = hrefs(request).to
    return hal_response(
        {
            "_links": {
                "account": link(to("accounts", account.id), "account"),
                "customers": link(to("customers"), "customer"),
                "exchange-partners": link(to("exchange-partners"), "exchange-partner"),
            }
        }
    )
