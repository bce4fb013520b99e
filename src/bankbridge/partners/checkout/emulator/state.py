"""The Checkout.com emulator's state: payment sessions, card tokens, payments and card sources.

Records live under their owner (the account whose secret key made the session); the
capability index maps a payment session id to that owner, so the hosted pages, which hold
only the id, find the right state. Transitions:

- a payment session is *Active* while its ``OPEN_SESSION`` record lives; the first approved
  payment takes that record (so a session is completed at most once) and the session becomes
  *Completed*; otherwise it becomes *Expired* at ``expires_on``;
- a card token (``tok_…``) is made from a typed card and lasts 15 minutes; a payment takes it
  (single use);
- a payment is approved or declined as ``cards.outcome`` says; approved payments give the
  card a reusable ``src_…`` source per (customer, card).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.checkout.cards import CARDS, Outcome, TestCard
from bankbridge.partners.kit.ids import ALPHANUMERIC, BASE32, random_chars
from bankbridge.partners.kit.tenancy import granted, owner_of
from bankbridge.store.base import EmulatorRecords, NewRecord

__all__ = [
    "Body",
    "CardEntry",
    "FoundSession",
    "create_card_token",
    "create_payment",
    "find_session",
    "new_session",
    "parse_time",
    "session_state",
    "store_session",
    "take_card_token",
    "take_open_session",
    "timestamp",
]

SESSION_ID_PREFIX = "ps_"
SESSION_SECRET_PREFIX = "pss_"
PAYMENT_ID_PREFIX = "pay_"
SOURCE_ID_PREFIX = "src_"
CUSTOMER_ID_PREFIX = "cus_"
ACTION_ID_PREFIX = "act_"
TOKEN_PREFIX = "tok_"

SESSION_TTL = timedelta(hours=1)
PAYMENT_TTL = timedelta(days=30)
TOKEN_TTL = timedelta(minutes=15)  # Checkout's card tokens expire after 15 minutes
EXPIRED_GRACE = timedelta(days=1)  # keep expired sessions to say "expired", not "unknown"

# Record kinds in an owner's store.
PAYMENT_SESSION = "payment_session"
OPEN_SESSION = "open_payment_session"  # taken once, by the session's approved payment
PAYMENT = "payment"
CARD_SOURCE = "card_source"  # (customer, card fingerprint) -> the reusable src_ id
CARD_TOKEN = "card_token"


Body = dict[str, Any]


@dataclass(frozen=True)
class FoundSession:
    """A payment session with its owner and the owner's records."""

    owner: str
    records: EmulatorRecords
    session: Body


@dataclass(frozen=True)
class CardEntry:
    """A card the customer typed that is one of the test cards (checked by ``card_entry``)."""

    card: TestCard
    expiry_month: int
    expiry_year: int
    name: str


def new_session(context: EmulatorContext, body: Body) -> Body:
    """A payment session for a valid ``POST /payment-sessions`` body (not yet stored)."""
    now = context.now()
    session_id = SESSION_ID_PREFIX + random_chars(ALPHANUMERIC, 27)
    expires_on = parse_time(body["expires_on"]) if "expires_on" in body else now + SESSION_TTL
    customer_in = body.get("customer") or {}
    customer = {
        "id": customer_in.get("id") or CUSTOMER_ID_PREFIX + random_chars(BASE32, 26),
        "email": customer_in.get("email"),
        "name": customer_in.get("name"),
    }
    session: Body = {
        "id": session_id,
        "payment_session_secret": f"{SESSION_SECRET_PREFIX}{uuid.uuid4()}",
        "amount": body["amount"],
        "currency": body["currency"].upper(),
        "billing": body["billing"],
        "customer": {k: v for k, v in customer.items() if v is not None},
        "reference": body.get("reference"),
        "description": body.get("description"),
        "success_url": body["success_url"],
        "failure_url": body["failure_url"],
        "payment_type": body.get("payment_type", "Regular"),
        "enabled_payment_methods": body.get("enabled_payment_methods") or ["card"],
        "locale": body.get("locale") or "en-GB",
        "metadata": body.get("metadata") or {},
        "created_on": timestamp(now),
        "expires_on": timestamp(expires_on),
    }
    token = {
        "id": session_id,
        "amount": session["amount"],
        "currency": session["currency"],
        "locale": session["locale"],
        "payment_type": session["payment_type"],
        "payment_methods": [{"type": kind} for kind in session["enabled_payment_methods"]],
        "environment": "sandbox",
        "flow_url": f"{context.base_url}/flow/{session_id}",
        "expires_on": session["expires_on"],
    }
    encoded = base64.b64encode(json.dumps(token, separators=(",", ":")).encode())
    session["payment_session_token"] = encoded.decode("ascii")
    return session


async def store_session(context: EmulatorContext, owner: str, session: Body) -> None:
    """Keep ``session`` under ``owner``, payable until it expires, findable by its id."""
    expires_on = parse_time(session["expires_on"])
    keep_until = expires_on + EXPIRED_GRACE
    await context.records_for(owner).put_all(
        [
            NewRecord(PAYMENT_SESSION, session["id"], session, expires_at=keep_until),
            NewRecord(OPEN_SESSION, session["id"], {"id": session["id"]}, expires_at=expires_on),
        ],
        # The hosted pages have only the session id: let them find whose state the id opens.
        also=[granted(context.index, session["id"], owner, keep_until)],
    )


async def find_session(context: EmulatorContext, session_id: str) -> FoundSession | None:
    """The session behind a payment session id (the hosted pages' capability), if any."""
    owner = await owner_of(context.index, session_id)
    if owner is None:
        return None
    records = context.records_for(owner)
    session = await records.get(PAYMENT_SESSION, session_id)
    return FoundSession(owner, records, session) if session is not None else None


