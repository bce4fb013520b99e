"""Walk a flow: a customer and a partner, through to a verified funding source, in four steps.

1. ``POST /customers/{id}/exchange-sessions`` (after ``POST /customers`` when the person asks
   for a new customer);
2. ``GET /exchange-sessions/{id}``, and the partner's flow embedded in the page through its
   drop-in script (Plaid Link, Checkout.com Flow) or its Connect page in an iframe (MX);
   ``static/flow.js`` puts the partner's result into the step-3 form and submits it;
3. ``POST /customers/{id}/exchanges`` with the partner's result (MX: one of
   ``GET /customers/{id}/available-exchange-connections``, picked by the person);
4. ``POST /customers/{id}/funding-sources``, then the funding source and, for a bank, its
   balance.

Every step is one form post that makes the real API calls as the session's token; the page
shows each call (curl, dwollav2, response). The walk's state is in the URL and the forms
(customer, session and exchange ids), never in server memory.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge import partners
from bankbridge.console.client import ApiCall, segment
from bankbridge.console.session import Console, console_page
from bankbridge.partners.base import Partner

__all__ = ["ROUTES", "partner_of", "partner_step", "refused_status", "render_flow"]

CUSTOMER_FIELDS = ("firstName", "lastName", "email")
BILLING_FIELDS = ("address1", "city", "stateProvinceRegion", "country", "postalCode")
# Checkout.com's documented US test address, so a card can be saved without typing one.
SANDBOX_BILLING = {
    "address1": "552 Test St",
    "city": "Des Moines",
    "stateProvinceRegion": "IA",
    "country": "US",
    "postalCode": "50310",
}
# Where each partner's drop-in script is served (same origin: the emulators are mounted here).
DROP_INS = {
    "plaid": "/sandbox/plaid/link/v2/stable/link-initialize.js",
    "checkout": "/sandbox/checkout/web-components/index.js",
}


@console_page
async def start(request: Request, console: Console) -> Response:
    """Step 0: pick a customer (or describe a new one) and one of the account's partners."""
    return await _start_page(console)


@console_page
async def create_session(request: Request, console: Console) -> Response:
    """Step 1: create the customer when asked, then the exchange session; show step 2."""
    form = console.form
    partner = _enabled_partner(console, form.get("partner", ""))
    values = {name: form.get(name, "").strip() for name in CUSTOMER_FIELDS}
    customer_id = form.get("customer", "").strip()
    if partner is None:
        return await _start_page(console, values, "Pick one of the account's partners.")
    if not customer_id:
        if not any(values.values()):
            return await _start_page(console, values, "Pick a customer or describe a new one.")
        created = await console.api.post("/customers", {k: v for k, v in values.items() if v})
        if not created.ok or not created.location:
            errors = created.form_errors()
            return await _start_page(console, values, created.error_message, errors)
        customer_id = created.created_id
    session = await console.api.post(
        f"/customers/{segment(customer_id)}/exchange-sessions",
        {"_links": {"exchange-partner": {"href": console.api.url(_partner_path(partner))}}},
    )
    if session.status in (403, 404):
        return console.not_found()
    if not session.ok or not session.location:
        return await _start_page(
            console, values, session.error_message, status=refused_status(session)
        )
    return await partner_step(console, customer_id, session.created_id)


@console_page
async def show_session(request: Request, console: Console) -> Response:
    """Step 2 again (a reload): the session and its partner's flow."""
    return await partner_step(console, request.path_params["customer"], request.path_params["id"])


@console_page
async def create_exchange(request: Request, console: Console) -> Response:
    """Step 3: the partner's result becomes an exchange (MX: pick a connection first)."""
    customer_id = request.path_params["customer"]
    form = console.form
    partner = _enabled_partner(console, form.get("partner", ""))
    session_id = form.get("session", "")
    if partner is None:
        return console.not_found()
    body: dict[str, Any] = {
        "_links": {"exchange-partner": {"href": console.api.url(_partner_path(partner))}}
    }
    token = form.get("token", "").strip()
    if partner.slug == "mx" and not form.get("connection"):
        return await _connections_page(console, customer_id, session_id, partner)
    if partner.slug == "mx":
        body["mx"] = {"availableConnectionToken": form["connection"]}
    elif partner.slug == "plaid":
        body["plaid"] = {"publicToken": token}
    else:
        body["token"] = token
    call = await console.api.post(f"/customers/{segment(customer_id)}/exchanges", body)
    context = _walk(customer_id, session_id, partner)
    if not call.ok or not call.location:
        if call.status in (403, 404):
            return console.not_found()
        return render_flow(
            console, {**context, "step": 3, "error": call.error_message}, refused_status(call)
        )
    exchange_id = call.created_id
    return render_flow(
        console,
        {
            **context,
            "step": 4,
            "exchange": exchange_id,
            "values": await _source_defaults(console, customer_id, partner, form),
            "errors": {},
        },
    )


