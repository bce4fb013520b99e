"""Fault injection, once for every emulator: a per-owner fault record and the hook that
consults it.

An account (the emulator's owner) may ask its own emulated partner to misbehave
(``POST /sandbox/faults``): be slow, be unavailable, or answer one of the partner's
documented errors, for its next N API calls or until the fault is cleared. The record
lives in the owner's own emulator state (kind ``fault``), so it holds across processes.
Each emulator calls ``take_fault`` once, where it authenticates a call, and turns what it
gets into its own error body (``FaultErrors`` names the errors it can answer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bankbridge.store.base import EmulatorRecords

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "clear_fault",
    "get_fault",
    "set_fault",
    "take_fault",
]

FAULT_KINDS = ("slow", "unavailable", "error")
_KIND = "fault"
_KEY = "active"


@dataclass(frozen=True)
class Fault:
    """What the next calls do: ``slow`` (wait, then answer), ``unavailable`` or ``error``."""

    kind: str
    error: str | None = None  # the partner's error code, for ``error``
    delay_seconds: float = 0.0  # for ``slow``
    remaining: int | None = None  # calls left; None until cleared

    def document(self) -> dict[str, Any]:
        """The record's JSON shape."""
        return {
            "kind": self.kind,
            "error": self.error,
            "delay_seconds": self.delay_seconds,
            "remaining": self.remaining,
        }


async def set_fault(records: EmulatorRecords, fault: Fault) -> None:
    """Make ``fault`` the owner's active fault (replacing any other)."""
    await records.put(_KIND, _KEY, fault.document())


async def get_fault(records: EmulatorRecords) -> Fault | None:
    """The owner's active fault, if any."""
    return _fault(await records.get(_KIND, _KEY))


async def clear_fault(records: EmulatorRecords) -> None:
    """Remove the owner's active fault."""
    await records.delete(_KIND, _KEY)


async def take_fault(records: EmulatorRecords) -> Fault | None:
    """Spend one call of the owner's fault: wait out a ``slow`` one (None: answer as usual)
    and return an ``unavailable`` or ``error`` one for the emulator to answer."""
    fault = _fault(await records.get(_KIND, _KEY))
    if fault is None:
        return None
    if fault.remaining is not None:
        if fault.remaining <= 1:
            await records.delete(_KIND, _KEY)
        else:
            await records.put(_KIND, _KEY, {**fault.document(), "remaining": fault.remaining - 1})
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay_seconds)
        return None
    return fault


def _fault(document: Mapping[str, Any] | None) -> Fault | None:
    if document is None:
        return None
    return Fault(
        document["kind"],
        document.get("error"),
        float(document.get("delay_seconds") or 0),
        document.get("remaining"),
    )
