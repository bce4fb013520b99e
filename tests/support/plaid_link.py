"""What Plaid documents of Link's callbacks, for the tests that check the drop-in against it."""

from __future__ import annotations

# Every onEvent metadata carries these keys (Plaid's Link web reference, "onEvent").
EVENT_KEYS = frozenset(
    {
        "error_type",
        "error_code",
        "error_message",
        "exit_status",
        "institution_id",
        "institution_name",
        "institution_search_query",
        "mfa_type",
        "view_name",
        "selection",
        "timestamp",
        "link_session_id",
        "request_id",
    }
)
