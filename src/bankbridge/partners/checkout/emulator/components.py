"""Checkout.com Flow for real front ends: the drop-in script and the Flow frame it mounts.

- ``GET /web-components/index.js``: ``window.CheckoutWebComponents`` (``scripts/index.js``),
  served with BankBridge's public emulator URL written in, for apps that route
  ``https://checkout-web-components.checkout.com/index.js`` here.
- ``GET /web-components/flow/{payment_session_id}``: the Flow frame, the card form the
  drop-in puts in an iframe (``scripts/flow-frame.js`` drives it). Embeddable by BankBridge,
  local development origins and the owning account's redirect-URL origins.
- ``POST /web-components/flow/{id}/{init,card-metadata,tokens,payments}``: what the frame
  asks the emulator, by same-origin ``fetch`` with a JSON body carrying the integrator's
  ``public_key`` and the session's ``payment_session_secret``. The public key must be the
  sandbox public key of the account that created the session. Failures answer
  ``{"error": {type, code, message, details}}``, the CheckoutError the drop-in hands to
  ``onError``; a declined payment answers its id and Flow's decline reason.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.checkout.cards import BIN_LENGTH, card_metadata, outcome
from bankbridge.partners.checkout.emulator.card_entry import check_card
from bankbridge.partners.checkout.emulator.pages import (
    PARTNER_NAME,
    checkout_pages,
)
from bankbridge.partners.checkout.emulator.request_ids import request_id_of
from bankbridge.partners.checkout.emulator.state import (
    FoundSession,
    create_card_token,
    create_payment,
    find_session,
    session_state,
    take_card_token,
    take_open_session,
)
from bankbridge.partners.kit.bodies import BodyError, read_json_object
from bankbridge.partners.kit.pages import frame_origins, is_same_origin, script_response

__all__ = ["component_routes"]

SCRIPTS = Path(__file__).parent.parent / "scripts"
DROP_IN = (SCRIPTS / "index.js").read_text(encoding="utf-8")
FRAME_SCRIPT = (SCRIPTS / "flow-frame.js").read_text(encoding="utf-8")
FRAME_ACTIONS = ("init", "card-metadata", "tokens", "payments")

Answer = dict[str, Any]


def component_routes(context: EmulatorContext) -> list[Route]:
    """The drop-in script, the Flow frame and the frame's JSON endpoints."""
    pages = checkout_pages(context)

    async def drop_in(request: Request) -> Response:
        return script_response(DROP_IN, context.base_url)

    async def frame_script(request: Request) -> Response:
        return script_response(FRAME_SCRIPT, context.base_url)

    async def frame(request: Request) -> Response:
        session_id = request.path_params["id"]
        found = await find_session(context, session_id)
        # An unknown session still gets the frame: its init call reports the error to the app.
        origins = await frame_origins(context, found.owner) if found else []
        return pages.render(
            "flow_frame.html",
            {
                "partner_name": PARTNER_NAME,
                "api": f"{context.base_url}/web-components/flow/{session_id}",
                "script_url": f"{context.base_url}/web-components/flow-frame.js",
                "standalone_url": f"{context.base_url}/flow/{session_id}",
            },
            frame_origins=origins,
        )

    async def action(request: Request) -> Response:
        name = request.path_params["action"]
        if name not in FRAME_ACTIONS:
            return Response(status_code=404)
        try:
            body = await read_json_object(request, context.settings.max_body_bytes)
        except BodyError as exc:
            return _request_error(request, exc.status, "request_invalid", exc.message)
        if not is_same_origin(request, context.settings.public_url):
            return _request_error(request, 403, "forbidden", "Flow's frame calls come from itself")
        found, failure = await _open(context, request, body)
        if failure is not None:
            return failure
        assert found is not None
        if name == "init":
            return await _init(context, request, found)
        if name == "card-metadata":
            return _card_metadata(request, body)
        if name == "tokens":
            return await _tokenize(context, found, body)
        return await _pay(context, request, found, body)

    return [
        Route("/web-components/index.js", drop_in, methods=["GET"]),
        Route("/web-components/flow-frame.js", frame_script, methods=["GET"]),
        Route("/web-components/flow/{id}", frame, methods=["GET"]),
        Route("/web-components/flow/{id}/{action}", action, methods=["POST"]),
    ]


