"""``GET /``: the API root, linking the account's resources."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bankbridge.api.auth import authenticated
from bankbridge.api.hal import hal_response, link
from bankbridge.api.hrefs import hrefs
from bankbridge.models import Account


async def get_root(request: Request) -> Response:
    """The API root; a browser asking for a page (HTML, no token) is sent to the console."""
    if "authorization" not in request.headers and _wants_html(request.headers.get("accept", "")):
        return RedirectResponse("/console/", status_code=303)
    return await _api_root(request)


def _wants_html(accept: str) -> bool:
    media = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}
    return "text/html" in media


@authenticated
async def _api_root(request: Request, account: Account) -> Response:
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
