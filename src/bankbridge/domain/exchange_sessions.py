"""Exchange sessions: open a partner-side session for a customer and hand it back later."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bankbridge import partners
from bankbridge.clock import now
from bankbridge.domain.accounts import check_redirect_url
from bankbridge.domain.customers import get_customer
from bankbridge.errors import Forbidden, NotFound, ValidationError
from bankbridge.ids import new_id
from bankbridge.models import Account, ExchangeSession, Page
from bankbridge.partners.base import PartnerAdapter, SessionRequest
from bankbridge.store.base import Store

__all__ = [
    "create_exchange_session",
    "get_exchange_session",
    "get_exchange_session_document",
    "list_exchange_sessions",
    "partner_webhook_url",
]

PARTNER_PATH = "/_links/exchange-partner/href"


async def create_exchange_session(
    store: Store,
    adapters: Mapping[str, PartnerAdapter],
    account: Account,
    customer_id: str,
    partner_id: str,
    redirect_url: str | None,
    return_url: str,
    public_url: str | None = None,
    render: Callable[[ExchangeSession], str] | None = None,
) -> ExchangeSession:
    """Create the partner-side session, then store ours; nothing is stored if the partner fails.

    A partner with a user per customer (MX) gets the user remembered from the customer's
    earlier sessions, and the one it used is remembered for the next.

    ``render`` gives the session's GET document, stored with it (a session never changes).

    With ``public_url``, the partner is told where to send its webhooks about the
    connection: BankBridge's receiver for the partner and this account.
    """
    customer = await get_customer(store, account, customer_id)
    partner = partners.by_id(partner_id)
    if partner is None:
        raise ValidationError.single(PARTNER_PATH, "Invalid", "Exchange partner not found.")
    if partner.slug not in account.partners:
        raise Forbidden(
            "Exchange sessions with this exchange partner are not enabled for your account"
        )
    check_redirect_url(account, redirect_url)
    session_id = new_id()
    known_user = (
        await store.get_partner_user(customer.id, partner.slug) if partner.customer_users else None
    )
    provider = await adapters[partner.slug].create_session(
        SessionRequest(
            session_id,
            customer,
            return_url,
            redirect_url,
            partner_webhook_url(public_url, partner.slug, account.id) if public_url else None,
            partner_user=known_user,
        )
    )
    session = ExchangeSession(
        id=session_id,
        account_id=account.id,
        customer_id=customer.id,
        partner_slug=partner.slug,
        created=now(),
        provider=provider,
        redirect_url=redirect_url,
    )
    await store.create_exchange_session(session, render(session) if render else None)
    if provider.partner_user is not None and provider.partner_user != known_user:
        await store.set_partner_user(customer.id, partner.slug, provider.partner_user)
    return session


def partner_webhook_url(public_url: str, slug: str, account_id: str) -> str:
    """BankBridge's receiver of ``slug``'s webhooks for one account."""
    return f"{public_url.rstrip('/')}/partner-webhooks/{slug}/{account_id}"


async def get_exchange_session(store: Store, account: Account, session_id: str) -> ExchangeSession:
    """One of the account's sessions; another account's session is forbidden."""
    session = await store.get_exchange_session(session_id)
    _check_owner(session.account_id if session else None, account)
    assert session is not None  # _check_owner raised otherwise
    return session


async def get_exchange_session_document(store: Store, account: Account, session_id: str) -> str:
    """The GET document stored with one of the account's sessions (``""`` for a session
    stored before documents were); another account's session is forbidden."""
    owner, document = await store.get_exchange_session_document(session_id) or (None, "")
    _check_owner(owner, account)
    return document


def _check_owner(owner: str | None, account: Account) -> None:
    if owner is None:
        raise NotFound("Exchange session not found.")
    if owner != account.id:
        raise Forbidden("Not authorized to retrieve exchange session.")


async def list_exchange_sessions(
    store: Store, account: Account, customer_id: str, limit: int, offset: int
) -> Page:
    """A customer's exchange sessions, newest first (a BankBridge extension: Dwolla lists none)."""
    customer = await get_customer(store, account, customer_id)
    return await store.list_exchange_sessions(customer.id, limit, offset)
