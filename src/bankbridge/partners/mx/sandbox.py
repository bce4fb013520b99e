"""The MX emulator's state: id prefixes, record kinds, and the sandbox bank "MX Bank".

Both halves of the emulator use this: the Platform API (``emulator.py``) reads and deletes
users, members and accounts; the hosted Connect page (``connect.py``) creates members and
their accounts. Every record is a JSON document in ``EmulatorContext.records``, stored in
the exact shape the API shows (minus the keys in ``INTERNAL_KEYS``).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from bankbridge.store.base import EmulatorRecords

__all__ = [
    "ACCOUNT",
    "ACCOUNT_NUMBER",
    "ACCOUNT_NUMBER_PREFIX",
    "ACCOUNT_PREFIX",
    "ALL_USERS",
    "CHALLENGE_PREFIX",
    "INSTITUTION_CODE",
    "INSTITUTION_NAME",
    "MEMBER",
    "MEMBER_PREFIX",
    "MFA_QUESTION",
    "ROUTING_NUMBER",
    "SESSION_PREFIX",
    "USER",
    "USER_BY_ID",
    "USER_PREFIX",
    "WIDGET",
    "WIDGET_MEMORY",
    "WIDGET_SEEN",
    "WIDGET_URL_TTL",
    "delete_member",
    "ensure_accounts",
    "new_guid",
    "public",
    "save_member",
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

# The sandbox institution.
INSTITUTION_CODE = "mxbank"
INSTITUTION_NAME = "MX Bank"
INSTITUTION_GUID = f"INS-{uuid.uuid5(uuid.NAMESPACE_DNS, 'mxbank.int-api.mx.com')}"
MFA_QUESTION = "What city were you born in?"  # the text challenge for password "challenge"
ROUTING_NUMBER = "091000019"  # a real-looking ABA number with a valid check digit
SANDBOX_ACCOUNTS = (  # (name, type, balance) of every connected MX Bank member
    ("MX Bank Checking", "CHECKING", 1000.0),
    ("MX Bank Savings", "SAVINGS", 5000.0),
)
STATUS_MESSAGES = {
    "CONNECTED": "Connected to MX Bank.",
    "CHALLENGED": "MX Bank needs more information to connect.",
    "DENIED": "The credentials you entered are incorrect.",
}

# Record kinds in the emulator's store.
USER = "user"  # parent: ALL_USERS
USER_BY_ID = "user_by_id"  # index: the partner's user id -> {"guid"}
MEMBER = "member"  # parent: user guid
ACCOUNT = "account"  # parent: member guid
ACCOUNT_NUMBER = "account_number"  # parent: member guid
WIDGET = "widget"  # live widget URL token (expires with the URL)
WIDGET_SEEN = "widget_seen"  # remembers issued tokens a little longer, for 410 pages
ALL_USERS = "all"

INTERNAL_KEYS = frozenset({"challenge_guid"})


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
) -> dict[str, Any]:
    """Create or update the widget's member (the re-auth member when there is one)."""
    guid = widget.get("member_guid")
    member = await records.get(MEMBER, guid) if guid else None
    stamp = _timestamp(now)
    if member is None:
        member = {
            "guid": guid or new_guid(MEMBER_PREFIX),
            "user_guid": user["guid"],
            "user_id": user.get("id"),
            "id": None,
            "institution_code": INSTITUTION_CODE,
            "institution_guid": INSTITUTION_GUID,
            "name": INSTITUTION_NAME,
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
    member["challenge_guid"] = new_guid(CHALLENGE_PREFIX) if status == "CHALLENGED" else None
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
    stamp = _timestamp(now)
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
            "institution_code": INSTITUTION_CODE,
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


def _timestamp(moment: datetime) -> str:
    """MX's timestamp format: ``2024-03-25T17:13:38Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _account_number() -> str:
    """A random 10 to 12 digit account number (no leading zero)."""
    length = 10 + secrets.randbelow(3)
    first = str(1 + secrets.randbelow(9))
    return first + "".join(str(secrets.randbelow(10)) for _ in range(length - 1))
