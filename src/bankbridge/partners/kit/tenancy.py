"""Whose emulator state a hosted page works on: the capability index.

API calls name their owner through their credentials (``keys.SandboxKeys.owner``) and read
and write that owner's records only (``EmulatorContext.records_for``). A hosted page has
no credentials, only a capability in its URL (a Plaid link token, an MX widget URL token, a
Checkout.com payment session id): when an emulator issues one it ``grant``s it, and the
page asks ``owner_of`` before it opens the owner's records. Capabilities are unguessable
random strings, so knowing one is the right to that one flow, as at the partners.
"""

from __future__ import annotations

from datetime import datetime

from bankbridge.store.base import EmulatorRecords, NewRecord

__all__ = ["CAPABILITY", "grant", "granted", "owner_of"]

CAPABILITY = "capability"


def _grant_record(token: str, owner: str, expires_at: datetime | None) -> NewRecord:
    """The index entry that lets a hosted page find ``token``'s owner."""
    return NewRecord(CAPABILITY, token, {"owner": owner}, expires_at=expires_at)


def granted(
    index: EmulatorRecords, token: str, owner: str, expires_at: datetime | None
) -> tuple[EmulatorRecords, NewRecord]:
    """``grant`` as part of the records it opens: ``records.put_all([...], also=[granted(…)])``
    writes both in one statement."""
    return index, _grant_record(token, owner, expires_at)


async def grant(
    index: EmulatorRecords, token: str, owner: str, expires_at: datetime | None
) -> None:
    """Record that ``token`` opens ``owner``'s state, until ``expires_at``."""
    record = _grant_record(token, owner, expires_at)
    await index.put(record.kind, record.key, record.data, expires_at=record.expires_at)


async def owner_of(index: EmulatorRecords, token: str) -> str | None:
    """The owner ``token`` was granted for, or None when unknown or expired."""
    if not token:
        return None
    record = await index.get(CAPABILITY, token)
    return str(record["owner"]) if record else None
