"""Customers: creation (unverified and receive-only), retrieval and listing within an account."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bankbridge.clock import now
from bankbridge.domain.events import CUSTOMER_CREATED, emit
from bankbridge.errors import FieldError, Forbidden, NotFound, ValidationError
from bankbridge.ids import new_id
from bankbridge.models import Account, Customer, Page
from bankbridge.store.base import Store

__all__ = ["NewCustomer", "create_customer", "get_customer", "list_customers"]

SUPPORTED_TYPES = ("unverified", "receive-only")
NAME_MAX = 50
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class NewCustomer:
    """The fields a platform sends to create a customer."""

    first_name: str
    last_name: str
    email: str
    type: str = "unverified"
    business_name: str | None = None
    correlation_id: str | None = None


async def create_customer(store: Store, account: Account, fields: NewCustomer) -> Customer:
    """Create a customer; a second customer with the same email is a ``Duplicate``."""
    errors = _check(fields)
    if errors:
        raise ValidationError(errors)
    customer = Customer(
        id=new_id(),
        account_id=account.id,
        first_name=fields.first_name.strip(),
        last_name=fields.last_name.strip(),
        email=fields.email.strip(),
        type=fields.type,
        status="unverified",
        created=now(),
        business_name=fields.business_name,
        correlation_id=fields.correlation_id,
    )
    async with store.transaction() as tx:
        existing = await tx.create_customer(customer)
        if existing is None:
            await emit(tx, account.id, CUSTOMER_CREATED, "customers", customer.id, customer.id)
    if existing is not None:
        raise ValidationError(
            [
                FieldError(
                    "/email",
                    "Duplicate",
                    "A customer with the specified email already exists.",
                    about=("customers", existing.id),
                )
            ]
        )
    return customer


async def get_customer(store: Store, account: Account, customer_id: str) -> Customer:
    """One of the account's customers; another account's customer is forbidden."""
    customer = await store.get_customer(customer_id)
    if customer is None:
        raise NotFound("Customer not found.")
    if customer.account_id != account.id:
        raise Forbidden("Not authorized to get a customer by id.")
    return customer


async def list_customers(store: Store, account: Account, limit: int, offset: int) -> Page:
    """The account's customers, newest first."""
    return await store.list_customers(account.id, limit, offset)


def _check(fields: NewCustomer) -> list[FieldError]:
    errors = []
    for path, value in (("/firstName", fields.first_name), ("/lastName", fields.last_name)):
        if not value.strip():
            errors.append(FieldError(path, "Required", f"{path[1:]} is required."))
        elif len(value) > NAME_MAX:
            errors.append(
                FieldError(
                    path, "InvalidFormat", f"{path[1:]} must be {NAME_MAX} characters or less."
                )
            )
    email = fields.email.strip()
    if not email:
        errors.append(FieldError("/email", "Required", "email is required."))
    elif len(email) > EMAIL_MAX or not _EMAIL.match(email):
        errors.append(FieldError("/email", "InvalidFormat", "email is invalid."))
    if fields.type not in SUPPORTED_TYPES:
        errors.append(
            FieldError(
                "/type",
                "Invalid",
                f"type must be one of {', '.join(SUPPORTED_TYPES)}; verified customers are not "
                "supported by BankBridge.",
            )
        )
    return errors
