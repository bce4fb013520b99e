"""The Checkout.com API errors an account can make its emulated Checkout.com answer.

Checkout.com answers throttling and server trouble with the bare status (and its
``Cko-Request-Id``); ``unavailable`` answers 503.
"""

from __future__ import annotations

from bankbridge.partners.kit.faults import Fault

__all__ = ["ERRORS", "status_of"]

ERRORS: dict[str, int] = {
    "TOO_MANY_REQUESTS": 429,
    "INTERNAL_SERVER_ERROR": 500,
    "BAD_GATEWAY": 502,
}


def status_of(fault: Fault) -> int:
    """The HTTP status Checkout.com answers for ``fault``."""
    if fault.kind == "error" and fault.error in ERRORS:
        return ERRORS[fault.error]
    return 503