@console_page
async def create_funding_source(request: Request, console: Console) -> Response:
    """Step 4: the exchange becomes a verified funding source (a bank's balance shown too)."""
    customer_id = request.path_params["customer"]
    form = console.form
    partner = _enabled_partner(console, form.get("partner", ""))
    exchange_id = form.get("exchange", "")
    if partner is None or not exchange_id:
        return console.not_found()
    values = {name: form.get(name, "").strip() for name in _source_fields(partner)}
    call = await console.api.post(
        f"/customers/{segment(customer_id)}/funding-sources",
        _source_body(console, partner, exchange_id, values),
    )
    context = {
        **_walk(customer_id, form.get("session", ""), partner),
        "exchange": exchange_id,
        "values": values,
    }
    if not call.ok or not call.location:
        if call.status in (403, 404):
            return console.not_found()
        errors = {_field_name(p): m for p, m in call.field_errors().items()}
        return render_flow(
            console,
            {**context, "step": 4, "errors": errors, "error": call.error_message},
            refused_status(call),
        )
    source = await console.api.get(call.location)
    balance = None
    if isinstance(source.body, dict) and source.body.get("type") == "bank":
        balance = await console.api.get(call.location + "/balance")
    return render_flow(
        console,
        {
            **context,
            "step": 5,
            "errors": {},
            "funding_source": source.body if source.ok else None,
            "funding_source_id": call.created_id,
            "balance": balance.body if balance is not None and balance.ok else None,
        },
    )


ROUTES = [
    Route("/flow", start, methods=["GET"]),
    Route("/flow", create_session, methods=["POST"]),
    Route("/flow/{customer}/sessions/{id}", show_session, methods=["GET"]),
    Route("/flow/{customer}/exchanges", create_exchange, methods=["POST"]),
    Route("/flow/{customer}/funding-sources", create_funding_source, methods=["POST"]),
]


async def _start_page(
    console: Console,
    values: dict[str, str] | None = None,
    error: str = "",
    errors: dict[str, str] | None = None,
    status: int | None = None,
) -> Response:
    listing = await console.api.get("/customers", {"limit": 200})
    customers = (listing.body or {}).get("_embedded", {}).get("customers", [])
    chosen = console.form.get("customer") or console.request.query_params.get("customer", "")
    return render_flow(
        console,
        {
            "step": 1,
            "customers": customers,
            "chosen": chosen,
            "partners": _enabled(console),
            "values": values or {},
            "errors": errors or {},
            "error": error,
        },
        status or (400 if error else 200),
    )


async def partner_step(
    console: Console, customer_id: str, session_id: str, *, reauth: str = ""
) -> Response:
    """Step 2: the session's partner flow in the page. ``reauth``: the exchange whose
    re-authentication session this is (the flow then ends on that exchange, ``reauth.py``)."""
    session = await console.api.get(f"/exchange-sessions/{segment(session_id)}")
    customer = await console.api.get(f"/customers/{segment(customer_id)}")
    if not session.ok or not customer.ok:
        return console.not_found()
    partner = partner_of(console, session.body)
    if partner is None:
        return console.not_found()
    return render_flow(
        console,
        {
            **_walk(customer_id, session_id, partner, reauth),
            "step": 2,
            "drop_in": DROP_INS.get(partner.slug),
            "flow_data": {**_flow_data(console, partner, session.body), "reauth": bool(reauth)},
        },
    )


async def _connections_page(
    console: Console, customer_id: str, session_id: str, partner: Partner
) -> Response:
    call = await console.api.get(
        f"/customers/{segment(customer_id)}/available-exchange-connections"
    )
    if call.status in (403, 404):
        return console.not_found()
    connections = (call.body or {}).get("_embedded", {}).get("available-exchange-connections", [])
    error = "" if call.ok else call.error_message
    if call.ok and not connections:
        error = "MX has no connected account for this customer yet: finish Connect first."
    return render_flow(
        console,
        {
            **_walk(customer_id, session_id, partner),
            "step": 3,
            "connections": connections,
            "error": error,
        },
        refused_status(call) if not call.ok else (400 if error else 200),
    )


