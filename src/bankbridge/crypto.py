"""Secrets at rest: authenticated encryption (Fernet) and keyed fingerprints.

Values BankBridge must read back (webhook subscription secrets, partner access tokens,
account numbers) are encrypted with the process's secret key; values it only compares
(API secrets, bearer tokens) are hashed instead (``domain/ids.py``).

The key comes from ``BANKBRIDGE_SECRET_KEY``. With SQLite and no key set, one is created
beside the database file (mode 0600) so a single-machine install works without set-up;
with PostgreSQL the key must be set, identically on every host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bankbridge.config import Settings, sqlite_path
from bankbridge.private_files import make_private_folder

__all__ = ["Vault", "VaultError", "load_vault"]


class VaultError(Exception):
    """A stored value could not be decrypted (wrong key or tampered data)."""


class Vault:
    """Encrypts, decrypts and fingerprints with one secret key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._mac_key = hashlib.sha256(b"bankbridge-fingerprint:" + key).digest()

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext (URL-safe text) of ``plaintext``."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext behind ``ciphertext``; ``VaultError`` if it was not made with this key."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise VaultError("stored secret cannot be decrypted with this key") from exc

    def fingerprint(self, *parts: str) -> str:
        """A stable keyed digest of ``parts`` (same input, same key: same fingerprint)."""
        message = "\x1f".join(parts).encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()

    def sign(self, message: bytes) -> str:
        """An HMAC tag over ``message``, URL-safe (for tokens BankBridge hands out)."""
        tag = hmac.new(self._mac_key, b"sign:" + message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(tag).decode().rstrip("=")

    def verify(self, message: bytes, tag: str) -> bool:
        """True when ``tag`` is ``sign(message)``, compared in constant time."""
        return hmac.compare_digest(self.sign(message), tag)


def load_vault(settings: Settings) -> Vault:
    """The vault for ``settings``: the configured key, or the SQLite install's key file."""
    if settings.secret_key:
        return Vault(_as_fernet_key(settings.secret_key.peek()))
    if not settings.database_url.startswith("sqlite:"):
        raise ValueError(
            "BANKBRIDGE_SECRET_KEY must be set when the database is not SQLite "
            "(the same value on every host); generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    path = Path(str(sqlite_path(settings.database_url)) + ".key")
    if not path.exists():
        make_private_folder(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
    return Vault(path.read_bytes().strip())


def _as_fernet_key(value: str) -> bytes:
    """Accept a Fernet key as is; derive one from any other passphrase."""
    raw = value.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())
