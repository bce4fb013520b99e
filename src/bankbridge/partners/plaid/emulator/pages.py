"""Plaid Link's hosted page: the Link flow as server-rendered views, for the drop-in or a tab.

``GET /link?token=<link_token>[&origin=<app origin>]`` opens a new Link session and shows
its first view; each view's form posts back to ``/link`` with the session id and an
``action``. The drop-in script (``link-initialize.js``) opens the page in an iframe with
``origin`` set; the page then reports Link's events, ``onSuccess`` and ``onExit`` to that
origin by ``postMessage`` (``link-frame.js``). Opened directly in a tab it is a plain form:
the last view shows the public token. A scripted client may post ``institution_id``,
``username`` and ``password`` at once to the first view.

Unknown link tokens get a 404 view, expired or completed ones 410; inside the drop-in,
either ends Link with ``onExit`` and Plaid's ``INVALID_LINK_TOKEN`` error. Form posts must
come from BankBridge's own origin (or from no browser at all) and are read with the size
limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.kit.bodies import BodyError, read_form
from bankbridge.partners.kit.pages import HostedPages, frame_origins, is_same_origin, origin_of
from bankbridge.partners.kit.tenancy import owner_of
from bankbridge.partners.plaid.emulator import link_flow, sandbox, state
from bankbridge.store.base import EmulatorRecords

__all__ = ["link_routes"]

TEMPLATES = Path(__file__).parent / "templates"
_VIEW_TEMPLATES = {
    link_flow.SELECT_INSTITUTION: "link_select_institution.html",
    link_flow.CREDENTIAL: "link_credential.html",
    link_flow.MFA: "link_mfa.html",
    link_flow.SELECT_ACCOUNT: "link_select_account.html",
    link_flow.CONNECTED: "link_connected.html",
    link_flow.ERROR: "link_error.html",
    link_flow.EXIT: "link_exit.html",
    link_flow.EXITED: "link_exited.html",
}
_FINISHED = (link_flow.CONNECTED, link_flow.EXITED)


def link_routes(context: EmulatorContext) -> list[Route]:
    """The Link page's routes (mounted under ``/sandbox/plaid``)."""
    pages = HostedPages(TEMPLATES, context.settings.public_url)
    link = _LinkPage(context, pages)
    return [Route("/link", link.endpoint, methods=["GET", "POST"])]


