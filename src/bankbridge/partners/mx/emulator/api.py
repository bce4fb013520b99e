"""The MX Platform API subset BankBridge uses, as the MX emulator serves it.

HTTP Basic auth with an account's derived sandbox client id / api key (401 otherwise; the
credentials name the account whose records the call reads and writes), the
``Accept: application/vnd.mx.api.v1+json`` requirement (406 otherwise), MX's 404 for a POST
without ``Content-Type: application/json``, ``{"error": {"message": ...}}`` error bodies,
root-key wrapped JSON, ``pagination`` on lists (``page``, ``records_per_page``: ASCII digits
only) and ``USR-``/``MBR-``/``ACT-``/``ACN-`` guids. Bodies are read within the size limit
before the credentials are checked. Users (create, list by ``id``/``email``, read, delete),
Connect widget URLs, members (list, read, status with MFA ``challenges``, delete), member
accounts and account numbers (by member and by account), plus the BankBridge-only
``POST …/members/{guid}/sandbox/expire_credentials``.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.kit.bodies import BodyError, ascii_int, parse_json_object, read_body
from bankbridge.partners.kit.faults import take_fault
from bankbridge.partners.kit.tenancy import granted
from bankbridge.partners.mx.emulator import faults, webhooks
from bankbridge.partners.mx.emulator.state import (
    ACCOUNT,
    ACCOUNT_NUMBER,
    ALL_USERS,
    INSTITUTION,
    MEMBER,
    SESSION_PREFIX,
    STATUS_MESSAGES,
    USER,
    USER_BY_ID,
    USER_PREFIX,
    WIDGET,
    WIDGET_MEMORY,
    WIDGET_SEEN,
    WIDGET_URL_TTL,
    challenge_of,
    delete_member,
    new_guid,
    public,
)
from bankbridge.partners.mx.emulator.widget import ENTER_CREDS, SEARCH
from bankbridge.partners.mx.wire import MX_MEDIA_TYPE
from bankbridge.store.base import EmulatorRecords, NewRecord

__all__ = ["MxApiError", "PlatformApi", "api_error"]

WIDGET_TOKEN_BYTES = 48  # opaque widget URL token: 64 URL-safe characters
SUPPORTED_WIDGET_TYPES = ("connect_widget",)
WIDGET_MODES = ("aggregation", "verification")
USE_CASES = ("MONEY_MOVEMENT", "PFM")
WIDGET_BOOLEAN_OPTIONS = (
    "include_transactions",
    "include_identity",
    "disable_background_agg",
    "disable_institution_search",
    "is_mobile_webview",
    "update_credentials",
    "enable_app2app",
)
WIDGET_STRING_OPTIONS = (
    "ui_message_webview_url_scheme",
    "color_scheme",
    "client_redirect_url",
    "oauth_referral_source",
    "current_institution_code",
    "current_institution_guid",
    "iso_country_code",
)

RESPONSE_MEDIA_TYPE = f"{MX_MEDIA_TYPE}; charset=utf-8"
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 1000
NOT_FOUND_MESSAGE = "We were unable to find the record you requested."

T = TypeVar("T")


class MxApiError(Exception):
    """An MX-style API error: HTTP status plus ``{"error": {"message": ...}}``."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


Handler = Callable[["PlatformApi", Request], Awaitable[Response]]


def _api(handler: Handler) -> Handler:
    """Guard a Platform API endpoint: Basic auth, then Accept, then a JSON Content-Type."""

    async def endpoint(self: PlatformApi, request: Request) -> Response:
        await _read_bounded(request, self.context.settings.max_body_bytes)
        request.state.owner = self.check_auth(request)
        fault = await take_fault(self.context.records_for(request.state.owner))
        if fault is not None:
            raise MxApiError(*faults.answer(fault))
        if request.method != "DELETE":  # bodiless answers: the official SDK sends no Accept
            _check_accept(request)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "")
            if content_type.split(";")[0].strip().lower() != "application/json":
                # MX answers 404 when a POST lacks Content-Type: application/json.
                raise MxApiError(404, NOT_FOUND_MESSAGE)
        return await handler(self, request)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


