"""The small interface every partner implements, and what it is handed.

A partner is one folder (``mx/``, ``plaid/``, ``checkout/``) holding:

- ``adapter.py``: a ``PartnerAdapter`` that speaks the partner's real wire protocol over
  ``httpx`` to ``PartnerCredentials.base_url``; the URL alone decides real partner vs emulator.
- ``wire.py``: the partner's request/response shapes and their conversion to domain types.
- ``emulator.py`` + ``templates/``: Starlette routes mounted at ``/sandbox/<slug>`` that serve
  the same protocol and the partner's hosted pages.

Adapters raise only ``PartnerError`` (``partners/http.py`` maps transport failures); no
``httpx`` error escapes.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from bankbridge.config import PartnerCredentials, Settings
from bankbridge.models import Customer, ProviderSession
from bankbridge.partners.kit.keys import SandboxKeys
from bankbridge.store.base import EmulatorRecords

if TYPE_CHECKING:  # adapters use httpx and emulators Starlette; the domain needs neither
    import httpx
    from starlette.types import ASGIApp

__all__ = [
    "AvailableConnection",
    "BankBalance",
    "BankDetails",
    "CardDetails",
    "ConnectionRevoked",
    "EmulatorContext",
    "ExchangeRequest",
    "ExchangeTokenRejected",
    "OpenedExchange",
    "Partner",
    "PartnerAdapter",
    "PartnerNotice",
    "ReauthRequired",
    "SessionRequest",
    "WebhookRejected",
    "format_amount",
]


@dataclass(frozen=True)
class SessionRequest:
    """What an adapter needs to open a partner-side session for one customer."""

    session_id: str
    customer: Customer
    return_url: str  # where a hosted flow may send the user when no redirect URL was given
    redirect_url: str | None = None  # the platform's redirect URL (https URL or app package)
    webhook_url: str | None = None  # BankBridge's receiver for this partner's webhooks
    # The customer's partner-side user from an earlier session (an MX user guid), if any.
    # It may be gone at the partner (a mode change, a deleted user): look it up again then.
    partner_user: str | None = None


@dataclass(frozen=True)
class ExchangeRequest:
    """The platform's token for a completed partner flow, to be turned into an exchange.

    ``kind`` names the body field it came in: ``plaid.publicToken``, ``token`` (a Plaid
    processor token or a Checkout.com payment id) or ``mx.availableConnectionToken`` (then
    ``token`` is already verified and ``connection`` holds its decoded MX ids).

    ``customer_sessions`` and ``other_sessions`` are the partner-side sessions the account
    opened recently with this partner, for this customer and for its other customers: an
    adapter checks with the partner which session produced the token (Plaid's
    ``/link/token/get``) before it spends it.
    """

    customer: Customer
    kind: str
    token: str
    connection: dict[str, str] | None = None
    customer_sessions: tuple[ProviderSession, ...] = ()
    other_sessions: tuple[ProviderSession, ...] = ()


@dataclass(frozen=True)
class OpenedExchange:
    """What an adapter keeps of a verified connection (stored encrypted, never shown).

    ``session_ref`` is the partner's record of which session the result came from (a
    Checkout.com payment's reference), so the domain can check it belongs to the customer.
    """

    connection: dict[str, str]
    session_ref: str | None = None


@dataclass(frozen=True)
class BankDetails:
    """A bank account read from the partner, for a bank funding source."""

    routing_number: str
    account_number: str
    account_type: str  # checking | savings
    bank_name: str
    account_name: str


@dataclass(frozen=True)
class BankBalance:
    """A bank account's balance as the partner reads it live from the bank.

    ``available`` is what can be spent now, ``closing`` the ledger (current) balance;
    amounts are decimal strings with two places, as Dwolla shows them.
    """

    available: str
    closing: str
    currency: str


@dataclass(frozen=True)
class CardDetails:
    """A debit card read from the partner, for a card funding source (never the full number)."""

    brand: str
    last_four: str
    expiration_month: int
    expiration_year: int
    name_on_card: str
    bin: str
    card_type: str  # DEBIT | CREDIT | PREPAID …
    issuer_country: str
    fingerprint: str


@dataclass(frozen=True)
class AvailableConnection:
    """An account the customer authorised at the partner but not yet exchanged (MX)."""

    name: str
    connection: dict[str, str]


def format_amount(value: object) -> str:
    """A partner's number (``542``, ``542.5``, ``"542.50"``) as Dwolla's two-place string.

    Raises ``ValueError`` for anything that is not a finite number, so a malformed partner
    answer fails loudly instead of showing a wrong balance.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"not an amount: {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class PartnerNotice:
    """A verified partner webhook, as what it means for the exchanges of one connection.

    ``ref`` is the partner's handle of the connection (a Plaid ``item_id``, an MX member
    guid); ``change`` is ``reauth_required``, ``repaired``, ``revoked`` or ``none``.
    ``replay_key`` names this one delivery, refused if seen again before ``fresh_until``.
    """

    ref: str
    change: str
    replay_key: str
    fresh_until: datetime


class WebhookRejected(Exception):
    """A partner webhook whose signature, age or body does not verify."""


class ExchangeTokenRejected(Exception):
    """The partner says the platform's token is unknown, spent, expired or not usable."""


class ReauthRequired(Exception):
    """The partner needs the user to log in again before it shares data."""


class ConnectionRevoked(Exception):
    """The partner will never share this connection's data again: the user revoked access,
    or the Item / member was removed or closed. The exchange is deactivated."""


