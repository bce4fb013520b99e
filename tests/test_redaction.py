"""``redact_target``: which parts of a request target are capabilities."""

from __future__ import annotations

import logging

import pytest

from bankbridge import redaction
from bankbridge.redaction import RedactingFilter, redact_target


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/sandbox/mx/connect/TOKEN123/config", "/sandbox/mx/connect/[redacted]/config"),
        ("/SANDBOX/MX/CONNECT/TOKEN123", "/SANDBOX/MX/CONNECT/[redacted]"),
        ("/sandbox/checkout/flow/ps_2abc", "/sandbox/checkout/flow/[redacted]"),
        ("/payment-sessions/ps_2abc", "/payment-sessions/[redacted]"),
        ("/sandbox/plaid/link?token=link-sandbox-1-2", "/sandbox/plaid/link?token=[redacted]"),
        ("/x/public-sandbox-1-2/y", "/x/[redacted]/y"),
        ("/token?client_id=k&client_secret=s", "/token?client_id=k&client_secret=[redacted]"),
        ("/cb?public_token=p&state=s", "/cb?public_token=[redacted]&state=s"),
        ("/x?%74oken=t", "/x?%74oken=[redacted]"),  # a percent-encoded name
        ("/x?a=public%2Dsandbox%2D9&b=2", "/x?a=[redacted]&b=2"),  # an encoded value
        ("/x?api_key=k&password=p", "/x?api_key=[redacted]&password=[redacted]"),
        ("/customers?limit=2&offset=0", "/customers?limit=2&offset=0"),
        ("/exchange-sessions/4f1c6a4e-0000-4000-8000-000000000000", None),
    ],
)
def test_redact_target(target, expected):
    assert redact_target(target) == (target if expected is None else expected)


def test_the_filter_redacts_a_uvicorn_access_record():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/sandbox/mx/connect/abc", "1.1", 200),
        None,
    )
    assert RedactingFilter().filter(record)
    assert (
        record.getMessage() == '127.0.0.1:5000 - "GET /sandbox/mx/connect/[redacted] HTTP/1.1" 200'
    )


@pytest.mark.parametrize(
    "target",
    [
        "/sandbox/mx/connect/TOKEN123/config",
        "/SANDBOX/MX/CONNECT/TOKEN123",
        "/payment-sessions/PSS_2abc",
        "/x/PUBLIC-SANDBOX-1-2/y",
        "/x/access-production-1",
        "/x/processor-development-1",
        "/keys/sk_sbox_1",
        "/keys/cko_1",
        "/nowhere/public-sandbox-planted",
        "/x?%74oken=t",
        "/customers?limit=2&offset=0",
        "/exchange-sessions/4f1c6a4e-0000-4000-8000-000000000000",
        "/caf%C3%A9/ps_1",
        "/a.b~c/d-e",
    ],
)
def test_the_shortcut_for_plain_targets_answers_what_the_patterns_would(target):
    """Plain targets skip the patterns; the answer is always the patterns' answer."""
    assert redact_target(target) == redaction._redact(target)
