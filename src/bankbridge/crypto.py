"""Secrets at rest: authenticated encryption (Fernet, AES-GCM) and keyed fingerprints.

Values BankBridge must read back (webhook subscription secrets, partner access tokens,
account numbers) are encrypted with the process's secret key; values it only compares
(API secrets, bearer tokens) are hashed instead (``ids.py``). ``seal`` is the
cheaper of the two ciphers (AES-256-GCM with a random 96-bit nonce, bound to a context such
as the row it is stored in); the store uses it where a read is hot (an exchange session's
provider data is opened on every ``GET``: 6 to 10 µs more per GET, Fernet about 25, see
BENCHMARKS.md).

The key comes from ``BANKBRIDGE_SECRET_KEY``. With SQLite and no key set, one is created
beside the database file (mode 0600) so a single-machine install works without set-up;
with PostgreSQL the key must be set, identically on every host.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bankbridge.config import Settings, sqlite_path
from bankbridge.private_files import make_private_folder

__all__ = ["SEALED_PREFIX", "Vault", "VaultError", "load_vault"]

SEALED_PREFIX = "s1."  # format version of ``seal``'s output
_NONCE_BYTES = 12


class VaultError(Exception):
    """A stored value could not be decrypted (wrong key or tampered data)."""


class Vault:
    """Encrypts, decrypts and fingerprints with one secret key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._mac_key = hashlib.sha256(b"bankbridge-fingerprint:" + key).digest()
        self._aead = AESGCM(hashlib.sha256(b"bankbridge-seal:" + key).digest())

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext (URL-safe text) of ``plaintext``."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext behind ``ciphertext``; ``VaultError`` if it was not made with this key."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise VaultError("stored secret cannot be decrypted with this key") from exc

    def seal(self, plaintext: str, context: str) -> str:
        """Ciphertext of ``plaintext`` that opens only with this key and the same ``context``."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()

    def unseal(self, sealed: str, context: str) -> str:
        """The plaintext behind ``seal``'s output; ``VaultError`` for another key or context."""
        if not sealed.startswith(SEALED_PREFIX):
            raise VaultError("not a sealed value")
        try:
            # binascii straight from str: the hot read (no translate, no bytes copy first).
            raw = binascii.a2b_base64(sealed[len(SEALED_PREFIX) :])
            opened = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
            return opened.decode()
        except (ValueError, InvalidTag) as exc:
            raise VaultError("stored secret cannot be opened with this key") from exc

    def fingerprint(self, *parts: str) -> str:
        """A stable keyed digest of ``parts`` (same input, same key: same fingerprint)."""
        message = "\x1f".join(parts).encode()
        # hmac.digest: the one-shot C HMAC (same digest as hmac.new, without its objects).
        return hmac.digest(self._mac_key, message, "sha256").hex()

    def sign(self, message: bytes) -> str:
        """An HMAC tag over ``message``, URL-safe (for tokens BankBridge hands out)."""
        tag = hmac.digest(self._mac_key, b"sign:" + message, "sha256")
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
