"""``POST /customers/{id}/exchange-sessions`` and ``GET /exchange-sessions/{id}``.

The GET document's shape depends on the partner, exactly as Dwolla's: MX gives a
``external-provider-session`` link, Plaid an ``externalProviderSessionToken``, Checkout.com
an ``externalProviderSessionData`` object.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge import partners
from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.body import read_json
from bankbridge.api.hal import HAL_JSON, hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.api.paging import page_document, paging
from bankbridge.clock import isoformat
from bankbridge.domain.accounts import REDIRECT_PATH
from bankbridge.domain.exchange_sessions import (
    PARTNER_PATH,
    create_exchange_session,
    get_exchange_session,
    list_exchange_sessions,
)
from bankbridge.models import Account, ExchangeSession


@authenticated
async def create(request: Request, account: Account) -> Response:
    """Open a session with the linked partner for the customer; 201 with its Location."""
    services = services_of(request)
    body = await read_json(request, services.settings.max_body_bytes)
    partner_href = body.string(PARTNER_PATH) or ""  # the schema requires it
    redirect = body.string(REDIRECT_PATH)
    partner_id = Hrefs.id_in(partner_href, "exchange-partners", PARTNER_PATH, "exchange-partner")
    to = hrefs(request)
    session = await create_exchange_session(
        services.store,
        services.adapters_for(account.id),
        account,
        request.path_params["id"],
        partner_id,
        redirect,
        return_url=to.base + "/",
        public_url=services.settings.public_url,
    )
    return hal_response(
        None, status=201, headers={"Location": to.to("exchange-sessions", session.id)}
    )


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One exchange session, in its partner's shape."""
    store = services_of(request).store
    session = await get_exchange_session(store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), session))


@authenticated
async def list_for_customer(request: Request, account: Account) -> Response:
    """A customer's exchange sessions, newest first (BankBridge's own: Dwolla has no list)."""
    limit, offset = paging(request)
    customer_id = request.path_params["id"]
    store = services_of(request).store
    page = await list_exchange_sessions(store, account, customer_id, limit, offset)
    to = hrefs(request)
    href = to.to("customers", customer_id, "exchange-sessions")
    return hal_response(
        page_document(
            href,
            "exchange-sessions",
            "exchange-sessions",
            [present(to, s) for s in page.items],
            limit,
            offset,
            page.total,
        )
    )


def present(to: Hrefs, session: ExchangeSession) -> dict[str, Any]:
    """An exchange session document (the seed's per-partner shapes)."""
    partner = partners.by_slug(session.partner_slug)
    assert partner is not None, session.partner_slug
    links = {
        "self": link(to.to("exchange-sessions", session.id), "exchange-sessions"),
        "exchange-partner": link(to.to("exchange-partners", partner.id), "exchange-partner"),
    }
    provider = session.provider
    if provider.url is not None:
        links["external-provider-session"] = link(provider.url, "text/html", HAL_JSON)
    document: dict[str, Any] = {"created": isoformat(session.created), "_links": links}
    if provider.token is not None:
        document["externalProviderSessionToken"] = provider.token
    if provider.data is not None:
        document["externalProviderSessionData"] = provider.data
    return document
