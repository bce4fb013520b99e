"""MX adapter: MX Platform API calls over HTTP (Basic auth, ``vnd.mx.api.v1+json``).

A session is an MX user (one per BankBridge customer, found by ``id`` or created) plus a
fresh Connect widget URL in verification mode. Later steps read the accounts the user
connected and their ACH numbers. The same code talks to the emulator (sandbox mode) and to
``int-api.mx.com``/``api.mx.com`` (remote mode); only ``credentials.base_url`` differs.
"""

from __future__ import annotations

import base64
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from bankbridge.clock import now
from bankbridge.config import PartnerCredentials
from bankbridge.errors import PartnerError
from bankbridge.models import Customer, ProviderSession
from bankbridge.partners.base import (
    AvailableConnection,
    BankBalance,
    BankDetails,
    ConnectionRevoked,
    ExchangeRequest,
    ExchangeTokenRejected,
    OpenedExchange,
    PartnerAdapter,
    PartnerNotice,
    ReauthRequired,
    SessionRequest,
    WebhookRejected,
)
from bankbridge.partners.http import partner_errors
from bankbridge.partners.mx import wire

__all__ = ["MxAdapter", "MxApiError"]

PARTNER = "mx"
WIDGET_URL_TTL = timedelta(minutes=10)
WEBHOOK_MEMORY = timedelta(minutes=5)  # MX widget URLs are single use and short lived
PAGE_SIZE = 100
MAX_PAGES = 50  # a safety stop against a partner that keeps announcing more pages
# Member statuses after which MX never aggregates the member again (MX: closed by the user,
# MX or the client; aggregation disabled; the institution's connection discontinued).
REVOKED_STATUSES = wire.REVOKED_STATUSES


