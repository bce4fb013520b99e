"""Plaid's webhooks as the emulator sends them: signed, to the Item's ``webhook`` URL.

Plaid signs each webhook with a ``Plaid-Verification`` header: a JWT (``alg`` ES256, header
``kid``) whose claims are ``iat`` and ``request_body_sha256`` (the hex SHA-256 of the body).
Receivers fetch the public key with ``/webhook_verification_key/get`` and ``key_id``. The
emulator's P-256 key is derived from the install's sandbox keys, so every process of an
install signs with the same key and no private key is stored.

Item webhooks sent: ``ERROR`` (``ITEM_LOGIN_REQUIRED``), ``PENDING_EXPIRATION``,
``PENDING_DISCONNECT``, ``USER_PERMISSION_REVOKED``, ``USER_ACCOUNT_REVOKED``,
``LOGIN_REPAIRED`` and ``NEW_ACCOUNTS_AVAILABLE`` (``PENDING_EXPIRATION`` is BankBridge's
addition to what Plaid's ``/sandbox/item/fire_webhook`` fires). Delivery is one attempt;
Plaid's retries are not emulated.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.plaid.emulator.state import Body, PlaidError
from bankbridge.partners.plaid.wire import ITEM_WEBHOOK_CODES

__all__ = ["ITEM_CODES", "key_id", "send_item_webhook", "verification_key", "webhook_body"]

log = logging.getLogger("bankbridge.emulator.plaid")

ITEM_CODES = ITEM_WEBHOOK_CODES
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


def key_id(context: EmulatorContext) -> str:
    """The ``kid`` of the install's webhook signing key."""
    return context.keys.digest("plaid", "webhook-key-id")[:32]


def verification_key(context: EmulatorContext) -> Body:
    """The public key as ``/webhook_verification_key/get`` answers it (a JWK)."""
    numbers = _private_key(context).public_key().public_numbers()
    return {
        "alg": "ES256",
        "crv": "P-256",
        "kid": key_id(context),
        "kty": "EC",
        "use": "sig",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
        "created_at": 1700000000,
        "expired_at": None,
    }


def webhook_body(item: Body, code: str, error: PlaidError | None = None) -> Body:
    """An ITEM webhook's body, with Plaid's fields."""
    body: Body = {
        "webhook_type": "ITEM",
        "webhook_code": code,
        "item_id": item["item_id"],
        "error": error.body("") if error else None,
        "environment": "sandbox",
    }
    if error is not None:
        body["error"].pop("request_id", None)
    if code == "PENDING_EXPIRATION":
        body["consent_expiration_time"] = "2099-01-01T00:00:00Z"
    if code == "PENDING_DISCONNECT":
        body["reason"] = "INSTITUTION_TOKEN_EXPIRATION"
    return body


async def send_item_webhook(
    context: EmulatorContext, item: Body, code: str, error: PlaidError | None = None
) -> bool:
    """Sign and POST an ITEM webhook to the Item's ``webhook``; False when it has none or
    the receiver did not answer 2xx (logged, never raised: the Item's change stands)."""
    url = item.get("webhook")
    if not url:
        return False
    raw = json.dumps(webhook_body(item, code, error), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "Plaid-Verification": _jwt(context, raw),
        "User-Agent": "Plaid Webhooks",
    }
    try:
        status = await context.deliver(url, raw, headers)
    except Exception:  # the receiver's trouble is not the sender's
        log.warning("plaid webhook %s for item %s: delivery failed", code, item["item_id"])
        return False
    if not 200 <= status < 300:
        log.warning("plaid webhook %s for item %s: HTTP %s", code, item["item_id"], status)
    return 200 <= status < 300


def _jwt(context: EmulatorContext, raw: bytes) -> str:
    header = {"alg": "ES256", "kid": key_id(context), "typ": "JWT"}
    claims = {
        "iat": int(context.now().timestamp()),
        "request_body_sha256": hashlib.sha256(raw).hexdigest(),
    }
    signing_input = _b64url(_compact(header)) + "." + _b64url(_compact(claims))
    der = _private_key(context).sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return signing_input + "." + _b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def _private_key(context: EmulatorContext) -> ec.EllipticCurvePrivateKey:
    seed = int(context.keys.digest("plaid", "webhook-signing-key"), 16)
    return ec.derive_private_key(seed % (_P256_ORDER - 1) + 1, ec.SECP256R1())


def _compact(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
