"""Each account's sandbox partner credentials, derived from the install's secret key.

The emulators play one partner *per account*: the credentials an account's adapters send
(and that the account's platform may use itself, e.g. Plaid's API for processor tokens or
Checkout.com's public key for Flow) are derived from ``(partner, account id)`` under the
install's secret key. Nothing is stored and nothing is in the source; an emulator turns
credentials back into their owner (the account id) with ``SandboxKeys.owner``.

Shapes, each the partner's own (the official SDKs check some of them):

========= ================================ ==========================================
partner   client id                        secret
========= ================================ ==========================================
mx        the account id (a UUID)          40 hex digits (an MX API key's shape)
plaid     the account id's 32 hex digits   30 hex digits (a Plaid secret's shape)
checkout  ``ack_`` + the account id's hex  ``sk_sbox_`` + 27 base32 characters; public
          (OAuth client credentials)       key ``pk_sbox_`` + 27 base32 characters
========= ================================ ==========================================

A Checkout.com key has no room for both its owner and a signature, so its first 26
characters are the owner's 16 bytes enciphered with AES under a key only this install
has (one block: a keyed permutation, so only this install can make a key that opens a
given account), and the last character is a keyed check.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bankbridge.partners.kit.ids import BASE32

__all__ = ["SandboxCredentials", "SandboxKeys"]

SECRET_KEY_PREFIX = "sk_sbox_"
PUBLIC_KEY_PREFIX = "pk_sbox_"
CLIENT_ID_PREFIX = "ack_"
MAX_DERIVED = 4096  # (partner, account) pairs whose credentials are kept derived


class _Fingerprinter(Protocol):
    def fingerprint(self, *parts: str) -> str: ...


@dataclass(frozen=True)
class SandboxCredentials:
    """One account's credentials for one emulated partner (``public_key``: Checkout.com)."""

    client_id: str
    secret: str
    public_key: str | None = None

    def __repr__(self) -> str:
        return f"SandboxCredentials(client_id={self.client_id!r}, secret='********')"