async def session_state(context: EmulatorContext, records: EmulatorRecords, session: Body) -> str:
    """``Active`` (payable), ``Completed`` (has an approved payment) or ``Expired``."""
    if session.get("payment_id"):
        return "Completed"
    if context.now() >= parse_time(session["expires_on"]):
        return "Expired"
    if await records.get(OPEN_SESSION, session["id"]) is not None:
        return "Active"
    return "Expired"


async def take_open_session(records: EmulatorRecords, session_id: str) -> bool:
    """Claim the session for an approved payment; False when it is no longer payable."""
    return await records.take(OPEN_SESSION, session_id) is not None


async def create_card_token(
    context: EmulatorContext, found: FoundSession, entry: CardEntry
) -> Body:
    """Tokenize a typed card for one session: Checkout's card token response.

    The token record keeps the card's keyed fingerprint, never its number.
    """
    now = context.now()
    expires_on = now + TOKEN_TTL
    token = TOKEN_PREFIX + random_chars(BASE32, 26)
    card = entry.card
    await found.records.put(
        CARD_TOKEN,
        token,
        {
            "session_id": found.session["id"],
            "fingerprint": _fingerprint(context, found.owner, card.number),
            "expiry_month": entry.expiry_month,
            "expiry_year": entry.expiry_year,
            "name": entry.name,
        },
        expires_at=expires_on,
    )
    return {
        "type": "card",
        "token": token,
        "expires_on": timestamp(expires_on),
        "expiry_month": entry.expiry_month,
        "expiry_year": entry.expiry_year,
        "scheme": card.scheme.upper(),
        "last4": card.number[-4:],
        "bin": card.number[:6],
        "card_type": card.card_type,
        "card_category": card.card_category,
        "issuer": card.issuer,
        "issuer_country": card.issuer_country,
        "name": entry.name,
    }


async def take_card_token(
    context: EmulatorContext, found: FoundSession, token: str
) -> CardEntry | None:
    """The card behind a live token of this session, spent; None when unknown or used."""
    record = await found.records.take(CARD_TOKEN, token)
    if record is None or record["session_id"] != found.session["id"]:
        return None
    fingerprint = record["fingerprint"]
    matches = (
        c for c in CARDS.values() if _fingerprint(context, found.owner, c.number) == fingerprint
    )
    card = next(matches, None)
    if card is None:
        return None
    return CardEntry(card, record["expiry_month"], record["expiry_year"], record["name"])


async def create_payment(
    context: EmulatorContext, found: FoundSession, entry: CardEntry, outcome: Outcome
) -> Body:
    """Record the payment of a session with a test card, approved or declined, and return it.

    For an approved outcome the caller has already claimed the session (``take_open_session``).
    """
    records, session, card = found.records, found.session, entry.card
    now = context.now()
    payment_id = PAYMENT_ID_PREFIX + random_chars(BASE32, 26)
    customer = session["customer"]
    fingerprint = _fingerprint(context, found.owner, card.number)
    source_key = f"{customer['id']}:{fingerprint}"
    source = await records.get(CARD_SOURCE, source_key)
    source_id = source["id"] if source else SOURCE_ID_PREFIX + random_chars(BASE32, 26)
    if outcome.approved:
        status = "Card Verified" if session["amount"] == 0 else "Authorized"
        await records.put(CARD_SOURCE, source_key, {"id": source_id})
    else:
        status = "Declined"
    href = f"{context.base_url}/payments/{payment_id}"
    payment: Body = {
        "id": payment_id,
        "action_id": ACTION_ID_PREFIX + random_chars(BASE32, 26),
        "requested_on": timestamp(now),
        "amount": session["amount"],
        "currency": session["currency"],
        "payment_type": session["payment_type"],
        "reference": session.get("reference"),
        "status": status,
        "approved": outcome.approved,
        "response_code": outcome.response_code,
        "response_summary": outcome.response_summary,
        "payment_session_id": session["id"],
        "risk": {"flagged": False},
        "source": {
            "type": "card",
            "id": source_id,
            "billing_address": session["billing"].get("address", {}),
            "expiry_month": entry.expiry_month,
            "expiry_year": entry.expiry_year,
            "name": entry.name,
            "scheme": card.scheme,
            "last4": card.number[-4:],
            "fingerprint": fingerprint,
            "bin": card.number[:6],
            "card_type": card.card_type,
            "card_category": card.card_category,
            "issuer": card.issuer,
            "issuer_country": card.issuer_country,
            "cvv_check": "Y",
        },
        "customer": customer,
        "scheme_id": random_chars("0123456789", 15),
        "metadata": session.get("metadata") or {},
        "_links": {"self": {"href": href}, "actions": {"href": f"{href}/actions"}},
    }
    await records.put(
        PAYMENT, payment_id, payment, parent=session["id"], expires_at=now + PAYMENT_TTL
    )
    if outcome.approved:
        completed = {**session, "payment_id": payment_id}
        keep_until = parse_time(session["expires_on"]) + EXPIRED_GRACE
        await records.put(PAYMENT_SESSION, session["id"], completed, expires_at=keep_until)
    return payment


def timestamp(when: datetime) -> str:
    """Checkout's timestamp form: UTC with microseconds and a ``Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    """An ISO-8601 timestamp with a time zone (``ValueError`` otherwise)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("timestamp without a time zone")
    return parsed


def _fingerprint(context: EmulatorContext, owner: str, number: str) -> str:
    # Keyed per merchant, as Checkout's fingerprints are: the same card, another owner, differs.
    return context.keys.digest("checkout-card", owner, number).upper()
