"""Benchmark data: accounts, customers and exchange sessions, seeded fast but realistically.

Accounts are created and tokens issued through BankBridge's own domain code (so secrets and
tokens are hashed exactly as the app does); customers and sessions are bulk-inserted with
SQL into the schema the app's own migrations created (``executemany`` on SQLite, COPY on
PostgreSQL), because a million sessions through the HTTP API would take hours. Every session
carries provider data in its partner's real shape: an MX Connect widget URL, a Plaid
``link-sandbox-…`` token, a Checkout.com payment session (id, secret, token), the last
sealed with the bench servers' key exactly as the store seals it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import secrets
import sqlite3
import string
import uuid
from dataclasses import dataclass
from typing import Any

from bankbridge.api.resources.exchange_sessions import stored_document
from bankbridge.clock import from_micros, now, to_micros
from bankbridge.config import Secret, Settings, sqlite_path
from bankbridge.crypto import Vault, load_vault
from bankbridge.domain.accounts import create_account, issue_token
from bankbridge.models import ExchangeSession, ProviderSession
from bankbridge.partners import PARTNERS
from bankbridge.store import SqlStore, open_database
from bankbridge.store.sealed import seal_session_data, seal_session_document

__all__ = ["SECRET_KEY", "Credentials", "SeedResult", "issue_tokens", "seed"]

SEED_VERSION = 3  # bump when the generated data changes, so cached databases are rebuilt
SECRET_KEY = "bench-not-secret"  # BANKBRIDGE_SECRET_KEY of every bench server
BATCH = 20_000
_ALNUM = string.ascii_letters + string.digits
_MX_SUFFIX = (  # MX Connect's UI options, as the emulator's widget URLs end
    "eyJ1aV9tZXNzYWdlX3ZlcnNpb24iOjQsInVpX21lc3NhZ2Vfd2Vidmlld191cmxfc2NoZW1lIjoibXgiLCJtb2Rl"
    "IjoidmVyaWZpY2F0aW9uIn0%3D"
)
_FIRST = ["Jane", "John", "Ana", "Li", "Omar", "Priya", "Sam", "Yuki", "Lena", "Carlos"]
_LAST = ["Doe", "Smith", "Garcia", "Chen", "Khan", "Patel", "Novak", "Sato", "Berg", "Silva"]


@dataclass(frozen=True)
class Credentials:
    """An account's API key and secret (bench data only; the database keeps the hash)."""

    account_id: str
    key: str
    secret: str


@dataclass(frozen=True)
class SeedResult:
    """What a seeded database holds that the load generator needs."""

    accounts: list[Credentials]
    customers: dict[str, list[str]]  # account id -> customer ids
    sessions: list[tuple[str, str]]  # sample of (account id, session id)


def seed(
    database_url: str,
    public_url: str,
    sessions: int,
    accounts: int = 20,
    customers_per_account: int = 0,
    sample: int = 200_000,
) -> SeedResult:
    """Create ``accounts`` accounts, their customers and ``sessions`` sessions spread over them."""
    return asyncio.run(
        _seed(database_url, public_url, sessions, accounts, customers_per_account, sample)
    )


def issue_tokens(database_url: str, accounts: list[Credentials], ttl: int = 3600) -> list[str]:
    """A fresh bearer token per account, issued by the app's own ``issue_token``."""

    async def run() -> list[str]:
        database = await open_database(database_url)
        try:
            store = SqlStore(database)
            tokens = []
            for credentials in accounts:
                issued = await issue_token(store, credentials.key, credentials.secret, ttl)
                assert issued is not None, "bench credentials were rejected"
                tokens.append(issued.access_token)
            return tokens
        finally:
            await database.close()

    return asyncio.run(run())