class PlatformApi:
    """The Platform API endpoints; each call works on its caller's own state."""

    def __init__(self, context: EmulatorContext) -> None:
        self.context = context

    # Auth ---------------------------------------------------------------------------

    def check_auth(self, request: Request) -> str:
        """The owner of ``Basic base64(client_id:api_key)`` sandbox credentials; 401 otherwise."""
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            raise MxApiError(401, "Unauthorized: HTTP Basic authentication is required.")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise MxApiError(401, "Unauthorized: malformed Basic credentials.") from None
        client_id, _, api_key = decoded.partition(":")
        owner = self.context.authenticate(client_id, api_key)
        if owner is None:
            raise MxApiError(401, "Unauthorized: the client_id or api_key is not valid.")
        return owner

    def records(self, request: Request) -> EmulatorRecords:
        """The state of the account whose credentials the request carries."""
        owner: str = request.state.owner
        return self.context.records_for(owner)

    # Users --------------------------------------------------------------------------

    @_api
    async def create_user(self, request: Request) -> Response:
        """POST /users"""
        body = await _json_body(request)
        fields = body.get("user")
        if not isinstance(fields, dict):
            raise MxApiError(400, "user is required.")
        user_id = _optional(fields, "id", str)
        email = _optional(fields, "email", str)
        metadata = _optional(fields, "metadata", str)
        is_disabled = _optional(fields, "is_disabled", bool) or False
        records = self.records(request)
        if user_id is not None and await records.get(USER_BY_ID, user_id):
            raise MxApiError(409, "A user with the given id already exists.")
        user: dict[str, Any] = {
            "guid": new_guid(USER_PREFIX),
            "id": user_id,
            "email": email,
            "is_disabled": is_disabled,
            "metadata": metadata,
        }
        writes = [NewRecord(USER, user["guid"], user, parent=ALL_USERS)]
        if user_id is not None:
            writes.append(NewRecord(USER_BY_ID, user_id, {"guid": user["guid"]}))
        await records.put_all(writes)
        return _reply({"user": user})

    @_api
    async def list_users(self, request: Request) -> Response:
        """GET /users (filters: id, email)"""
        records = self.records(request)
        wanted_id = request.query_params.get("id")
        wanted_email = request.query_params.get("email")
        if wanted_id is not None:
            index = await records.get(USER_BY_ID, wanted_id)
            found = await records.get(USER, index["guid"]) if index else None
            users = [found] if found else []
        else:
            users = await records.list(USER, ALL_USERS)
        if wanted_email is not None:
            users = [u for u in users if (u.get("email") or "").lower() == wanted_email.lower()]
        return _page(request, "users", users)

    @_api
    async def read_user(self, request: Request) -> Response:
        """GET /users/{user_guid}"""
        return _reply({"user": await self._user(request)})

    @_api
    async def delete_user(self, request: Request) -> Response:
        """DELETE /users/{user_guid}: the user and everything under it."""
        user = await self._user(request)
        records = self.records(request)
        for member in await records.list(MEMBER, user["guid"]):
            await delete_member(records, member)
        if user.get("id") is not None:
            await records.delete(USER_BY_ID, user["id"])
        await records.delete(USER, user["guid"])
        return Response(status_code=204)

    # Widget URLs --------------------------------------------------------------------

    @_api
    async def request_widget_url(self, request: Request) -> Response:
        """POST /users/{user_guid}/widget_urls"""
        user = await self._user(request)
        body = await _json_body(request)
        options = body.get("widget_url")
        if not isinstance(options, dict):
            raise MxApiError(400, "widget_url is required.")
        widget_type = options.get("widget_type")
        if not isinstance(widget_type, str) or not widget_type:
            raise MxApiError(400, "widget_type is required.")
        if widget_type not in SUPPORTED_WIDGET_TYPES:
            raise MxApiError(400, f"widget_type {widget_type!r} is not supported here.")
        mode = _optional(options, "mode", str) or "aggregation"
        if mode not in WIDGET_MODES:
            raise MxApiError(400, "mode must be aggregation or verification.")
        version = _optional(options, "ui_message_version", int)
        version = 4 if version is None else version
        for name in WIDGET_BOOLEAN_OPTIONS:
            _optional(options, name, bool)
        for name in WIDGET_STRING_OPTIONS:
            _optional(options, name, str)
        use_cases = options.get("use_cases")
        if use_cases is not None and (
            not isinstance(use_cases, list) or any(u not in USE_CASES for u in use_cases)
        ):
            raise MxApiError(400, "use_cases must be a list of MONEY_MOVEMENT or PFM.")
        member_guid = _optional(options, "current_member_guid", str)
        if member_guid is not None:
            await self._member(request, user["guid"], member_guid)
        scheme = _optional(options, "ui_message_webview_url_scheme", str) or "mx"

        now = self.context.now()
        token = secrets.token_urlsafe(WIDGET_TOKEN_BYTES)
        expires = now + WIDGET_URL_TTL
        preselected = member_guid is not None or INSTITUTION["code"] == options.get(
            "current_institution_code"
        )
        session = {"user_guid": user["guid"], "session_guid": new_guid(SESSION_PREFIX)}
        widget = {
            **session,
            "mode": mode,
            "current_member_guid": member_guid,
            "member_guid": member_guid,
            "step": ENTER_CREDS if preselected else SEARCH,
            "expires_at": expires.isoformat(),
        }
        records = self.records(request)
        seen = {"spent": False, **session}  # a dead link still knows its session's guids
        await records.put_all(
            [
                NewRecord(WIDGET, token, widget, expires_at=expires),
                NewRecord(WIDGET_SEEN, token, seen, expires_at=now + WIDGET_MEMORY),
            ],
            # The Connect page has only the token: let it find whose state the token opens.
            also=[granted(self.context.index, token, request.state.owner, now + WIDGET_MEMORY)],
        )
        config = {"ui_message_version": version, "ui_message_webview_url_scheme": scheme}
        config["mode"] = mode
        url = f"{self.context.base_url}/connect/{token}/{_config_segment(config)}"
        return _reply({"widget_url": {"type": widget_type, "url": url, "user_id": user["id"]}})

    # Members ------------------------------------------------------------------------

    @_api
    async def list_members(self, request: Request) -> Response:
        """GET /users/{user_guid}/members"""
        user = await self._user(request)
        return _page(request, "members", await self.records(request).list(MEMBER, user["guid"]))

    @_api
    async def read_member(self, request: Request) -> Response:
        """GET /users/{user_guid}/members/{member_guid}"""
        return _reply({"member": public(await self._member_of(request))})

    @_api
    async def expire_credentials(self, request: Request) -> Response:
        """POST …/members/{member_guid}/sandbox/expire_credentials (BankBridge sandbox only).

        Not an MX endpoint: it makes the member need new credentials (DENIED), as a changed
        bank password would, so that re-authentication can be tried end to end.
        """
        member = await self._member_of(request)
        member["connection_status"] = "DENIED"
        member["connection_status_message"] = STATUS_MESSAGES["DENIED"]
        member["needs_updated_credentials"] = True
        await self.records(request).put(MEMBER, member["guid"], member, parent=member["user_guid"])
        await webhooks.send_member_webhook(self.context, request.state.owner, member, "CHANGED")
        return _reply({"member": public(member)})

    @_api
    async def set_webhook_url(self, request: Request) -> Response:
        """POST /sandbox/webhook_url (BankBridge only): MX's dashboard setting, the URL this
        account's member webhooks go to."""
        body = await _json_body(request)
        url = _optional(body, "url", str)
        if not url or not url.startswith(("http://", "https://")):
            raise MxApiError(400, "url must be an http(s) URL.")
        await self.records(request).put(webhooks.WEBHOOK_URL, "url", {"url": url})
        return _reply({"webhook_url": {"url": url}})

    @_api
    async def check_balance(self, request: Request) -> Response:
        """POST /users/{user_guid}/members/{member_guid}/check_balance (202 + the member).

        MX gathers balances only. The emulated bank answers at once: a CONNECTED member's
        balances are fresh (``aggregated_at`` moves on); any other member keeps its status,
        which is how a lapsed login shows up.
        """
        member = await self._member_of(request)
        if member["connection_status"] == "CONNECTED":
            stamp = self.context.now().strftime("%Y-%m-%dT%H:%M:%SZ")
            member["aggregated_at"] = member["successfully_aggregated_at"] = stamp
            records = self.records(request)
            await records.put(MEMBER, member["guid"], member, parent=member["user_guid"])
        return _reply({"member": public(member)}, status=202)

    @_api
    async def set_account_balance(self, request: Request) -> Response:
        """POST /users/{user_guid}/accounts/{account_guid}/sandbox/balance (BankBridge only).

        Not an MX endpoint: sets the emulated bank's ``balance`` and ``available_balance``
        for one account, so that balance checks can be tried with known amounts.
        """
        account = await self._account_of(request)
        body = await _json_body(request)
        for field in ("balance", "available_balance"):
            if field not in body:
                continue
            value = body[field]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise MxApiError(400, f"{field} must be a number or null.")
            account[field] = value
        if account["balance"] is None:
            raise MxApiError(400, "balance must be a number.")
        records = self.records(request)
        await records.put(ACCOUNT, account["guid"], account, parent=account["member_guid"])
        return _reply({"account": public(account)})

    @_api
    async def read_account(self, request: Request) -> Response:
        """GET /users/{user_guid}/accounts/{account_guid}"""
        return _reply({"account": public(await self._account_of(request))})

    @_api
    async def read_member_status(self, request: Request) -> Response:
        """GET /users/{user_guid}/members/{member_guid}/status"""
        member = await self._member_of(request)
        connected = member["connection_status"] == "CONNECTED"
        challenge = challenge_of(member)
        challenges = [challenge] if challenge else []
        status = {
            "guid": member["guid"],
            "connection_status": member["connection_status"],
            "is_authenticated": connected,
            "is_being_aggregated": False,
            "has_processed_accounts": connected,
            "has_processed_account_numbers": connected,
            "has_processed_transactions": False,
            "aggregated_at": member["aggregated_at"],
            "successfully_aggregated_at": member["successfully_aggregated_at"],
            "challenges": challenges,
        }
        return _reply({"member": status})

    @_api
    async def delete_member(self, request: Request) -> Response:
        """DELETE /users/{user_guid}/members/{member_guid}"""
        member = await self._member_of(request)
        await delete_member(self.records(request), member)
        await webhooks.send_member_webhook(self.context, request.state.owner, member, "DELETED")
        return Response(status_code=204)

    # Accounts and account numbers ---------------------------------------------------

    @_api
    async def list_member_accounts(self, request: Request) -> Response:
        """GET /users/{user_guid}/members/{member_guid}/accounts"""
        member = await self._member_of(request)
        return _page(request, "accounts", await self.records(request).list(ACCOUNT, member["guid"]))

    @_api
    async def list_numbers_by_member(self, request: Request) -> Response:
        """GET /users/{user_guid}/members/{member_guid}/account_numbers"""
        member = await self._member_of(request)
        numbers = await self.records(request).list(ACCOUNT_NUMBER, member["guid"])
        return _page(request, "account_numbers", numbers)

    @_api
    async def list_numbers_by_account(self, request: Request) -> Response:
        """GET /users/{user_guid}/accounts/{account_guid}/account_numbers"""
        user = await self._user(request)
        account = await self.records(request).get(ACCOUNT, request.path_params["account_guid"])
        if account is None or account.get("user_guid") != user["guid"]:
            raise MxApiError(404, NOT_FOUND_MESSAGE)
        numbers = await self.records(request).list(ACCOUNT_NUMBER, account["member_guid"])
        mine = [n for n in numbers if n.get("account_guid") == account["guid"]]
        return _page(request, "account_numbers", mine)

    # Private helpers ----------------------------------------------------------------

    async def _user(self, request: Request) -> dict[str, Any]:
        user = await self.records(request).get(USER, request.path_params["user_guid"])
        if user is None:
            raise MxApiError(404, NOT_FOUND_MESSAGE)
        return user

    async def _member(self, request: Request, user_guid: str, member_guid: str) -> dict[str, Any]:
        member = await self.records(request).get(MEMBER, member_guid)
        if member is None or member.get("user_guid") != user_guid:
            raise MxApiError(404, NOT_FOUND_MESSAGE)
        return member

    async def _account_of(self, request: Request) -> dict[str, Any]:
        user = await self._user(request)
        account = await self.records(request).get(ACCOUNT, request.path_params["account_guid"])
        if account is None or account.get("user_guid") != user["guid"]:
            raise MxApiError(404, NOT_FOUND_MESSAGE)
        return account

    async def _member_of(self, request: Request) -> dict[str, Any]:
        user = await self._user(request)
        return await self._member(request, user["guid"], request.path_params["member_guid"])