async def _open(
    context: EmulatorContext, request: Request, body: Answer
) -> tuple[FoundSession | None, Response | None]:
    """The session, when the public key and session secret open it; else the error answer."""
    session_id = request.path_params["id"]
    found = await find_session(context, session_id)
    secret = body.get("payment_session_secret")
    secret_ok = (
        found is not None
        and isinstance(secret, str)
        and hmac.compare_digest(secret.encode(), found.session["payment_session_secret"].encode())
    )
    if found is None or not secret_ok:
        return None, _integration_error(
            request,
            404,
            "payment_session_invalid",
            "paymentSession is not a live Checkout.com payment session: pass the whole "
            "externalProviderSessionData of the exchange session",
        )
    key = body.get("public_key")
    owner = context.keys.owner_of_public_key(context.slug, key) if isinstance(key, str) else None
    if owner != found.owner:
        return None, _integration_error(
            request,
            401,
            "payment_session_invalid",
            "publicKey is not the sandbox public key (pk_sbox_…) of the account that created "
            "this payment session; `bankbridge accounts create --json` shows it",
        )
    return found, None


async def _init(context: EmulatorContext, request: Request, found: FoundSession) -> Response:
    session = found.session
    state = await session_state(context, found.records, session)
    if state != "Active":
        return _closed(request, state)
    customer = session.get("customer") or {}
    return JSONResponse(
        {
            "id": session["id"],
            "amount": session["amount"],
            "currency": session["currency"],
            "locale": session["locale"],
            "payment_methods": [{"type": kind} for kind in session["enabled_payment_methods"]],
            "cardholder_name": customer.get("name") or "",
        }
    )


def _card_metadata(request: Request, body: Answer) -> Response:
    digits = body.get("bin")
    if not (isinstance(digits, str) and len(digits) == BIN_LENGTH and digits.isascii()):
        return _request_error(request, 422, "bin_invalid", "bin must be the first 8 digits")
    if not digits.isdigit():
        return _request_error(request, 422, "bin_invalid", "bin must be the first 8 digits")
    return JSONResponse(card_metadata(digits))


async def _tokenize(context: EmulatorContext, found: FoundSession, body: Answer) -> Response:
    checked = check_card(body, context.now(), _default_name(found))
    if checked.entry is None:
        return JSONResponse({"errors": _frame_fields(checked.errors)}, status_code=422)
    data = await create_card_token(context, found, checked.entry)
    number = checked.entry.card.number
    return JSONResponse(
        {"type": "card", "data": data, "cardMetadata": card_metadata(number[:BIN_LENGTH])},
        status_code=201,
    )


async def _pay(
    context: EmulatorContext, request: Request, found: FoundSession, body: Answer
) -> Response:
    token = body.get("token")
    entry = await take_card_token(context, found, token) if isinstance(token, str) else None
    if entry is None:
        return _request_error(
            request, 422, "token_invalid", "The card token is unknown, used or expired"
        )
    result = outcome(entry.card)
    if result.approved and not await take_open_session(found.records, found.session["id"]):
        return _closed(request, await session_state(context, found.records, found.session))
    payment = await create_payment(context, found, entry, result)
    return JSONResponse(
        {
            "id": payment["id"],
            "status": "Approved" if result.approved else "Declined",
            "type": "card",
            "response_code": result.response_code,
            "response_summary": result.response_summary,
            "decline_reason": result.decline_reason,
            "display_message": result.display_message,
            "request_id": request_id_of(request),
        },
        status_code=201,
    )


def _closed(request: Request, state: str) -> Response:
    word = "completed" if state == "Completed" else "expired"
    return JSONResponse(
        {
            "error": {
                "type": "Request",
                "code": "payment_request_failed",
                "message": f"This payment session has {word}: ask the app for a new one",
                "details": {
                    "requestErrorCodes": [f"payment_session_{word}"],
                    "requestId": request_id_of(request),
                    "status": 410,
                },
            }
        },
        status_code=410,
    )


def _integration_error(request: Request, status: int, code: str, message: str) -> Response:
    error = {"type": "Integration", "code": code, "message": message, "details": {}}
    return JSONResponse({"error": error}, status_code=status)


def _request_error(request: Request, status: int, code: str, message: str) -> Response:
    details = {"requestErrorCodes": [code], "requestId": request_id_of(request), "status": status}
    error = {"type": "Request", "code": "network_error", "message": message, "details": details}
    return JSONResponse({"error": error}, status_code=status)


def _frame_fields(errors: dict[str, str]) -> dict[str, str]:
    """The frame has one expiry field where the form has two."""
    fields = dict(errors)
    expiry = fields.pop("expiry_month", None) or fields.pop("expiry_year", None)
    fields.pop("expiry_year", None)
    if expiry:
        fields["expiry"] = expiry
    return fields


def _default_name(found: FoundSession) -> str:
    customer = found.session.get("customer") or {}
    return str(customer.get("name") or "")