async def _seed(
    database_url: str,
    public_url: str,
    n_sessions: int,
    n_accounts: int,
    customers_per_account: int,
    sample: int,
) -> SeedResult:
    database = await open_database(database_url)  # migrates: the schema is the app's own
    try:
        store = SqlStore(database)
        credentials = []
        for i in range(n_accounts):
            created = await create_account(
                store, f"Bench platform {i}", ["https://platform.example/return"], []
            )
            credentials.append(
                Credentials(created.account.id, created.application.key, created.secret)
            )
    finally:
        await database.close()

    rng = random.Random(20240325)
    per_account = customers_per_account or max(1, n_sessions // (10 * n_accounts))
    customers: dict[str, list[str]] = {}
    customer_rows: list[tuple[Any, ...]] = []
    created_now = to_micros(now())
    month = 30 * 24 * 3600 * 1_000_000
    for credential in credentials:
        ids = []
        for j in range(per_account):
            customer_id = str(uuid.uuid4())
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"{first}.{last}.{j}@{credential.account_id[:8]}.example".lower()
            customer_rows.append(
                (
                    customer_id,
                    credential.account_id,
                    first,
                    last,
                    email,
                    email,
                    "unverified",
                    "unverified",
                    None,
                    None,
                    created_now - month - rng.randrange(month),
                )
            )
            ids.append(customer_id)
        customers[credential.account_id] = ids

    picked: list[tuple[str, str]] = []
    keep = min(1.0, sample / max(1, n_sessions))
    vault = load_vault(Settings(database_url=database_url, secret_key=Secret(SECRET_KEY)))

    def session_rows() -> Any:
        # Sessions arrive in time order, as they would in production (ids are random).
        start = created_now - month
        for i in range(n_sessions):
            credential = credentials[rng.randrange(n_accounts)]
            customer_id = rng.choice(customers[credential.account_id])
            created = start + (month * i) // max(1, n_sessions)
            row = _session_row(
                rng,
                vault,
                public_url,
                credential.account_id,
                customer_id,
                PARTNERS[i % 3].slug,
                created,
            )
            if rng.random() < keep:
                picked.append((credential.account_id, row[0]))
            yield row

    if database_url.startswith("sqlite:"):
        _insert_sqlite(database_url, customer_rows, session_rows())
    else:
        await _insert_postgres(database_url, customer_rows, session_rows())
    rng.shuffle(picked)
    return SeedResult(credentials, customers, picked[:sample])


def _session_row(
    rng: random.Random,
    vault: Vault,
    public_url: str,
    account_id: str,
    customer_id: str,
    partner: str,
    created: int,
) -> tuple[Any, ...]:
    """One ``exchange_sessions`` row in the shape the partner's adapter stores."""
    session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    url = token = data = None
    if partner == "mx":
        widget = "l_" + "".join(rng.choices(_ALNUM + "-_", k=62))
        url = f"{public_url}/sandbox/mx/connect/{widget}/{_MX_SUFFIX}"
        ref = f"USR-{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        expires = created + 10 * 60 * 1_000_000
    elif partner == "plaid":
        token = f"link-sandbox-{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        ref = token
        expires = created + 4 * 3600 * 1_000_000
    else:
        ps = "ps_" + "".join(rng.choices(_ALNUM, k=27))
        flow = {
            "id": ps,
            "amount": 0,
            "currency": "USD",
            "locale": "en-GB",
            "payment_type": "Unscheduled",
            "payment_methods": [{"type": "card"}],
            "environment": "sandbox",
            "flow_url": f"{public_url}/sandbox/checkout/flow/{ps}",
        }
        data = {
            "id": ps,
            "payment_session_secret": f"pss_{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            "payment_session_token": base64.b64encode(json.dumps(flow).encode()).decode(),
        }
        ref = ps
        expires = None
    # The GET document, as the app stores it at creation (sealed when it holds a secret).
    document = stored_document(
        ExchangeSession(
            id=session_id,
            account_id=account_id,
            customer_id=customer_id,
            partner_slug=partner,
            created=from_micros(created),
            provider=ProviderSession(url=url, token=token, data=data),
        )
    )
    if data is not None:
        document = seal_session_document(vault, session_id, document)
        data = seal_session_data(vault, session_id, data)
    return (
        session_id,
        account_id,
        customer_id,
        partner,
        None,
        None,
        url,
        token,
        data,
        ref,
        expires,
        created,
        document,
    )


_CUSTOMER_COLUMNS = (
    "id, account_id, first_name, last_name, email, email_key, type, status, business_name, "
    "correlation_id, created_at"
)
_SESSION_COLUMNS = (
    "id, account_id, customer_id, partner, redirect_url, exchange_id, provider_url, "
    "provider_token, provider_data, external_ref, expires_at, created_at, document"
)


def _insert_sqlite(url: str, customer_rows: list[tuple[Any, ...]], sessions: Any) -> None:
    conn = sqlite3.connect(str(sqlite_path(url)), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-524288")  # 512 MiB while seeding only
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO customers ({_CUSTOMER_COLUMNS}) VALUES ({','.join('?' * 11)})",
            customer_rows,
        )
        conn.execute("COMMIT")
        insert = f"INSERT INTO exchange_sessions ({_SESSION_COLUMNS}) VALUES ({','.join('?' * 13)})"
        batch: list[tuple[Any, ...]] = []
        for row in sessions:
            batch.append(row)
            if len(batch) >= BATCH:
                conn.execute("BEGIN")
                conn.executemany(insert, batch)
                conn.execute("COMMIT")
                batch.clear()
        if batch:
            conn.execute("BEGIN")
            conn.executemany(insert, batch)
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def _insert_postgres(url: str, customer_rows: list[tuple[Any, ...]], sessions: Any) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table(
            "customers", records=customer_rows, columns=_CUSTOMER_COLUMNS.split(", ")
        )
        batch: list[tuple[Any, ...]] = []
        columns = _SESSION_COLUMNS.split(", ")
        for row in sessions:
            batch.append(row)
            if len(batch) >= BATCH:
                await conn.copy_records_to_table(
                    "exchange_sessions", records=batch, columns=columns
                )
                batch.clear()
        if batch:
            await conn.copy_records_to_table("exchange_sessions", records=batch, columns=columns)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def new_secret_key() -> str:
    """A throwaway ``BANKBRIDGE_SECRET_KEY`` for a bench run."""
    return secrets.token_urlsafe(32)
