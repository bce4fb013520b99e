"""Exchanges: redeem a partner's result token for a lasting, verified connection.

Statuses follow Dwolla's: ``active``; ``deactivated`` once the partner reports access gone
for good (the user revoked it, the Item or member was removed or closed), told by
``customer_exchange_deactivated``; ``removed`` is Dwolla's status for an exchange removed
with its customer's data, which BankBridge never does. Only an active exchange makes funding
sources, balances and re-authentication sessions (``InactiveExchange`` otherwise).

Also re-authentication: a sandbox control that makes the partner demand a new login (as
Plaid's ``/sandbox/item/reset_login`` does), re-auth exchange sessions, and the check that
clears the flag once the user has logged in again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bankbridge import partners
from bankbridge.clock import now
from bankbridge.crypto import Vault
from bankbridge.domain.accounts import check_redirect_url
from bankbridge.domain.available_connections import open_connection_token
from bankbridge.domain.customers import get_customer
from bankbridge.domain.events import (
    CUSTOMER_EXCHANGE_CREATED,
    CUSTOMER_EXCHANGE_DEACTIVATED,
    CUSTOMER_EXCHANGE_REAUTH_REQUIRED,
    emit,
)
from bankbridge.errors import (
    DuplicateResource,
    Forbidden,
    InactiveExchange,
    InvalidExchangeToken,
    NotFound,
    UnsupportedOperation,
    UpdateCredentials,
    ValidationError,
)
from bankbridge.ids import new_id
from bankbridge.models import Account, Exchange, ExchangeSession, Page
from bankbridge.partners.base import (
    BankBalance,
    BankDetails,
    CardDetails,
    ConnectionRevoked,
    ExchangeRequest,
    ExchangeTokenRejected,
    PartnerAdapter,
    ReauthRequired,
    SessionRequest,
)
from bankbridge.store.base import Store

__all__ = [
    "ExchangeToken",
    "create_exchange",
    "create_reauth_session",
    "deactivate_exchange",
    "fire_sandbox_webhook",
    "get_active_exchange",
    "get_exchange",
    "list_exchanges",
    "partner_ref",
    "refresh_reauth_state",
    "require_reauth",
]

PARTNER_PATH = "/_links/exchange-partner/href"
# How far back an exchange looks for the sessions that may have produced its token: partner
# results (a Plaid public token lives 30 minutes, from a link token of at most 4 hours) are
# never valid this long after their session was opened.
SESSION_LOOKBACK = timedelta(days=1)
REAUTH_PARTNERS = tuple(p.slug for p in partners.PARTNERS if p.reauth)
# Which partner a token belongs to when the body names none.
_KIND_PARTNER = {"mx.availableConnectionToken": "mx", "plaid.publicToken": "plaid"}
_TOKEN_PREFIX_PARTNER = {"processor-": "plaid", "pay_": "checkout"}
# The connection handle each partner's webhooks name (Plaid ITEM webhooks: ``item_id``; MX
# member webhooks: ``member_guid``).
_WEBHOOK_HANDLES = {"plaid": "item_id", "mx": "member_guid"}


@dataclass(frozen=True)
class ExchangeToken:
    """The token a platform posts to create an exchange, and the field it came in."""

    kind: str  # mx.availableConnectionToken | plaid.publicToken | token
    value: str
    partner_id: str | None = None  # from _links.exchange-partner, when given


async def create_exchange(
    store: Store,
    adapters: Mapping[str, PartnerAdapter],
    vault: Vault,
    account: Account,
    customer_id: str,
    token: ExchangeToken,
) -> Exchange:
    """Redeem ``token`` at its partner and record the exchange (once per token).

    A customer has at most one active exchange per partner account: exchanging the same
    one again answers ``DuplicateResource`` naming the existing exchange (Dwolla's answer
    to a duplicate funding source), never a second exchange.
    """
    customer = await get_customer(store, account, customer_id)
    slug = _partner_slug(token)
    if slug not in account.partners:
        raise Forbidden("Exchanges with this exchange partner are not enabled for your account")
    connection = None
    if token.kind == "mx.availableConnectionToken":
        connection = open_connection_token(vault, customer, token.value)
    recent = []
    if token.kind == "plaid.publicToken":  # only a public token is checked against sessions
        recent = await store.list_recent_exchange_sessions(
            account.id, slug, now() - SESSION_LOOKBACK
        )
    request = ExchangeRequest(
        customer,
        token.kind,
        token.value.strip(),
        connection,
        customer_sessions=tuple(s.provider for s in recent if s.customer_id == customer.id),
        other_sessions=tuple(s.provider for s in recent if s.customer_id != customer.id),
    )
    try:
        opened = await adapters[slug].open_exchange(request)
    except ExchangeTokenRejected as exc:
        raise InvalidExchangeToken(str(exc) or None) from exc
    if opened.session_ref is not None:
        session = await store.get_exchange_session(opened.session_ref)
        if session is None or session.customer_id != customer.id or session.partner_slug != slug:
            raise InvalidExchangeToken()
    exchange = Exchange(
        id=new_id(),
        account_id=account.id,
        customer_id=customer.id,
        partner_slug=slug,
        status="active",
        created=now(),
        connection=opened.connection,
    )
    token_key = vault.fingerprint("exchange-token", slug, token.kind, token.value.strip())
    connection_key = _connection_key(vault, slug, opened.connection)
    handle = opened.connection.get(_WEBHOOK_HANDLES.get(slug, ""))
    ref = partner_ref(vault, slug, handle) if handle else None
    async with store.transaction() as tx:
        if not await tx.create_exchange(exchange, token_key, connection_key, ref):
            existing = await tx.find_active_exchange(customer.id, connection_key)
            if existing is None or await tx.exchange_token_used(slug, token_key):
                raise InvalidExchangeToken("The exchange token has already been used.")
            raise DuplicateResource(
                f"Exchange already exists: id={existing.id}", ("exchanges", existing.id)
            )
        await emit(tx, account.id, CUSTOMER_EXCHANGE_CREATED, "exchanges", exchange.id, customer.id)
    return exchange


async def get_exchange(store: Store, account: Account, exchange_id: str) -> Exchange:
    """One of the account's exchanges; another account's is forbidden."""
    exchange = await store.get_exchange(exchange_id)
    if exchange is None:
        raise NotFound("Exchange not found.")
    if exchange.account_id != account.id:
        raise Forbidden("Not authorized to retrieve exchange.")
    return exchange


async def list_exchanges(
    store: Store, account: Account, customer_id: str, limit: int, offset: int
) -> Page:
    """A customer's exchanges, newest first."""
    customer = await get_customer(store, account, customer_id)
    return await store.list_exchanges(customer.id, limit, offset)


