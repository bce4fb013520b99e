"""The MX emulator's state: id prefixes, record kinds, and the sandbox bank "MX Bank".

Both halves of the emulator use this: the Platform API (``api.py``) reads and deletes users,
members and accounts; the hosted Connect page (``pages.py``) creates members and their
accounts. Every record is a JSON document in one account's ``EmulatorContext.records_for``
store, kept in the exact shape the API shows (minus the keys in ``INTERNAL_KEYS``).

MX Bank answers as MX documents its test institution ``mxbank``: username ``mxuser``;
passwords pick the outcome (case sensitive): ``challenge``, ``options`` and ``image`` ask an
MFA question of type TEXT, OPTIONS and IMAGE (answer ``correct``; any other answer is
REJECTED; an error password below as the answer gives that error); ``UNAUTHORIZED``,
``INVALID`` and ``DISABLED`` are DENIED, ``LOCKED`` is LOCKED, ``BAD_REQUEST``,
``SERVER_ERROR`` and ``UNAVAILABLE`` are FAILED; any other password connects. Any other
username is DENIED (MX does not document that case).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bankbridge.partners.kit.ids import iso_timestamp  # MX: 2024-03-25T17:13:38Z
from bankbridge.store.base import EmulatorRecords

__all__ = [
    "ACCOUNT",
    "ACCOUNT_NUMBER",
    "ACCOUNT_NUMBER_PREFIX",
    "ACCOUNT_PREFIX",
    "ALL_USERS",
    "CHALLENGE_PREFIX",
    "INSTITUTION",
    "MEMBER",
    "MEMBER_PREFIX",
    "MFA_ANSWER",
    "MX_BANK_USERNAME",
    "ROUTING_NUMBER",
    "SESSION_PREFIX",
    "STATUS_MESSAGES",
    "USER",
    "USER_BY_ID",
    "USER_PREFIX",
    "WIDGET",
    "WIDGET_MEMORY",
    "WIDGET_SEEN",
    "WIDGET_URL_TTL",
    "Attempt",
    "answer_challenge",
    "challenge_of",
    "delete_member",
    "ensure_accounts",
    "new_guid",
    "public",
    "save_member",
    "search_institutions",
    "sign_in",
]

# Identifier prefixes, as MX shapes them.
USER_PREFIX = "USR-"
MEMBER_PREFIX = "MBR-"
ACCOUNT_PREFIX = "ACT-"
ACCOUNT_NUMBER_PREFIX = "ACN-"
CHALLENGE_PREFIX = "CRD-"
SESSION_PREFIX = "CSN-"  # Connect session guid in widget events (real format unconfirmed)

WIDGET_URL_TTL = timedelta(minutes=10)  # MX: single use, expires ten minutes after creation
WIDGET_MEMORY = timedelta(days=1)  # how long a spent/expired URL still gets a 410, not a 404

# The sandbox institution, as the widget's events and the member records name it.
INSTITUTION = {
    "code": "mxbank",
    "guid": f"INS-{uuid.uuid5(uuid.NAMESPACE_DNS, 'mxbank.int-api.mx.com')}",
    "name": "MX Bank",
    "url": "https://www.mxbank.com",
}
ROUTING_NUMBER = "091000019"  # a real-looking ABA number with a valid check digit
SANDBOX_ACCOUNTS = (  # (name, type, balance) of every connected MX Bank member
    ("MX Bank Checking", "CHECKING", 1000.0),
    ("MX Bank Savings", "SAVINGS", 5000.0),
)

# MX Bank's documented test credentials.
MX_BANK_USERNAME = "mxuser"
MFA_ANSWER = "correct"
CHALLENGE_PASSWORDS = {"challenge": "TEXT", "options": "OPTIONS", "image": "IMAGE"}
ERROR_PASSWORDS = {
    "UNAUTHORIZED": "DENIED",
    "INVALID": "DENIED",
    "DISABLED": "DENIED",
    "LOCKED": "LOCKED",
    "BAD_REQUEST": "FAILED",
    "SERVER_ERROR": "FAILED",
    "UNAVAILABLE": "FAILED",
}
# connection_status_message per status (MX's end-user messages, institution named).
STATUS_MESSAGES = {
    "CONNECTED": "Connected to MX Bank.",
    "CHALLENGED": (
        "To authenticate your connection to MX Bank, please answer the following challenge(s)."
    ),
    "DENIED": (
        "The credentials entered do not match your credentials at this institution. "
        "Please re-enter your credentials to continue importing data."
    ),
    "REJECTED": "The answer or answers provided were incorrect. Please try again.",
    "LOCKED": (
        "Your account is locked. Please log in to the appropriate website for MX Bank "
        "and follow the steps to resolve the issue."
    ),
    "FAILED": (
        "There was a problem validating your credentials with MX Bank. Please try again later."
    ),
}
_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60">'
    '<rect width="240" height="60" fill="#eef2fb"/>'
    '<text x="120" y="38" font-family="serif" font-size="26" text-anchor="middle" '
    'fill="#2c64e3" transform="rotate(-3 120 30)">c o r r e c t</text></svg>'
)
# The question of each MFA type, in the shape of MX's member status ``challenges``.
CHALLENGES: dict[str, dict[str, Any]] = {
    "TEXT": {"label": "What city were you born in?", "type": "TEXT"},
    "OPTIONS": {
        "label": "Which option is correct?",
        "type": "OPTIONS",
        "options": [
            {"label": "correct", "value": "correct"},
            {"label": "incorrect", "value": "incorrect"},
        ],
    },
    "IMAGE": {
        "label": "Type the word shown in the image.",
        "type": "IMAGE",
        "image_data": "data:image/svg+xml;base64," + base64.b64encode(_IMAGE.encode()).decode(),
    },
}

# Record kinds in one account's store.
USER = "user"  # parent: ALL_USERS
USER_BY_ID = "user_by_id"  # index: the partner's user id -> {"guid"}
MEMBER = "member"  # parent: user guid
ACCOUNT = "account"  # parent: member guid
ACCOUNT_NUMBER = "account_number"  # parent: member guid
WIDGET = "widget"  # live widget URL token: the Connect session (expires with the URL)
WIDGET_SEEN = "widget_seen"  # remembers issued tokens a little longer, for 410 pages
ALL_USERS = "all"

INTERNAL_KEYS = frozenset({"challenge_guid", "challenge_type"})


@dataclass(frozen=True)
class Attempt:
    """How MX Bank answers a sign-in: a connection status, and the MFA type when CHALLENGED."""

    status: str
    challenge: str | None = None


def sign_in(username: str, password: str) -> Attempt:
    """MX Bank's answer to ``username``/``password`` (MX's test credential table)."""
    if username != MX_BANK_USERNAME or not password:
        return Attempt("DENIED")
    if password in CHALLENGE_PASSWORDS:
        return Attempt("CHALLENGED", CHALLENGE_PASSWORDS[password])
    return Attempt(ERROR_PASSWORDS.get(password, "CONNECTED"))


def answer_challenge(answer: str) -> str:
    """The status after an MFA answer: ``correct`` connects, an error password gives its
    error, anything else is REJECTED (MX: "An MFA challenge was answered incorrectly")."""
    answer = answer.strip()
    if answer in ERROR_PASSWORDS:
        return ERROR_PASSWORDS[answer]
    return "CONNECTED" if answer.lower() == MFA_ANSWER else "REJECTED"


def challenge_of(member: dict[str, Any]) -> dict[str, Any] | None:
    """The pending MFA question of a CHALLENGED member, as MX's status ``challenges`` item."""
    if member.get("connection_status") != "CHALLENGED" or not member.get("challenge_guid"):
        return None
    kind = member.get("challenge_type") or "TEXT"
    return {"guid": member["challenge_guid"], "field_name": None, **CHALLENGES[kind]}


