"""Sandbox levers: the API's sandbox controls, each on the resource it acts on.

- ``/console/sandbox``: the account's partner faults (``GET``, ``POST`` and ``DELETE
  /sandbox/faults``);
- an exchange's *Reset login* (``POST /sandbox/exchanges/{id}/reset-login``: the partner
  demands a new login and sends its webhook, the exchange shows ``re-authenticate``);
- a bank funding source's *Set balance* (``POST /sandbox/funding-sources/{id}/balance``).

The lever forms are in ``_sandbox_levers.html``, included by the exchange and funding-source
pages; a lever's post answers with ``lever.html``: the call made, the API's answer, the
resource as it is now, and the levers again. Each lever is the API's own route called as the
session's token, so another account's ids are refused as the API refuses them (the
not-found page), and outside sandbox mode every lever is the not-found page.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge import partners
from bankbridge.console.client import ApiCall, segment
from bankbridge.console.pages.flow import refused_status
from bankbridge.console.rendering import register_global
from bankbridge.console.session import Console, ConsolePage, console_page
from bankbridge.partners.checkout.adapter import CheckoutAdapter
from bankbridge.partners.checkout.emulator import faults as checkout_faults
from bankbridge.partners.kit.faults import FAULT_KINDS
from bankbridge.partners.mx.adapter import MxAdapter
from bankbridge.partners.mx.emulator import faults as mx_faults
from bankbridge.partners.plaid.adapter import PlaidAdapter
from bankbridge.partners.plaid.emulator import faults as plaid_faults

__all__ = ["ROUTES"]

# The documented errors each emulator can answer on purpose, by partner name.
_ERRORS_BY_SLUG = {
    "mx": tuple(mx_faults.ERRORS),
    "plaid": tuple(plaid_faults.ERRORS),
    "checkout": tuple(checkout_faults.ERRORS),
}
FAULT_ERRORS = {p.name: _ERRORS_BY_SLUG[p.slug] for p in partners.PARTNERS}
# The webhooks each partner can be made to send about an exchange, by exchange-partner id
# (``_sandbox_levers.html`` offers them on an exchange's page).
_WEBHOOKS_BY_SLUG = {
    "mx": MxAdapter.sandbox_webhooks,
    "plaid": PlaidAdapter.sandbox_webhooks,
    "checkout": CheckoutAdapter.sandbox_webhooks,
}
register_global("sandbox_webhooks", {p.id: _WEBHOOKS_BY_SLUG[p.slug] for p in partners.PARTNERS})
FAULT_FIELDS = ("partner", "fault", "error", "delaySeconds", "calls")
BALANCE_FIELDS = ("available", "closing")


def sandbox_page(handler: ConsolePage) -> Callable[[Request], Awaitable[Response]]:
    """A console page that exists in sandbox mode only (elsewhere: the not-found page)."""

    @functools.wraps(handler)
    async def page(request: Request, console: Console) -> Response:
        if not console.services.settings.sandbox:
            return console.not_found()
        return await handler(request, console)

    return console_page(page)


@sandbox_page
async def sandbox(request: Request, console: Console) -> Response:
    """The account's active partner faults, and the forms to add and clear them."""
    return await _sandbox_page(console)


@sandbox_page
async def add_fault(request: Request, console: Console) -> Response:
    """``POST /sandbox/faults`` from the form; a refusal is shown with the form's values."""
    values = {name: console.form.get(name, "").strip() for name in FAULT_FIELDS}
    body: dict[str, Any] = {"partner": values["partner"], "fault": values["fault"]}
    if values["fault"] == "error":
        body["error"] = values["error"]
    numbers = {"delaySeconds": float, "calls": int}
    errors: dict[str, str] = {}
    for name, kind in numbers.items():
        if not values[name] or (name == "delaySeconds" and values["fault"] != "slow"):
            continue
        try:
            body[name] = kind(values[name])
        except ValueError:
            errors[name] = f"{name} must be a number."
    if errors:
        return await _sandbox_page(console, values, errors, "Check the highlighted fields.")
    call = await console.api.post("/sandbox/faults", body)
    if not call.ok:
        found = call.form_errors()
        return await _sandbox_page(console, values, found, call.error_message, refused_status(call))
    return await _sandbox_page(console, notice=_answered(call))


