"""Exchanges: ``POST/GET /customers/{id}/exchanges``, ``GET /exchanges/{id}``, re-auth
sessions (``POST /exchanges/{id}/exchange-sessions``) and the sandbox re-auth control."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge import partners
from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.body import Body, read_json
from bankbridge.api.hal import hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.api.paging import page_document, paging
from bankbridge.api.resources.exchange_sessions import stored_document
from bankbridge.clock import isoformat
from bankbridge.domain.accounts import REDIRECT_PATH
from bankbridge.domain.exchanges import (
    ExchangeToken,
    create_exchange,
    create_reauth_session,
    fire_sandbox_webhook,
    get_exchange,
    list_exchanges,
    refresh_reauth_state,
    require_reauth,
)
from bankbridge.errors import NotFound, ValidationError
from bankbridge.models import Account, Exchange

PARTNER_PATH = "/_links/exchange-partner/href"
TOKEN_FIELDS = (
    ("/mx/availableConnectionToken", "mx.availableConnectionToken"),
    ("/plaid/publicToken", "plaid.publicToken"),
    ("/token", "token"),
)


@authenticated
async def create(request: Request, account: Account) -> Response:
    """Redeem a partner token for an exchange; 201 with its Location."""
    services = services_of(request)
    body = await read_json(request, services.settings.max_body_bytes)
    token = _exchange_token(body)
    exchange = await create_exchange(
        services.store,
        services.adapters_for(account.id),
        services.vault,
        account,
        request.path_params["id"],
        token,
    )
    location = hrefs(request).to("exchanges", exchange.id)
    return hal_response(None, status=201, headers={"Location": location})


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One exchange (its re-auth state refreshed from the partner when flagged)."""
    services = services_of(request)
    store = services.store
    exchange = await get_exchange(store, account, request.path_params["id"])
    exchange = await refresh_reauth_state(store, services.adapters_for(account.id), exchange)
    return hal_response(present(hrefs(request), exchange))


@authenticated
async def list_for_customer(request: Request, account: Account) -> Response:
    """A customer's exchanges, newest first."""
    limit, offset = paging(request)
    customer_id = request.path_params["id"]
    page = await list_exchanges(services_of(request).store, account, customer_id, limit, offset)
    to = hrefs(request)
    return hal_response(
        page_document(
            to.to("customers", customer_id, "exchanges"),
            "exchange",
            "exchanges",
            [present(to, e) for e in page.items],
            limit,
            offset,
            page.total,
        )
    )


@authenticated
async def create_reauth(request: Request, account: Account) -> Response:
    """A re-authentication exchange session for the exchange; 201 with its Location."""
    services = services_of(request)
    body = await read_json(request, services.settings.max_body_bytes)
    redirect = body.string(REDIRECT_PATH)
    to = hrefs(request)
    session = await create_reauth_session(
        services.store,
        services.adapters_for(account.id),
        account,
        request.path_params["id"],
        redirect,
        return_url=to.base + "/",
        render=stored_document,
    )
    return hal_response(
        None, status=201, headers={"Location": to.to("exchange-sessions", session.id)}
    )


@authenticated
async def sandbox_reset_login(request: Request, account: Account) -> Response:
    """Sandbox only: make the partner demand a new login, as Plaid's reset_login does."""
    services = services_of(request)
    if not services.settings.sandbox:
        raise NotFound()
    exchange = await require_reauth(
        services.store,
        services.adapters_for(account.id),
        account,
        request.path_params["id"],
    )
    return hal_response(present(hrefs(request), exchange))


@authenticated
async def sandbox_fire_webhook(request: Request, account: Account) -> Response:
    """Sandbox only: the partner sends a webhook about the exchange's connection."""
    services = services_of(request)
    if not services.settings.sandbox:
        raise NotFound()
    body = await read_json(request, services.settings.max_body_bytes)
    exchange = await fire_sandbox_webhook(
        services.store,
        services.adapters_for(account.id),
        account,
        request.path_params["id"],
        body.string("/webhookCode") or "",
    )
    return hal_response(present(hrefs(request), exchange))


def present(to: Hrefs, exchange: Exchange) -> dict[str, Any]:
    """An exchange document (its partner handles are never shown)."""
    partner = partners.by_slug(exchange.partner_slug)
    assert partner is not None
    links = {
        "self": link(to.to("exchanges", exchange.id), "exchange"),
        "exchange-partner": link(to.to("exchange-partners", partner.id), "exchange-partner"),
        "customer": link(to.to("customers", exchange.customer_id), "customer"),
    }
    if exchange.reauth_required:
        links["re-authenticate"] = link(
            to.to("exchanges", exchange.id, "exchange-sessions"), "exchange-sessions"
        )
    return {
        "_links": links,
        "id": exchange.id,
        "status": exchange.status,
        "created": isoformat(exchange.created),
    }


def _exchange_token(body: Body) -> ExchangeToken:
    # Exactly one token: a rule the published schema states in prose, checked here so that
    # each case gets its own message at its own path.
    partner_href = body.string(PARTNER_PATH)
    given = [(path, kind) for path, kind in TOKEN_FIELDS if body.has(path)]
    if not given:
        raise ValidationError.single(
            "/token",
            "Required",
            "One of mx.availableConnectionToken, plaid.publicToken or token is required.",
        )
    if len(given) > 1:
        raise ValidationError.single(
            given[1][0], "Invalid", "Send only one exchange token per request."
        )
    value = body.string(given[0][0]) or ""
    if not value.strip():
        raise ValidationError.single(given[0][0], "Required", "The token is empty.")
    partner_id = (
        Hrefs.id_in(partner_href, "exchange-partners", PARTNER_PATH, "exchange-partner")
        if partner_href is not None
        else None
    )
    return ExchangeToken(given[0][1], value, partner_id)
