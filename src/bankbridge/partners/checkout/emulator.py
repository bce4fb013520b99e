"""The Checkout.com emulator: payment sessions, payments, OAuth tokens and a no-JavaScript Flow.

Emulated, under ``/sandbox/checkout`` (Checkout's API base path is ``/``):

- ``POST /payment-sessions``: secret key only (``Authorization: Bearer sk_…``); validates
  ``amount``, ``currency``, ``billing.address.country``, ``success_url``, ``failure_url`` and the
  types of the optional fields the broker may send; 201 with ``id`` (``ps_``),
  ``payment_session_secret`` (``pss_<uuid>``), ``payment_session_token`` (base64 JSON) and
  ``_links.self``. Sessions live one hour unless ``expires_on`` says otherwise.
- ``GET /payment-sessions/{id}``: the stored session (shape unconfirmed; the SDK has no reader).
- ``GET /payments/{id}``: a payment made on the Flow page, with its card ``source``; accepts the
  secret key or an OAuth access token. Payments live 30 days, as in Sandbox.
- ``POST /connect/token``: OAuth client credentials (form body or Basic auth) for the configured
  client id (any ``ack_…`` id when none is configured) and the secret; tokens last an hour.
- ``GET/POST /flow/{payment_session_id}`` (``flow_page.py``): Flow as an HTML card form.
- Errors as Checkout sends them: 401 with an empty body, 404 with an empty body, 422 with
  ``request_id``/``error_type``/``error_codes``; every response carries ``Cko-Request-Id`` and
  every response with a body ``Content-Type: application/json``.

Not emulated: the Flow JavaScript component and its callbacks (the page is a form; the result
page links to ``success_url``/``failure_url`` with ``?cko-payment-id=``), 3DS, APMs, captures,
refunds, voids, webhooks, ``Cko-Idempotency-Key``, ``/payment-sessions/{id}/submit`` and
``/payment-sessions/complete``, key scopes, processing channels, rate limits. Checkout's full
``error_codes`` vocabulary is not public; the codes here follow its ``<field>_<problem>`` form.
OAuth access tokens are opaque strings, not JWTs.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.checkout.cards import TestCard
from bankbridge.partners.kit.bodies import BodyError, parse_json_object, read_body
from bankbridge.partners.kit.tenancy import grant, owner_of
from bankbridge.store.base import EmulatorRecords, NewRecord

__all__ = ["build_emulator", "create_payment", "session_state"]

SESSION_ID_PREFIX = "ps_"
SESSION_SECRET_PREFIX = "pss_"
PAYMENT_ID_PREFIX = "pay_"
SOURCE_ID_PREFIX = "src_"
CUSTOMER_ID_PREFIX = "cus_"
ACTION_ID_PREFIX = "act_"
ACCESS_TOKEN_PREFIX = "cko_sbox_at_"
CLIENT_ID_PREFIX = "ack_"
SECRET_KEY_PREFIX = "sk_"

SESSION_TTL = timedelta(hours=1)
PAYMENT_TTL = timedelta(days=30)
ACCESS_TOKEN_TTL = timedelta(hours=1)
EXPIRED_GRACE = timedelta(days=1)  # keep expired sessions to say "expired", not "unknown"

# Record kinds in the emulator's store.
PAYMENT_SESSION = "payment_session"
OPEN_SESSION = "open_payment_session"  # taken once, by the session's approved payment
PAYMENT = "payment"
CARD_SOURCE = "card_source"  # (customer, card fingerprint) -> the reusable src_ id
ACCESS_TOKEN = "access_token"

REQUEST_ID_SCOPE_KEY = "bankbridge.cko_request_id"
PAYMENT_TYPES = frozenset(
    {"Regular", "Recurring", "MOTO", "Installment", "PayLater", "Unscheduled"}
)
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
ALPHANUMERIC = string.ascii_letters + string.digits
MAX_URL_LENGTH = 1024

Body = dict[str, Any]


def build_emulator(context: EmulatorContext) -> ASGIApp:
    """The Starlette app mounted at ``/sandbox/checkout``."""
    # Imported here: the page module builds on this one's sessions and payments.
    from bankbridge.partners.checkout.flow_page import flow_page

    async def create_session(request: Request) -> Response:
        try:
            raw = await read_body(request, context.settings.max_body_bytes)
        except BodyError:
            return _invalid(request, ["request_body_too_large"], status=413)
        owner = await _authorized(context, request, oauth=False)
        if owner is None:
            return _unauthorized()
        body = _json_object(raw)
        if body is None:
            return _invalid(request, ["request_body_malformed"])
        codes = _session_errors(body, context.now())
        if codes:
            return _invalid(request, codes)
        session = _new_session(context, body)
        expires_on = _parse_time(session["expires_on"])
        keep_until = expires_on + EXPIRED_GRACE
        await context.records_for(owner).put_all(
            [
                NewRecord(PAYMENT_SESSION, session["id"], session, expires_at=keep_until),
                NewRecord(
                    OPEN_SESSION, session["id"], {"id": session["id"]}, expires_at=expires_on
                ),
            ]
        )
        # The Flow page has only the session id: let it find whose state the id opens.
        await grant(context.index, session["id"], owner, keep_until)
        return JSONResponse(
            {
                "id": session["id"],
                "payment_session_secret": session["payment_session_secret"],
                "payment_session_token": session["payment_session_token"],
                "_links": {"self": {"href": _session_href(context, session["id"])}},
            },
            status_code=201,
        )

    async def get_session(request: Request) -> Response:
        owner = await _authorized(context, request, oauth=False)
        if owner is None:
            return _unauthorized()
        records = context.records_for(owner)
        session = await records.get(PAYMENT_SESSION, request.path_params["id"])
        if session is None:
            return _not_found()
        return JSONResponse(
            {
                "id": session["id"],
                "status": await session_state(context, records, session),
                "amount": session["amount"],
                "currency": session["currency"],
                "reference": session.get("reference"),
                "payment_type": session["payment_type"],
                "created_on": session["created_on"],
                "expires_on": session["expires_on"],
                "success_url": session["success_url"],
                "failure_url": session["failure_url"],
                "_links": {"self": {"href": _session_href(context, session["id"])}},
            }
        )

    async def get_payment(request: Request) -> Response:
        owner = await _authorized(context, request, oauth=True)
        if owner is None:
            return _unauthorized()
        payment = await context.records_for(owner).get(PAYMENT, request.path_params["id"])
        if payment is None:
            return _not_found()
        return JSONResponse(payment)

    async def connect_token(request: Request) -> Response:
        return await _issue_access_token(context, request)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return Response(status_code=status)

    page = flow_page(context)
    routes = [
        Route("/payment-sessions", create_session, methods=["POST"]),
        Route("/payment-sessions/{id}", get_session, methods=["GET"]),
        Route("/payments/{id}", get_payment, methods=["GET"]),
        Route("/connect/token", connect_token, methods=["POST"]),
        Route("/flow/{id}", page, methods=["GET", "POST"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(_RequestIds)],
        exception_handlers={HTTPException: http_error},
    )


async def session_state(context: EmulatorContext, records: EmulatorRecords, session: Body) -> str:
    """``Active`` (payable), ``Completed`` (has an approved payment) or ``Expired``."""
    if session.get("payment_id"):
        return "Completed"
    if context.now() >= _parse_time(session["expires_on"]):
        return "Expired"
    if await records.get(OPEN_SESSION, session["id"]) is not None:
        return "Active"
    return "Expired"


async def create_payment(
    context: EmulatorContext,
    owner: str,
    session: Body,
    card: TestCard,
    expiry_month: int,
    expiry_year: int,
    name: str,
) -> Body:
    """Record the payment of ``session`` with a test card (approved or declined) and return it.

    The caller has already taken the session's ``OPEN_SESSION`` record for an approved card.
    """
    records = context.records_for(owner)
    now = context.now()
    payment_id = PAYMENT_ID_PREFIX + _base32(26)
    customer = session["customer"]
    fingerprint = context.keys.digest("checkout-card", owner, card.number).upper()
    source_key = f"{customer['id']}:{fingerprint}"
    source = await records.get(CARD_SOURCE, source_key)
    source_id = source["id"] if source else SOURCE_ID_PREFIX + _base32(26)
    if card.approved:
        status = "Card Verified" if session["amount"] == 0 else "Authorized"
        await records.put(CARD_SOURCE, source_key, {"id": source_id})
    else:
        status = "Declined"
    href = f"{context.base_url}/payments/{payment_id}"
    payment: Body = {
        "id": payment_id,
        "action_id": ACTION_ID_PREFIX + _base32(26),
        "requested_on": _timestamp(now),
        "amount": session["amount"],
        "currency": session["currency"],
        "payment_type": session["payment_type"],
        "reference": session.get("reference"),
        "status": status,
        "approved": card.approved,
        "response_code": card.response_code,
        "response_summary": card.response_summary,
        "payment_session_id": session["id"],
        "risk": {"flagged": False},
        "source": {
            "type": "card",
            "id": source_id,
            "billing_address": session["billing"].get("address", {}),
            "expiry_month": expiry_month,
            "expiry_year": expiry_year,
            "name": name,
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
        "scheme_id": "".join(secrets.choice(string.digits) for _ in range(15)),
        "metadata": session.get("metadata") or {},
        "_links": {"self": {"href": href}, "actions": {"href": f"{href}/actions"}},
    }
    await records.put(
        PAYMENT, payment_id, payment, parent=session["id"], expires_at=now + PAYMENT_TTL
    )
    if card.approved:
        session = {**session, "payment_id": payment_id}
        keep_until = _parse_time(session["expires_on"]) + EXPIRED_GRACE
        await records.put(PAYMENT_SESSION, session["id"], session, expires_at=keep_until)
    return payment


def _new_session(context: EmulatorContext, body: Body) -> Body:
    now = context.now()
    session_id = SESSION_ID_PREFIX + _random_chars(ALPHANUMERIC, 27)
    expires_on = _parse_time(body["expires_on"]) if "expires_on" in body else now + SESSION_TTL
    customer_in = body.get("customer") or {}
    customer = {
        "id": customer_in.get("id") or CUSTOMER_ID_PREFIX + _base32(26),
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
        "created_on": _timestamp(now),
        "expires_on": _timestamp(expires_on),
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


def _session_errors(body: Body, now: datetime) -> list[str]:
    """Checkout-style ``error_codes`` for a payment-session request (empty when valid)."""
    codes: list[str] = []
    amount = body.get("amount")
    if amount is None:
        codes.append("amount_required")
    elif isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        codes.append("amount_invalid")
    currency = body.get("currency")
    if currency is None:
        codes.append("currency_required")
    elif not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        codes.append("currency_invalid")
    billing = body.get("billing")
    if billing is None:
        codes.append("billing_required")
    elif not isinstance(billing, dict):
        codes.append("billing_invalid")
    else:
        address = billing.get("address")
        country = address.get("country") if isinstance(address, dict) else None
        if address is not None and not isinstance(address, dict):
            codes.append("billing_address_invalid")
        elif country is None:
            codes.append("billing_address_country_required")
        elif not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
            codes.append("billing_address_country_invalid")
    for field in ("success_url", "failure_url"):
        value = body.get(field)
        if value is None:
            codes.append(f"{field}_required")
        elif not _is_url(value):
            codes.append(f"{field}_invalid")
    for field in ("reference", "description", "locale", "display_name"):
        if field in body and not isinstance(body[field], str):
            codes.append(f"{field}_invalid")
    if "payment_type" in body and body["payment_type"] not in PAYMENT_TYPES:
        codes.append("payment_type_invalid")
    for field in ("enabled_payment_methods", "disabled_payment_methods"):
        methods = body.get(field)
        if methods is not None and not (
            isinstance(methods, list) and all(isinstance(m, str) for m in methods)
        ):
            codes.append(f"{field}_invalid")
    customer = body.get("customer")
    if customer is not None:
        if not isinstance(customer, dict):
            codes.append("customer_invalid")
        else:
            for field in ("email", "name", "id"):
                if field in customer and not isinstance(customer[field], str):
                    codes.append(f"customer_{field}_invalid")
            email = customer.get("email")
            if isinstance(email, str) and "@" not in email:
                codes.append("customer_email_invalid")
    if "metadata" in body and not isinstance(body["metadata"], dict):
        codes.append("metadata_invalid")
    if "expires_on" in body:
        expires_on = body["expires_on"]
        try:
            when = _parse_time(expires_on) if isinstance(expires_on, str) else None
        except ValueError:
            when = None
        if when is None or when <= now:
            codes.append("expires_on_invalid")
    return list(dict.fromkeys(codes))


async def _issue_access_token(context: EmulatorContext, request: Request) -> Response:
    try:
        form = await request.form()
    except Exception:  # a malformed form body is the client's problem, not a 500
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    client_id = str(form.get("client_id") or "")
    client_secret = str(form.get("client_secret") or "")
    basic = _basic_credentials(request)
    if basic is not None and not client_id:
        client_id, client_secret = basic
    if str(form.get("grant_type") or "") != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    owner = context.authenticate(client_id, client_secret)
    if owner is None:
        return JSONResponse({"error": "invalid_client"}, status_code=400)
    scope = str(form.get("scope") or "")
    token = ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)
    # An access token stands for its owner's credentials: the index says whose it is.
    await grant(context.index, token, owner, context.now() + ACCESS_TOKEN_TTL)
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_TTL.total_seconds()),
            "scope": scope,
        }
    )


async def _authorized(context: EmulatorContext, request: Request, *, oauth: bool) -> str | None:
    """The owner of the secret key, or (when ``oauth``) of a live OAuth access token."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if oauth and token.startswith(ACCESS_TOKEN_PREFIX):
        return await owner_of(context.index, token)
    return context.keys.owner_of_secret_key(context.slug, token)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, client_secret = decoded.partition(":")
    return (client_id, client_secret) if sep else None