async def require_reauth(
    store: Store, adapters: Mapping[str, PartnerAdapter], account: Account, exchange_id: str
) -> Exchange:
    """Sandbox control: the partner now demands a new login; the platform is told by event."""
    exchange = await get_active_exchange(store, account, exchange_id)
    if exchange.partner_slug not in REAUTH_PARTNERS:
        raise Forbidden("The exchange partner specified does not support this product")
    await adapters[exchange.partner_slug].require_reauth(exchange.connection)
    await mark_reauth_required(store, exchange)
    refreshed = await store.get_exchange(exchange.id)
    assert refreshed is not None
    return refreshed


async def fire_sandbox_webhook(
    store: Store,
    adapters: Mapping[str, PartnerAdapter],
    account: Account,
    exchange_id: str,
    code: str,
) -> Exchange:
    """Sandbox control: the partner sends its webhook ``code`` about the exchange's
    connection, to BankBridge's receiver, which applies it; the exchange as it is after."""
    exchange = await get_active_exchange(store, account, exchange_id)
    adapter = adapters[exchange.partner_slug]
    if not adapter.sandbox_webhooks:
        raise UnsupportedOperation("The exchange's partner sends BankBridge no webhooks.")
    if code not in adapter.sandbox_webhooks:
        choices = ", ".join(adapter.sandbox_webhooks)
        raise ValidationError.single(
            "/webhookCode", "Invalid", f"webhookCode must be one of: {choices}."
        )
    await adapter.fire_sandbox_webhook(exchange.connection, code)
    refreshed = await store.get_exchange(exchange.id)
    assert refreshed is not None
    return refreshed


async def mark_reauth_required(store: Store, exchange: Exchange) -> None:
    """Flag an exchange as needing re-authentication, emitting the event once per lapse
    (read again in the transaction: a partner webhook may have flagged it meanwhile)."""
    if exchange.reauth_required:
        return
    async with store.transaction() as tx:
        current = await tx.get_exchange(exchange.id)
        if current is None or current.reauth_required or current.status != "active":
            return
        await tx.update_exchange(exchange.id, reauth_required=True)
        await emit(
            tx,
            exchange.account_id,
            CUSTOMER_EXCHANGE_REAUTH_REQUIRED,
            "exchanges",
            exchange.id,
            exchange.customer_id,
        )


async def deactivate_exchange(store: Store, exchange: Exchange) -> bool:
    """Mark an active exchange ``deactivated`` and tell the platform, once; False when it
    was not active (already deactivated: nothing changes, nothing is emitted)."""
    async with store.transaction() as tx:
        current = await tx.get_exchange(exchange.id)
        if current is None or current.status != "active":
            return False
        await tx.update_exchange(exchange.id, status="deactivated", reauth_required=False)
        await emit(
            tx,
            exchange.account_id,
            CUSTOMER_EXCHANGE_DEACTIVATED,
            "exchanges",
            exchange.id,
            exchange.customer_id,
        )
    return True


