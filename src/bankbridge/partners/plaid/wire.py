"""Plaid's wire shapes (API version 2020-09-14) and their conversion to and from domain types.

Only the calls the broker makes are described: ``/link/token/create``, ``/link/token/get``
(which Link session handed out a public token), ``/item/public_token/exchange``,
``/auth/get``, ``/processor/auth/get``, ``/processor/token/create`` and the balance reads
(``/accounts/balance/get``, ``/processor/balance/get``). Field names are
Plaid's; see ``shared/reference/partners.md`` §1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from bankbridge.models import ProviderSession
from bankbridge.partners.base import BankBalance, format_amount

__all__ = [
    "ITEM_WEBHOOK_CODES",
    "PLAID_VERSION",
    "VERIFICATION_STATUSES",
    "AuthAccount",
    "LinkTokenCreateRequest",
    "account_balance",
    "account_status",
    "auth_accounts",
    "link_session_public_tokens",
    "link_token_request",
    "processor_auth_account",
    "provider_session",
    "redirect_fields",
]

PLAID_VERSION = "2020-09-14"
# The ITEM webhooks Plaid's /sandbox/item/fire_webhook fires (PENDING_EXPIRATION is
# BankBridge's addition; the emulator sends each of them, signed).
ITEM_WEBHOOK_CODES = (
    "ERROR",
    "PENDING_EXPIRATION",
    "PENDING_DISCONNECT",
    "USER_PERMISSION_REVOKED",
    "USER_ACCOUNT_REVOKED",
    "LOGIN_REPAIRED",
    "NEW_ACCOUNTS_AVAILABLE",
)
CLIENT_NAME = "BankBridge"
LANGUAGE = "en"
COUNTRY_CODES = ["US"]
PRODUCTS = ["auth"]
ACCOUNT_SUBTYPES = ["checking", "savings"]

# Plaid ``verification_status`` -> our funding-source status. Instant Auth accounts carry no
# verification_status (None): their numbers were read from the bank after a login. Anything
# not listed (a status Plaid adds later, Database Auth results) is "pending", never "verified".
VERIFICATION_STATUSES: dict[str | None, str] = {
    None: "verified",
    "automatically_verified": "verified",
    "manually_verified": "verified",
    "pending_automatic_verification": "pending",
    "pending_manual_verification": "pending",
    "unsent": "pending",
    "verification_expired": "failed",
    "verification_failed": "failed",
}


class LinkTokenUser(TypedDict):
    """``user`` of ``/link/token/create``: the end user, by our customer id."""

    client_user_id: str


class LinkTokenCreateRequest(TypedDict):
    """The ``/link/token/create`` body the broker sends (credentials go in headers)."""

    client_name: str
    language: str
    country_codes: list[str]
    user: LinkTokenUser
    products: NotRequired[list[str]]
    account_filters: NotRequired[dict[str, Any]]
    access_token: NotRequired[str]
    redirect_uri: NotRequired[str]
    android_package_name: NotRequired[str]
    webhook: NotRequired[str]


@dataclass(frozen=True)
class AuthAccount:
    """One depository account with the ACH numbers needed to create a funding source."""

    account_id: str
    name: str
    mask: str | None
    subtype: str | None
    account_number: str
    routing: str
    wire_routing: str | None = None
    status: str = "pending"  # ours, from VERIFICATION_STATUSES
    institution_name: str | None = None  # from the Item; /processor/auth/get does not say


def redirect_fields(redirect_url: str | None) -> dict[str, str]:
    """Where Link returns: a web/iOS URL is a ``redirect_uri``, a bare app id an Android package."""
    if not redirect_url:
        return {}
    if "://" in redirect_url:
        return {"redirect_uri": redirect_url}
    return {"android_package_name": redirect_url}


def link_token_request(
    client_user_id: str,
    redirect_url: str | None,
    access_token: str | None = None,
    webhook: str | None = None,
) -> LinkTokenCreateRequest:
    """The ``/link/token/create`` body: Auth for checking/savings, or update mode for an Item.

    ``webhook`` becomes the Item's webhook URL: Plaid's ITEM webhooks go there.
    """
    body: LinkTokenCreateRequest = {
        "client_name": CLIENT_NAME,
        "language": LANGUAGE,
        "country_codes": list(COUNTRY_CODES),
        "user": {"client_user_id": client_user_id},
    }
    if webhook:
        body["webhook"] = webhook
    if access_token is None:
        body["products"] = list(PRODUCTS)
        body["account_filters"] = {"depository": {"account_subtypes": list(ACCOUNT_SUBTYPES)}}
    else:
        body["access_token"] = access_token  # update mode: Plaid rejects products here
    fields = redirect_fields(redirect_url)
    if "redirect_uri" in fields:
        body["redirect_uri"] = fields["redirect_uri"]
    if "android_package_name" in fields:
        body["android_package_name"] = fields["android_package_name"]
    return body


def provider_session(response: dict[str, Any]) -> ProviderSession:
    """A ``/link/token/create`` response as the session the platform gets (the link token)."""
    token = _string(response, "link_token")
    expiration = datetime.fromisoformat(_string(response, "expiration"))
    return ProviderSession(token=token, external_ref=token, expires_at=expiration)


def account_balance(account: dict[str, Any]) -> BankBalance:
    """An AccountBase's ``balances`` as a bank balance.

    Plaid leaves ``available`` null where the bank reports none; Plaid's docs say to use
    ``current`` then, so that is what ``available`` shows.
    """
    balances = account["balances"]
    current = balances["current"]
    available = balances.get("available")
    currency = balances.get("iso_currency_code") or "USD"
    return BankBalance(
        available=format_amount(current if available is None else available),
        closing=format_amount(current),
        currency=str(currency),
    )


def account_status(verification_status: object) -> str:
    """Our status for a Plaid account ``verification_status``; unknown means pending."""
    if verification_status is not None and not isinstance(verification_status, str):
        return "pending"
    return VERIFICATION_STATUSES.get(verification_status, "pending")


def auth_accounts(response: dict[str, Any]) -> list[AuthAccount]:
    """The depository accounts of an ``/auth/get`` response that have ACH numbers."""
    ach = {entry["account_id"]: entry for entry in response["numbers"]["ach"]}
    institution = (response.get("item") or {}).get("institution_name")
    result = []
    for account in response["accounts"]:
        numbers = ach.get(account["account_id"])
        if account.get("type") == "depository" and numbers is not None:
            result.append(_auth_account(account, numbers, institution))
    return result


def link_session_public_tokens(response: dict[str, Any]) -> set[str]:
    """The public tokens a ``/link/token/get`` response's Link sessions handed out.

    ``results.item_add_results`` is Plaid's current field, ``on_success`` the older one.
    """
    tokens: set[str] = set()
    sessions = response.get("link_sessions")
    for session in sessions if isinstance(sessions, list) else []:
        if not isinstance(session, dict):
            continue
        results = session.get("results")
        added = results.get("item_add_results") if isinstance(results, dict) else None
        for result in added if isinstance(added, list) else []:
            if isinstance(result, dict) and isinstance(result.get("public_token"), str):
                tokens.add(result["public_token"])
        success = session.get("on_success")
        if isinstance(success, dict) and isinstance(success.get("public_token"), str):
            tokens.add(success["public_token"])
    return tokens


def processor_auth_account(response: dict[str, Any]) -> AuthAccount:
    """The one account of a ``/processor/auth/get`` response (``numbers.ach`` is an object)."""
    numbers = response["numbers"].get("ach")
    if not isinstance(numbers, dict):
        raise ValueError("processor auth response has no ACH numbers")
    return _auth_account(response["account"], numbers)


def _auth_account(
    account: dict[str, Any], numbers: dict[str, Any], institution: object = None
) -> AuthAccount:
    return AuthAccount(
        account_id=_string(account, "account_id"),
        name=_string(account, "name"),
        mask=account.get("mask"),
        subtype=account.get("subtype"),
        account_number=_string(numbers, "account"),
        routing=_string(numbers, "routing"),
        wire_routing=numbers.get("wire_routing"),
        status=account_status(account.get("verification_status")),
        institution_name=institution if isinstance(institution, str) else None,
    )


def _string(document: dict[str, Any], key: str) -> str:
    value = document[key]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} is not a non-empty string")
    return value
