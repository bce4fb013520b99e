"""MX available connections and their tokens.

Dwolla's ``availableConnectionToken`` is plain base64 JSON naming an MX account and member,
which anyone could forge. Ours is ``base64url(JSON).signature``: the JSON also names the
customer and an expiry, and the signature (keyed with the install's secret) makes any
change detectable. A token is therefore usable only by the customer it was listed for,
within its lifetime.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Mapping

from bankbridge.crypto import Vault
from bankbridge.domain.customers import get_customer
from bankbridge.errors import InvalidExchangeToken
from bankbridge.models import Account, Customer
from bankbridge.partners.base import PartnerAdapter
from bankbridge.store.base import Store

__all__ = ["AvailableConnectionToken", "list_available_connections", "open_connection_token"]

TOKEN_TTL_SECONDS = 3600
MX = "mx"


class AvailableConnectionToken:
    """A listed connection: its display name and the token that redeems it."""

    def __init__(self, name: str, token: str) -> None:
        self.name = name
        self.token = token


async def list_available_connections(
    store: Store,
    adapters: Mapping[str, PartnerAdapter],
    vault: Vault,
    account: Account,
    customer_id: str,
) -> tuple[Customer, list[AvailableConnectionToken]]:
    """The MX accounts the customer connected, each with a fresh signed token."""
    customer = await get_customer(store, account, customer_id)
    if MX not in account.partners:
        return customer, []
    found = await adapters[MX].list_available_connections(customer)
    expires = int(time.time()) + TOKEN_TTL_SECONDS
    return customer, [
        AvailableConnectionToken(c.name, _sign(vault, customer.id, c.connection, expires))
        for c in found
    ]


def open_connection_token(vault: Vault, customer: Customer, token: str) -> dict[str, str]:
    """The MX ids inside a token, if it is genuine, unexpired and this customer's."""
    body, _, tag = token.strip().partition(".")
    if not body or not tag or not vault.verify(body.encode(), tag):
        raise InvalidExchangeToken("The available connection token is not valid.")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise InvalidExchangeToken("The available connection token is not valid.") from exc
    if payload.get("customerId") != customer.id:
        raise InvalidExchangeToken("The available connection token is not valid.")
    if int(payload.get("exp", 0)) < time.time():
        raise InvalidExchangeToken("The available connection token has expired.")
    connection = payload.get("connection")
    if not isinstance(connection, dict):
        raise InvalidExchangeToken("The available connection token is not valid.")
    return {str(k): str(v) for k, v in connection.items()}


def _sign(vault: Vault, customer_id: str, connection: dict[str, str], expires: int) -> str:
    payload = json.dumps(
        {
            "customerId": customer_id,
            "connection": connection,
            "exp": expires,
            "nonce": secrets.token_urlsafe(8),  # each listing hands out distinct tokens
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{body}.{vault.sign(body.encode())}"
