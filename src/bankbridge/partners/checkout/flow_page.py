"""The hosted Flow page: Checkout.com's Flow component as a card form that works without JS.

``GET /flow/<payment_session_id>`` shows the form (card number, expiry month and year, CVV,
name on card). ``POST`` pays the session with a Sandbox test card: an approving card (CVV
``100``, future expiry) makes a ``Card Verified`` payment and completes the session; a declining
card makes a ``Declined`` payment and leaves the session payable. Both result pages show the
``pay_…`` id and link to the session's ``success_url``/``failure_url`` with
``?cko-payment-id=``. Bad input re-shows the form with field errors and makes no payment.
Unknown sessions get a 404 page; expired or already completed ones a 410 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.checkout.cards import TEST_CVV, TestCard, find_card, luhn_valid, normalize
from bankbridge.partners.checkout.emulator import (
    OPEN_SESSION,
    PAYMENT_SESSION,
    Body,
    create_payment,
    session_state,
)
from bankbridge.partners.kit.tenancy import owner_of

__all__ = ["flow_page"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
FORM_FIELDS = ("card_number", "expiry_month", "expiry_year", "cvv", "name")
MAX_NAME_LENGTH = 100
PAYMENT_ID_PARAM = "cko-payment-id"


@dataclass
class _CardForm:
    """A submitted card form: the values to re-show and the errors per field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    card: TestCard | None = None
    expiry_month: int = 0
    expiry_year: int = 0


def flow_page(context: EmulatorContext) -> Callable[[Request], Awaitable[Response]]:
    """The ``/flow/{id}`` endpoint (GET shows the form, POST pays)."""

    async def flow(request: Request) -> Response:
        session_id = request.path_params["id"]
        owner = await owner_of(context.index, session_id)
        records = context.records_for(owner) if owner else None
        session = await records.get(PAYMENT_SESSION, session_id) if records else None
        if owner is None or records is None or session is None:
            return _error_page(
                request,
                404,
                "Payment session not found",
                "This Checkout.com payment session does not exist. Ask the app for a new one.",
            )
        state = await session_state(context, records, session)
        if state != "Active":
            return _closed_page(request, session, state)
        if request.method == "GET":
            return _form_page(request, session, _CardForm({"name": _default_name(session)}))
        try:
            raw = await request.form()
        except Exception:  # a malformed form body is the client's problem, not a 500
            return _error_page(request, 400, "Bad request", "The form could not be read.")
        form = _check_form(raw, context)
        if form.errors or form.card is None:
            return _form_page(request, session, form, status=422)
        card = form.card
        if card.approved and await records.take(OPEN_SESSION, session_id) is None:
            fresh = await records.get(PAYMENT_SESSION, session_id) or session
            return _closed_page(request, fresh, await session_state(context, records, fresh))
        name = form.values["name"] or _default_name(session)
        payment = await create_payment(
            context, owner, session, card, form.expiry_month, form.expiry_year, name
        )
        template = "approved.html" if payment["approved"] else "declined.html"
        back = session["success_url"] if payment["approved"] else session["failure_url"]
        return TEMPLATES.TemplateResponse(
            request,
            template,
            {
                "session": session,
                "payment": payment,
                "return_url": _with_payment_id(back, payment["id"]),
                "retry_url": str(request.url),
            },
        )

    return flow


def _check_form(raw: Mapping[str, Any], context: EmulatorContext) -> _CardForm:
    values = {name: str(raw.get(name) or "").strip() for name in FORM_FIELDS}
    form = _CardForm({k: v for k, v in values.items() if k != "cvv"})  # never re-show the CVV
    errors = form.errors
    number = normalize(values["card_number"])
    if not number:
        errors["card_number"] = "Enter the card number."
    elif not luhn_valid(number):
        errors["card_number"] = "This card number is not valid."
    else:
        form.card = find_card(number)
        if form.card is None:
            errors["card_number"] = "This is not a Checkout.com Sandbox test card."
    month = _small_int(values["expiry_month"])
    year = _small_int(values["expiry_year"])
    if year is not None and year < 100:
        year += 2000
    now = context.now()
    if month is None or not 1 <= month <= 12:
        errors["expiry_month"] = "Enter the expiry month (1-12)."
    if year is None or not 2000 <= year <= 2099:
        errors["expiry_year"] = "Enter the expiry year (for example 2030)."
    elif month is not None and 1 <= month <= 12 and (year, month) < (now.year, now.month):
        errors["expiry_year"] = "This card has expired."
    form.expiry_month, form.expiry_year = month or 0, year or 0
    cvv = values["cvv"]
    if not cvv.isdigit() or len(cvv) not in (3, 4):
        errors["cvv"] = "Enter the 3 or 4 digit security code."
    elif cvv != TEST_CVV:
        errors["cvv"] = f"The security code is incorrect (Sandbox test cards use {TEST_CVV})."
    if len(values["name"]) > MAX_NAME_LENGTH:
        errors["name"] = f"Use at most {MAX_NAME_LENGTH} characters."
    return form


def _form_page(request: Request, session: Body, form: _CardForm, status: int = 200) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        "flow.html",
        {
            "session": session,
            "values": form.values,
            "errors": form.errors,
            "action": str(request.url),
            "test_cvv": TEST_CVV,
        },
        status_code=status,
    )


def _closed_page(request: Request, session: Body, state: str) -> Response:
    if state == "Completed":
        message = (
            "This payment session has already been paid "
            f"(payment {session.get('payment_id')}). It can be completed only once."
        )
        return _error_page(request, 410, "Payment session already completed", message)
    return _error_page(
        request,
        410,
        "Payment session expired",
        "This Checkout.com payment session has expired. Ask the app for a new one.",
    )


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def _default_name(session: Body) -> str:
    customer = session.get("customer") or {}
    return str(customer.get("name") or "")


def _small_int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 4 else None


def _with_payment_id(url: str, payment_id: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (PAYMENT_ID_PARAM, payment_id)]
    return urlunsplit(parts._replace(query=urlencode(query)))
