"""Partner webhooks in: ``POST /partner-webhooks/{partner}/{id}`` for one account.

No bearer token: the partner proves itself as it specifies (Plaid's ``Plaid-Verification``
JWT; MX's HTTP Basic credentials), checked before anything changes. An unknown account, a bad
signature, a stale or replayed delivery answers 401 and changes nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bankbridge.api.auth import services_of
from bankbridge.api.body import read_body
from bankbridge.domain.partner_webhooks import receive_partner_webhook
from bankbridge.errors import WebhookNotVerified


async def plaid(request: Request) -> Response:
    """A Plaid webhook for the account in the path."""
    return await _receive(request, "plaid")


async def mx(request: Request) -> Response:
    """An MX member or connection-status webhook for the account in the path (MX asks for
    204 No Content on receipt)."""
    await _receive(request, "mx")
    return Response(status_code=204)


async def _receive(request: Request, slug: str) -> Response:
    services = services_of(request)
    body = await read_body(request, services.settings.max_body_bytes)
    account = await services.store.get_account(request.path_params["id"])
    if account is None or slug not in account.partners:
        raise WebhookNotVerified()
    notice = await receive_partner_webhook(
        services.store,
        services.vault,
        services.adapters_for(account.id),
        account,
        slug,
        body,
        request.headers,
    )
    return JSONResponse({"received": True, "change": notice.change})