def render_flow(console: Console, context: dict[str, Any], status: int = 200) -> Response:
    """``flow.html`` in the layout; a re-authentication (``reauth`` set) has its own title."""
    return console.render(
        "flow.html",
        {"billing_fields": BILLING_FIELDS, "reauth": "", **context},
        title="Re-authenticate an exchange" if context.get("reauth") else "Walk a flow",
        nav="flow",
        status=status,
    )


def _walk(customer_id: str, session_id: str, partner: Partner, reauth: str = "") -> dict[str, Any]:
    walk = {
        "customer": customer_id,
        "session": session_id,
        "partner": partner,
        "card": partner.slug == "checkout",
        "reauth": reauth,
    }
    return {**walk, "exchange": reauth} if reauth else walk


def _flow_data(console: Console, partner: Partner, session: Any) -> dict[str, Any]:
    """What ``flow.js`` needs to start the partner's front end."""
    data: dict[str, Any] = {"partner": partner.slug}
    if partner.slug == "plaid":
        data["linkToken"] = session.get("externalProviderSessionToken")
    elif partner.slug == "mx":
        data["connectUrl"] = session["_links"]["external-provider-session"]["href"]
    else:
        data["paymentSession"] = session.get("externalProviderSessionData")
        # Flow's publicKey: the account's own sandbox key (the settings page shows it too).
        keys = console.services.sandbox_keys.for_account("checkout", console.account.id)
        data["publicKey"] = keys.public_key
    return data


async def _source_defaults(
    console: Console, customer_id: str, partner: Partner, form: Any
) -> dict[str, str]:
    """The step-4 form's starting values: the customer's name, the account's type.

    The type is what the partner told the page: Plaid Link's account ``subtype``; for MX the
    API gives only the connected account's name (``available-exchange-connections`` has
    ``name`` and ``availableConnectionToken``), so a name saying "savings" means savings."""
    if partner.slug != "checkout":
        names = dict(zip(form.getlist("offered"), form.getlist("offered_name"), strict=False))
        kind = form.get("account_type", "") or names.get(form.get("connection", ""), "")
        kind = "savings" if "savings" in kind.lower() else "checking"
        return {"name": f"{partner.name} {kind}", "bankAccountType": kind}
    customer = await console.api.get(f"/customers/{segment(customer_id)}")
    body = customer.body if isinstance(customer.body, dict) else {}
    return {
        "name": "Debit card",
        "firstName": str(body.get("firstName", "")),
        "lastName": str(body.get("lastName", "")),
        **SANDBOX_BILLING,
    }


def _source_fields(partner: Partner) -> tuple[str, ...]:
    if partner.slug == "checkout":
        return ("name", "firstName", "lastName", *BILLING_FIELDS)
    return ("name", "bankAccountType")


def _source_body(
    console: Console, partner: Partner, exchange_id: str, values: dict[str, str]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "_links": {"exchange": {"href": console.api.url(f"/exchanges/{segment(exchange_id)}")}},
        "name": values["name"],
    }
    if partner.slug != "checkout":
        body["bankAccountType"] = values["bankAccountType"]
        return body
    body["cardDetails"] = {
        "firstName": values["firstName"],
        "lastName": values["lastName"],
        "billingAddress": {name: values[name] for name in BILLING_FIELDS},
    }
    return body


def _field_name(path: str) -> str:
    """A Dwolla error path (``/cardDetails/billingAddress/city``) as the form's field name."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def _enabled(console: Console) -> list[Partner]:
    return [p for p in partners.PARTNERS if p.slug in console.account.partners]


def _enabled_partner(console: Console, slug: str) -> Partner | None:
    return next((p for p in _enabled(console) if p.slug == slug), None)


def partner_of(console: Console, session: Any) -> Partner | None:
    """The account's partner an API document (session, exchange) links to, if enabled."""
    href = session.get("_links", {}).get("exchange-partner", {}).get("href", "")
    return next((p for p in _enabled(console) if href.endswith("/" + p.id)), None)


def _partner_path(partner: Partner) -> str:
    return f"/exchange-partners/{partner.id}"


def refused_status(call: ApiCall) -> int:
    """The console page's status for a refused call: 502 when the partner or API failed."""
    return 502 if call.status >= 500 else 400
