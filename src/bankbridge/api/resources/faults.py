"""``/sandbox/faults``: an account makes its own emulated partners misbehave (sandbox only).

``POST`` sets one partner's fault (slow, unavailable, or one of its documented errors) for
the next ``calls`` calls, or until cleared; ``GET`` lists the account's faults; ``DELETE``
clears them all. Only the caller's own emulator state changes (``partners/kit/faults.py``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge import partners
from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.body import read_json
from bankbridge.api.hal import hal_response
from bankbridge.errors import FieldError, NotFound, ValidationError
from bankbridge.models import Account
from bankbridge.partners.checkout.emulator import faults as checkout_faults
from bankbridge.partners.kit.faults import Fault, clear_fault, get_fault, set_fault
from bankbridge.partners.mx.emulator import faults as mx_faults
from bankbridge.partners.plaid.emulator import faults as plaid_faults
from bankbridge.services import Services

__all__ = ["clear", "list_all", "set_one"]

# The documented errors each partner's emulator can answer on purpose.
ERRORS: dict[str, tuple[str, ...]] = {
    "plaid": tuple(plaid_faults.ERRORS),
    "mx": tuple(mx_faults.ERRORS),
    "checkout": tuple(checkout_faults.ERRORS),
}


@authenticated
async def set_one(request: Request, account: Account) -> Response:
    """Set one partner's fault for the caller's own emulator."""
    services = _sandbox(request)
    body = await read_json(request, services.settings.max_body_bytes)
    partner = partners.by_name(body.string("/partner") or "")
    assert partner is not None  # the schema lists the partners' names
    kind = body.string("/fault") or ""
    error = body.string("/error")
    known = ERRORS[partner.slug]
    if kind == "error" and error not in known:
        choices = ", ".join(known)
        raise ValidationError(
            [FieldError("/error", "Invalid", f"Error must be one of: {choices}.")]
        )
    if kind == "slow" and not body.has("/delaySeconds"):
        raise ValidationError(
            [FieldError("/delaySeconds", "Required", "DelaySeconds is required.")]
        )
    calls = body.get("/calls")
    fault = Fault(
        kind,
        error if kind == "error" else None,
        float(body.get("/delaySeconds") or 0),
        int(calls) if calls is not None else None,
    )
    await set_fault(_records(services, partner.slug, account), fault)
    return hal_response(_present(partner.name, fault))


@authenticated
async def list_all(request: Request, account: Account) -> Response:
    """The caller's active faults, one per partner at most."""
    services = _sandbox(request)
    found = []
    for partner in partners.PARTNERS:
        fault = await get_fault(_records(services, partner.slug, account))
        if fault is not None:
            found.append(_present(partner.name, fault))
    return hal_response({"faults": found})


@authenticated
async def clear(request: Request, account: Account) -> Response:
    """Clear every fault of the caller's emulators."""
    services = _sandbox(request)
    for partner in partners.PARTNERS:
        await clear_fault(_records(services, partner.slug, account))
    return hal_response({"faults": []})


def _sandbox(request: Request) -> Services:
    services = services_of(request)
    if not services.settings.sandbox:
        raise NotFound()
    return services


def _records(services: Services, slug: str, account: Account) -> Any:
    # The same namespace the emulator reads as ``context.records_for(owner)``.
    return services.store.emulator_records(f"{slug}/{account.id}")


def _present(name: str, fault: Fault) -> dict[str, Any]:
    document: dict[str, Any] = {"partner": name, "fault": fault.kind}
    if fault.error:
        document["error"] = fault.error
    if fault.kind == "slow":
        document["delaySeconds"] = fault.delay_seconds
    if fault.remaining is not None:
        document["remainingCalls"] = fault.remaining
    return document
