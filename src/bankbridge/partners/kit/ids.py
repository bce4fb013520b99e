"""Partner-style random ids, timestamps and expiry, shared by the emulators."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime

__all__ = ["ALPHANUMERIC", "BASE32", "is_expired", "iso_timestamp", "opaque_id", "random_chars"]

ALPHANUMERIC = string.ascii_letters + string.digits
BASE32 = string.ascii_lowercase + "234567"  # RFC 4648, lower case (Checkout.com ids and keys)


def random_chars(alphabet: str, length: int) -> str:
    """``length`` characters drawn uniformly from ``alphabet`` (one ``token_bytes`` call
    per round instead of a ``secrets.choice`` per character, ~1 µs each)."""
    size = len(alphabet)
    limit = 256 - 256 % size  # bytes at or above it would favour the first characters
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(alphabet[b % size] for b in secrets.token_bytes(length) if b < limit)
    return "".join(chars[:length])


def opaque_id(length: int = 37) -> str:
    """An opaque alphanumeric id (Plaid's item and account ids look like this)."""
    return random_chars(ALPHANUMERIC, length)


def iso_timestamp(moment: datetime, *, micros: bool = False) -> str:
    """UTC ISO-8601 with a ``Z``: ``2026-01-02T03:04:05Z`` (``.ffffffZ`` with ``micros``)."""
    pattern = "%Y-%m-%dT%H:%M:%S.%fZ" if micros else "%Y-%m-%dT%H:%M:%SZ"
    return moment.astimezone(UTC).strftime(pattern)


def is_expired(expiration: str, now: datetime) -> bool:
    """True when the ISO-8601 ``expiration`` is at or before ``now``."""
    return datetime.fromisoformat(expiration) <= now
