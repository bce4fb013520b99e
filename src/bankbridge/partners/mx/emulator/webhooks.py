"""MX's webhooks as the emulator sends them: member and connection-status webhooks.

MX delivers JSON POSTs to URLs configured out of band (on MX's client dashboard), secured by
HTTP Basic credentials the client gives MX. The emulator plays the dashboard: each account's
webhooks go to BankBridge's own receiver for that account (``/partner-webhooks/mx/<owner>``)
unless ``POST /sandbox/webhook_url`` (BankBridge-only) names another URL, and carry HTTP
Basic with the account's own MX client_id and api_key (the secret both sides hold).

Sent: ``CONNECTION_STATUS`` (``action`` ``CHANGED``) when a member enters an end-user-
actionable status (CHALLENGED, DENIED, EXPIRED, IMPAIRED, IMPEDED, LOCKED, PREVENTED,
REJECTED), and ``MEMBER`` (``action`` ``UPDATED`` / ``DELETED``, the member's fields) when a
member reconnects or is deleted. One attempt each; MX's retries are not emulated.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.mx.emulator.state import STATUS_MESSAGES, public

__all__ = ["ACTIONABLE_STATUSES", "WEBHOOK_URL", "receiver_url", "send_member_webhook"]

log = logging.getLogger("bankbridge.emulator.mx")

WEBHOOK_URL = "webhook_url"  # record kind: an owner's configured webhook URL
ACTIONABLE_STATUSES = frozenset(
    {"CHALLENGED", "DENIED", "EXPIRED", "IMPAIRED", "IMPEDED", "LOCKED", "PREVENTED", "REJECTED"}
)
_STATUS_IDS = {
    "CHALLENGED": 3,
    "DENIED": 4,
    "EXPIRED": 17,
    "IMPAIRED": 20,
    "IMPEDED": 16,
    "LOCKED": 18,
    "PREVENTED": 2,
    "REJECTED": 5,
}


async def receiver_url(context: EmulatorContext, owner: str) -> str:
    """Where ``owner``'s MX webhooks go: the configured URL, else BankBridge's receiver."""
    configured = await context.records_for(owner).get(WEBHOOK_URL, "url")
    if configured is not None:
        return str(configured["url"])
    return f"{context.settings.public_url.rstrip('/')}/partner-webhooks/mx/{owner}"


async def send_member_webhook(
    context: EmulatorContext, owner: str, member: dict[str, Any], action: str
) -> bool:
    """Send the webhook MX sends for ``member``'s change: ``CONNECTION_STATUS`` for an
    actionable status change, ``MEMBER`` for ``UPDATED`` / ``DELETED``."""
    status = member.get("connection_status")
    if action == "CHANGED":
        if status not in ACTIONABLE_STATUSES:
            return False
        body: dict[str, Any] = {
            "action": "CHANGED",
            "connection_status": status,
            "connection_status_id": _STATUS_IDS[str(status)],
            "connection_status_message": STATUS_MESSAGES.get(str(status)),
            "member_guid": member["guid"],
            "type": "CONNECTION_STATUS",
            "user_guid": member["user_guid"],
        }
    else:
        body = {"type": "MEMBER", "action": action, **public(member)}
    raw = json.dumps(body, separators=(",", ":")).encode()
    credentials = context.keys.for_account("mx", owner)
    basic = base64.b64encode(f"{credentials.client_id}:{credentials.secret}".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {basic}"}
    url = await receiver_url(context, owner)
    try:
        answered = await context.deliver(url, raw, headers)
    except Exception:  # the receiver's trouble is not the sender's
        log.warning("mx webhook %s for member %s: delivery failed", action, member["guid"])
        return False
    return 200 <= answered < 300
