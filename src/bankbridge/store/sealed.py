"""How the store keeps partner secrets at rest: sealed JSON and keyed record keys.

Emulator records (full account numbers, Plaid access tokens, Checkout.com session secrets,
MX users' emails) and exchange sessions' provider data (the Checkout.com
``payment_session_secret``) are JSON sealed with the install's vault (``Vault.seal``),
bound to the row they are stored in, so a ciphertext copied into another row does not open.
Emulator record keys are themselves partner tokens for some kinds (Plaid access and public
tokens, MX widget tokens), so the table keeps a keyed fingerprint of each key: a lookup by
key stays one exact match, and no token can be read back from the table.

Rows written before sealing existed hold plain JSON, which starts with ``{``; sealed text
never does. Reads accept both, and ``seal_legacy_rows`` (run at every start) rewrites the
old rows; partial indexes (migration 0007) find them without a table scan.
"""

from __future__ import annotations

import json
from typing import Any

from bankbridge.crypto import Vault
from bankbridge.store.base import Database, UniqueViolation

__all__ = [
    "LEGACY_PREFIX",
    "open_record",
    "open_session_data",
    "open_session_document",
    "record_key",
    "seal_legacy_rows",
    "seal_record",
    "seal_session_data",
    "seal_session_document",
]

LEGACY_PREFIX = "{"  # how a row written before sealing begins (a JSON object)


def record_key(vault: Vault, partner: str, kind: str, key: str) -> str:
    """The stored form of an emulator record's key."""
    return vault.fingerprint("emulator-record", partner, kind, key)


def seal_record(vault: Vault, partner: str, kind: str, stored_key: str, data: Any) -> str:
    """The stored form of an emulator record's document."""
    return vault.seal(json.dumps(data), _record_context(partner, kind, stored_key))


def open_record(vault: Vault, partner: str, kind: str, stored_key: str, text: str) -> Any:
    """An emulator record's document from its stored form (sealed, or legacy plain JSON)."""
    if text.startswith(LEGACY_PREFIX):
        return json.loads(text)
    return json.loads(vault.unseal(text, _record_context(partner, kind, stored_key)))


def seal_session_data(vault: Vault, session_id: str, data: Any) -> str:
    """The stored form of an exchange session's provider data."""
    return vault.seal(json.dumps(data), _session_context(session_id))


def open_session_data(vault: Vault, session_id: str, text: str) -> Any:
    """An exchange session's provider data from its stored form (sealed, or legacy JSON)."""
    if text.startswith(LEGACY_PREFIX):
        return json.loads(text)
    return json.loads(vault.unseal(text, _session_context(session_id)))


def seal_session_document(vault: Vault, session_id: str, document: str) -> str:
    """The stored form of a session's GET document that holds a partner secret."""
    return vault.seal(document, _document_context(session_id))


def open_session_document(vault: Vault, session_id: str, text: str) -> str:
    """A session's GET document from its stored form (plain JSON, or sealed)."""
    if text.startswith(LEGACY_PREFIX):
        return text
    return vault.unseal(text, _document_context(session_id))


async def seal_legacy_rows(database: Database, vault: Vault, batch: int = 500) -> int:
    """Seal every emulator record and session provider data still in plain JSON.

    Idempotent, and safe while other processes run it too: a row is rewritten only if it
    is still the plain one that was read. Returns how many rows were sealed.
    """
    sealed = 0
    while True:
        records = await database.fetch_all(
            "SELECT partner, kind, record_key, data FROM emulator_records "
            "WHERE substr(data, 1, 1) = '{' LIMIT :batch",
            {"batch": batch},
        )
        for row in records:
            sealed += await _seal_record_row(database, vault, row)
        sessions = await database.fetch_all(
            "SELECT id, provider_data FROM exchange_sessions "
            "WHERE substr(provider_data, 1, 1) = '{' LIMIT :batch",
            {"batch": batch},
        )
        for row in sessions:
            sealed += await database.execute(
                "UPDATE exchange_sessions SET provider_data = :data "
                "WHERE id = :id AND provider_data = :old",
                {
                    "id": row["id"],
                    "old": row["provider_data"],
                    "data": seal_session_data(vault, row["id"], json.loads(row["provider_data"])),
                },
            )
        if len(records) < batch and len(sessions) < batch:
            return sealed


async def _seal_record_row(database: Database, vault: Vault, row: dict[str, Any]) -> int:
    key = record_key(vault, row["partner"], row["kind"], row["record_key"])
    params = {
        "partner": row["partner"],
        "kind": row["kind"],
        "old_key": row["record_key"],
        "old_data": row["data"],
        "key": key,
        "data": seal_record(vault, row["partner"], row["kind"], key, json.loads(row["data"])),
    }
    where = (
        "WHERE partner = :partner AND kind = :kind AND record_key = :old_key AND data = :old_data"
    )
    try:
        # A savepoint on PostgreSQL, so that a conflict leaves the connection usable.
        async with database.transaction() as tx:
            return await tx.execute(
                f"UPDATE emulator_records SET record_key = :key, data = :data {where}", params
            )
    except UniqueViolation:
        # The record was written again since, in sealed form: the newer one wins.
        return await database.execute(f"DELETE FROM emulator_records {where}", params)


def _record_context(partner: str, kind: str, stored_key: str) -> str:
    return f"emulator-record\x1f{partner}\x1f{kind}\x1f{stored_key}"


def _session_context(session_id: str) -> str:
    return f"exchange-session\x1f{session_id}"


def _document_context(session_id: str) -> str:
    return f"exchange-session-document\x1f{session_id}"