async def api_error(request: Request, exc: Exception) -> Response:
    """MX's error body for our own errors and for Starlette's (unknown path, bad form)."""
    if isinstance(exc, MxApiError):
        status, message = exc.status, exc.message
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        message = {404: NOT_FOUND_MESSAGE, 405: "Method not allowed."}.get(
            status, "The request could not be processed."
        )
    else:  # pragma: no cover - only registered for the two classes above
        raise exc
    return _reply({"error": {"message": message}}, status=status)


def _check_accept(request: Request) -> None:
    accepted = request.headers.get("accept", "")
    types = {part.split(";")[0].strip().lower() for part in accepted.split(",")}
    if MX_MEDIA_TYPE not in types:
        raise MxApiError(406, f"Not acceptable: send Accept: {MX_MEDIA_TYPE}.")


async def _read_bounded(request: Request, limit: int) -> None:
    """Read the body within the size limit, before anything looks at the request."""
    try:
        await read_body(request, limit)
    except BodyError:
        raise MxApiError(413, "The request body is too large.") from None


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        return parse_json_object(await request.body())
    except BodyError as error:
        if error.reason == "not_object":
            raise MxApiError(400, "The request body must be a JSON object.") from None
        raise MxApiError(400, "The request body is not valid JSON.") from None


def _optional(fields: dict[str, Any], name: str, kind: type[T]) -> T | None:
    """A field that may be absent or null, but has the right JSON type when given."""
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MxApiError(400, f"{name} must be a {_JSON_TYPES[kind]}.")
    return value