class MxApiError(PartnerError):
    """MX answered with an error status; ``status_code`` tells a deleted member (404)."""

    def __init__(self, detail: str, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(PARTNER, detail, retryable=status_code == 429 or status_code >= 500)


class MxAdapter:
    """The MX partner as BankBridge sees it."""

    # CONNECTION_STATUS: the member's credentials expire (EXPIRED, actionable);
    # MEMBER_DELETED: the member is deleted (MEMBER, DELETED). MX sends each as a webhook.
    sandbox_webhooks: tuple[str, ...] = ("CONNECTION_STATUS", "MEMBER_DELETED")

    def __init__(self, credentials: PartnerCredentials, http: httpx.AsyncClient) -> None:
        self.credentials = credentials
        self.http = http
        # HTTP Basic with the client id and API key, as MX's API and its webhooks use it.
        self._authorization = "Basic " + base64.b64encode(
            f"{credentials.client_id}:{credentials.secret.peek()}".encode()
        ).decode("ascii")

    async def create_session(
        self, request: SessionRequest, *, current_member_guid: str | None = None
    ) -> ProviderSession:
        """Find or create the customer's MX user and request a Connect widget URL.

        With ``request.partner_user`` (the user of the customer's earlier sessions) the
        lookup is skipped; a 404 for that user falls back to finding or creating it.

        ``current_member_guid`` reopens an existing member (re-authentication) instead of
        connecting a new one.
        """
        body = wire.widget_url_request(current_member_guid)
        answer = None
        user_guid = request.partner_user
        if user_guid is not None:  # remembered from an earlier session: one call, not two
            try:
                answer = await self._widget_url(user_guid, body)
            except MxApiError as exc:
                if exc.status_code != 404:
                    raise
        if answer is None:  # no user known, or MX no longer knows it: find or create it
            user_guid = await self._ensure_user(request.customer)
            answer = await self._widget_url(user_guid, body)
        with partner_errors(PARTNER):
            url = wire.read_widget_url(answer)
        return ProviderSession(
            url=url,
            external_ref=user_guid,
            expires_at=now() + WIDGET_URL_TTL,
            partner_user=user_guid,
        )

    async def _widget_url(self, user_guid: str, body: wire.WidgetUrlRequest) -> Any:
        return await self._call("POST", f"/users/{_segment(user_guid)}/widget_urls", json=body)

    async def open_exchange(self, request: ExchangeRequest) -> OpenedExchange:
        """An available connection (already verified by BankBridge) that MX still knows."""
        connection = request.connection
        if request.kind != "mx.availableConnectionToken" or connection is None:
            raise ExchangeTokenRejected("MX exchanges take an mx.availableConnectionToken.")
        try:
            await self._account(connection)
        except PartnerError as exc:
            if exc.retryable:
                raise
            raise ExchangeTokenRejected("The MX account is no longer available.") from exc
        return OpenedExchange(dict(connection))

    async def read_funding_details(self, connection: dict[str, str]) -> BankDetails:
        """The account's ACH numbers; a member that needs new credentials needs re-auth."""
        user, member = _segment(connection["user_guid"]), _segment(connection["member_guid"])
        answer = await self._member_call("GET", f"/users/{user}/members/{member}")
        with partner_errors(PARTNER):
            bank_name = str(answer["member"].get("name") or "MX")
        _check_member(answer)
        account = await self._account(connection)
        number, routing = await self.get_account_numbers(
            connection["user_guid"], connection["member_guid"], connection["account_guid"]
        )
        return BankDetails(
            routing_number=routing,
            account_number=number,
            account_type="savings" if account.type == "SAVINGS" else "checking",
            bank_name=bank_name,
            account_name=account.name,
        )

    async def create_reauth_session(
        self, connection: dict[str, str], request: SessionRequest
    ) -> ProviderSession:
        """A Connect widget that reopens the exchange's member for a new login."""
        return await self.create_session(request, current_member_guid=connection["member_guid"])

    async def read_balance(self, connection: dict[str, str]) -> BankBalance:
        """MX's balance check on the member, then the account's fresh balances.

        ``check_balance`` asks the institution for balances only; a member that cannot sign
        in (DENIED, EXPIRED…) or needs new credentials afterwards needs re-authentication;
        one MX no longer knows, or has closed, is revoked.
        """
        user, member = _segment(connection["user_guid"]), _segment(connection["member_guid"])
        path = f"/users/{user}/members/{member}/check_balance"
        _check_member(await self._member_call("POST", path, json={}))
        account = _segment(connection["account_guid"])
        answer = await self._call("GET", f"/users/{user}/accounts/{account}")
        with partner_errors(PARTNER):
            return wire.read_account_balance(answer)

    async def list_available_connections(self, customer: Customer) -> list[AvailableConnection]:
        """The checking and savings accounts the customer connected through MX Connect."""
        user_guid = await self._find_user(customer.id)
        if user_guid is None:
            return []
        return [
            AvailableConnection(
                account.name,
                {
                    "user_guid": user_guid,
                    "member_guid": account.member_guid,
                    "account_guid": account.account_guid,
                },
            )
            for account in await self.list_connected_accounts(user_guid)
        ]

    async def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> PartnerNotice:
        """An MX member or connection-status webhook, verified by its HTTP Basic credentials
        (MX's webhook security: credentials the client gives MX; here the MX client_id and
        api_key both sides hold). MX webhooks carry no nonce or time, so every verified
        delivery is new; the changes they cause are idempotent."""
        given = headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), self._authorization.encode()):
            raise WebhookRejected("the HTTP Basic credentials do not match")
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise WebhookRejected("the body is not JSON") from exc
        if not isinstance(document, dict):
            raise WebhookRejected("the body is not a JSON object")
        member = document.get("member_guid") or document.get("guid")
        if not isinstance(member, str) or not member:
            raise WebhookRejected("the webhook names no member")
        return PartnerNotice(
            ref=member,
            change=wire.webhook_change(document),
            replay_key=str(uuid.uuid4()),
            fresh_until=now() + WEBHOOK_MEMORY,
        )

    async def require_reauth(self, connection: dict[str, str]) -> None:
        """Sandbox control: the emulator's member now needs new credentials."""
        user, member = _segment(connection["user_guid"]), _segment(connection["member_guid"])
        await self._call(
            "POST", f"/users/{user}/members/{member}/sandbox/expire_credentials", json={}
        )

    async def fire_sandbox_webhook(self, connection: dict[str, str], code: str) -> None:
        """Sandbox control: make the emulated member change so that MX sends ``code``."""
        if code == "CONNECTION_STATUS":
            await self.require_reauth(connection)
            return
        user, member = _segment(connection["user_guid"]), _segment(connection["member_guid"])
        response = await self._send("DELETE", f"/users/{user}/members/{member}")
        if not 200 <= response.status_code < 300:
            _json(response, "DELETE /users/{user_guid}/members/{member_guid}")  # raises

    async def set_sandbox_balance(self, connection: dict[str, str], balance: BankBalance) -> None:
        """Sandbox control: the emulator's account balance setter (BankBridge's)."""
        user, account = _segment(connection["user_guid"]), _segment(connection["account_guid"])
        body = {"available_balance": float(balance.available), "balance": float(balance.closing)}
        await self._call("POST", f"/users/{user}/accounts/{account}/sandbox/balance", json=body)

    async def list_connected_accounts(self, user_guid: str) -> list[wire.ConnectedAccount]:
        """The checking and savings accounts of the user's CONNECTED members."""
        user = _segment(user_guid)
        members = []
        for page in await self._pages(f"/users/{user}/members"):
            with partner_errors(PARTNER):
                members.extend(wire.read_members(page))
        accounts: list[wire.ConnectedAccount] = []
        for member_guid, state in members:
            if state != "connected":
                continue
            path = f"/users/{user}/members/{_segment(member_guid)}/accounts"
            for page in await self._pages(path):
                with partner_errors(PARTNER):
                    accounts.extend(wire.read_accounts(page, member_guid))
        return accounts

    async def get_account_numbers(
        self, user_guid: str, member_guid: str, account_guid: str
    ) -> tuple[str, str]:
        """``(account_number, routing_number)`` of one account, from the member's numbers."""
        path = f"/users/{_segment(user_guid)}/members/{_segment(member_guid)}/account_numbers"
        for page in await self._pages(path):
            with partner_errors(PARTNER):
                numbers = wire.read_account_numbers(page)
            for entry in numbers:
                if entry.account_guid == account_guid:
                    return entry.account_number, entry.routing_number
        # Verification may still be running; asking again later can succeed.
        raise PartnerError(PARTNER, "no account numbers for the account yet", retryable=True)

    # Private helpers ------------------------------------------------------------------

    async def _account(self, connection: dict[str, str]) -> wire.ConnectedAccount:
        """The exchange's account as MX lists it under its member."""
        user, member = _segment(connection["user_guid"]), _segment(connection["member_guid"])
        for page in await self._pages(f"/users/{user}/members/{member}/accounts"):
            with partner_errors(PARTNER):
                accounts = wire.read_accounts(page, connection["member_guid"])
            for account in accounts:
                if account.account_guid == connection["account_guid"]:
                    return account
        raise PartnerError(PARTNER, "the account is not listed under its member")

    async def _member_call(self, method: str, path: str, json: Any = None) -> Any:
        """A call on the exchange's member; a member MX no longer knows is revoked."""
        try:
            return await self._call(method, path, json=json)
        except MxApiError as exc:
            if exc.status_code == 404:
                raise ConnectionRevoked("MX member not found") from exc
            raise

    async def _ensure_user(self, customer: Customer) -> str:
        """The guid of the MX user whose ``id`` is the customer id, created when missing."""
        found = await self._find_user(customer.id)
        if found:
            return found
        response = await self._send(
            "POST", "/users", json=wire.user_request(customer.id, customer.email)
        )
        if response.status_code == 409:  # created meanwhile by a concurrent request
            found = await self._find_user(customer.id)
            if found:
                return found
            raise PartnerError(PARTNER, "POST /users answered 409 but no user has the id")
        answer = _json(response, "POST /users")
        with partner_errors(PARTNER):
            return wire.read_user_guid(answer.get("user") if isinstance(answer, dict) else None)

    async def _find_user(self, customer_id: str) -> str | None:
        answer = await self._call("GET", "/users", params={"id": customer_id})
        with partner_errors(PARTNER):
            for user in wire.read_users(answer):
                if user.get("id") == customer_id:
                    return wire.read_user_guid(user)
        return None

    async def _pages(self, path: str) -> list[Any]:
        """Every page of an MX list endpoint."""
        pages = []
        for number in range(1, MAX_PAGES + 1):
            params = {"page": str(number), "records_per_page": str(PAGE_SIZE)}
            answer = await self._call("GET", path, params=params)
            pages.append(answer)
            with partner_errors(PARTNER):
                pagination = wire.read_pagination(answer)
            if pagination["current_page"] >= pagination["total_pages"]:
                break
        return pages

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one request and return its JSON body; any non-2xx is a ``PartnerError``."""
        response = await self._send(method, path, params=params, json=json)
        return _json(response, f"{method} {path.split('?')[0]}")

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        headers = {"Accept": wire.MX_MEDIA_TYPE, "Authorization": self._authorization}
        if json is not None:
            headers["Content-Type"] = "application/json"
        with partner_errors(PARTNER):
            return await self.http.request(
                method,
                self.credentials.base_url.rstrip("/") + path,
                params=params,
                json=json,
                headers=headers,
            )


def _json(response: httpx.Response, what: str) -> Any:
    """The JSON body of a 2xx answer, else a ``PartnerError`` (retryable for 429 and 5xx)."""
    status = response.status_code
    if not 200 <= status < 300:
        detail = f"{what} answered HTTP {status}: {_error_message(response)}"
        raise MxApiError(detail, status)
    try:
        return response.json()
    except ValueError as exc:
        raise PartnerError(PARTNER, f"{what} answered with a body that is not JSON") from exc


def _check_member(answer: Any) -> None:
    """Raise the lifecycle condition a member answer reports: closed, or needs a login."""
    with partner_errors(PARTNER):
        status = str(answer["member"]["connection_status"])
        needs_credentials = bool(answer["member"].get("needs_updated_credentials"))
    if status.upper() in REVOKED_STATUSES:
        raise ConnectionRevoked(f"MX member is {status}")
    if wire.member_state(status) != "connected" or needs_credentials:
        raise ReauthRequired(f"MX member is {status}")


def _error_message(response: httpx.Response) -> str:
    """MX's ``error.message`` (for the log), or a short excerpt of the body."""
    try:
        body = response.json()
        message = body["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return repr(response.text[:200])
    return str(message)[:200]


def _segment(value: str) -> str:
    """A guid as one URL path segment (guids come from the partner; never trust them)."""
    return quote(value, safe="")


# mypy checks here that the adapter implements the interface the registry promises.
_CONFORMS: Callable[[PartnerCredentials, httpx.AsyncClient], PartnerAdapter] = MxAdapter
