"""The hosted MX Connect page behind a widget URL: MX's Connect steps as plain HTML forms
that also speak the Connect widget's postMessage protocol.

Each widget URL is one Connect session, stored with its step: ``search`` (pick MX Bank),
``enterCreds``, ``mfa``, ``loginError`` ("Try again") and ``connected``. Every GET or POST
renders the current step with the events the move produced (``widget.py``); the page script
(``scripts/connect.js``) posts them to the window that framed or opened the page, adds the
in-page ones (institution search, Done, ``mx/navigation``) and is optional: without it the
page is an ordinary form, and a script may POST ``username`` and ``password`` at any step
before connecting (MX Bank is then selected for it).

Connecting spends the URL; a wrong password does not (the user may try again). A used or
expired URL gets a 410 page and an unknown one a 404 page; submitting credentials on a page
whose session has ended posts ``mx/connect/createMemberError``, as MX's widget does when
creating the member fails. Form posts are read within the size limit and must come from
BankBridge's own pages; the page may be framed by the owning account's redirect-URL origins
and local development origins (``kit/pages.py``).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.kit.bodies import BodyError, read_form
from bankbridge.partners.kit.pages import (
    HostedPages,
    frame_origins,
    is_same_origin,
    origin_of,
    script_response,
)
from bankbridge.partners.kit.tenancy import owner_of
from bankbridge.partners.mx.emulator import webhooks
from bankbridge.partners.mx.emulator import widget as events
from bankbridge.partners.mx.emulator.state import (
    CHALLENGES,
    INSTITUTION,
    MEMBER,
    STATUS_MESSAGES,
    USER,
    WIDGET,
    WIDGET_MEMORY,
    WIDGET_SEEN,
    answer_challenge,
    ensure_accounts,
    save_member,
    search_institutions,
    sign_in,
)
from bankbridge.partners.mx.emulator.widget import (
    CONNECTED,
    CONNECTING,
    ENTER_CREDS,
    LOGIN_ERROR,
    MFA,
    SEARCH,
    Event,
)
from bankbridge.store.base import EmulatorRecords

__all__ = ["ConnectPage"]

HERE = Path(__file__).parent
SCRIPT = (HERE / "scripts" / "connect.js").read_text(encoding="utf-8")


class ConnectPage:
    """The Connect page endpoints; the URL token leads to its owner's emulator state."""

    def __init__(self, context: EmulatorContext) -> None:
        self.context = context
        self.pages = HostedPages(HERE / "templates", context.settings.public_url)

    async def script(self, request: Request) -> Response:
        """GET /connect.js: the page script (same origin, so the page's CSP allows it)."""
        return script_response(SCRIPT, self.context.base_url)

    async def endpoint(self, request: Request) -> Response:
        """GET shows the session's current step; POST moves it on."""
        token = request.path_params["token"]
        owner = await owner_of(self.context.index, token)
        if owner is None:
            return self._message(404, "This connection link is not valid.")
        origins = await frame_origins(self.context, owner)
        form: dict[str, str] = {}
        if request.method == "POST":
            try:
                form = await read_form(request, self.context.settings.max_body_bytes)
            except BodyError as error:
                return self._message(error.status, "The form could not be read.", origins)
            if not is_same_origin(request, self.context.settings.public_url):
                return self._message(403, "This form was sent from another site.", origins)
        session = _Session(
            self,
            owner,
            self.context.records_for(owner),
            token,
            target_origin=_target_origin(request, form),
            frame_origins=origins,
        )
        return await session.handle(request, form)

    def _message(
        self, status: int, message: str, frame_origins: list[str] | None = None
    ) -> Response:
        return self.pages.render(
            "error.html",
            {
                "partner_name": "MX Connect",
                "title": "Connection unavailable",
                "message": message,
                "widget_data": None,
            },
            status=status,
            frame_origins=frame_origins or [],
        )


