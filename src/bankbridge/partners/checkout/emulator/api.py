"""Checkout.com's wire API as the emulator serves it: payment sessions, payments, OAuth.

Every route reads its body through the kit (1 MiB, before credentials) and authenticates the
caller to an owner: the account whose derived secret key (``sk_sbox_…``) or OAuth access
token it presents. Errors are Checkout's: 401 and 404 with an empty body, 413/422 with
``request_id``, ``error_type`` and ``error_codes``, and a ``Cko-Request-Id`` on every response.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.checkout.emulator import faults
from bankbridge.partners.checkout.emulator.request_ids import request_id_of
from bankbridge.partners.checkout.emulator.state import (
    PAYMENT,
    PAYMENT_SESSION,
    Body,
    new_session,
    parse_time,
    session_state,
    store_session,
)
from bankbridge.partners.kit.bodies import BodyError, parse_json_object, read_body, read_form
from bankbridge.partners.kit.faults import take_fault
from bankbridge.partners.kit.tenancy import grant, owner_of

__all__ = ["api_routes", "session_errors"]

ACCESS_TOKEN_PREFIX = "cko_sbox_at_"
ACCESS_TOKEN_TTL = timedelta(hours=1)
PAYMENT_TYPES = frozenset(
    {"Regular", "Recurring", "MOTO", "Installment", "PayLater", "Unscheduled"}
)
MAX_URL_LENGTH = 1024


def api_routes(context: EmulatorContext) -> list[Route]:
    """The wire API's routes (mounted at ``/sandbox/checkout``, Checkout's ``/``)."""

    async def create_session(request: Request) -> Response:
        try:
            raw = await read_body(request, context.settings.max_body_bytes)
        except BodyError:
            return _invalid(request, ["request_body_too_large"], status=413)
        owner = await _authorized(context, request, oauth=False)
        if owner is None:
            return _unauthorized()
        if faulted := await _faulted(context, owner):
            return faulted
        try:
            body = parse_json_object(raw)
        except BodyError:
            return _invalid(request, ["request_body_malformed"])
        codes = session_errors(body, context.now())
        if codes:
            return _invalid(request, codes)
        session = new_session(context, body)
        await store_session(context, owner, session)
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
        if faulted := await _faulted(context, owner):
            return faulted
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
        if faulted := await _faulted(context, owner):
            return faulted
        payment = await context.records_for(owner).get(PAYMENT, request.path_params["id"])
        if payment is None:
            return _not_found()
        return JSONResponse(payment)

    async def connect_token(request: Request) -> Response:
        return await _issue_access_token(context, request)

    return [
        Route("/payment-sessions", create_session, methods=["POST"]),
        Route("/payment-sessions/{id}", get_session, methods=["GET"]),
        Route("/payments/{id}", get_payment, methods=["GET"]),
        Route("/connect/token", connect_token, methods=["POST"]),
    ]


def session_errors(body: Body, now: datetime) -> list[str]:
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
    elif not _letters(currency, 3):
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
        elif not _letters(country, 2):
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
    codes.extend(_customer_errors(body.get("customer")))
    if "metadata" in body and not isinstance(body["metadata"], dict):
        codes.append("metadata_invalid")
    if "expires_on" in body:
        expires_on = body["expires_on"]
        try:
            when = parse_time(expires_on) if isinstance(expires_on, str) else None
        except ValueError:
            when = None
        if when is None or when <= now:
            codes.append("expires_on_invalid")
    return list(dict.fromkeys(codes))


def _customer_errors(customer: Any) -> list[str]:
    if customer is None:
        return []
    if not isinstance(customer, dict):
        return ["customer_invalid"]
    codes = [
        f"customer_{field}_invalid"
        for field in ("email", "name", "id")
        if field in customer and not isinstance(customer[field], str)
    ]
    email = customer.get("email")
    if isinstance(email, str) and "@" not in email:
        codes.append("customer_email_invalid")
    return codes


async def _issue_access_token(context: EmulatorContext, request: Request) -> Response:
    try:
        form = await read_form(request, context.settings.max_body_bytes)
    except BodyError:
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    client_id = form.get("client_id", "")
    client_secret = form.get("client_secret", "")
    basic = _basic_credentials(request)
    if basic is not None and not client_id:
        client_id, client_secret = basic
    if form.get("grant_type", "") != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    owner = context.authenticate(client_id, client_secret)
    if owner is None:
        return JSONResponse({"error": "invalid_client"}, status_code=400)
    scope = form.get("scope", "")
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


def _invalid(request: Request, codes: list[str], status: int = 422) -> Response:
    return JSONResponse(
        {
            "request_id": request_id_of(request),
            "error_type": "request_invalid",
            "error_codes": codes,
        },
        status_code=status,
    )


async def _faulted(context: EmulatorContext, owner: str) -> Response | None:
    """The answer the owner's injected fault asks for (``partners/kit/faults.py``), if any."""
    fault = await take_fault(context.records_for(owner))
    return Response(status_code=faults.status_of(fault)) if fault is not None else None


def _unauthorized() -> Response:
    return Response(status_code=401)


def _not_found() -> Response:
    return Response(status_code=404)


def _session_href(context: EmulatorContext, session_id: str) -> str:
    return f"{context.base_url}/payment-sessions/{session_id}"


def _letters(value: object, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isalpha()


def _is_url(value: object) -> bool:
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
