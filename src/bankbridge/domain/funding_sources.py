"""Funding sources from exchanges: verified bank accounts (MX, Plaid) and debit cards
(Checkout.com), duplicate detection by fingerprint, and removal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bankbridge.clock import now
from bankbridge.crypto import Vault
from bankbridge.domain.customers import get_customer
from bankbridge.domain.events import (
    CUSTOMER_FUNDING_SOURCE_ADDED,
    CUSTOMER_FUNDING_SOURCE_REMOVED,
    CUSTOMER_FUNDING_SOURCE_VERIFIED,
    emit,
)
from bankbridge.domain.exchanges import read_balance_or_flag, read_details_or_flag
from bankbridge.errors import (
    DuplicateResource,
    FieldError,
    Forbidden,
    InactiveExchange,
    InvalidResourceState,
    NotFound,
    UnsupportedOperation,
    ValidationError,
)
from bankbridge.ids import new_id
from bankbridge.models import Account, FundingSource
from bankbridge.partners.base import BankBalance, BankDetails, CardDetails, PartnerAdapter
from bankbridge.store.base import Store

__all__ = [
    "BillingAddress",
    "NewFundingSource",
    "create_funding_source",
    "get_funding_source",
    "get_funding_source_balance",
    "list_funding_sources",
    "remove_funding_source",
    "set_sandbox_balance",
]

NAME_MAX = 50
BANK_ACCOUNT_TYPES = ("checking", "savings")
EXCHANGE_PATH = "/_links/exchange/href"


@dataclass(frozen=True)
class BillingAddress:
    """A card's billing address as the platform sends it."""

    address1: str
    city: str
    state_province_region: str
    country: str
    postal_code: str
    address2: str | None = None


@dataclass(frozen=True)
class NewFundingSource:
    """The fields of ``POST /customers/{id}/funding-sources`` with an exchange."""

    exchange_id: str
    name: str
    bank_account_type: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    billing_address: BillingAddress | None = None


async def create_funding_source(
    store: Store,
    adapters: Mapping[str, PartnerAdapter],
    vault: Vault,
    account: Account,
    customer_id: str,
    fields: NewFundingSource,
) -> FundingSource:
    """Read the account or card behind the exchange and record it as verified."""
    customer = await get_customer(store, account, customer_id)
    exchange = await store.get_exchange(fields.exchange_id)
    if exchange is None or exchange.account_id != account.id or exchange.customer_id != customer.id:
        raise ValidationError.single(EXCHANGE_PATH, "NotFound", "Exchange not found.")
    if exchange.status != "active":
        raise InactiveExchange()
    details = await read_details_or_flag(store, adapters, exchange)
    created = now()
    if isinstance(details, BankDetails):
        _check_bank(fields, details)
        source = FundingSource(
            id=new_id(),
            account_id=account.id,
            customer_id=customer.id,
            exchange_id=exchange.id,
            type="bank",
            status="verified",
            name=fields.name.strip(),
            created=created,
            fingerprint=vault.fingerprint("bank", details.routing_number, details.account_number),
            bank_account_type=fields.bank_account_type,
            bank_name=details.bank_name,
            routing_number=details.routing_number,
            account_number=details.account_number,
        )
        label = "Bank"
    else:
        address = _check_card(fields)
        source = FundingSource(
            id=new_id(),
            account_id=account.id,
            customer_id=customer.id,
            exchange_id=exchange.id,
            type="card",
            status="verified",
            name=fields.name.strip(),
            created=created,
            fingerprint=vault.fingerprint("card", details.fingerprint),
            card_details=_card_document(details, fields, address),
        )
        label = "Card"
    async with store.transaction() as tx:
        existing = await tx.create_funding_source(source)
        if existing is not None:
            raise DuplicateResource(
                f"{label} already exists: id={existing.id}", ("funding-sources", existing.id)
            )
        for topic in (CUSTOMER_FUNDING_SOURCE_ADDED, CUSTOMER_FUNDING_SOURCE_VERIFIED):
            await emit(tx, account.id, topic, "funding-sources", source.id, customer.id)
    return source


async def get_funding_source(store: Store, account: Account, source_id: str) -> FundingSource:
    """One of the account's funding sources; another account's is forbidden."""
    source = await store.get_funding_source(source_id)
    if source is None:
        raise NotFound("Funding source not found.")
    if source.account_id != account.id:
        raise Forbidden("Not authorized to retrieve funding source.")
    return source


async def get_funding_source_balance(
    store: Store, adapters: Mapping[str, PartnerAdapter], account: Account, source_id: str
) -> BankBalance:
    """The live balance of a bank funding source, read from the partner behind its exchange.

    Only bank accounts added through open banking have one (Dwolla: "Supports bank
    accounts (via Open Banking)"); a card, a removed source or an exchange that is no
    longer active cannot be asked.
    """
    source = await get_funding_source(store, account, source_id)
    if source.type != "bank":
        raise UnsupportedOperation("Balance is only available for bank funding sources.")
    if source.removed:
        raise InvalidResourceState("Funding source has been removed.")
    exchange = await store.get_exchange(source.exchange_id)
    if exchange is None or exchange.status != "active":
        raise InactiveExchange()
    return await read_balance_or_flag(store, adapters, exchange)