def _json_object(raw: bytes) -> Body | None:
    try:
        return parse_json_object(raw)
    except BodyError:
        return None


def _invalid(request: Request, codes: list[str], status: int = 422) -> Response:
    return JSONResponse(
        {
            "request_id": request.scope.get(REQUEST_ID_SCOPE_KEY, ""),
            "error_type": "request_invalid",
            "error_codes": codes,
        },
        status_code=status,
    )


def _unauthorized() -> Response:
    return Response(status_code=401)


def _not_found() -> Response:
    return Response(status_code=404)


def _session_href(context: EmulatorContext, session_id: str) -> str:
    return f"{context.base_url}/payment-sessions/{session_id}"


def _is_url(value: object) -> bool:
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _base32(length: int) -> str:
    return _random_chars(BASE32, length)


def _random_chars(alphabet: str, length: int) -> str:
    """``length`` characters drawn uniformly from ``alphabet``, like ``secrets.choice`` in a
    loop but from one ``token_bytes`` call (a loop costs ~1 µs per character)."""
    size = len(alphabet)
    limit = 256 - 256 % size  # bytes at or above it would favour the first characters
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(alphabet[b % size] for b in secrets.token_bytes(length) if b < limit)
    return "".join(chars[:length])


def _timestamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("timestamp without a time zone")
    return parsed


class _RequestIds:
    """ASGI middleware: a ``Cko-Request-Id`` on every response (also put in the scope)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope = {**scope, REQUEST_ID_SCOPE_KEY: request_id}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("Cko-Request-Id", request_id)
            await send(message)

        await self.app(scope, receive, send_with_id)
