"""``POST /customers/{id}/exchange-sessions`` and ``GET /exchange-sessions/{id}``.

The GET document's shape depends on the partner, exactly as Dwolla's: MX gives a
``external-provider-session`` link, Plaid an ``externalProviderSessionToken``, Checkout.com
an ``externalProviderSessionData`` object.

A session never changes once created, so its document is rendered once, at creation, with
hrefs relative to the public URL (``stored_document``), and stored with it; every read
(the routed endpoint and the app's fast path alike, ``session_document``) splices the
public URL into those bytes. Sessions stored before documents were are rendered per read.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge import partners
from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.body import read_json
from bankbridge.api.hal import HAL_JSON, encode, hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.api.paging import page_document, paging
from bankbridge.clock import isoformat
from bankbridge.domain.accounts import REDIRECT_PATH
from bankbridge.domain.exchange_sessions import (
    PARTNER_PATH,
    create_exchange_session,
    get_exchange_session,
    get_exchange_session_document,
    list_exchange_sessions,
)
from bankbridge.models import Account, ExchangeSession
from bankbridge.services import Services

# The first two hrefs of every session document are its own (self, exchange-partner):
# stored relative, made absolute per read.
_RELATIVE_HREF = b'"href":"/exchange-'
_RELATIVE = Hrefs("")


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
        render=stored_document,
    )
    return hal_response(
        None, status=201, headers={"Location": to.to("exchange-sessions", session.id)}
    )


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One exchange session, in its partner's shape."""
    body = await session_document(services_of(request), account, request.path_params["id"])
    return Response(body, media_type=HAL_JSON)


async def session_document(services: Services, account: Account, session_id: str) -> bytes:
    """The bytes of one of the account's sessions (``NotFound``/``Forbidden`` else)."""
    document = await get_exchange_session_document(services.store, account, session_id)
    base = services.settings.public_url
    if not document:  # stored before documents were
        session = await get_exchange_session(services.store, account, session_id)
        return encode(present(Hrefs(base), session))
    return document.encode().replace(_RELATIVE_HREF, _absolute_href(base), 2)


def stored_document(session: ExchangeSession) -> str:
    """The session's GET document with hrefs relative to the public URL, to be stored."""
    return encode(present(_RELATIVE, session)).decode()


@lru_cache(maxsize=8)
def _absolute_href(base: str) -> bytes:
    # The base as the encoder writes it inside a string (ASCII-escaped JSON).
    return encode({"href": base})[1:-2] + b"/exchange-"


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
