"""The hosted MX Connect page behind a widget URL: plain HTML forms, no JavaScript needed.

GET shows the "MX Bank" sign-in form; POST signs in. ``mxuser``/``password`` connects,
``mxuser``/``challenge`` asks a security question (answer ``correct``), anything else is
DENIED and may be retried on the same URL. Connecting spends the URL, creates (or, for a
re-auth URL, reconnects) the member with its accounts, and shows the result page, whose
optional inline script posts MX's ``mx/connect/memberConnected`` message to the parent
frame or opener. Expired and used URLs get a 410 page, unknown ones a 404 page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.kit.tenancy import owner_of
from bankbridge.partners.mx.sandbox import (
    INSTITUTION_NAME,
    MFA_QUESTION,
    STATUS_MESSAGES,
    USER,
    WIDGET,
    WIDGET_MEMORY,
    WIDGET_SEEN,
    ensure_accounts,
    save_member,
)
from bankbridge.store.base import EmulatorRecords

__all__ = ["ConnectPage"]

# MX Bank test credentials (MX's integration environment uses the same username).
TEST_USERNAME = "mxuser"
TEST_PASSWORD = "password"
CHALLENGE_PASSWORD = "challenge"
MFA_ANSWER = "correct"
DENIED = ("DENIED", STATUS_MESSAGES["DENIED"])

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


class ConnectPage:
    """The Connect page endpoint; the URL token leads to its owner's emulator state."""

    def __init__(self, context: EmulatorContext) -> None:
        self.context = context

    async def endpoint(self, request: Request) -> Response:
        """GET shows the MX Bank sign-in form; POST signs in, answers MFA, or fails."""
        token = request.path_params["token"]
        owner = await owner_of(self.context.index, token)
        if owner is None:
            return _error_page(request, 404, "This connection link is not valid.")
        records = self.context.records_for(owner)
        widget = await records.get(WIDGET, token)
        if widget is None:
            return await self._dead_link(request, records, token)
        user = await records.get(USER, widget["user_guid"])
        if user is None:
            return _error_page(request, 404, "This connection is no longer available.")
        if request.method == "GET":
            if widget["challenged"]:
                return _render(request, "mfa.html", {"question": MFA_QUESTION})
            return _login_form(request, widget)

        form = await request.form()
        if _text(form, "step") == "mfa":
            if not widget["challenged"]:
                return _login_form(request, widget, error=(None, "Please sign in first."))
            if _text(form, "answer").strip().lower() == MFA_ANSWER:
                return await self._connect(request, records, token, widget, user)
            await self._move_member(records, token, widget, user, "DENIED")
            return _login_form(request, widget, error=DENIED)

        username, password = _text(form, "username").strip(), _text(form, "password")
        if username == TEST_USERNAME and password == TEST_PASSWORD:
            return await self._connect(request, records, token, widget, user)
        if username == TEST_USERNAME and password == CHALLENGE_PASSWORD:
            await self._move_member(records, token, widget, user, "CHALLENGED")
            return _render(request, "mfa.html", {"question": MFA_QUESTION})
        # A failed attempt does not spend the URL: the user may try again.
        await self._move_member(records, token, widget, user, "DENIED")
        return _login_form(request, widget, error=DENIED, username=username)

    async def _move_member(
        self,
        records: EmulatorRecords,
        token: str,
        widget: dict[str, Any],
        user: dict[str, Any],
        status: str,
    ) -> None:
        """Put the widget's member in ``status`` and remember it (and the step) on the URL."""
        member = await save_member(records, widget, user, status, self.context.now())
        widget["member_guid"], widget["challenged"] = member["guid"], status == "CHALLENGED"
        expires = datetime.fromisoformat(widget["expires_at"])
        await records.put(WIDGET, token, widget, expires_at=expires)

    async def _connect(
        self,
        request: Request,
        records: EmulatorRecords,
        token: str,
        widget: dict[str, Any],
        user: dict[str, Any],
    ) -> Response:
        """Spend the URL, mark the member CONNECTED with its accounts, show the result."""
        if await records.take(WIDGET, token) is None:
            return await self._dead_link(request, records, token)  # spent concurrently
        now = self.context.now()
        await records.put(WIDGET_SEEN, token, {"spent": True}, expires_at=now + WIDGET_MEMORY)
        member = await save_member(records, widget, user, "CONNECTED", now)
        accounts = await ensure_accounts(records, member, now)
        message = {
            "mx": True,
            "type": "mx/connect/memberConnected",
            "metadata": {
                "user_guid": user["guid"],
                "session_guid": widget["session_guid"],
                "member_guid": member["guid"],
            },
        }
        context = {
            "member_guid": member["guid"],
            "accounts": [a["name"] for a in accounts],
            "message": message,
        }
        return _render(request, "connected.html", context)

    async def _dead_link(self, request: Request, records: EmulatorRecords, token: str) -> Response:
        """410 for a URL that was used or has expired, 404 for one never issued."""
        seen = await records.get(WIDGET_SEEN, token)
        if seen is None:
            return _error_page(request, 404, "This connection link is not valid.")
        if seen.get("spent"):
            message = "This connection link has already been used. Please start again."
        else:
            message = "This connection link has expired. Please start again."
        return _error_page(request, 410, message)


def _login_form(
    request: Request,
    widget: dict[str, Any],
    *,
    error: tuple[str | None, str] | None = None,
    username: str = "",
) -> Response:
    code, message = error or (None, None)
    context = {
        "error_code": code,
        "error": message,
        "username": username,
        "reconnect": widget.get("current_member_guid") is not None,
    }
    return _render(request, "connect.html", context)


def _render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    page = {"institution": INSTITUTION_NAME, **context}
    headers = {"Cache-Control": "no-store"}
    return TEMPLATES.TemplateResponse(request, template, page, status_code=status, headers=headers)


def _error_page(request: Request, status: int, message: str) -> Response:
    return _render(request, "error.html", {"message": message}, status=status)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