class _LinkPage:
    """``/link``: finds the link token's owner, then runs one step of the Link session."""

    def __init__(self, context: EmulatorContext, pages: HostedPages) -> None:
        self.context = context
        self.pages = pages
        self.link_url = f"{context.base_url}/link"

    async def endpoint(self, request: Request) -> Response:
        if request.method == "GET":
            fields: Mapping[str, str] = request.query_params
        else:
            if not is_same_origin(request, self.context.settings.public_url):
                return self.unavailable(
                    "", 403, "Request refused", "This form was posted from another site."
                )
            try:
                fields = await read_form(request, self.context.settings.max_body_bytes)
            except BodyError as error:
                return self.unavailable(
                    "", error.status, "Bad request", "The form could not be read."
                )
        token = fields.get("token", "")
        parent = _parent_origin(fields.get("origin", ""))
        opening = request.method == "GET"  # a new page the app has yet to open
        owner = await owner_of(self.context.index, token)
        records = self.context.records_for(owner) if owner else None
        record = await records.get(state.LINK_TOKEN, token) if records else None
        if owner is None or records is None or record is None:
            return self.unavailable(
                parent,
                404,
                "Link session not found",
                "This Plaid Link session does not exist. Ask the app for a new link.",
                opening=opening,
            )
        frames = await frame_origins(self.context, owner)
        now = self.context.now()
        if state.is_expired(record, now) or await records.get(state.LINK_COMPLETION, token) is None:
            return self.unavailable(
                parent,
                410,
                "Link session expired",
                "This Plaid Link session has expired or was already completed. "
                "Ask the app for a new link.",
                frames,
                opening=opening,
            )
        item = await records.get(state.ITEM, record["item_id"]) if record["item_id"] else None
        if record["item_id"] and item is None:
            return self.unavailable(
                parent,
                410,
                "Account no longer connected",
                "The account this session would re-connect has been removed.",
                frames,
                opening=opening,
            )
        view = _View(self, request, records, record, item, parent, frames, now)
        if request.method == "GET":
            return await view.open()
        return await view.act(fields)

    def unavailable(
        self,
        parent: str,
        status: int,
        title: str,
        message: str,
        frames: list[str] | None = None,
        *,
        opening: bool = False,
    ) -> Response:
        """An error page; inside the drop-in, Link ends with onExit(INVALID_LINK_TOKEN), as
        Plaid's does (once the app opens Link, when ``opening`` a new page)."""
        error = {
            "error_type": "INVALID_INPUT",
            "error_code": "INVALID_LINK_TOKEN",
            "error_message": "provided link token is invalid or expired",
            "display_message": None,
        }
        flow = {"link_session_id": "", "error": error, "exit": {"status": None}}
        request_id = state.request_id()
        reported = {k: v for k, v in error.items() if k != "display_message"}
        messages = [
            link_flow.event(flow, "EXIT", request_id, **reported),
            link_flow.exit_message(flow, request_id),
        ]
        return self.pages.render(
            "link_unavailable.html",
            {
                **self.common("", "", parent),
                "title": title,
                "message": message,
                "closable": False,
                "drop_in": _drop_in(parent, messages, after_open=opening),
            },
            status=status,
            frame_origins=frames or (),
        )

    def common(self, token: str, link_session_id: str, parent: str) -> dict[str, Any]:
        """What every Link view's template needs."""
        return {
            "partner_name": "Plaid",
            "token": token,
            "link_session_id": link_session_id,
            "parent_origin": parent,
            "link_url": self.link_url,
            "frame_script_url": f"{self.context.base_url}/link/frame.js",
        }


