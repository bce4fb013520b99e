"""The Plaid emulator's state: record kinds, Items, tokens and Link sessions, per owner.

Every record lives in its owner's (an account's) emulator records; the API finds the owner
from the credentials and the Link page from its link token (the capability index). Record
kinds:

- ``link_token``: a ``/link/token/create`` request (kept a day past expiry, to say
  "expired" rather than "unknown");
- ``link_completion``: the single-use right to finish Link with a link token, taken by the
  first successful Link session;
- ``link_session``: one Link session (``link_flow``'s document), under its link token;
- ``public_token`` (single use, 30 minutes), ``access_token`` -> Item, ``item``,
  ``processor_token`` (under its Item).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from bankbridge.partners.kit.ids import is_expired as _is_expired
from bankbridge.partners.kit.ids import iso_timestamp, opaque_id
from bankbridge.partners.plaid.emulator import sandbox
from bankbridge.store.base import EmulatorRecords

__all__ = [
    "ACCESS_TOKEN",
    "ACCESS_TOKEN_PREFIX",
    "ITEM",
    "LINK_COMPLETION",
    "LINK_SESSION",
    "LINK_TOKEN",
    "LINK_TOKEN_PREFIX",
    "PROCESSOR_TOKEN",
    "PROCESSOR_TOKEN_PREFIX",
    "PUBLIC_TOKEN",
    "PUBLIC_TOKEN_PREFIX",
    "Body",
    "PlaidError",
    "create_item",
    "invalid_field",
    "invalid_input",
    "invalid_request",
    "is_expired",
    "issue_public_token",
    "link_sessions",
    "login_required",
    "missing_fields",
    "permission_revoked",
    "raise_item_error",
    "request_id",
    "save_link_session",
]

LINK_TOKEN_PREFIX = "link-sandbox-"
PUBLIC_TOKEN_PREFIX = "public-sandbox-"
ACCESS_TOKEN_PREFIX = "access-sandbox-"
PROCESSOR_TOKEN_PREFIX = "processor-sandbox-"

LINK_TOKEN_TTL = timedelta(hours=4)
UPDATE_LINK_TOKEN_TTL = timedelta(minutes=30)
PUBLIC_TOKEN_TTL = timedelta(minutes=30)
EXPIRED_TOKEN_GRACE = timedelta(days=1)  # keep expired link tokens to say "expired"
LINK_SESSION_KEPT = timedelta(hours=6)  # /link/token/get reports sessions this long after

LINK_TOKEN = "link_token"
LINK_COMPLETION = "link_completion"
LINK_SESSION = "link_session"
PUBLIC_TOKEN = "public_token"
ACCESS_TOKEN = "access_token"
ITEM = "item"
PROCESSOR_TOKEN = "processor_token"

Body = dict[str, Any]


class PlaidError(Exception):
    """An error answered with Plaid's error body (and shown by Link)."""

    def __init__(
        self,
        error_type: str,
        error_code: str,
        error_message: str,
        display_message: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(error_message)
        self.error_type = error_type
        self.error_code = error_code
        self.error_message = error_message
        self.display_message = display_message
        self.status = status

    def body(self, request_id: str) -> Body:
        """The JSON body Plaid sends for this error."""
        return {
            "error_type": self.error_type,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "display_message": self.display_message,
            "request_id": request_id,
            "status": self.status,
            "causes": [],
            "documentation_url": f"https://plaid.com/docs/errors/#{self.error_code.lower()}",
            "suggested_action": None,
        }

    def item_error(self) -> Body:
        """This error as an Item's ``error`` field."""
        return {k: v for k, v in self.body("").items() if k != "request_id"}


def request_id() -> str:
    """A Plaid-style ``request_id`` (15 alphanumerics)."""
    return opaque_id(15)


def is_expired(record: Body, now: datetime) -> bool:
    """True once the record's ``expiration`` has passed."""
    return _is_expired(record["expiration"], now)


# -- errors ------------------------------------------------------------------------------------


def missing_fields(fields: list[str]) -> PlaidError:
    """Plaid's MISSING_FIELDS error."""
    return invalid_request(
        "MISSING_FIELDS", "the following required fields are missing: " + ", ".join(fields)
    )


def invalid_field(message: str) -> PlaidError:
    """Plaid's INVALID_FIELD error."""
    return invalid_request("INVALID_FIELD", message)


def invalid_request(code: str, message: str) -> PlaidError:
    """An INVALID_REQUEST error."""
    return PlaidError("INVALID_REQUEST", code, message)


def invalid_input(code: str, message: str) -> PlaidError:
    """An INVALID_INPUT error."""
    return PlaidError("INVALID_INPUT", code, message)


def login_required() -> PlaidError:
    """ITEM_LOGIN_REQUIRED, as ``/sandbox/item/reset_login`` leaves an Item."""
    return PlaidError(
        "ITEM_ERROR",
        "ITEM_LOGIN_REQUIRED",
        "the login details of this item have changed (credentials, MFA, or required user "
        "action) and a user login is required to update this information. use Link's update "
        "mode to restore the item to a good state",
    )


def permission_revoked() -> PlaidError:
    """The Item's user revoked access at the bank or at my.plaid.com: it never works again."""
    return PlaidError(
        "ITEM_ERROR",
        "USER_PERMISSION_REVOKED",
        "the user has revoked access to this item. the item can no longer be used",
    )


def raise_item_error(item: Body) -> None:
    """Raise the Item's stored error, if it has one."""
    error = item.get("error")
    if error:
        raise PlaidError(
            error["error_type"],
            error["error_code"],
            error["error_message"],
            error["display_message"],
            error.get("status") or 400,
        )


# -- Items and tokens --------------------------------------------------------------------------


async def create_item(
    records: EmulatorRecords,
    now: datetime,
    institution_id: str,
    products: list[str],
    webhook: str | None,
    accounts: list[Body] | None = None,
) -> Body:
    """A new Item at ``institution_id`` sharing ``accounts`` (default: every Sandbox
    account, with new ids)."""
    if accounts is None:
        accounts = [{**account, "account_id": opaque_id()} for account in sandbox.ACCOUNTS]
    item: Body = {
        "item_id": opaque_id(),
        "access_token": ACCESS_TOKEN_PREFIX + str(uuid.uuid4()),
        "institution_id": institution_id,
        "institution_name": sandbox.INSTITUTIONS[institution_id],
        "products": products,
        "webhook": webhook,
        "error": None,
        "created_at": iso_timestamp(now),
        "accounts": accounts,
    }
    await records.put(ITEM, item["item_id"], item)
    await records.put(ACCESS_TOKEN, item["access_token"], {"item_id": item["item_id"]})
    return item


async def issue_public_token(records: EmulatorRecords, now: datetime, item: Body) -> str:
    """A single-use public token for ``item``, valid 30 minutes."""
    token = PUBLIC_TOKEN_PREFIX + str(uuid.uuid4())
    expiration = now + PUBLIC_TOKEN_TTL
    record = {"item_id": item["item_id"], "expiration": iso_timestamp(expiration)}
    await records.put(PUBLIC_TOKEN, token, record, expires_at=expiration)
    return token


# -- Link sessions -----------------------------------------------------------------------------


async def save_link_session(records: EmulatorRecords, flow: Body, link_token: Body) -> None:
    """Store a Link session under its link token, kept as long as ``/link/token/get``
    may report it."""
    keep = datetime.fromisoformat(link_token["expiration"]) + LINK_SESSION_KEPT
    key, parent = flow["link_session_id"], link_token["link_token"]
    await records.put(LINK_SESSION, key, flow, parent=parent, expires_at=keep)


async def link_sessions(records: EmulatorRecords, link_token: str) -> list[Body]:
    """The Link sessions opened with ``link_token``, oldest first."""
    return await records.list(LINK_SESSION, link_token)
