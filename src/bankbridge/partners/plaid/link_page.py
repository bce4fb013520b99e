"""The hosted Plaid Link page: Link as a plain HTML form that works without JavaScript.

``GET /link?token=<link_token>`` shows the form (bank, username, password); ``POST`` logs in
with Plaid's Sandbox credentials. Success creates an Item and a one-time public token, shown
on a result page or sent to the link token's ``redirect_uri`` (303, ``?public_token=``); in
update mode it clears the Item's error instead. Failures re-show the form with Plaid's error
code and display message and leave the link token usable. Unknown link tokens get a 404
page, expired or completed ones a 410 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.kit.tenancy import owner_of
from bankbridge.partners.plaid import sandbox
from bankbridge.partners.plaid.emulator import (
    ITEM,
    LINK_SESSION,
    LINK_TOKEN,
    Body,
    create_item,
    is_expired,
    issue_public_token,
)

__all__ = ["link_page"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def link_page(context: EmulatorContext) -> Callable[[Request], Awaitable[Response]]:
    async def link(request: Request) -> Response:
        if request.method == "GET":
            token = request.query_params.get("token", "")
            form: Mapping[str, Any] = {}
        else:
            try:
                form = await request.form()
            except Exception:  # a malformed form body is the client's problem, not a 500
                return _error_page(request, 400, "Bad request", "The form could not be read.")
            token = str(form.get("token") or request.query_params.get("token", ""))
        owner = await owner_of(context.index, token)
        records = context.records_for(owner) if owner else None
        record = await records.get(LINK_TOKEN, token) if records else None
        if owner is None or records is None or record is None:
            return _error_page(
                request,
                404,
                "Link session not found",
                "This Plaid Link session does not exist. Ask the app for a new link.",
            )
        session = await records.get(LINK_SESSION, token)
        if is_expired(record, context.now()) or session is None:
            return _error_page(
                request,
                410,
                "Link session expired",
                "This Plaid Link session has expired or was already completed. "
                "Ask the app for a new link.",
            )
        item = await records.get(ITEM, record["item_id"]) if record["item_id"] else None
        if record["item_id"] and item is None:
            return _error_page(
                request,
                410,
                "Account no longer connected",
                "The account this session would re-connect has been removed.",
            )
        if request.method == "GET":
            return _form_page(request, record, item, sandbox.DEFAULT_INSTITUTION)
        return await _submit(request, context, owner, record, item, form)

    return link


async def _submit(
    request: Request,
    context: EmulatorContext,
    owner: str,
    record: Body,
    item: Body | None,
    form: Mapping[str, Any],
) -> Response:
    institution_id = item["institution_id"] if item else str(form.get("institution_id") or "")
    if institution_id not in sandbox.INSTITUTIONS:
        return _form_page(
            request,
            record,
            item,
            sandbox.DEFAULT_INSTITUTION,
            error={"error_code": "INVALID_INSTITUTION", "display_message": "Choose a bank."},
            status=400,
        )
    username = str(form.get("username") or "")
    failure = sandbox.link_error(username, str(form.get("password") or ""))
    if failure is not None:
        error_type, code, _, display = failure
        error = {"error_type": error_type, "error_code": code, "display_message": display}
        return _form_page(request, record, item, institution_id, error=error, username=username)
    records = context.records_for(owner)
    if await records.take(LINK_SESSION, record["link_token"]) is None:
        return _error_page(
            request,
            410,
            "Link session expired",
            "This Plaid Link session was already completed. Ask the app for a new link.",
        )
    if item is not None:  # update mode: the same Item, repaired
        item["error"] = None
        await records.put(ITEM, item["item_id"], item)
        return TEMPLATES.TemplateResponse(
            request,
            "reconnected.html",
            {"institution": item["institution_name"], "redirect_uri": record["redirect_uri"]},
        )
    item = await create_item(context, owner, institution_id, record["products"], record["webhook"])
    public_token = await issue_public_token(context, owner, item)
    if record["redirect_uri"]:
        return RedirectResponse(
            _with_query(record["redirect_uri"], public_token=public_token), status_code=303
        )
    return TEMPLATES.TemplateResponse(
        request,
        "success.html",
        {
            "public_token": public_token,
            "institution": item["institution_name"],
            "accounts": item["accounts"],
        },
    )


def _form_page(
    request: Request,
    record: Body,
    item: Body | None,
    institution_id: str,
    *,
    error: Body | None = None,
    username: str = "",
    status: int = 200,
) -> Response:
    institutions = [(i, sandbox.INSTITUTIONS[i]) for i in sandbox.LINK_INSTITUTIONS]
    return TEMPLATES.TemplateResponse(
        request,
        "link.html",
        {
            "token": record["link_token"],
            "client_name": record["client_name"],
            "update_institution": item["institution_name"] if item else None,
            "institutions": institutions,
            "selected": institution_id,
            "username": username,
            "error": error,
        },
        status_code=status,
    )


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))
