"""Signing: Dwolla's X-Request-Signature-SHA-256, hex HMAC-SHA256 of the raw body."""

from __future__ import annotations

import hashlib
import hmac

from bankbridge.webhooks.signing import sign, verify_signature, webhook_headers

BODY = b'{"id":"e1","topic":"customer_created"}'


def test_signature_is_hex_hmac_sha256_of_the_raw_body() -> None:
    """The value any receiver computes with its standard library."""
    expected = hmac.new(b"sshhhhhh", BODY, hashlib.sha256).hexdigest()
    assert sign("sshhhhhh", BODY) == expected


def test_verify_signature_accepts_only_the_right_secret_and_body() -> None:
    """A changed byte, another secret or a missing header fail."""
    header = sign("sshhhhhh", BODY)
    assert verify_signature("sshhhhhh", BODY, header)
    assert verify_signature("sshhhhhh", BODY, header.upper())
    assert not verify_signature("other", BODY, header)
    assert not verify_signature("sshhhhhh", BODY + b" ", header)
    assert not verify_signature("sshhhhhh", BODY, None)
    assert not verify_signature("sshhhhhh", BODY, "")


def test_webhook_headers_carry_topic_type_agent_and_signature() -> None:
    """Every header Dwolla's receivers read."""
    headers = webhook_headers("sshhhhhh", "customer_created", BODY)
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "dwolla-webhooks/1.0",
        "X-Dwolla-Topic": "customer_created",
        "X-Request-Signature-SHA-256": sign("sshhhhhh", BODY),
    }