@sandbox_page
async def clear_faults(request: Request, console: Console) -> Response:
    """``DELETE /sandbox/faults``: every partner answers as usual again."""
    call = await console.api.delete("/sandbox/faults")
    if not call.ok:
        return await _sandbox_page(console, error=call.error_message, status=refused_status(call))
    return await _sandbox_page(console, notice=_answered(call))


@sandbox_page
async def reset_login(request: Request, console: Console) -> Response:
    """``POST /sandbox/exchanges/{id}/reset-login``, then the exchange as it is now."""
    exchange_id = segment(request.path_params["id"])
    call = await console.api.post(f"/sandbox/exchanges/{exchange_id}/reset-login")
    return await _lever_page(console, call, f"/exchanges/{exchange_id}", "Exchange")


@sandbox_page
async def send_partner_webhook(request: Request, console: Console) -> Response:
    """``POST /sandbox/exchanges/{id}/partner-webhooks``, then the exchange as it is now."""
    exchange_id = segment(request.path_params["id"])
    body = {"webhookCode": console.form.get("webhookCode", "")}
    call = await console.api.post(f"/sandbox/exchanges/{exchange_id}/partner-webhooks", body)
    return await _lever_page(console, call, f"/exchanges/{exchange_id}", "Exchange")


@sandbox_page
async def set_balance(request: Request, console: Console) -> Response:
    """``POST /sandbox/funding-sources/{id}/balance``, then the source and its balance."""
    source_id = segment(request.path_params["id"])
    values = {name: console.form.get(name, "").strip() for name in BALANCE_FIELDS}
    body = {name: {"value": value} for name, value in values.items() if value}
    call = await console.api.post(f"/sandbox/funding-sources/{source_id}/balance", body)
    return await _lever_page(
        console, call, f"/funding-sources/{source_id}", "Funding source", values
    )


ROUTES = [
    Route("/sandbox", sandbox, methods=["GET"]),
    Route("/sandbox/faults", add_fault, methods=["POST"]),
    Route("/sandbox/faults/clear", clear_faults, methods=["POST"]),
    Route("/exchanges/{id}/sandbox/reset-login", reset_login, methods=["POST"]),
    Route("/exchanges/{id}/sandbox/partner-webhooks", send_partner_webhook, methods=["POST"]),
    Route("/funding-sources/{id}/sandbox/balance", set_balance, methods=["POST"]),
]


async def _sandbox_page(
    console: Console,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    status: int | None = None,
    notice: str = "",
) -> Response:
    listing = await console.api.get("/sandbox/faults")
    faults = (listing.body or {}).get("faults", []) if listing.ok else []
    return console.render(
        "sandbox.html",
        {
            "faults": faults,
            "partner_names": [p.name for p in partners.PARTNERS],
            "fault_kinds": FAULT_KINDS,
            "fault_errors": FAULT_ERRORS,
            "values": values or {"fault": "error"},
            "errors": errors or {},
            "error": error,
            "notice": notice,
        },
        title="Sandbox",
        nav="sandbox",
        status=status or (400 if error else 200),
    )


async def _lever_page(
    console: Console,
    call: ApiCall,
    path: str,
    kind: str,
    values: dict[str, str] | None = None,
) -> Response:
    """The lever's answer, then the resource (and a bank's balance) as the API shows it now.

    A resource the session cannot read (another account's, or none) is the not-found page,
    whatever the lever answered; a readable one shows the lever's refusal, if any."""
    resource = await console.api.get(path)
    if not resource.ok:
        return console.api_failed(resource)
    balance = None
    if isinstance(resource.body, dict) and resource.body.get("type") == "bank":
        balance = await console.api.get(path + "/balance")
    return console.render(
        "lever.html",
        {
            "kind": kind,
            "resource": resource.body,
            "page": "/console" + path,
            "balance": balance,
            "lever": call,
            "notice": _answered(call) if call.ok else "",
            "error": "" if call.ok else call.error_message,
            "errors": {_field(p): m for p, m in call.field_errors().items()},
            "lever_values": values or {},
        },
        title=f"Sandbox lever: {kind.lower()}",
        nav="sandbox",
        status=200 if call.ok else refused_status(call),
    )


def _field(path: str) -> str:
    """``/closing/value`` -> ``closing``: the form field a Dwolla error path is about."""
    return path.strip("/").split("/", 1)[0]


def _answered(call: ApiCall) -> str:
    path = "/" + call.url.split("://", 1)[-1].split("/", 1)[-1]
    return f"{call.method} {path}: the API answered {call.status}."