class _View:
    """One request's work on one Link session."""

    def __init__(
        self,
        page: _LinkPage,
        request: Request,
        records: EmulatorRecords,
        link_token: state.Body,
        item: state.Body | None,
        parent: str,
        frames: list[str],
        now: datetime,
    ) -> None:
        self.page = page
        self.request = request
        self.records = records
        self.link_token = link_token
        self.item = item
        self.parent = parent
        self.frames = frames
        self.now = now
        self.request_id = state.request_id()

    async def open(self) -> Response:
        """A new Link session (a GET): its first view, reported once the app opens Link."""
        flow, step = link_flow.start(self.link_token, self.item, self.now)
        await state.save_link_session(self.records, flow, self.link_token)
        return self._render(flow, self._events(flow, step), after_open=True)

    async def act(self, form: Mapping[str, str]) -> Response:
        """Apply one posted action to its Link session (a new one for a scripted first post)."""
        flow = await self.records.get(state.LINK_SESSION, form.get("link_session_id", ""))
        messages: list[dict[str, Any]] = []
        if flow is None or flow["link_token"] != self.link_token["link_token"]:
            flow, opened = link_flow.start(self.link_token, self.item, self.now)
            messages += self._events(flow, opened)
        if flow["view"] in _FINISHED:
            return self.page.unavailable(
                self.parent,
                410,
                "Link session ended",
                "This Plaid Link session has already ended. Ask the app for a new link.",
                self.frames,
            )
        step = link_flow.advance(flow, self.link_token, form.get("action", ""), form)
        messages += self._events(flow, step)
        if step.connect:
            finished = await self._connect(flow)
            if finished is None:
                return self.page.unavailable(
                    self.parent,
                    410,
                    "Link session expired",
                    "This Plaid Link session was already completed. Ask the app for a new link.",
                    self.frames,
                )
            messages += finished
        if step.finished:
            link_flow.ended(flow, self.now)
            messages.append(link_flow.exit_message(flow, self.request_id))
        await state.save_link_session(self.records, flow, self.link_token)
        return self._render(flow, messages, after_open=False)

    async def _connect(self, flow: state.Body) -> list[dict[str, Any]] | None:
        """Create (or, in update mode, repair) the Item; None when another session won."""
        token = self.link_token["link_token"]
        if await self.records.take(state.LINK_COMPLETION, token) is None:
            return None
        if self.item is not None:  # update mode: the same Item, logged in again
            item = {**self.item, "error": None}
            # No LOGIN_REPAIRED here: Plaid sends it only when an Item recovers *without*
            # the app's update mode; the app learns of this repair from Link's onSuccess.
            await self.records.put(state.ITEM, item["item_id"], item)
        else:
            item = await state.create_item(
                self.records,
                self.now,
                flow["institution_id"],
                self.link_token["products"],
                self.link_token["webhook"],
                accounts=flow["accounts"],
            )
        public_token = await state.issue_public_token(self.records, self.now, item)
        step = link_flow.connected(flow, public_token, item["item_id"], item["accounts"], self.now)
        return [
            *self._events(flow, step),
            link_flow.success_message(flow, public_token, item["accounts"]),
        ]

    def _events(self, flow: state.Body, step: link_flow.Step) -> list[dict[str, Any]]:
        return [link_flow.event(flow, name, self.request_id, **md) for name, md in step.events]

    def _render(
        self, flow: state.Body, messages: list[dict[str, Any]], *, after_open: bool
    ) -> Response:
        view = flow["view"]
        context: dict[str, Any] = {
            **self.page.common(self.link_token["link_token"], flow["link_session_id"], self.parent),
            "client_name": self.link_token["client_name"],
            "institution_name": flow["institution_name"],
            "update_mode": flow["update_item_id"] is not None,
            "closable": view not in _FINISHED,
            "asking_to_exit": view == link_flow.EXIT,
            "drop_in": _drop_in(self.parent, messages, after_open=after_open),
        }
        if view == link_flow.SELECT_INSTITUTION:
            query = flow["search_query"] or ""
            found = sandbox.search_institutions(query)
            context.update(query=query, institutions=[(i, sandbox.INSTITUTIONS[i]) for i in found])
        elif view == link_flow.MFA:
            context.update(_mfa_context(flow))
        elif view == link_flow.SELECT_ACCOUNT:
            context["accounts"] = flow["accounts"]
        elif view == link_flow.ERROR:
            context["error"] = flow["error"]
        elif view == link_flow.CONNECTED:
            context.update(accounts=flow["accounts"], public_token=flow["result"]["public_token"])
        return self.page.pages.render(
            _VIEW_TEMPLATES.get(view, _VIEW_TEMPLATES[link_flow.SELECT_INSTITUTION]),
            context,
            frame_origins=self.frames,
        )


def _mfa_context(flow: state.Body) -> dict[str, Any]:
    mfa = flow["mfa"]
    context: dict[str, Any] = {"mfa_step": mfa["step"], "devices": sandbox.MFA_DEVICES}
    if mfa["step"] in ("questions", "selections"):
        challenge = link_flow.mfa_of(flow)
        context["questions"] = [
            {
                "text": challenge.question(mfa["round"], index),
                "options": challenge.options(mfa["round"], index),
            }
            for index in range(challenge.per_round)
        ]
    return context


def _drop_in(parent: str, messages: list[dict[str, Any]], *, after_open: bool) -> dict[str, Any]:
    """The JSON block ``link-frame.js`` reads (no messages outside the drop-in)."""
    if not parent:
        return {"parent_origin": "", "after_open": after_open, "messages": []}
    return {"parent_origin": parent, "after_open": after_open, "messages": messages}


def _parent_origin(value: str) -> str:
    """The app origin the drop-in declared, when it is one (``scheme://host[:port]``)."""
    origin = origin_of(value)
    return origin if origin is not None and origin == value.lower().rstrip("/") else ""
