"""The standalone Flow page: Checkout.com's Flow as a plain card form that works without JS.

``GET /flow/<payment_session_id>`` shows the form (card number, expiry month and year, CVV,
name on card). ``POST`` pays the session: an approving US debit or prepaid test card (CVV
``100``, future expiry) makes a ``Card Verified`` payment and completes the session; any other
card makes a ``Declined`` payment (a credit or non-US card with ``20057``: push to card cannot
take it) and leaves the session payable. Both result pages show the ``pay_…`` id; they link
back to the session's ``success_url``/``failure_url`` with ``?cko-payment-id=`` only when that
URL is the app's, never to BankBridge's own API (a session opened without a redirect URL).
Unknown sessions get a 404 page; expired or completed ones a 410 page. Posts from another
site are refused (403); every URL on the page is built from ``BANKBRIDGE_PUBLIC_URL``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.checkout.cards import TEST_CVV, outcome
from bankbridge.partners.checkout.emulator.card_entry import CheckedCard, check_card
from bankbridge.partners.checkout.emulator.state import (
    PAYMENT_SESSION,
    Body,
    FoundSession,
    create_payment,
    find_session,
    session_state,
    take_open_session,
)
from bankbridge.partners.kit.bodies import BodyError, read_form
from bankbridge.partners.kit.pages import HostedPages, frame_origins, is_same_origin

__all__ = ["TEMPLATES_DIR", "checkout_pages", "page_routes"]

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"
PAYMENT_ID_PARAM = "cko-payment-id"
PARTNER_NAME = "Checkout.com"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def checkout_pages(context: EmulatorContext) -> HostedPages:
    """The Checkout.com page templates, with the kit's headers and base template."""
    return HostedPages(TEMPLATES_DIR, context.settings.public_url)


def page_routes(context: EmulatorContext) -> list[Route]:
    """``/flow/{id}``: GET shows the card form, POST pays."""
    pages = checkout_pages(context)

    async def flow(request: Request) -> Response:
        session_id = request.path_params["id"]
        found = await find_session(context, session_id)
        if found is None:
            return _error(
                pages,
                404,
                "Payment session not found",
                "This Checkout.com payment session does not exist. Ask the app for a new one.",
            )
        origins = await frame_origins(context, found.owner)
        if request.method == "POST" and not is_same_origin(request, context.settings.public_url):
            return _error(pages, 403, "Forbidden", "This form can only be sent from its own page.")
        state = await session_state(context, found.records, found.session)
        if state != "Active":
            return _closed(pages, found.session, state)
        if request.method == "GET":
            return _form(pages, context, found.session, CheckedCard({}), origins)
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        try:
            if media_type != FORM_MEDIA_TYPE:
                raise BodyError("malformed", "not a form post")
            raw = await read_form(request, context.settings.max_body_bytes)
        except BodyError:
            return _error(pages, 400, "Bad request", "The form could not be read.")
        checked = check_card(raw, context.now(), _default_name(found.session))
        if checked.entry is None:
            return _form(pages, context, found.session, checked, origins, status=422)
        return await _pay(context, pages, found, checked, origins)

    return [Route("/flow/{id}", flow, methods=["GET", "POST"])]


async def _pay(
    context: EmulatorContext,
    pages: HostedPages,
    found: FoundSession,
    checked: CheckedCard,
    origins: list[str],
) -> Response:
    assert checked.entry is not None
    result = outcome(checked.entry.card)
    if result.approved and not await take_open_session(found.records, found.session["id"]):
        fresh = await found.records.get(PAYMENT_SESSION, found.session["id"]) or found.session
        return _closed(pages, fresh, await session_state(context, found.records, fresh))
    payment = await create_payment(context, found, checked.entry, result)
    session = found.session
    back = session["success_url"] if payment["approved"] else session["failure_url"]
    return pages.render(
        "approved.html" if payment["approved"] else "declined.html",
        {
            "partner_name": PARTNER_NAME,
            "payment": payment,
            "message": result.display_message,
            "return_url": _app_link(context, back, payment["id"]),
            "retry_url": f"{context.base_url}/flow/{session['id']}",
        },
        frame_origins=origins,
    )


def _form(
    pages: HostedPages,
    context: EmulatorContext,
    session: Body,
    checked: CheckedCard,
    origins: list[str],
    status: int = 200,
) -> Response:
    values = checked.values or {"name": _default_name(session)}
    return pages.render(
        "flow.html",
        {
            "partner_name": PARTNER_NAME,
            "session": session,
            "values": values,
            "errors": checked.errors,
            "action": f"{context.base_url}/flow/{session['id']}",
            "test_cvv": TEST_CVV,
        },
        status=status,
        frame_origins=origins,
    )


def _closed(pages: HostedPages, session: Body, state: str) -> Response:
    if state == "Completed":
        message = (
            "This payment session has already been paid "
            f"(payment {session.get('payment_id')}). It can be completed only once."
        )
        return _error(pages, 410, "Payment session already completed", message)
    return _error(
        pages,
        410,
        "Payment session expired",
        "This Checkout.com payment session has expired. Ask the app for a new one.",
    )


def _error(pages: HostedPages, status: int, title: str, message: str) -> Response:
    context = {"partner_name": PARTNER_NAME, "title": title, "message": message}
    return pages.render("error.html", context, status=status)


def _default_name(session: Body) -> str:
    customer = session.get("customer") or {}
    return str(customer.get("name") or "")


def _app_link(context: EmulatorContext, url: str, payment_id: str) -> str | None:
    """``url`` with the payment id, or None when it is BankBridge's own (no app to go to)."""
    public = urlsplit(context.settings.public_url)
    parts = urlsplit(url)
    own_site = (parts.scheme, parts.netloc.lower()) == (public.scheme, public.netloc.lower())
    if own_site and (parts.path + "/").startswith(public.path.rstrip("/") + "/"):
        return None
    query = [*parse_qsl(parts.query, keep_blank_values=True), (PAYMENT_ID_PARAM, payment_id)]
    return urlunsplit(parts._replace(query=urlencode(query)))
