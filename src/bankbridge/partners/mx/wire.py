"""MX Platform API wire shapes and their conversion to what BankBridge uses.

Requests are built here (``user_request``, ``widget_url_request``) and responses are read
here (``read_*``), so the adapter only moves bytes. Readers raise ``ValueError`` on a
malformed answer; the adapter's ``partner_errors`` turns that into ``PartnerError``.

MX bodies are wrapped in a root key: singular for one object (``user``, ``member``,
``widget_url``), plural for lists (``users``, ``members``, ``accounts``, ``account_numbers``)
next to a ``pagination`` object. Values are strictly typed (the official SDK rejects a
string where a boolean belongs), and ``metadata`` is always a string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict

from bankbridge.partners.base import BankBalance, format_amount

__all__ = [
    "CONNECTION_STATES",
    "DEPOSIT_ACCOUNT_TYPES",
    "MX_MEDIA_TYPE",
    "AccountNumbers",
    "ConnectedAccount",
    "MemberState",
    "Pagination",
    "UserRequest",
    "WidgetUrlRequest",
    "aba_checksum_ok",
    "member_state",
    "read_account_balance",
    "read_account_numbers",
    "read_accounts",
    "read_members",
    "read_pagination",
    "read_user_guid",
    "read_users",
    "read_widget_url",
    "user_request",
    "webhook_change",
    "widget_url_request",
]

MX_MEDIA_TYPE = "application/vnd.mx.api.v1+json"

# Account types that can fund a bank transfer.
DEPOSIT_ACCOUNT_TYPES = frozenset({"CHECKING", "SAVINGS"})

MemberState = Literal["connected", "pending", "needs_user", "failed"]

# MX member connection_status -> what it means for an exchange. Anything not listed is
# "pending": an unknown status never counts as connected.
CONNECTION_STATES: dict[str, MemberState] = {
    "CONNECTED": "connected",
    "CREATED": "pending",
    "RESUMED": "pending",
    "PENDING": "pending",
    "DELAYED": "pending",
    "CHALLENGED": "needs_user",
    "DENIED": "needs_user",
    "PREVENTED": "needs_user",
    "LOCKED": "needs_user",
    "IMPEDED": "needs_user",
    "EXPIRED": "needs_user",
    "REJECTED": "needs_user",
    "DEGRADED": "needs_user",
    "IMPAIRED": "needs_user",
    "FAILED": "failed",
    "DISCONNECTED": "failed",
    "DISCONTINUED": "failed",
    "CLOSED": "failed",
    "DISABLED": "failed",
}


# Requests -------------------------------------------------------------------------------


class UserFields(TypedDict):
    """``user`` object of ``POST /users``."""

    id: str
    email: str
    metadata: str  # MX stores metadata as an opaque string


class UserRequest(TypedDict):
    """Body of ``POST /users``."""

    user: UserFields


class WidgetUrlFields(TypedDict):
    """``widget_url`` object of ``POST /users/{user_guid}/widget_urls`` (the subset we send)."""

    widget_type: str
    mode: str
    ui_message_version: int
    include_transactions: bool
    disable_background_agg: bool
    current_member_guid: NotRequired[str]


class WidgetUrlRequest(TypedDict):
    """Body of ``POST /users/{user_guid}/widget_urls``."""

    widget_url: WidgetUrlFields


class Pagination(TypedDict):
    """``pagination`` object next to every MX list."""

    current_page: int
    per_page: int
    total_entries: int
    total_pages: int


@dataclass(frozen=True)
class ConnectedAccount:
    """A deposit account the user connected through MX Connect."""

    member_guid: str
    account_guid: str
    name: str
    type: str  # MX account type: CHECKING or SAVINGS


@dataclass(frozen=True)
class AccountNumbers:
    """The ACH numbers of one account."""

    account_guid: str
    account_number: str
    routing_number: str


def user_request(customer_id: str, email: str) -> UserRequest:
    """The ``POST /users`` body for a BankBridge customer."""
    metadata = json.dumps({"bankbridge_customer": customer_id}, separators=(",", ":"))
    return {"user": {"id": customer_id, "email": email, "metadata": metadata}}


def widget_url_request(current_member_guid: str | None = None) -> WidgetUrlRequest:
    """The ``POST widget_urls`` body: Connect in verification mode (account + routing numbers)."""
    fields: WidgetUrlFields = {
        "widget_type": "connect_widget",
        "mode": "verification",
        "ui_message_version": 4,
        "include_transactions": False,
        "disable_background_agg": True,
    }
    if current_member_guid:
        fields["current_member_guid"] = current_member_guid
    return {"widget_url": fields}


# Responses ------------------------------------------------------------------------------


def member_state(connection_status: object) -> MemberState:
    """What an MX ``connection_status`` means for us; unknown values are ``pending``."""
    if not isinstance(connection_status, str):
        return "pending"
    return CONNECTION_STATES.get(connection_status.upper(), "pending")


def read_users(payload: object) -> list[dict[str, Any]]:
    """The ``users`` list of ``GET /users``."""
    return _objects(payload, "users")


def read_user_guid(user: object) -> str:
    """The ``guid`` of one user object."""
    return _string(_object(user, "user"), "guid")


def read_widget_url(payload: object) -> str:
    """The ``widget_url.url`` of ``POST widget_urls``; it must be an absolute http(s) URL."""
    url = _string(_object(_object(payload, "response").get("widget_url"), "widget_url"), "url")
    if not url.startswith(("https://", "http://")):
        raise ValueError("widget_url.url is not an http(s) URL")
    return url


def read_pagination(payload: object) -> Pagination:
    """The ``pagination`` object of a list answer (a single page when absent)."""
    body = _object(payload, "response")
    raw = body.get("pagination")
    if raw is None:
        return {"current_page": 1, "per_page": 0, "total_entries": 0, "total_pages": 1}
    page = _object(raw, "pagination")
    values = {key: page.get(key) for key in Pagination.__annotations__}
    for key, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"pagination.{key} is not an integer")
    return {
        "current_page": page["current_page"],
        "per_page": page["per_page"],
        "total_entries": page["total_entries"],
        "total_pages": page["total_pages"],
    }


def read_members(payload: object) -> list[tuple[str, MemberState]]:
    """``(member_guid, state)`` for each member of a ``members`` list."""
    return [
        (_string(member, "guid"), member_state(member.get("connection_status")))
        for member in _objects(payload, "members")
    ]


def read_accounts(payload: object, member_guid: str) -> list[ConnectedAccount]:
    """The open checking and savings accounts of an ``accounts`` list."""
    found = []
    for account in _objects(payload, "accounts"):
        kind = account.get("type")
        if not isinstance(kind, str) or kind.upper() not in DEPOSIT_ACCOUNT_TYPES:
            continue
        if account.get("is_closed") is True:
            continue
        name = account.get("name")
        found.append(
            ConnectedAccount(
                member_guid=member_guid,
                account_guid=_string(account, "guid"),
                name=name if isinstance(name, str) else "",
                type=kind.upper(),
            )
        )
    return found


# Member statuses after which MX never aggregates the member again.
REVOKED_STATUSES = frozenset({"CLOSED", "DISABLED", "DISCONTINUED"})
# Statuses for which MX sends CONNECTION_STATUS webhooks: the end user must act.
ACTIONABLE_STATUSES = frozenset(
    {"CHALLENGED", "DENIED", "EXPIRED", "IMPAIRED", "IMPEDED", "LOCKED", "PREVENTED", "REJECTED"}
)


def webhook_change(document: dict[str, Any]) -> str:
    """What an MX member or connection-status webhook means for the exchange."""
    kind, action = document.get("type"), document.get("action")
    status = str(document.get("connection_status") or "").upper()
    if kind == "MEMBER" and action == "DELETED":
        return "revoked"
    if kind not in ("MEMBER", "CONNECTION_STATUS"):
        return "none"
    if status in REVOKED_STATUSES:
        return "revoked"
    if status in ACTIONABLE_STATUSES:
        return "reauth_required"
    if status == "CONNECTED" and not document.get("needs_updated_credentials"):
        return "repaired"
    return "none"


def read_account_balance(payload: object) -> BankBalance:
    """The balances of a ``{"account": {...}}`` answer (read account).

    ``available_balance`` may be null where the institution reports none; MX's ``balance``
    (the ledger balance) stands in for it then.
    """
    account = _object(_object(payload, "response").get("account"), "account")
    balance = account.get("balance")
    available = account.get("available_balance")
    return BankBalance(
        available=format_amount(balance if available is None else available),
        closing=format_amount(balance),
        currency=str(account.get("currency_code") or "USD"),
    )


def read_account_numbers(payload: object) -> list[AccountNumbers]:
    """Every entry of an ``account_numbers`` list that carries both numbers."""
    found = []
    for entry in _objects(payload, "account_numbers"):
        number, routing = entry.get("account_number"), entry.get("routing_number")
        if not (isinstance(number, str) and number and isinstance(routing, str) and routing):
            continue
        found.append(AccountNumbers(_string(entry, "account_guid"), number, routing))
    return found


def aba_checksum_ok(routing_number: str) -> bool:
    """True for a 9-digit ABA routing number whose check digit is right (3-7-1 weights)."""
    if len(routing_number) != 9 or not routing_number.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(routing_number, weights, strict=True)) % 10 == 0


# Private helpers ------------------------------------------------------------------------


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a JSON object")
    return value


def _objects(payload: object, root: str) -> list[dict[str, Any]]:
    items = _object(payload, "response").get(root)
    if not isinstance(items, list):
        raise ValueError(f"{root} is not a list")
    return [_object(item, root) for item in items]


def _string(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} is missing or not a string")
    return value