class PartnerAdapter(Protocol):
    """One partner's client, as the domain sees it."""

    async def create_session(self, request: SessionRequest) -> ProviderSession:
        """Create the partner-side session (widget URL, link token, payment session)."""
        ...

    async def open_exchange(self, request: ExchangeRequest) -> OpenedExchange:
        """Redeem the platform's token; raises ``ExchangeTokenRejected`` when it is no good."""
        ...

    async def read_funding_details(self, connection: dict[str, str]) -> BankDetails | CardDetails:
        """The account or card behind an exchange; raises ``ReauthRequired`` if locked out,
        ``ConnectionRevoked`` if access is gone for good."""
        ...

    async def create_reauth_session(
        self, connection: dict[str, str], request: SessionRequest
    ) -> ProviderSession:
        """A session in which the user logs in again to an existing connection."""
        ...

    async def read_balance(self, connection: dict[str, str]) -> BankBalance:
        """The bank account's live balance; raises as ``read_funding_details`` does."""
        ...

    async def list_available_connections(self, customer: Customer) -> list[AvailableConnection]:
        """Accounts the customer connected through the partner's page (MX; others: none)."""
        ...

    async def require_reauth(self, connection: dict[str, str]) -> None:
        """Sandbox control: make the partner demand a new login (Plaid reset_login)."""
        ...

    async def set_sandbox_balance(self, connection: dict[str, str], balance: BankBalance) -> None:
        """Sandbox control: the emulated bank now holds ``balance`` for the account."""
        ...

    sandbox_webhooks: tuple[str, ...]
    """The webhooks ``fire_sandbox_webhook`` can make the emulated partner send (or none)."""

    async def fire_sandbox_webhook(self, connection: dict[str, str], code: str) -> None:
        """Sandbox control: the partner sends its webhook ``code`` about the connection."""
        ...

    async def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> PartnerNotice:
        """Verify a webhook as the partner specifies; ``WebhookRejected`` when it fails."""
        ...


@dataclass(frozen=True)
class EmulatorContext:
    """What an emulator is built with. Its parts are resolved per call: the store and the
    install's key open when the application starts, after the routes are built.

    Each account plays its own partner: API calls authenticate to an owner (an account id)
    and use ``records_for(owner)``; ``index`` holds only the capability index that hosted
    pages use to find the owner of a token in their URL (``partners/kit/tenancy.py``).
    """

    slug: str
    settings: Settings
    get_records: Callable[[str], EmulatorRecords]  # namespace -> that namespace's records
    get_keys: Callable[[], SandboxKeys]
    get_redirect_urls: Callable[[str], Awaitable[tuple[str, ...]]]  # account id -> its URLs
    # POSTs a partner webhook (url, raw body, headers) and answers the HTTP status: in
    # process when the URL is BankBridge's own, over HTTP otherwise.
    deliver: Callable[[str, bytes, Mapping[str, str]], Awaitable[int]]

    @property
    def index(self) -> EmulatorRecords:
        """The capability index shared by this emulator's owners (tokens -> owner)."""
        return self.get_records(self.slug)

    def records_for(self, owner: str) -> EmulatorRecords:
        """One owner's (account's) own persistent emulator state."""
        return self.get_records(f"{self.slug}/{owner}")

    @property
    def keys(self) -> SandboxKeys:
        """The install's sandbox credentials, to check what a caller presents."""
        return self.get_keys()

    def authenticate(self, client_id: str, secret: str) -> str | None:
        """The owner (account id) of these credentials, or None."""
        return self.keys.owner(self.slug, client_id, secret)

    async def registered_redirect_urls(self, owner: str) -> tuple[str, ...]:
        """The owner account's registered redirect URLs (none for an unknown owner)."""
        return await self.get_redirect_urls(owner)

    @property
    def base_url(self) -> str:
        """Public URL under which this emulator is mounted (API and hosted pages)."""
        return self.settings.emulator_url(self.slug)

    def now(self) -> datetime:
        """The emulator's clock."""
        from bankbridge.clock import now

        return now()


@dataclass(frozen=True)
class Partner:
    """A registry entry: identity, plus where its adapter and emulator live.

    The two are named as ``"module:attribute"`` and imported on first use, so that reading
    the registry (the domain does) imports neither httpx nor Starlette.
    """

    slug: str  # folder name and URL segment: "mx"
    name: str  # Dwolla's display name: "MX"
    id: str  # stable exchange-partner id, the same on every install
    adapter: str  # "bankbridge.partners.mx.adapter:MxAdapter"
    emulator: str  # "bankbridge.partners.mx.emulator:build_emulator"
    # The partner keeps a user per customer (MX): BankBridge remembers it from the session
    # that made it (``ProviderSession.partner_user``) and hands it to the next one
    # (``SessionRequest.partner_user``), which then need not look it up.
    customer_users: bool = False
    # Its exchanges are bank logins that can lapse and be renewed in a re-authentication
    # exchange session (MX, Plaid); a card (Checkout.com) cannot.
    reauth: bool = False

    def build_adapter(
        self, credentials: PartnerCredentials, http: httpx.AsyncClient
    ) -> PartnerAdapter:
        """The adapter, talking to ``credentials.base_url`` through ``http``."""
        factory: Callable[[PartnerCredentials, httpx.AsyncClient], PartnerAdapter]
        factory = _load(self.adapter)
        return factory(credentials, http)

    def build_emulator(self, context: EmulatorContext) -> ASGIApp:
        """The emulator's ASGI app, to mount at ``/sandbox/<slug>``."""
        factory: Callable[[EmulatorContext], ASGIApp] = _load(self.emulator)
        return factory(context)


def _load(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)