async def refresh_reauth_state(
    store: Store, adapters: Mapping[str, PartnerAdapter], exchange: Exchange
) -> Exchange:
    """Clear the re-auth flag when the partner shares data again (the user logged in)."""
    if not exchange.reauth_required or exchange.status != "active":
        return exchange
    try:
        await adapters[exchange.partner_slug].read_funding_details(exchange.connection)
    except ReauthRequired:
        return exchange
    except ConnectionRevoked:
        await deactivate_exchange(store, exchange)
    else:
        await store.update_exchange(exchange.id, reauth_required=False)
    refreshed = await store.get_exchange(exchange.id)
    assert refreshed is not None
    return refreshed


async def create_reauth_session(
    store: Store,
    adapters: Mapping[str, PartnerAdapter],
    account: Account,
    exchange_id: str,
    redirect_url: str | None,
    return_url: str,
    render: Callable[[ExchangeSession], str] | None = None,
) -> ExchangeSession:
    """A session in which the customer logs in again to the exchange's connection.

    ``render`` gives the session's GET document, stored with it."""
    exchange = await get_active_exchange(store, account, exchange_id)
    if exchange.partner_slug not in REAUTH_PARTNERS:
        raise Forbidden("The exchange partner specified does not support this product")
    check_redirect_url(account, redirect_url)
    customer = await get_customer(store, account, exchange.customer_id)
    session_id = new_id()
    provider = await adapters[exchange.partner_slug].create_reauth_session(
        exchange.connection, SessionRequest(session_id, customer, return_url, redirect_url)
    )
    session = ExchangeSession(
        id=session_id,
        account_id=account.id,
        customer_id=customer.id,
        partner_slug=exchange.partner_slug,
        created=now(),
        provider=provider,
        redirect_url=redirect_url,
        exchange_id=exchange.id,
    )
    await store.create_exchange_session(session, render(session) if render else None)
    return session


async def read_details_or_flag(
    store: Store, adapters: Mapping[str, PartnerAdapter], exchange: Exchange
) -> BankDetails | CardDetails:
    """The partner's account/card details; a lapsed login flags the exchange and refuses."""
    try:
        return await adapters[exchange.partner_slug].read_funding_details(exchange.connection)
    except ReauthRequired as exc:
        await mark_reauth_required(store, exchange)
        raise UpdateCredentials(exchange.id) from exc
    except ConnectionRevoked as exc:
        await deactivate_exchange(store, exchange)
        raise InactiveExchange() from exc


async def read_balance_or_flag(
    store: Store, adapters: Mapping[str, PartnerAdapter], exchange: Exchange
) -> BankBalance:
    """The partner's live balance; a lapsed login flags the exchange and refuses.

    A balance read that succeeds also proves the login works again, so a flag left from
    an earlier lapse is cleared.
    """
    try:
        balance = await adapters[exchange.partner_slug].read_balance(exchange.connection)
    except ReauthRequired as exc:
        await mark_reauth_required(store, exchange)
        raise UpdateCredentials(exchange.id) from exc
    except ConnectionRevoked as exc:
        await deactivate_exchange(store, exchange)
        raise InactiveExchange() from exc
    if exchange.reauth_required:
        await store.update_exchange(exchange.id, reauth_required=False)
    return balance


async def get_active_exchange(store: Store, account: Account, exchange_id: str) -> Exchange:
    """One of the account's exchanges, refused unless it is active."""
    exchange = await get_exchange(store, account, exchange_id)
    if exchange.status != "active":
        raise InactiveExchange()
    return exchange


def partner_ref(vault: Vault, slug: str, handle: str) -> str:
    """The keyed fingerprint under which a partner's connection handle finds its exchanges."""
    return vault.fingerprint("partner-ref", slug, handle)


def _connection_key(vault: Vault, slug: str, connection: Mapping[str, str]) -> str:
    """What makes two exchanges the same: the partner's handles for one account or card.

    An MX available connection names its user, member and account, so listing the
    connections again (fresh tokens, same account) gives the same key; a Plaid Link or a
    Checkout.com payment makes new handles, hence a new key, each time.
    """
    return vault.fingerprint("exchange-connection", slug, json.dumps(connection, sort_keys=True))


def _partner_slug(token: ExchangeToken) -> str:
    if token.partner_id is not None:
        partner = partners.by_id(token.partner_id)
        if partner is None:
            raise ValidationError.single(PARTNER_PATH, "Invalid", "Exchange partner not found.")
        expected = _KIND_PARTNER.get(token.kind)
        if expected is not None and expected != partner.slug:
            raise ValidationError.single(
                PARTNER_PATH,
                "Invalid",
                f"The exchange partner does not match the {token.kind.split('.')[0]} token.",
            )
        return partner.slug
    slug = _KIND_PARTNER.get(token.kind)
    if slug is None:
        slug = next(
            (s for prefix, s in _TOKEN_PREFIX_PARTNER.items() if token.value.startswith(prefix)),
            None,
        )
    if slug is None:
        raise ValidationError.single(
            PARTNER_PATH, "Required", "_links.exchange-partner is required for this token."
        )
    return slug