_JSON_TYPES: dict[type, str] = {str: "string", bool: "boolean", int: "integer"}


def _page(request: Request, root: str, items: list[dict[str, Any]]) -> Response:
    """One page of a list, wrapped in ``root`` plus MX's ``pagination``."""
    page = _positive(request, "page", 1)
    per_page = _positive(request, "records_per_page", DEFAULT_PER_PAGE)
    if per_page > MAX_PER_PAGE:  # MX falls back to the default above the maximum
        per_page = DEFAULT_PER_PAGE
    total = len(items)
    start = (page - 1) * per_page
    shown = [public(item) for item in items[start : start + per_page]]
    pagination = {
        "current_page": page,
        "per_page": per_page,
        "total_entries": total,
        "total_pages": max(1, -(-total // per_page)),
    }
    return _reply({root: shown, "pagination": pagination})


def _positive(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = ascii_int(raw)
    if value is None or value < 1:
        raise MxApiError(400, f"{name} must be a positive integer.")
    return value


def _reply(body: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(body, status_code=status, media_type=RESPONSE_MEDIA_TYPE)


def _config_segment(config: dict[str, Any]) -> str:
    """The widget URL's last segment: URL-safe base64 of compact JSON, ``=`` as ``%3D``."""
    raw = json.dumps(config, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().replace("=", "%3D")
