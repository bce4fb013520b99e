"""``SqlStore``: the ``Store`` protocol in portable SQL over any ``Database`` driver.

Emulator records and exchange sessions' provider data are sealed at rest (``sealed.py``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bankbridge.clock import from_micros, now, to_micros
from bankbridge.crypto import Vault
from bankbridge.models import (
    Account,
    Application,
    Customer,
    ExchangeSession,
    Page,
    ProviderSession,
)
from bankbridge.store.base import Database, EmulatorRecords, NewRecord, Row, UniqueViolation
from bankbridge.store.sealed import (
    open_record,
    open_session_data,
    open_session_document,
    record_key,
    seal_record,
    seal_session_data,
    seal_session_document,
)
from bankbridge.store.sql_exchanges import ExchangeSql
from bankbridge.store.sql_idempotency import IdempotencySql
from bankbridge.store.sql_token_failures import TokenFailureSql
from bankbridge.store.sql_webhooks import WebhookSql

__all__ = ["SqlStore"]


class SqlStore(ExchangeSql, IdempotencySql, TokenFailureSql, WebhookSql):
    """The one ``Store`` implementation; the driver decides SQLite or PostgreSQL.

    ``vault`` encrypts the secrets some tables hold; a store without one (the CLI's) can
    manage accounts and customers but not exchanges, sessions or emulator records.
    """

    def __init__(self, database: Database, vault: Vault | None = None) -> None:
        self.database = database
        self.vault = vault
        self._due_listeners: list[Callable[[], None]] = []
        # In a transaction-bound store (shared by nested ones): webhooks were queued in it.
        self._due_in_transaction: list[bool] | None = None

    def on_webhooks_due(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (the delivery worker's ``wake``) whenever webhooks this store
        queued become due: after the commit of the transaction that queued them."""
        self._due_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlStore]:
        async with self.database.transaction() as tx:
            bound = SqlStore(tx, self.vault)
            bound._due_listeners = self._due_listeners
            bound._due_in_transaction = self._due_in_transaction or [False]
            yield bound
        # Committed. Only the outermost transaction tells: a nested one commits with it.
        if self._due_in_transaction is None and bound._due_in_transaction[0]:
            self._webhooks_due()

    def _webhooks_due(self) -> None:
        if self._due_in_transaction is not None:
            self._due_in_transaction[0] = True
            return
        for listener in self._due_listeners:
            listener()

    async def probe_readiness(self) -> None:
        # A committed upsert of one fixed row: a read-only file, a full disk or a lost
        # connection fails it, and the table never grows.
        await self.database.fetch_one("SELECT checked_at FROM readiness_probe WHERE id = 1")
        await self.database.execute(
            "INSERT INTO readiness_probe (id, checked_at) VALUES (1, :t) "
            "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            {"t": to_micros(now())},
        )

    # Accounts and credentials -------------------------------------------------------

    async def create_account(self, account: Account, application: Application) -> None:
        async with self.database.transaction() as tx:
            await tx.execute(
                "INSERT INTO accounts (id, name, created_at, redirect_urls, partners) "
                "VALUES (:id, :name, :created, :urls, :partners)",
                {
                    "id": account.id,
                    "name": account.name,
                    "created": to_micros(account.created),
                    "urls": json.dumps(list(account.redirect_urls)),
                    "partners": json.dumps(list(account.partners)),
                },
            )
            await tx.execute(
                "INSERT INTO applications (id, account_id, client_key, secret_hash, created_at) "
                "VALUES (:id, :account, :key, :hash, :created)",
                {
                    "id": application.id,
                    "account": application.account_id,
                    "key": application.key,
                    "hash": application.secret_hash,
                    "created": to_micros(application.created),
                },
            )

    async def get_account(self, account_id: str) -> Account | None:
        row = await self.database.fetch_one(
            "SELECT * FROM accounts WHERE id = :id", {"id": account_id}
        )
        return _account(row) if row else None

    async def list_accounts(self) -> list[Account]:
        rows = await self.database.fetch_all("SELECT * FROM accounts ORDER BY created_at, id")
        return [_account(row) for row in rows]

    async def get_application_by_key(self, key: str) -> Application | None:
        row = await self.database.fetch_one(
            "SELECT * FROM applications WHERE client_key = :key", {"key": key}
        )
        return _application(row) if row else None

    async def get_first_application(self, account_id: str) -> Application | None:
        row = await self.database.fetch_one(
            "SELECT * FROM applications WHERE account_id = :account "
            "ORDER BY created_at, id LIMIT 1",
            {"account": account_id},
        )
        return _application(row) if row else None

    async def set_application_secret(self, application_id: str, secret_hash: str) -> None:
        async with self.database.transaction() as tx:
            await tx.execute(
                "UPDATE applications SET secret_hash = :hash WHERE id = :id",
                {"hash": secret_hash, "id": application_id},
            )
            await tx.execute(
                "DELETE FROM access_tokens WHERE application_id = :id", {"id": application_id}
            )

    async def remove_application(self, application_id: str) -> None:
        async with self.database.transaction() as tx:
            await tx.execute(
                "DELETE FROM access_tokens WHERE application_id = :id", {"id": application_id}
            )
            await tx.execute("DELETE FROM applications WHERE id = :id", {"id": application_id})

    async def add_access_token(
        self, token_hash: str, application: Application, expires_at: datetime
    ) -> None:
        # Expired tokens are deleted by housekeeping (``purge_expired``), not here.
        await self.database.execute(
            "INSERT INTO access_tokens (token_hash, application_id, account_id, expires_at) "
            "VALUES (:hash, :app, :account, :expires)",
            {
                "hash": token_hash,
                "app": application.id,
                "account": application.account_id,
                "expires": to_micros(expires_at),
            },
        )

    async def get_access_token(self, token_hash: str) -> tuple[Account, datetime] | None:
        row = await self.database.fetch_one(
            "SELECT a.*, t.expires_at AS token_expires_at FROM access_tokens t "
            "JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = :hash",
            {"hash": token_hash},
        )
        return (_account(row), from_micros(row["token_expires_at"])) if row else None

    async def remove_access_token(self, token_hash: str) -> None:
        await self.database.execute(
            "DELETE FROM access_tokens WHERE token_hash = :hash", {"hash": token_hash}
        )

    async def set_account_settings(
        self, account_id: str, redirect_urls: tuple[str, ...], partners: tuple[str, ...]
    ) -> None:
        await self.database.execute(
            "UPDATE accounts SET redirect_urls = :urls, partners = :partners WHERE id = :id",
            {
                "urls": json.dumps(list(redirect_urls)),
                "partners": json.dumps(list(partners)),
                "id": account_id,
            },
        )

    # Customers ----------------------------------------------------------------------

    async def create_customer(self, customer: Customer) -> Customer | None:
        params = {
            "id": customer.id,
            "account": customer.account_id,
            "first": customer.first_name,
            "last": customer.last_name,
            "email": customer.email,
            "key": customer.email.lower(),
            "type": customer.type,
            "status": customer.status,
            "business": customer.business_name,
            "correlation": customer.correlation_id,
            "created": to_micros(customer.created),
        }
        try:
            # A savepoint on PostgreSQL, so a conflict leaves an outer transaction usable.
            async with self.database.transaction() as tx:
                await tx.execute(
                    "INSERT INTO customers (id, account_id, first_name, last_name, email, "
                    "email_key, "
                    "type, status, business_name, correlation_id, created_at) VALUES (:id, "
                    ":account, :first, :last, :email, :key, :type, :status, :business, "
                    ":correlation, :created)",
                    params,
                )
        except UniqueViolation:
            existing = await self.database.fetch_one(
                "SELECT * FROM customers WHERE account_id = :account AND email_key = :key",
                {"account": customer.account_id, "key": customer.email.lower()},
            )
            if existing is None:
                raise
            return _customer(existing)
        return None

    async def get_customer(self, customer_id: str) -> Customer | None:
        row = await self.database.fetch_one(
            "SELECT * FROM customers WHERE id = :id", {"id": customer_id}
        )
        return _customer(row) if row else None

    async def list_customers(self, account_id: str, limit: int, offset: int) -> Page:
        rows = await self.database.fetch_all(
            "SELECT * FROM customers WHERE account_id = :account "
            "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset",
            {"account": account_id, "limit": limit, "offset": offset},
        )
        total = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM customers WHERE account_id = :account",
            {"account": account_id},
        )
        return Page([_customer(row) for row in rows], int(total["n"]) if total else 0)

    async def get_partner_user(self, customer_id: str, partner: str) -> str | None:
        row = await self.database.fetch_one(
            "SELECT user_ref FROM customer_partner_users "
            "WHERE customer_id = :customer AND partner = :partner",
            {"customer": customer_id, "partner": partner},
        )
        return str(row["user_ref"]) if row else None

    async def set_partner_user(self, customer_id: str, partner: str, user_ref: str) -> None:
        await self.database.execute(
            "INSERT INTO customer_partner_users (customer_id, partner, user_ref) "
            "VALUES (:customer, :partner, :ref) "
            "ON CONFLICT (customer_id, partner) DO UPDATE SET user_ref = excluded.user_ref",
            {"customer": customer_id, "partner": partner, "ref": user_ref},
        )

    # Exchange sessions --------------------------------------------------------------

    async def create_exchange_session(
        self, session: ExchangeSession, document: str | None = None
    ) -> None:
        provider = session.provider
        if document is not None and provider.data is not None:
            # Provider data (Checkout.com's) holds a partner secret: so does the document.
            document = seal_session_document(self._vault(), session.id, document)
        await self.database.execute(
            "INSERT INTO exchange_sessions (id, account_id, customer_id, partner, redirect_url, "
            "exchange_id, provider_url, provider_token, provider_data, external_ref, expires_at, "
            "created_at, document) VALUES (:id, :account, :customer, :partner, :redirect, "
            ":exchange, :url, :token, :data, :ref, :expires, :created, :document)",
            {
                "id": session.id,
                "account": session.account_id,
                "customer": session.customer_id,
                "partner": session.partner_slug,
                "redirect": session.redirect_url,
                "exchange": session.exchange_id,
                "url": provider.url,
                "token": provider.token,
                "data": seal_session_data(self._vault(), session.id, provider.data)
                if provider.data is not None
                else None,
                "ref": provider.external_ref,
                "expires": to_micros(provider.expires_at) if provider.expires_at else None,
                "created": to_micros(session.created),
                "document": document,
            },
        )

    async def get_exchange_session_document(self, session_id: str) -> tuple[str, str] | None:
        row = await self.database.fetch_one(
            "SELECT account_id, document FROM exchange_sessions WHERE id = :id", {"id": session_id}
        )
        if row is None:
            return None
        stored = row["document"]
        if stored is None:
            return row["account_id"], ""
        return row["account_id"], open_session_document(self._vault(), session_id, stored)

    async def get_exchange_session(self, session_id: str) -> ExchangeSession | None:
        row = await self.database.fetch_one(
            "SELECT * FROM exchange_sessions WHERE id = :id", {"id": session_id}
        )
        return self._exchange_session(row) if row else None

    async def list_exchange_sessions(self, customer_id: str, limit: int, offset: int) -> Page:
        rows = await self.database.fetch_all(
            "SELECT * FROM exchange_sessions WHERE customer_id = :customer "
            "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset",
            {"customer": customer_id, "limit": limit, "offset": offset},
        )
        total = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM exchange_sessions WHERE customer_id = :customer",
            {"customer": customer_id},
        )
        return Page([self._exchange_session(r) for r in rows], int(total["n"]) if total else 0)

    async def list_recent_exchange_sessions(
        self, account_id: str, partner: str, created_after: datetime
    ) -> list[ExchangeSession]:
        rows = await self.database.fetch_all(
            "SELECT * FROM exchange_sessions WHERE account_id = :account AND partner = :partner "
            "AND created_at > :after ORDER BY created_at DESC, id",
            {"account": account_id, "partner": partner, "after": to_micros(created_after)},
        )
        return [self._exchange_session(row) for row in rows]

    def _exchange_session(self, row: Row) -> ExchangeSession:
        return ExchangeSession(
            id=row["id"],
            account_id=row["account_id"],
            customer_id=row["customer_id"],
            partner_slug=row["partner"],
            created=from_micros(row["created_at"]),
            redirect_url=row["redirect_url"],
            exchange_id=row["exchange_id"],
            provider=ProviderSession(
                url=row["provider_url"],
                token=row["provider_token"],
                data=open_session_data(self._vault(), row["id"], row["provider_data"])
                if row["provider_data"]
                else None,
                external_ref=row["external_ref"],
                expires_at=from_micros(row["expires_at"]) if row["expires_at"] else None,
            ),
        )

    # Housekeeping -------------------------------------------------------------------

    async def purge_expired(
        self, moment: datetime, tokens_before: datetime, batch: int = 500
    ) -> int:
        """Delete up to ``batch`` expired rows of each kind; returns how many went."""
        micros = to_micros(moment)
        removed = await self.database.execute(
            "DELETE FROM emulator_records WHERE (partner, kind, record_key) IN ("
            "SELECT partner, kind, record_key FROM emulator_records "
            "WHERE expires_at < :now LIMIT :batch)",
            {"now": micros, "batch": batch},
        )
        removed += await self.database.execute(
            "DELETE FROM access_tokens WHERE token_hash IN ("
            "SELECT token_hash FROM access_tokens WHERE expires_at < :before LIMIT :batch)",
            {"before": to_micros(tokens_before), "batch": batch},
        )
        removed += await self._purge_token_failures(moment, batch)
        return removed

    # Emulators ----------------------------------------------------------------------

    def emulator_records(self, partner: str) -> EmulatorRecords:
        return _SqlEmulatorRecords(self.database, partner, self._vault())


