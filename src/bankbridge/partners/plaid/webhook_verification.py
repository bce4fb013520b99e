"""Plaid webhook verification, as Plaid specifies it.

1. The ``Plaid-Verification`` header is a JWT; its header must say ``alg: ES256`` and name
   the signing key (``kid``).
2. The key is fetched with ``/webhook_verification_key/get`` (the adapter does that).
3. The signature is checked with that key (ECDSA P-256, SHA-256, raw ``r || s``).
4. ``iat`` must be at most five minutes old (and not in the future beyond a small skew).
5. The body's SHA-256 must equal the ``request_body_sha256`` claim (compared in constant
   time).

Item webhooks then mean a change for the exchange: ``ERROR`` with ``ITEM_LOGIN_REQUIRED``,
``PENDING_EXPIRATION`` and ``PENDING_DISCONNECT`` need re-authentication, ``LOGIN_REPAIRED``
clears it, ``USER_PERMISSION_REVOKED`` / ``USER_ACCOUNT_REVOKED`` end access.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from bankbridge.partners.base import PartnerNotice, WebhookRejected

__all__ = ["MAX_AGE", "change_of", "key_id_of", "verify"]

MAX_AGE = timedelta(minutes=5)
CLOCK_SKEW = timedelta(seconds=30)
_REAUTH_CODES = frozenset({"PENDING_EXPIRATION", "PENDING_DISCONNECT"})
_REVOKED_CODES = frozenset({"USER_PERMISSION_REVOKED", "USER_ACCOUNT_REVOKED"})


def key_id_of(jwt: str) -> str:
    """The ``kid`` of a ``Plaid-Verification`` JWT whose header says ES256."""
    header = _json_part(jwt, 0)
    if header.get("alg") != "ES256":
        raise WebhookRejected("the JWT's alg is not ES256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise WebhookRejected("the JWT names no key")
    return kid


def verify(jwt: str, key: dict[str, Any], body: bytes, now: datetime) -> PartnerNotice:
    """Check the JWT with ``key`` (Plaid's JWK) and the body against it; the notice."""
    parts = jwt.split(".")
    if len(parts) != 3:
        raise WebhookRejected("the JWT is malformed")
    if key.get("expired_at"):
        raise WebhookRejected("the verification key has expired")
    public_key = _public_key(key)
    signature = _b64decode(parts[2])
    if len(signature) != 64:
        raise WebhookRejected("the JWT signature is malformed")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public_key.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise WebhookRejected("the JWT signature does not verify") from None
    claims = _json_part(jwt, 1)
    issued = claims.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        raise WebhookRejected("the JWT has no iat")
    issued_at = datetime.fromtimestamp(issued, UTC)
    if issued_at < now - MAX_AGE or issued_at > now + CLOCK_SKEW:
        raise WebhookRejected("the webhook is older than five minutes")
    claimed = claims.get("request_body_sha256")
    actual = hashlib.sha256(body).hexdigest()
    if not isinstance(claimed, str) or not hmac.compare_digest(claimed, actual):
        raise WebhookRejected("the body does not match request_body_sha256")
    document = _body(body)
    item_id = document.get("item_id")
    if not isinstance(item_id, str) or not item_id:
        raise WebhookRejected("the webhook names no item_id")
    return PartnerNotice(
        ref=item_id,
        change=change_of(document),
        replay_key=parts[2],
        fresh_until=issued_at + MAX_AGE + CLOCK_SKEW,
    )


def change_of(document: dict[str, Any]) -> str:
    """What an ITEM webhook means for the exchange (``none`` for anything else)."""
    if document.get("webhook_type") != "ITEM":
        return "none"
    code = document.get("webhook_code")
    error = document.get("error")
    error_code = error.get("error_code") if isinstance(error, dict) else None
    if code == "ERROR" and error_code == "ITEM_LOGIN_REQUIRED":
        return "reauth_required"
    if code == "ERROR" and error_code in _REVOKED_CODES:
        return "revoked"
    if code in _REAUTH_CODES:
        return "reauth_required"
    if code == "LOGIN_REPAIRED":
        return "repaired"
    if code in _REVOKED_CODES:
        return "revoked"
    return "none"


def _public_key(key: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    if key.get("kty") != "EC" or key.get("crv") != "P-256":
        raise WebhookRejected("the verification key is not a P-256 key")
    try:
        x = int.from_bytes(_b64decode(str(key["x"])), "big")
        y = int.from_bytes(_b64decode(str(key["y"])), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError) as exc:
        raise WebhookRejected("the verification key is malformed") from exc


def _json_part(jwt: str, index: int) -> dict[str, Any]:
    parts = jwt.split(".")
    if len(parts) != 3:
        raise WebhookRejected("the JWT is malformed")
    try:
        document = json.loads(_b64decode(parts[index]))
    except ValueError as exc:
        raise WebhookRejected("the JWT is malformed") from exc
    if not isinstance(document, dict):
        raise WebhookRejected("the JWT is malformed")
    return document


def _body(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise WebhookRejected("the body is not JSON") from exc
    if not isinstance(document, dict):
        raise WebhookRejected("the body is not a JSON object")
    return document


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise WebhookRejected("the JWT is malformed") from exc
