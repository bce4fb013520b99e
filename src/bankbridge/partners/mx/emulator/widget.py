"""The MX Connect widget's steps and the postMessage events each move produces.

Shapes follow MX's own widget (``mxenabled/connect-widget``: its ``STEPS``, its
``ReadableStatuses`` numbers, and the events each view posts) and what
``@mxenabled/web-widget-sdk`` 0.0.15 validates before it calls an app's callback: every
message is ``{"mx": true, "type": "mx/…", "metadata": {…}}`` and every metadata carries
``user_guid`` and ``session_guid`` (the page script adds those two). A message whose fields
have another type is handed to ``onInvalidMessageError`` instead, so each builder here
produces exactly the documented fields.

Pure data: no HTTP, no storage. ``pages.py`` decides which moves happen.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CONNECTED",
    "CONNECTING",
    "CONNECTION_STATUS_CODES",
    "ENTER_CREDS",
    "LOGIN_ERROR",
    "MFA",
    "SEARCH",
    "Event",
    "create_member_error",
    "credentials_submitted",
    "loaded",
    "member_connected",
    "member_status_update",
    "selected_institution",
    "step_after",
    "step_change",
    "submit_mfa",
]

# Step names as the widget reports them in mx/connect/loaded and mx/connect/stepChange.
SEARCH = "search"
ENTER_CREDS = "enterCreds"
CONNECTING = "connecting"
MFA = "mfa"
LOGIN_ERROR = "loginError"
CONNECTED = "connected"

# mx/connect/memberStatusUpdate carries the status as MX's number, not its name.
CONNECTION_STATUS_CODES = {
    "CREATED": 0,
    "PREVENTED": 1,
    "DENIED": 2,
    "CHALLENGED": 3,
    "REJECTED": 4,
    "LOCKED": 5,
    "CONNECTED": 6,
    "IMPEDED": 7,
    "RECONNECTED": 8,
    "DEGRADED": 9,
    "DISCONNECTED": 10,
    "DISCONTINUED": 11,
    "CLOSED": 12,
    "DELAYED": 13,
    "FAILED": 14,
    "UPDATED": 15,
    "DISABLED": 16,
    "IMPORTED": 17,
    "RESUMED": 18,
    "EXPIRED": 19,
    "IMPAIRED": 20,
    "PENDING": 21,
}

Event = dict[str, Any]
"""One message before the page adds the guids: ``{"type": "mx/…", "metadata": {…}}``."""


def loaded(step: str) -> list[Event]:
    """What the widget posts when it (re)loads: ``mx/load``, then ``mx/connect/loaded``."""
    return [_event("mx/load"), _event("mx/connect/loaded", initial_step=step)]


def step_change(previous: str, current: str) -> Event:
    """``mx/connect/stepChange`` (MX: for analytics, not for driving the app)."""
    return _event("mx/connect/stepChange", previous=previous, current=current)


def selected_institution(institution: dict[str, str]) -> Event:
    """``mx/connect/selectedInstitution`` with the institution's code, guid, name and url."""
    return _event(
        "mx/connect/selectedInstitution",
        code=institution["code"],
        guid=institution["guid"],
        name=institution["name"],
        url=institution["url"],
    )


def credentials_submitted(
    institution: dict[str, str], member_guid: str | None, *, updating: bool
) -> Event:
    """``mx/connect/enterCredentials`` for a new member, ``updateCredentials`` for a known one."""
    ref = {"code": institution["code"], "guid": institution["guid"]}
    if updating and member_guid is not None:
        return _event("mx/connect/updateCredentials", member_guid=member_guid, institution=ref)
    return _event("mx/connect/enterCredentials", institution=ref)


def member_status_update(member_guid: str, status: str) -> Event:
    """``mx/connect/memberStatusUpdate`` with the numeric ``connection_status``."""
    return _event(
        "mx/connect/memberStatusUpdate",
        member_guid=member_guid,
        connection_status=CONNECTION_STATUS_CODES[status],
    )


def member_connected(member_guid: str) -> Event:
    """``mx/connect/memberConnected``: the member is connected and its data is ready."""
    return _event("mx/connect/memberConnected", member_guid=member_guid)


def submit_mfa(member_guid: str) -> Event:
    """``mx/connect/submitMFA`` when the user answers a challenge."""
    return _event("mx/connect/submitMFA", member_guid=member_guid)


def create_member_error(institution: dict[str, str]) -> Event:
    """``mx/connect/createMemberError``: MX refused to create (or update) the member."""
    return _event(
        "mx/connect/createMemberError",
        institution_guid=institution["guid"],
        institution_code=institution["code"],
    )


def step_after(status: str) -> str:
    """The step the widget shows once a connection attempt ends in ``status``.

    As MX's widget decides it: connected; MFA while challenged; the credentials form
    again when they were denied; an error step (with "Try again") for anything else.
    """
    return {"CONNECTED": CONNECTED, "CHALLENGED": MFA, "DENIED": ENTER_CREDS}.get(
        status, LOGIN_ERROR
    )


def _event(kind: str, **metadata: Any) -> Event:
    return {"type": kind, "metadata": metadata}
