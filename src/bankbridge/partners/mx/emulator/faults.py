"""The MX Platform API errors an account can make its emulated MX answer on purpose.

MX answers errors as an HTTP status with ``{"error": {"message": ...}}``; these are the
statuses its API reference lists for throttling and server trouble.
"""

from __future__ import annotations

from bankbridge.partners.kit.faults import Fault

__all__ = ["ERRORS", "answer"]

ERRORS: dict[str, tuple[int, str]] = {
    "TOO_MANY_REQUESTS": (429, "Too many requests. Please try again later."),
    "INTERNAL_SERVER_ERROR": (500, "An internal server error occurred."),
    "BAD_GATEWAY": (502, "Bad gateway."),
}


def answer(fault: Fault) -> tuple[int, str]:
    """(status, message) MX answers for ``fault`` (``unavailable``: 503, maintenance)."""
    if fault.kind == "error" and fault.error in ERRORS:
        return ERRORS[fault.error]
    return 503, "The service is temporarily unavailable for maintenance."