class _SqlEmulatorRecords:
    """``EmulatorRecords`` in the ``emulator_records`` table, namespaced by partner.

    Keys are stored as keyed fingerprints and documents sealed (``sealed.py``).
    """

    def __init__(self, database: Database, partner: str, vault: Vault) -> None:
        self._db = database
        self._partner = partner
        self._vault = vault

    async def put(
        self,
        kind: str,
        key: str,
        data: dict[str, Any],
        *,
        parent: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        await self.put_all([NewRecord(kind, key, data, parent=parent, expires_at=expires_at)])

    async def put_all(
        self,
        records: Sequence[NewRecord],
        *,
        also: Sequence[tuple[EmulatorRecords, NewRecord]] = (),
    ) -> None:
        # One multi-row statement: one round trip and one commit, atomic without a
        # transaction (which would cost PostgreSQL two more round trips).
        writes: list[tuple[_SqlEmulatorRecords, NewRecord]] = [(self, r) for r in records]
        for namespace, record in also:
            if not isinstance(namespace, _SqlEmulatorRecords) or namespace._db is not self._db:
                raise ValueError("put_all: other records must be in the same database")
            writes.append((namespace, record))
        if len({(n._partner, r.kind, r.key) for n, r in writes}) != len(writes):
            raise ValueError("put_all: each (kind, key) may appear only once")
        if writes:
            await self._db.execute(_put_rows(writes), _put_params(writes))

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        row = await self._db.fetch_one(
            "SELECT kind, record_key, data FROM emulator_records WHERE partner = :partner "
            "AND kind = :kind AND record_key = :key AND (expires_at IS NULL OR expires_at > :now)",
            self._params(kind, key),
        )
        return self._document(row)

    async def take(self, kind: str, key: str) -> dict[str, Any] | None:
        row = await self._db.fetch_one(
            "DELETE FROM emulator_records WHERE partner = :partner AND kind = :kind "
            "AND record_key = :key AND (expires_at IS NULL OR expires_at > :now) "
            "RETURNING kind, record_key, data",
            self._params(kind, key),
        )
        return self._document(row)

    async def list(self, kind: str, parent: str) -> list[dict[str, Any]]:
        rows = await self._db.fetch_all(
            "SELECT kind, record_key, data FROM emulator_records WHERE partner = :partner "
            "AND kind = :kind AND parent = :parent AND (expires_at IS NULL OR expires_at > :now) "
            "ORDER BY created_at, record_key",
            {"partner": self._partner, "kind": kind, "parent": parent, "now": to_micros(now())},
        )
        return [self._document(row) or {} for row in rows]

    async def delete(self, kind: str, key: str) -> None:
        await self._db.execute(
            "DELETE FROM emulator_records WHERE partner = :partner AND kind = :kind "
            "AND record_key = :key",
            {"partner": self._partner, "kind": kind, "key": self._key(kind, key)},
        )

    def _key(self, kind: str, key: str) -> str:
        return record_key(self._vault, self._partner, kind, key)

    def _params(self, kind: str, key: str) -> dict[str, Any]:
        return {
            "partner": self._partner,
            "kind": kind,
            "key": self._key(kind, key),
            "now": to_micros(now()),
        }

    def _document(self, row: Row | None) -> dict[str, Any] | None:
        if row is None:
            return None
        data: dict[str, Any] = open_record(
            self._vault, self._partner, row["kind"], row["record_key"], row["data"]
        )
        return data


def _account(row: Row) -> Account:
    return Account(
        id=row["id"],
        name=row["name"],
        created=from_micros(row["created_at"]),
        redirect_urls=tuple(json.loads(row["redirect_urls"])),
        partners=tuple(json.loads(row["partners"])),
    )


def _application(row: Row) -> Application:
    return Application(
        id=row["id"],
        account_id=row["account_id"],
        key=row["client_key"],
        secret_hash=row["secret_hash"],
        created=from_micros(row["created_at"]),
    )


def _customer(row: Row) -> Customer:
    return Customer(
        id=row["id"],
        account_id=row["account_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        type=row["type"],
        status=row["status"],
        business_name=row["business_name"],
        correlation_id=row["correlation_id"],
        created=from_micros(row["created_at"]),
    )


def _put_rows(writes: Sequence[tuple[_SqlEmulatorRecords, NewRecord]]) -> str:
    rows = ", ".join(
        f"(:partner{i}, :kind{i}, :key{i}, :parent{i}, :data{i}, :expires{i}, :created)"
        for i in range(len(writes))
    )
    return (
        "INSERT INTO emulator_records (partner, kind, record_key, parent, data, expires_at, "
        f"created_at) VALUES {rows} "
        "ON CONFLICT (partner, kind, record_key) DO UPDATE SET parent = excluded.parent, "
        "data = excluded.data, expires_at = excluded.expires_at"
    )


def _put_params(writes: Sequence[tuple[_SqlEmulatorRecords, NewRecord]]) -> dict[str, Any]:
    params: dict[str, Any] = {"created": to_micros(now())}
    for i, (namespace, record) in enumerate(writes):
        stored_key = namespace._key(record.kind, record.key)
        params[f"partner{i}"] = namespace._partner
        params[f"kind{i}"] = record.kind
        params[f"key{i}"] = stored_key
        params[f"parent{i}"] = record.parent
        params[f"data{i}"] = seal_record(
            namespace._vault, namespace._partner, record.kind, stored_key, record.data
        )
        params[f"expires{i}"] = to_micros(record.expires_at) if record.expires_at else None
    return params