class SandboxKeys:
    """Derives and checks sandbox credentials with the install's keyed fingerprint."""

    def __init__(self, vault: _Fingerprinter) -> None:
        self._vault = vault
        # Derived credentials of the accounts used last (least recently used leaves first):
        # every emulator call checks some. Only credentials that matched, or that their own
        # account asked for, are kept: a guess never evicts a real account's.
        self._derived: OrderedDict[tuple[str, str], SandboxCredentials] = OrderedDict()
        self._ciphers: dict[tuple[str, str], bytes] = {}

    def for_account(self, slug: str, account_id: str) -> SandboxCredentials:
        """The credentials ``account_id`` uses with the ``slug`` emulator."""
        known = self._candidate(slug, account_id)
        self._remember(slug, account_id, known)
        return known

    def _candidate(self, slug: str, account_id: str) -> SandboxCredentials:
        """The kept credentials of ``account_id``, else derived (and not kept)."""
        known = self._derived.get((slug, account_id))
        return known if known is not None else self._derive(slug, account_id)

    def _remember(self, slug: str, account_id: str, credentials: SandboxCredentials) -> None:
        key = (slug, account_id)
        if key in self._derived:
            self._derived.move_to_end(key)
            return
        if len(self._derived) >= MAX_DERIVED:
            self._derived.popitem(last=False)  # the least recently used
        self._derived[key] = credentials

    def _derive(self, slug: str, account_id: str) -> SandboxCredentials:
        owner = _owner_uuid(account_id)
        if owner is None:
            raise ValueError(f"not an account id: {account_id!r}")
        if slug == "mx":
            return SandboxCredentials(str(owner), self._digest(slug, "secret", owner)[:40])
        if slug == "plaid":
            return SandboxCredentials(owner.hex, self._digest(slug, "secret", owner)[:30])
        if slug == "checkout":
            return SandboxCredentials(
                CLIENT_ID_PREFIX + owner.hex,
                SECRET_KEY_PREFIX + self._key_body(slug, "secret", owner),
                PUBLIC_KEY_PREFIX + self._key_body(slug, "public", owner),
            )
        raise ValueError(f"no sandbox credentials for partner {slug!r}")

    def document(self, account_id: str) -> dict[str, dict[str, str]]:
        """The account's credentials for every emulator, as ``accounts create --json``
        prints them under ``sandbox`` (and the console's settings page shows them)."""
        plaid, mx = self.for_account("plaid", account_id), self.for_account("mx", account_id)
        checkout = self.for_account("checkout", account_id)
        return {
            "plaid": {"clientId": plaid.client_id, "secret": plaid.secret},
            "mx": {"clientId": mx.client_id, "apiKey": mx.secret},
            "checkout": {
                "publicKey": checkout.public_key or "",
                "secretKey": checkout.secret,
                "clientId": checkout.client_id,
            },
        }

    def digest(self, *parts: str) -> str:
        """A keyed hex digest for emulator-side fingerprints (e.g. a card per merchant)."""
        return self._vault.fingerprint("sandbox-digest", *parts)

    def owner(self, slug: str, client_id: str, secret: str) -> str | None:
        """The account whose credentials these are, or None (compared in constant time)."""
        owner = _owner_uuid(client_id.removeprefix(CLIENT_ID_PREFIX))
        if owner is None:
            owner = _owner_uuid("0" * 32)  # same work for unknown ids: no timing oracle
            assert owner is not None
            self._matches(self._candidate(slug, str(owner)).secret, secret)
            return None
        expected = self._candidate(slug, str(owner))
        if not hmac.compare_digest(expected.client_id.encode(), client_id.encode()):
            return None
        if not self._matches(expected.secret, secret):
            return None
        self._remember(slug, str(owner), expected)
        return str(owner)

    def owner_of_secret_key(self, slug: str, key: str) -> str | None:
        """The account of a Checkout.com secret key (it names its owner), or None."""
        return self._owner_of_key(slug, key, SECRET_KEY_PREFIX, "secret")

    def owner_of_public_key(self, slug: str, key: str) -> str | None:
        """The account of a Checkout.com public key, or None."""
        return self._owner_of_key(slug, key, PUBLIC_KEY_PREFIX, "public")

    def _owner_of_key(self, slug: str, key: str, prefix: str, kind: str) -> str | None:
        body = key.removeprefix(prefix) if key.startswith(prefix) else ""
        if len(body) != 27 or any(c not in BASE32 for c in body):
            return None
        bits = 0
        for char in body[:26]:
            bits = bits << 5 | BASE32.index(char)
        if bits & 0b11:  # 26 characters carry 130 bits: the last 2 are always 0
            return None
        enciphered = (bits >> 2).to_bytes(16, "big")
        owner = uuid.UUID(bytes=self._cipher(slug, kind).decryptor().update(enciphered))
        if owner.version != 4 or owner.variant != uuid.RFC_4122:  # account ids are uuid4
            return None
        derived = self._candidate(slug, str(owner))
        expected = derived.secret if kind == "secret" else derived.public_key or ""
        if not self._matches(expected.removeprefix(prefix), body):
            return None
        self._remember(slug, str(owner), derived)
        return str(owner)

    def _key_body(self, slug: str, kind: str, owner: uuid.UUID) -> str:
        enciphered = self._cipher(slug, kind).encryptor().update(owner.bytes)
        bits = int.from_bytes(enciphered, "big") << 2
        head = "".join(BASE32[bits >> (5 * i) & 31] for i in reversed(range(26)))
        check = BASE32[int(self._digest(slug, kind + "-check", owner)[:2], 16) % 32]
        return head + check

    def _cipher(self, slug: str, kind: str) -> Cipher[modes.ECB]:
        key = self._ciphers.get((slug, kind))
        if key is None:
            material = self._vault.fingerprint("sandbox-key-cipher", slug, kind)
            key = self._ciphers[(slug, kind)] = hashlib.sha256(material.encode()).digest()[:16]
        return Cipher(algorithms.AES(key), modes.ECB())

    def _digest(self, slug: str, kind: str, owner: uuid.UUID) -> str:
        return self._vault.fingerprint("sandbox-credentials", slug, kind, str(owner))

    @staticmethod
    def _matches(expected: str, given: str) -> bool:
        return hmac.compare_digest(expected.encode(), given.encode())


def _owner_uuid(text: str) -> uuid.UUID | None:
    if not text or not text.isascii() or len(text) > 36:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
