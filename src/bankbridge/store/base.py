"""The storage interfaces: ``Database`` (a driver) and ``Store`` (the repository).

The domain depends on ``Store`` only; SQL lives in ``store/`` alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bankbridge.models import (
    Account,
    Application,
    Customer,
    DeliveryJob,
    Event,
    Exchange,
    ExchangeSession,
    FundingSource,
    Page,
    Webhook,
    WebhookAttempt,
    WebhookRetry,
    WebhookSubscription,
)

__all__ = [
    "AccountStore",
    "Database",
    "EmulatorRecords",
    "ExchangeStore",
    "IdempotencyStore",
    "NewRecord",
    "Row",
    "Store",
    "StoredResponse",
    "TokenFailureStore",
    "UniqueViolation",
    "WebhookStore",
]

Row = dict[str, Any]


@dataclass(frozen=True)
class StoredResponse:
    """A response kept for replay under an Idempotency-Key."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class UniqueViolation(Exception):
    """A write broke a uniqueness rule (another process got there first)."""


class Database(Protocol):
    """A connection (pool) that runs SQL written with ``:name`` parameters."""

    dialect: str

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        """Run a query and return its first row, or None."""
        ...

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a query and return every row."""
        ...

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement and return the number of rows it changed."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Database]:
        """A context in which every statement commits together or not at all."""
        ...

    async def close(self) -> None:
        """Release the connection(s)."""
        ...


@dataclass(frozen=True)
class NewRecord:
    """One emulator record to write with ``EmulatorRecords.put_all`` (``put``'s arguments)."""

    kind: str
    key: str
    data: dict[str, Any]
    parent: str | None = None
    expires_at: datetime | None = None


class EmulatorRecords(Protocol):
    """A partner emulator's own state: JSON documents by (kind, key), optionally under a parent."""

    async def put(
        self,
        kind: str,
        key: str,
        data: dict[str, Any],
        *,
        parent: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        """Insert or replace one record."""
        ...

    async def put_all(
        self,
        records: Sequence[NewRecord],
        *,
        also: Sequence[tuple[EmulatorRecords, NewRecord]] = (),
    ) -> None:
        """Insert or replace several records in one write: all or none.

        ``also`` adds records of other namespaces of the same store (a capability in the
        partner's index, ``kit/tenancy.py``) to that one write. No two may share a
        (namespace, kind, key).
        """
        ...

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """One record, or None when missing or expired."""
        ...

    async def take(self, kind: str, key: str) -> dict[str, Any] | None:
        """Remove and return one unexpired record atomically (single-use tokens)."""
        ...

    async def list(self, kind: str, parent: str) -> list[dict[str, Any]]:
        """Every unexpired record of a kind under one parent, oldest first."""
        ...

    async def delete(self, kind: str, key: str) -> None:
        """Remove one record if present."""
        ...


class AccountStore(Protocol):
    """Accounts, their API applications and tokens, customers, exchange sessions, the
    emulators' records and housekeeping (``store/sql.py``)."""

    def transaction(self) -> AbstractAsyncContextManager[Store]:
        """A store whose every call commits together (or not at all) when the block ends."""
        ...

    async def probe_readiness(self) -> None:
        """Read once and commit one small write; raise whatever the database raises."""
        ...

    async def create_account(self, account: Account, application: Application) -> None:
        """Store a new account with its first application."""
        ...

    async def get_account(self, account_id: str) -> Account | None:
        """One account by id."""
        ...

    async def list_accounts(self) -> list[Account]:
        """Every account, oldest first."""
        ...

    async def get_application_by_key(self, key: str) -> Application | None:
        """An application by its public key."""
        ...

    async def get_first_application(self, account_id: str) -> Application | None:
        """The account's oldest application."""
        ...

    async def set_application_secret(self, application_id: str, secret_hash: str) -> None:
        """Replace an application's secret hash and delete every token it was issued."""
        ...

    async def remove_application(self, application_id: str) -> None:
        """Delete an application and every token it was issued."""
        ...

    async def add_access_token(
        self, token_hash: str, application: Application, expires_at: datetime
    ) -> None:
        """Remember a newly issued bearer token (only its hash)."""
        ...

    async def get_access_token(self, token_hash: str) -> tuple[Account, datetime] | None:
        """The account and expiry of a token, by its hash (one indexed lookup)."""
        ...

    async def remove_access_token(self, token_hash: str) -> None:
        """Delete one token (sign-out); nothing happens when it is unknown."""
        ...

    async def set_account_settings(
        self, account_id: str, redirect_urls: tuple[str, ...], partners: tuple[str, ...]
    ) -> None:
        """Replace an account's redirect URLs and enabled partner slugs."""
        ...

    async def create_customer(self, customer: Customer) -> Customer | None:
        """Store a customer; returns the existing one instead when the email is taken."""
        ...

    async def get_customer(self, customer_id: str) -> Customer | None:
        """One customer by id, whatever its account (the domain checks ownership)."""
        ...

    async def list_customers(self, account_id: str, limit: int, offset: int) -> Page:
        """An account's customers, newest first."""
        ...

    async def get_partner_user(self, customer_id: str, partner: str) -> str | None:
        """The partner-side user remembered for the customer (``set_partner_user``)."""
        ...

    async def set_partner_user(self, customer_id: str, partner: str, user_ref: str) -> None:
        """Remember (or replace) the partner-side user that stands for the customer."""
        ...

    async def create_exchange_session(
        self, session: ExchangeSession, document: str | None = None
    ) -> None:
        """Store a new exchange session, with its GET document when rendered (stored sealed
        when the session holds a partner secret)."""
        ...

    async def get_exchange_session_document(self, session_id: str) -> tuple[str, str] | None:
        """(account id, stored GET document) of one session, whatever its account; the
        document is ``""`` for a session stored before documents were (render it)."""
        ...

    async def get_exchange_session(self, session_id: str) -> ExchangeSession | None:
        """One exchange session by id, whatever its account (the domain checks ownership)."""
        ...

    async def list_exchange_sessions(self, customer_id: str, limit: int, offset: int) -> Page:
        """A customer's exchange sessions, newest first."""
        ...

    async def list_recent_exchange_sessions(
        self, account_id: str, partner: str, created_after: datetime
    ) -> list[ExchangeSession]:
        """The account's sessions with ``partner`` created after a moment, newest first."""
        ...

    def emulator_records(self, partner: str) -> EmulatorRecords:
        """The record store of one partner's emulator."""
        ...

    async def purge_expired(
        self, moment: datetime, tokens_before: datetime, batch: int = 500
    ) -> int:
        """Delete a batch of rows that expired before ``moment`` (emulator records, failed
        token attempts), and access tokens that expired before ``tokens_before``."""
        ...


class TokenFailureStore(Protocol):
    """Failed ``POST /token`` attempts per client key (``store/sql_token_failures.py``)."""

    async def token_lockout_end(self, key_hash: str) -> datetime | None:
        """When the client key's lockout ends (past if not locked); None if it never failed."""
        ...

    async def record_token_failure(
        self,
        key_hash: str,
        moment: datetime,
        window_end: datetime,
        max_failures: int,
        locked_until: datetime,
    ) -> bool:
        """Count a failed attempt; True when this one locks the key until ``locked_until``."""
        ...

    async def clear_token_failures(self, key_hash: str) -> None:
        """Forget the client key's failed attempts."""
        ...


class IdempotencyStore(Protocol):
    """Idempotency keys and the responses they replay (``store/sql_idempotency.py``)."""

    async def claim_idempotency_key(
        self,
        account_id: str,
        key: str,
        request_key: str,
        now: datetime,
        lease_until: datetime,
        expired_before: datetime,
        owner: str,
    ) -> bool:
        """True when ``owner`` (one request) now holds the key."""
        ...

    async def renew_idempotency_key(
        self, account_id: str, key: str, owner: str, lease_until: datetime
    ) -> bool:
        """Extend the owner's lease; False when another request took the key over."""
        ...

    async def complete_idempotency_key(
        self, account_id: str, key: str, owner: str, response: StoredResponse
    ) -> None:
        """Remember the owner's response."""
        ...

    async def release_idempotency_key(self, account_id: str, key: str, owner: str) -> None:
        """Forget the owner's pending key so that a retry runs again."""
        ...

    async def read_idempotent_response(
        self, account_id: str, key: str, expired_before: datetime
    ) -> tuple[str, str | None, StoredResponse | None] | None:
        """(state, request key, response) of a live key; None when there is none."""
        ...


class ExchangeStore(Protocol):
    """Exchanges and the funding sources made from them (``store/sql_exchanges.py``)."""

    async def create_exchange(
        self,
        exchange: Exchange,
        token_key: str,
        connection_key: str,
        partner_ref: str | None = None,
    ) -> bool:
        """Store an exchange; False when its token was already exchanged or the customer
        already has an active exchange with the same ``connection_key``."""
        ...

    async def find_active_exchange(self, customer_id: str, connection_key: str) -> Exchange | None:
        """The customer's active exchange with this ``connection_key``, if any."""
        ...

    async def find_exchanges_by_partner_ref(
        self, account_id: str, partner: str, partner_ref: str
    ) -> list[Exchange]:
        """The account's exchanges over the connection a partner webhook names, oldest first."""
        ...

    async def exchange_token_used(self, partner: str, token_key: str) -> bool:
        """True when a token (by its ``token_key``) was already exchanged at ``partner``."""
        ...

    async def get_exchange(self, exchange_id: str) -> Exchange | None:
        """One exchange by id, whatever its account (the domain checks ownership)."""
        ...

    async def list_exchanges(self, customer_id: str, limit: int, offset: int) -> Page:
        """A customer's exchanges, newest first."""
        ...

    async def update_exchange(
        self,
        exchange_id: str,
        *,
        status: str | None = None,
        reauth_required: bool | None = None,
        connection: dict[str, str] | None = None,
    ) -> None:
        """Change an exchange's status, re-auth flag or partner handles."""
        ...

    async def create_funding_source(self, source: FundingSource) -> FundingSource | None:
        """Store a funding source; returns the customer's live one with the same fingerprint."""
        ...

    async def get_funding_source(self, source_id: str) -> FundingSource | None:
        """One funding source by id, whatever its account."""
        ...

    async def list_funding_sources(
        self, customer_id: str, include_removed: bool
    ) -> list[FundingSource]:
        """A customer's funding sources, newest first."""
        ...

    async def remove_funding_source(self, source_id: str) -> bool:
        """Mark a funding source removed; False if it already was."""
        ...


class WebhookStore(Protocol):
    """Events, webhook subscriptions, webhooks and their delivery (``store/sql_webhooks.py``)."""

    async def count_pending_webhooks(self) -> int:
        """How many webhooks await a (re)delivery attempt, all accounts together."""
        ...

    async def add_event(self, event: Event) -> None:
        """Record an event and queue one webhook per active subscription of its account."""
        ...

    async def get_event(self, event_id: str) -> Event | None:
        """One event by id, whatever its account (the domain checks ownership)."""
        ...

    async def list_events(self, account_id: str, limit: int, offset: int) -> Page:
        """An account's events, newest first."""
        ...

    async def create_webhook_subscription(
        self, subscription: WebhookSubscription, secret_ciphertext: str, max_active: int
    ) -> bool:
        """Store a subscription; False when the account already has ``max_active`` of them."""
        ...

    async def get_webhook_subscription(self, subscription_id: str) -> WebhookSubscription | None:
        """One subscription by id (removed ones too), whatever its account."""
        ...

    async def list_webhook_subscriptions(self, account_id: str) -> list[WebhookSubscription]:
        """An account's subscriptions that are not removed, oldest first."""
        ...

    async def set_webhook_subscription_paused(self, subscription_id: str, paused: bool) -> None:
        """Pause or resume a subscription."""
        ...

    async def remove_webhook_subscription(self, subscription_id: str) -> bool:
        """Mark a subscription removed and give up its undelivered webhooks; False if it was."""
        ...

    async def list_webhooks(self, subscription_id: str, limit: int, offset: int) -> Page:
        """A subscription's webhooks with their attempts, newest first."""
        ...

    async def get_webhook(self, webhook_id: str) -> Webhook | None:
        """One webhook with its attempts, whatever its account."""
        ...

    async def retry_webhook(self, retry: WebhookRetry) -> None:
        """Record a retry and make its webhook due now (releasing any claim)."""
        ...

    async def list_webhook_retries(self, webhook_id: str) -> list[WebhookRetry]:
        """A webhook's retries, newest first."""
        ...

    async def claim_webhooks(
        self, token: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[DeliveryJob]:
        """Claim up to ``limit`` due webhooks of active subscriptions until ``lease_until``."""
        ...

    async def finish_webhook_attempt(
        self, job: DeliveryJob, attempt: WebhookAttempt, status: str, next_attempt_at: datetime
    ) -> bool:
        """Record an attempt; update the webhook and release it if the claim still holds."""
        ...


class Store(
    AccountStore, TokenFailureStore, IdempotencyStore, ExchangeStore, WebhookStore, Protocol
):
    """Everything the domain reads and writes (``SqlStore``, one mixin per part)."""