async def set_sandbox_balance(
    store: Store,
    adapters: Mapping[str, PartnerAdapter],
    account: Account,
    source_id: str,
    balance: BankBalance,
) -> None:
    """Sandbox control: the partner's emulated bank now holds ``balance`` for the source."""
    source = await get_funding_source(store, account, source_id)
    if source.type != "bank":
        raise UnsupportedOperation("Balance is only available for bank funding sources.")
    exchange = await store.get_exchange(source.exchange_id)
    if exchange is None or exchange.status != "active":
        raise InactiveExchange()
    await adapters[exchange.partner_slug].set_sandbox_balance(exchange.connection, balance)


async def list_funding_sources(
    store: Store, account: Account, customer_id: str, include_removed: bool
) -> list[FundingSource]:
    """A customer's funding sources, newest first."""
    customer = await get_customer(store, account, customer_id)
    return await store.list_funding_sources(customer.id, include_removed)


async def remove_funding_source(store: Store, account: Account, source_id: str) -> FundingSource:
    """Soft-remove a funding source (it stays readable with ``removed: true``)."""
    source = await get_funding_source(store, account, source_id)
    async with store.transaction() as tx:
        if not await tx.remove_funding_source(source.id):
            raise InvalidResourceState("Funding source has already been removed.")
        await emit(
            tx,
            account.id,
            CUSTOMER_FUNDING_SOURCE_REMOVED,
            "funding-sources",
            source.id,
            source.customer_id,
        )
    removed = await store.get_funding_source(source.id)
    assert removed is not None
    return removed


def _check_name(fields: NewFundingSource) -> list[FieldError]:
    if not fields.name.strip():
        return [FieldError("/name", "Required", "name is required.")]
    if len(fields.name) > NAME_MAX:
        return [
            FieldError("/name", "InvalidFormat", f"name must be {NAME_MAX} characters or less.")
        ]
    return []


def _check_bank(fields: NewFundingSource, details: BankDetails) -> None:
    errors = _check_name(fields)
    if fields.bank_account_type is None:
        errors.append(FieldError("/bankAccountType", "Required", "bankAccountType is required."))
    elif fields.bank_account_type not in BANK_ACCOUNT_TYPES:
        errors.append(
            FieldError(
                "/bankAccountType", "Invalid", "bankAccountType must be checking or savings."
            )
        )
    elif fields.bank_account_type != details.account_type:
        # The partner read the account from the bank: a "savings" label on a checking
        # account would misroute ACH entries (their transaction codes differ).
        errors.append(
            FieldError(
                "/bankAccountType",
                "Invalid",
                f"bankAccountType must be {details.account_type}: the exchange's account is a "
                f"{details.account_type} account.",
            )
        )
    if errors:
        raise ValidationError(errors)


def _check_card(fields: NewFundingSource) -> BillingAddress:
    errors = _check_name(fields)
    for path, value in (
        ("/cardDetails/firstName", fields.first_name),
        ("/cardDetails/lastName", fields.last_name),
    ):
        if not (value or "").strip():
            errors.append(FieldError(path, "Required", f"{path.rsplit('/', 1)[1]} is required."))
    address = fields.billing_address
    if address is None:
        errors.append(
            FieldError("/cardDetails/billingAddress", "Required", "billingAddress is required.")
        )
    else:
        base = "/cardDetails/billingAddress/"
        for name, value, limit in (
            ("address1", address.address1, 50),
            ("city", address.city, 50),
            ("stateProvinceRegion", address.state_province_region, 2),
            ("country", address.country, 2),
            ("postalCode", address.postal_code, 10),
        ):
            if not value.strip():
                errors.append(FieldError(base + name, "Required", f"{name} is required."))
            elif len(value.strip()) > limit:
                errors.append(
                    FieldError(
                        base + name, "InvalidFormat", f"{name} must be {limit} characters or less."
                    )
                )
        if address.address2 is not None and len(address.address2) > 100:
            errors.append(
                FieldError(
                    base + "address2", "InvalidFormat", "address2 must be 100 characters or less."
                )
            )
    if errors:
        raise ValidationError(errors)
    assert address is not None
    return address


def _card_document(
    details: CardDetails, fields: NewFundingSource, address: BillingAddress
) -> dict[str, Any]:
    billing: dict[str, Any] = {"address1": address.address1.strip()}
    if address.address2:
        billing["address2"] = address.address2.strip()
    billing |= {
        "city": address.city.strip(),
        "stateProvinceRegion": address.state_province_region.strip().upper(),
        "country": address.country.strip().upper(),
        "postalCode": address.postal_code.strip(),
    }
    fallback_name = f"{fields.first_name or ''} {fields.last_name or ''}".strip()
    return {
        "brand": details.brand,
        "lastFour": details.last_four,
        "expirationMonth": details.expiration_month,
        "expirationYear": details.expiration_year,
        "nameOnCard": details.name_on_card or fallback_name,
        "bin": details.bin,
        "billingAddress": billing,
    }
