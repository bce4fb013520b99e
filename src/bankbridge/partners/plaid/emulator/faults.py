"""The Plaid errors an account can make its emulated Plaid answer (``POST /sandbox/faults``).

Each is Plaid's documented error (type, code, message, HTTP status); ``answer`` turns the
kit's fault record into the error the emulator raises.
"""

from __future__ import annotations

from bankbridge.partners.kit.faults import Fault
from bankbridge.partners.plaid.emulator.state import PlaidError

__all__ = ["ERRORS", "answer"]

ERRORS: dict[str, tuple[str, str, int]] = {
    "INSTITUTION_DOWN": (
        "INSTITUTION_ERROR",
        "this institution is not currently responding to this request. please try again soon",
        400,
    ),
    "INSTITUTION_NOT_RESPONDING": (
        "INSTITUTION_ERROR",
        "this institution is not currently responding to this request. please try again soon",
        400,
    ),
    "ITEM_LOGIN_REQUIRED": (
        "ITEM_ERROR",
        "the login details of this item have changed (credentials, MFA, or required user "
        "action) and a user login is required to update this information. use Link's update "
        "mode to restore the item to a good state",
        400,
    ),
    "RATE_LIMIT_EXCEEDED": (
        "RATE_LIMIT_EXCEEDED",
        "rate limit exceeded for attempts to access this item. please try again later",
        429,
    ),
    "INTERNAL_SERVER_ERROR": (
        "API_ERROR",
        "an unexpected error occurred",
        500,
    ),
}


def answer(fault: Fault) -> PlaidError:
    """The error Plaid answers for ``fault`` (``unavailable``: planned maintenance, 503)."""
    if fault.kind == "error" and fault.error in ERRORS:
        error_type, message, status = ERRORS[fault.error]
        return PlaidError(error_type, fault.error, message, None, status)
    return PlaidError(
        "API_ERROR",
        "PLANNED_MAINTENANCE",
        "the Plaid API is temporarily unavailable due to planned maintenance",
        None,
        503,
    )