def search_institutions(query: str) -> bool:
    """Whether MX Bank, the only sandbox institution, matches a search for ``query``."""
    wanted = query.strip().lower()
    haystack = f"{INSTITUTION['name']} {INSTITUTION['code']}".lower()
    return not wanted or wanted in haystack


def new_guid(prefix: str) -> str:
    """A fresh MX-style guid: prefix plus a UUID."""
    return f"{prefix}{uuid.uuid4()}"


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the API shows it (internal keys removed)."""
    return {k: v for k, v in record.items() if k not in INTERNAL_KEYS}


async def save_member(
    records: EmulatorRecords,
    widget: dict[str, Any],
    user: dict[str, Any],
    status: str,
    now: datetime,
    challenge: str | None = None,
) -> dict[str, Any]:
    """Create or update the widget's member (the re-auth member when there is one);
    ``challenge`` is the MFA type (TEXT, OPTIONS, IMAGE) of a CHALLENGED member."""
    guid = widget.get("member_guid")
    member = await records.get(MEMBER, guid) if guid else None
    stamp = iso_timestamp(now)
    if member is None:
        member = {
            "guid": guid or new_guid(MEMBER_PREFIX),
            "user_guid": user["guid"],
            "user_id": user.get("id"),
            "id": None,
            "institution_code": INSTITUTION["code"],
            "institution_guid": INSTITUTION["guid"],
            "name": INSTITUTION["name"],
            "is_being_aggregated": False,
            "is_oauth": False,
            "is_manual": False,
            "is_managed_by_user": True,
            "needs_updated_credentials": False,
            "oauth_window_uri": None,
            "aggregated_at": None,
            "successfully_aggregated_at": None,
            "background_aggregation_is_disabled": widget["mode"] == "verification",
            "metadata": None,
            "most_recent_job_detail_code": None,
            "use_cases": ["MONEY_MOVEMENT"],
        }
    member["connection_status"] = status
    member["connection_status_message"] = STATUS_MESSAGES[status]
    challenged = status == "CHALLENGED"
    member["challenge_guid"] = new_guid(CHALLENGE_PREFIX) if challenged else None
    member["challenge_type"] = (challenge or "TEXT") if challenged else None
    member["aggregated_at"] = stamp
    if status == "CONNECTED":
        member["successfully_aggregated_at"] = stamp
        member["needs_updated_credentials"] = False
    await records.put(MEMBER, member["guid"], member, parent=user["guid"])
    return member


async def ensure_accounts(
    records: EmulatorRecords, member: dict[str, Any], now: datetime
) -> list[dict[str, Any]]:
    """The member's accounts, created with their numbers on first connection."""
    existing = await records.list(ACCOUNT, member["guid"])
    if existing:
        return existing
    stamp = iso_timestamp(now)
    created = []
    for name, kind, balance in SANDBOX_ACCOUNTS:
        number = _account_number()
        account = {
            "guid": new_guid(ACCOUNT_PREFIX),
            "member_guid": member["guid"],
            "user_guid": member["user_guid"],
            "user_id": member["user_id"],
            "id": secrets.token_hex(8),
            "name": name,
            "type": kind,
            "subtype": "NONE",
            "account_number": number[-4:],  # the account object shows the last four digits
            "balance": balance,
            "available_balance": balance,
            "currency_code": "USD",
            "institution_code": INSTITUTION["code"],
            "is_closed": False,
            "is_hidden": False,
            "is_manual": False,
            "metadata": None,
            "created_at": stamp,
            "updated_at": stamp,
        }
        numbers = {
            "guid": new_guid(ACCOUNT_NUMBER_PREFIX),
            "account_guid": account["guid"],
            "member_guid": member["guid"],
            "user_guid": member["user_guid"],
            "account_number": number,
            "routing_number": ROUTING_NUMBER,
            "passed_validation": True,
            "institution_number": None,
            "transit_number": None,
            "sequence_number": None,
            "loan_guarantor": None,
            "loan_reference_number": None,
        }
        await records.put(ACCOUNT, account["guid"], account, parent=member["guid"])
        await records.put(ACCOUNT_NUMBER, numbers["guid"], numbers, parent=member["guid"])
        created.append(account)
    return created


async def delete_member(records: EmulatorRecords, member: dict[str, Any]) -> None:
    """Remove a member with its accounts and account numbers."""
    for number in await records.list(ACCOUNT_NUMBER, member["guid"]):
        await records.delete(ACCOUNT_NUMBER, number["guid"])
    for account in await records.list(ACCOUNT, member["guid"]):
        await records.delete(ACCOUNT, account["guid"])
    await records.delete(MEMBER, member["guid"])


def _account_number() -> str:
    """A random 10 to 12 digit account number (no leading zero)."""
    length = 10 + secrets.randbelow(3)
    first = str(1 + secrets.randbelow(9))
    return first + "".join(str(secrets.randbelow(10)) for _ in range(length - 1))
