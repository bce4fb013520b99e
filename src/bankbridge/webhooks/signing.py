"""Webhook signatures, as Dwolla signs them: hex HMAC-SHA256 of the raw body.

The sender signs the exact bytes it sends with the subscription's secret and puts the hex
digest in ``X-Request-Signature-SHA-256``; a receiver recomputes it over the raw body it
received (before any JSON parsing) and compares in constant time with ``verify_signature``.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = [
    "CONTENT_TYPE",
    "SIGNATURE_HEADER",
    "TOPIC_HEADER",
    "USER_AGENT",
    "sign",
    "verify_signature",
    "webhook_headers",
]

SIGNATURE_HEADER = "X-Request-Signature-SHA-256"
TOPIC_HEADER = "X-Dwolla-Topic"
USER_AGENT = "dwolla-webhooks/1.0"  # as the webhook example in Dwolla's OpenAPI spec shows
CONTENT_TYPE = "application/json"


def sign(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``body`` keyed with ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` under ``secret`` (constant time)."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip().lower())


def webhook_headers(secret: str, topic: str, body: bytes) -> dict[str, str]:
    """Every header a webhook request carries, signature included."""
    return {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        TOPIC_HEADER: topic,
        SIGNATURE_HEADER: sign(secret, body),
    }