class _Session:
    """One request's view of a Connect session: loads it, moves it, renders its step."""

    def __init__(
        self,
        page: ConnectPage,
        owner: str,
        records: EmulatorRecords,
        token: str,
        *,
        target_origin: str | None,
        frame_origins: list[str],
    ) -> None:
        self.page = page
        self.owner = owner
        self.records = records
        self.token = token
        self.target_origin = target_origin
        self.frame_origins = frame_origins
        self.events: list[Event] = []
        self.widget: dict[str, Any] = {}
        self.user: dict[str, Any] = {}

    async def handle(self, request: Request, form: dict[str, str]) -> Response:
        """Dispatch a GET or a form post on this session."""
        signing_in = "username" in form or "password" in form
        widget = await self.records.get(WIDGET, self.token)
        if widget is None:
            return await self._dead_link(signing_in)
        self.widget = widget
        user = await self.records.get(USER, widget["user_guid"])
        if user is None:
            if signing_in:
                self.events.append(events.create_member_error(INSTITUTION))
            message = "This connection is no longer available."
            return self._render(404, "error.html", title="Connection unavailable", message=message)
        self.user = user
        if request.method == "GET":
            self.events.extend(events.loaded(self.step))
            return await self._show(query=request.query_params.get("q", ""))
        action = "credentials" if signing_in else form.get("action", "")
        if action == "credentials":
            return await self._credentials(
                form.get("username", "").strip(), form.get("password", "")
            )
        if action == "mfa":
            return await self._answer(form.get("answer", ""))
        if action == "select" and self.step == SEARCH:
            return await self._select(form.get("institution", ""))
        if action == "back" and self.step == ENTER_CREDS and not self._reconnecting():
            return await self._move(SEARCH)
        if action == "retry" and self.step == LOGIN_ERROR:
            return await self._move(ENTER_CREDS)
        return await self._show()

    @property
    def step(self) -> str:
        """The session's current step."""
        return str(self.widget.get("step") or SEARCH)

    # Moves --------------------------------------------------------------------------

    async def _select(self, code: str) -> Response:
        if code != INSTITUTION["code"]:
            return await self._show(error="Choose an institution from the list.")
        self.events.append(events.selected_institution(INSTITUTION))
        return await self._move(ENTER_CREDS)

    async def _credentials(self, username: str, password: str) -> Response:
        if self.step == SEARCH:  # a scripted sign-in on the first page picks MX Bank for it
            self.events.append(events.selected_institution(INSTITUTION))
        if self.step != ENTER_CREDS:
            self._step_to(ENTER_CREDS)
        member = await self._member()
        updating = member is not None and (
            self._reconnecting() or member["connection_status"] == "DENIED"
        )
        guid = member["guid"] if member else None
        self.events.append(events.credentials_submitted(INSTITUTION, guid, updating=updating))
        self._step_to(CONNECTING)
        attempt = sign_in(username, password)
        return await self._finish(
            attempt.status, attempt.challenge, new=member is None, username=username
        )

    async def _answer(self, answer: str) -> Response:
        member = await self._member()
        if self.step != MFA or member is None:
            return await self._show(error="Please sign in first.")
        self.events.append(events.submit_mfa(member["guid"]))
        self._step_to(CONNECTING)
        return await self._finish(answer_challenge(answer), None, new=False)

    async def _finish(
        self, status: str, challenge: str | None, *, new: bool, username: str = ""
    ) -> Response:
        """End a connection attempt in ``status``: update the member, report, show the step."""
        now = self.page.context.now()
        if status == "CONNECTED" and await self.records.take(WIDGET, self.token) is None:
            self.events = []  # spent by a concurrent request: this attempt never happened
            return await self._dead_link(signing_in=True)
        member = await save_member(self.records, self.widget, self.user, status, now, challenge)
        if status in webhooks.ACTIONABLE_STATUSES:
            await webhooks.send_member_webhook(self.page.context, self.owner, member, "CHANGED")
        elif status == "CONNECTED" and not new:  # a reconnected member: MX's MEMBER UPDATED
            await webhooks.send_member_webhook(self.page.context, self.owner, member, "UPDATED")
        if new:
            self.events.append(events.member_status_update(member["guid"], "CREATED"))
        self.events.append(events.member_status_update(member["guid"], status))
        self.widget["member_guid"] = member["guid"]
        self.widget["challenge"] = challenge
        self.widget["notice"] = None if status in ("CONNECTED", "CHALLENGED") else status
        if status == "CONNECTED":
            self.events.append(events.member_connected(member["guid"]))
            self._step_to(CONNECTED)
            seen = {"spent": True, "user_guid": self.user["guid"]}
            seen["session_guid"] = self.widget["session_guid"]
            await self.records.put(WIDGET_SEEN, self.token, seen, expires_at=now + WIDGET_MEMORY)
            accounts = await ensure_accounts(self.records, member, now)
            return self._render(
                200,
                "connected.html",
                accounts=[a["name"] for a in accounts],
                member_guid=member["guid"],
            )
        self._step_to(events.step_after(status))
        await self._save()
        return await self._show(username=username)

    async def _move(self, step: str) -> Response:
        self._step_to(step)
        self.widget["notice"] = None
        await self._save()
        return await self._show()

    def _step_to(self, step: str) -> None:
        self.events.append(events.step_change(self.step, step))
        self.widget["step"] = step

    # Rendering ----------------------------------------------------------------------

    async def _show(
        self, *, query: str = "", error: str | None = None, username: str = ""
    ) -> Response:
        """The current step's page."""
        step = self.step
        notice = self.widget.get("notice")
        if step == SEARCH:
            shown = search_institutions(query)
            institution = {**INSTITUTION, "search_text": "mx bank mxbank", "shown": shown}
            return self._render(
                200,
                "search.html",
                title="Select your institution",
                institutions=[institution],
                any_shown=shown,
                query=query,
                error=error,
            )
        if step == MFA:
            challenge = CHALLENGES[self.widget.get("challenge") or "TEXT"]
            return self._render(200, "mfa.html", title="Verify your identity", challenge=challenge)
        if step == LOGIN_ERROR:
            failed = notice or "FAILED"
            return self._render(
                200,
                "login_error.html",
                title="Something went wrong",
                connection_status=failed,
                message=STATUS_MESSAGES.get(failed, STATUS_MESSAGES["FAILED"]),
            )
        reconnect = self._reconnecting()
        if error is None and notice == "DENIED":
            error = f"DENIED: {STATUS_MESSAGES['DENIED']}"
        return self._render(
            200,
            "credentials.html",
            title=f"{'Reconnect to' if reconnect else 'Connect to'} {INSTITUTION['name']}",
            reconnect=reconnect,
            error=error,
            username=username,
        )

    def _render(self, status: int, template: str, **context: Any) -> Response:
        data = {
            "user_guid": self.widget.get("user_guid", ""),
            "session_guid": self.widget.get("session_guid", ""),
            "target_origin": self.target_origin,
            "events": self.events,
        }
        page = {
            "partner_name": "MX Connect",
            "title": INSTITUTION["name"],
            "institution": INSTITUTION,
            "widget_data": data,
            "script_url": f"{self.page.context.base_url}/connect.js",
            **context,
        }
        return self.page.pages.render(
            template, page, status=status, frame_origins=self.frame_origins
        )

    # State --------------------------------------------------------------------------

    async def _member(self) -> dict[str, Any] | None:
        guid = self.widget.get("member_guid")
        return await self.records.get(MEMBER, guid) if guid else None

    def _reconnecting(self) -> bool:
        return self.widget.get("current_member_guid") is not None

    async def _save(self) -> None:
        expires = datetime.fromisoformat(self.widget["expires_at"])
        await self.records.put(WIDGET, self.token, self.widget, expires_at=expires)

    async def _dead_link(self, signing_in: bool) -> Response:
        """410 for a URL that was used or has expired, 404 for one never issued."""
        seen = await self.records.get(WIDGET_SEEN, self.token)
        if seen is None:
            message = "This connection link is not valid."
            return self._render(404, "error.html", title="Connection unavailable", message=message)
        self.widget = {"user_guid": seen.get("user_guid"), "session_guid": seen.get("session_guid")}
        if signing_in and self.widget["user_guid"]:
            self.events.append(events.create_member_error(INSTITUTION))
        if seen.get("spent"):
            message = "This connection link has already been used. Please start again."
        else:
            message = "This connection link has expired. Please start again."
        return self._render(410, "error.html", title="Connection unavailable", message=message)


def _target_origin(request: Request, form: dict[str, str]) -> str | None:
    """Where the page posts its messages, when known before the page script runs.

    The origin carried over from an earlier step (``target_origin``), else the widget URL's
    own config (``target_origin_referrer``), else the referrer of the page that framed or
    opened this one: what MX's widget uses (it reads ``document.referrer``).
    """
    carried = form.get("target_origin") or request.query_params.get("target_origin")
    if carried == "*" or (carried and origin_of(carried) == carried.lower()):
        return carried.lower() if carried != "*" else carried
    configured = _config_origin(request.path_params.get("config", ""))
    return configured or origin_of(request.headers.get("referer", ""))


def _config_origin(segment: str) -> str | None:
    """``target_origin_referrer``'s origin from the widget URL's base64 JSON config."""
    if not segment:
        return None
    try:
        padded = segment + "=" * (-len(segment) % 4)
        config = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    referrer = config.get("target_origin_referrer") if isinstance(config, dict) else None
    return origin_of(referrer) if isinstance(referrer, str) else None
