"""SQL for exchanges and funding sources (mixed into ``SqlStore``).

Partner handles (``Exchange.connection``) and full account numbers are encrypted with the
install's vault on the way in and decrypted on the way out; the database never sees them.
"""

from __future__ import annotations

import json
from typing import Any

from bankbridge.clock import from_micros, to_micros
from bankbridge.crypto import Vault
from bankbridge.models import Exchange, FundingSource, Page
from bankbridge.store.base import Database, Row, UniqueViolation

__all__ = ["ExchangeSql"]


class ExchangeSql:
    """Exchanges and funding sources over ``self.database``, encrypting with ``self.vault``."""

    database: Database
    vault: Vault | None

    # Exchanges ----------------------------------------------------------------------

    async def create_exchange(
        self,
        exchange: Exchange,
        token_key: str,
        connection_key: str,
        partner_ref: str | None = None,
    ) -> bool:
        """Store an exchange; False when the token (``token_key``) was already exchanged or
        the customer has an active exchange with the same ``connection_key``."""
        try:
            # A savepoint on PostgreSQL, so a conflict leaves an outer transaction usable.
            async with self.database.transaction() as tx:
                await tx.execute(
                    "INSERT INTO exchanges (id, account_id, customer_id, partner, status, "
                    "connection, token_key, connection_key, partner_ref, reauth_required, "
                    "created_at) VALUES (:id, :account, :customer, :partner, :status, "
                    ":connection, :token_key, :connection_key, :partner_ref, :reauth, :created)",
                    {
                        "id": exchange.id,
                        "account": exchange.account_id,
                        "customer": exchange.customer_id,
                        "partner": exchange.partner_slug,
                        "status": exchange.status,
                        "connection": self._vault().encrypt(json.dumps(exchange.connection)),
                        "token_key": token_key,
                        "connection_key": connection_key,
                        "partner_ref": partner_ref,
                        "reauth": int(exchange.reauth_required),
                        "created": to_micros(exchange.created),
                    },
                )
        except UniqueViolation:
            return False
        return True

    async def find_active_exchange(self, customer_id: str, connection_key: str) -> Exchange | None:
        row = await self.database.fetch_one(
            "SELECT * FROM exchanges WHERE customer_id = :customer "
            "AND connection_key = :connection_key AND status = 'active'",
            {"customer": customer_id, "connection_key": connection_key},
        )
        return self._exchange(row) if row else None

    async def find_exchanges_by_partner_ref(
        self, account_id: str, partner: str, partner_ref: str
    ) -> list[Exchange]:
        rows = await self.database.fetch_all(
            "SELECT * FROM exchanges WHERE account_id = :account AND partner = :partner "
            "AND partner_ref = :ref ORDER BY created_at, id",
            {"account": account_id, "partner": partner, "ref": partner_ref},
        )
        return [self._exchange(r) for r in rows]

    async def exchange_token_used(self, partner: str, token_key: str) -> bool:
        row = await self.database.fetch_one(
            "SELECT id FROM exchanges WHERE partner = :partner AND token_key = :token_key",
            {"partner": partner, "token_key": token_key},
        )
        return row is not None

    async def get_exchange(self, exchange_id: str) -> Exchange | None:
        row = await self.database.fetch_one(
            "SELECT * FROM exchanges WHERE id = :id", {"id": exchange_id}
        )
        return self._exchange(row) if row else None

    async def list_exchanges(self, customer_id: str, limit: int, offset: int) -> Page:
        rows = await self.database.fetch_all(
            "SELECT * FROM exchanges WHERE customer_id = :customer "
            "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset",
            {"customer": customer_id, "limit": limit, "offset": offset},
        )
        total = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM exchanges WHERE customer_id = :customer",
            {"customer": customer_id},
        )
        return Page([self._exchange(r) for r in rows], int(total["n"]) if total else 0)

    async def update_exchange(
        self,
        exchange_id: str,
        *,
        status: str | None = None,
        reauth_required: bool | None = None,
        connection: dict[str, str] | None = None,
    ) -> None:
        """Change an exchange's status, re-auth flag or partner handles."""
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = status
        if reauth_required is not None:
            changes["reauth_required"] = int(reauth_required)
        if connection is not None:
            changes["connection"] = self._vault().encrypt(json.dumps(connection))
        if not changes:
            return
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        await self.database.execute(
            f"UPDATE exchanges SET {assignments} WHERE id = :id", {**changes, "id": exchange_id}
        )

    # Funding sources ----------------------------------------------------------------

    async def create_funding_source(self, source: FundingSource) -> FundingSource | None:
        """Store a funding source; returns the customer's existing one with the same fingerprint."""
        account_number = source.account_number
        try:
            async with self.database.transaction() as tx:
                await tx.execute(
                    "INSERT INTO funding_sources (id, account_id, customer_id, exchange_id, type, "
                    "status, name, bank_account_type, bank_name, fingerprint, account_number, "
                    "routing_number, card_details, removed, created_at) VALUES (:id, :account, "
                    ":customer, :exchange, :type, :status, :name, :bank_type, :bank_name, "
                    ":fingerprint, :number, :routing, :card, 0, :created)",
                    {
                        "id": source.id,
                        "account": source.account_id,
                        "customer": source.customer_id,
                        "exchange": source.exchange_id,
                        "type": source.type,
                        "status": source.status,
                        "name": source.name,
                        "bank_type": source.bank_account_type,
                        "bank_name": source.bank_name,
                        "fingerprint": source.fingerprint,
                        "number": self._vault().encrypt(account_number) if account_number else None,
                        "routing": source.routing_number,
                        "card": json.dumps(source.card_details) if source.card_details else None,
                        "created": to_micros(source.created),
                    },
                )
        except UniqueViolation:
            row = await self.database.fetch_one(
                "SELECT * FROM funding_sources WHERE customer_id = :customer "
                "AND fingerprint = :fingerprint AND removed = 0",
                {"customer": source.customer_id, "fingerprint": source.fingerprint},
            )
            if row is None:
                raise
            return self._funding_source(row)
        return None

    async def get_funding_source(self, source_id: str) -> FundingSource | None:
        row = await self.database.fetch_one(
            "SELECT * FROM funding_sources WHERE id = :id", {"id": source_id}
        )
        return self._funding_source(row) if row else None

    async def list_funding_sources(
        self, customer_id: str, include_removed: bool
    ) -> list[FundingSource]:
        rows = await self.database.fetch_all(
            "SELECT * FROM funding_sources WHERE customer_id = :customer "
            "AND (removed = 0 OR :all = 1) ORDER BY created_at DESC, id DESC",
            {"customer": customer_id, "all": int(include_removed)},
        )
        return [self._funding_source(r) for r in rows]

    async def remove_funding_source(self, source_id: str) -> bool:
        """Mark a funding source removed; False if it already was."""
        changed = await self.database.execute(
            "UPDATE funding_sources SET removed = 1 WHERE id = :id AND removed = 0",
            {"id": source_id},
        )
        return changed > 0

    # Rows ---------------------------------------------------------------------------

    def _vault(self) -> Vault:
        if self.vault is None:
            raise RuntimeError("this store was opened without a vault; secrets cannot be kept")
        return self.vault

    def _exchange(self, row: Row) -> Exchange:
        return Exchange(
            id=row["id"],
            account_id=row["account_id"],
            customer_id=row["customer_id"],
            partner_slug=row["partner"],
            status=row["status"],
            created=from_micros(row["created_at"]),
            connection=json.loads(self._vault().decrypt(row["connection"])),
            reauth_required=bool(row["reauth_required"]),
        )

    def _funding_source(self, row: Row) -> FundingSource:
        number = row["account_number"]
        return FundingSource(
            id=row["id"],
            account_id=row["account_id"],
            customer_id=row["customer_id"],
            exchange_id=row["exchange_id"],
            type=row["type"],
            status=row["status"],
            name=row["name"],
            created=from_micros(row["created_at"]),
            fingerprint=row["fingerprint"],
            removed=bool(row["removed"]),
            bank_account_type=row["bank_account_type"],
            bank_name=row["bank_name"],
            routing_number=row["routing_number"],
            account_number=self._vault().decrypt(number) if number else None,
            card_details=json.loads(row["card_details"]) if row["card_details"] else None,
        )
