"""Identifiers and secrets: ids are UUIDv4 strings; secrets are random and kept only hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import uuid

__all__ = ["hash_secret", "new_id", "new_secret", "secret_matches"]

_ALPHABET = string.ascii_letters + string.digits


def new_id() -> str:
    """A new resource id (Dwolla uses lowercase UUIDs)."""
    return str(uuid.uuid4())


def new_secret(length: int = 50) -> str:
    """A random alphanumeric secret (application secret or bearer token)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_secret(value: str) -> str:
    """SHA-256 hex digest: secrets are long and random, so a fast hash suffices to store them."""
    return hashlib.sha256(value.encode()).hexdigest()


def secret_matches(value: str, digest: str) -> bool:
    """Constant-time check of a presented secret against its stored hash."""
    return hmac.compare_digest(hash_secret(value), digest)
