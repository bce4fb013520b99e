"""The Plaid adapter: Plaid's HTTP API spoken over httpx to ``credentials.base_url``.

In sandbox mode that URL is BankBridge's own Plaid emulator; in remote mode it is
``https://sandbox.plaid.com`` (or production). Credentials travel in the ``PLAID-CLIENT-ID`` /
``PLAID-SECRET`` headers, as Plaid's own SDK sends them. Failures leave as ``PlaidApiError``
(a ``PartnerError``) carrying Plaid's ``error_type``/``error_code``.

A public token is bound to its customer: before spending it, the adapter asks Plaid's
``/link/token/get`` which Link session produced it (``link_sessions[].results``). One of
this customer's link tokens: accepted. Another customer's: refused, unspent. None of them
(a token the platform made itself with ``/sandbox/public_token/create``): left to Plaid,
which knows only its own client's tokens. Against real Plaid, ``link_sessions`` needs Link
events enabled on the Plaid account; without them nothing is found and no binding applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

import httpx

from bankbridge.clock import now
from bankbridge.config import PartnerCredentials
from bankbridge.errors import PartnerError
from bankbridge.models import Customer, ProviderSession
from bankbridge.partners.base import (
    AvailableConnection,
    BankBalance,
    BankDetails,
    CardDetails,
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
from bankbridge.partners.plaid import webhook_verification, wire

__all__ = ["PlaidAdapter", "PlaidApiError"]

PARTNER = "plaid"
RETRYABLE_ERROR_TYPES = frozenset({"API_ERROR", "INSTITUTION_ERROR", "RATE_LIMIT_EXCEEDED"})
# Plaid error codes meaning "the platform's token is no good" (answered to the platform as such).
REJECTED_TOKEN_CODES = frozenset(
    {"INVALID_PUBLIC_TOKEN", "INVALID_PROCESSOR_TOKEN", "INVALID_ACCESS_TOKEN", "INVALID_FIELD"}
)
REAUTH_CODES = frozenset({"ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION", "ACCESS_NOT_GRANTED"})
# Codes meaning the exchange's Item is gone for good (the user revoked access, the Item was
# removed): a stored token that worked before and is now unknown says the same.
REVOKED_CODES = frozenset(
    {"USER_PERMISSION_REVOKED", "ITEM_NOT_FOUND", "INVALID_ACCESS_TOKEN", "INVALID_PROCESSOR_TOKEN"}
)
PUBLIC_TOKEN_KIND = "plaid.publicToken"
PROCESSOR_TOKEN_KIND = "token"
# A public token lives 30 minutes and is made before its link token expires: a link token
# expired longer ago than that cannot have produced a token that still works.
PUBLIC_TOKEN_TTL = timedelta(minutes=30)


class PlaidApiError(PartnerError):
    """Plaid answered with an error body; ``error_code`` lets callers react (re-auth...)."""

    def __init__(self, path: str, status: int, body: dict[str, Any]) -> None:
        self.status_code = status
        self.error_type = str(body.get("error_type") or "UNKNOWN")
        self.error_code = str(body.get("error_code") or "UNKNOWN")
        detail = (
            f"POST {path} -> HTTP {status} {self.error_type}/{self.error_code}: "
            f"{body.get('error_message')} (request_id {body.get('request_id')})"
        )
        retryable = status >= 500 or status == 429 or self.error_type in RETRYABLE_ERROR_TYPES
        super().__init__(PARTNER, detail, retryable=retryable)


class PlaidAdapter:
    """Creates Link tokens and reads Auth data from Plaid (or the emulator)."""

    name = "Plaid"
    sandbox_webhooks: tuple[str, ...] = wire.ITEM_WEBHOOK_CODES

    def __init__(self, credentials: PartnerCredentials, http: httpx.AsyncClient) -> None:
        self.credentials = credentials
        self.http = http
        self._webhook_keys: dict[str, dict[str, Any]] = {}  # Plaid: cache keys by kid

    async def create_session(self, request: SessionRequest) -> ProviderSession:
        """A Link token for the customer (Auth on checking/savings accounts)."""
        body = wire.link_token_request(
            request.customer.id, request.redirect_url, webhook=request.webhook_url
        )
        response = await self._post("/link/token/create", dict(body))
        with partner_errors(PARTNER):
            return wire.provider_session(response)

    async def open_exchange(self, request: ExchangeRequest) -> OpenedExchange:
        """Redeem a Link public token (first checking/savings account) or a processor token."""
        try:
            if request.kind == PUBLIC_TOKEN_KIND:
                await self._check_public_token_origin(request)
                access_token, item_id = await self.exchange_public_token(request.token)
                accounts = await self.get_auth(access_token)
                if not accounts:
                    raise ExchangeTokenRejected(
                        "The Plaid Item has no checking or savings account."
                    )
                connection = {
                    "access_token": access_token,
                    "item_id": item_id,
                    "account_id": accounts[0].account_id,
                }
                return OpenedExchange(connection)
            if request.kind == PROCESSOR_TOKEN_KIND:
                account = await self.get_processor_auth(request.token)
                return OpenedExchange(
                    {"processor_token": request.token, "account_id": account.account_id}
                )
        except PlaidApiError as exc:
            if exc.error_code in REJECTED_TOKEN_CODES:
                raise ExchangeTokenRejected(
                    "The Plaid token is invalid, expired or already used."
                ) from exc
            raise
        raise ExchangeTokenRejected("Plaid does not accept this kind of exchange token.")

    async def read_funding_details(self, connection: dict[str, str]) -> BankDetails | CardDetails:
        """The exchange's bank account; ``ReauthRequired`` when the Item needs a new login."""
        try:
            if "access_token" in connection:
                accounts = await self._auth_for(
                    connection["access_token"], connection["account_id"]
                )
                if not accounts:
                    raise PartnerError(PARTNER, "the exchanged account is no longer on the Item")
                account = accounts[0]
            else:
                account = await self.get_processor_auth(connection["processor_token"])
        except PlaidApiError as exc:
            _raise_lifecycle_error(exc)
            raise
        return BankDetails(
            routing_number=account.routing,
            account_number=account.account_number,
            account_type="savings" if account.subtype == "savings" else "checking",
            bank_name=account.institution_name or "",
            account_name=account.name,
        )

    async def create_reauth_session(
        self, connection: dict[str, str], request: SessionRequest
    ) -> ProviderSession:
        """A Link token in update mode for the exchange's Item."""
        return await self.create_link_token_for_update(
            self._access_token(connection), request.customer.id, request.redirect_url
        )

    async def read_balance(self, connection: dict[str, str]) -> BankBalance:
        """Real-time balance: ``/accounts/balance/get`` (or ``/processor/balance/get``)."""
        try:
            if "access_token" in connection:
                body = {
                    "access_token": connection["access_token"],
                    "options": {"account_ids": [connection["account_id"]]},
                }
                response = await self._post("/accounts/balance/get", body)
                with partner_errors(PARTNER):
                    accounts = response["accounts"]
                    if not isinstance(accounts, list) or not accounts:
                        raise ValueError("no account in the balance response")
                    return wire.account_balance(accounts[0])
            body = {"processor_token": connection["processor_token"]}
            response = await self._post("/processor/balance/get", body)
            with partner_errors(PARTNER):
                return wire.account_balance(response["account"])
        except PlaidApiError as exc:
            _raise_lifecycle_error(exc)
            raise

    async def list_available_connections(self, customer: Customer) -> list[AvailableConnection]:
        """Plaid has no "available connections": the platform holds the Link result."""
        return []

    async def require_reauth(self, connection: dict[str, str]) -> None:
        """Sandbox control: ``/sandbox/item/reset_login`` puts the Item in ITEM_LOGIN_REQUIRED."""
        await self._post(
            "/sandbox/item/reset_login", {"access_token": self._access_token(connection)}
        )

    async def fire_sandbox_webhook(self, connection: dict[str, str], code: str) -> None:
        """Sandbox control: ``/sandbox/item/fire_webhook`` (the Item follows the webhook)."""
        body = {"access_token": self._access_token(connection), "webhook_code": code}
        await self._post("/sandbox/item/fire_webhook", body)

    async def set_sandbox_balance(self, connection: dict[str, str], balance: BankBalance) -> None:
        """Sandbox control: the emulator's ``/sandbox/accounts/balance/set`` (BankBridge's)."""
        body = {
            "access_token": self._access_token(connection),
            "account_id": connection["account_id"],
            "available": float(balance.available),
            "current": float(balance.closing),
        }
        await self._post("/sandbox/accounts/balance/set", body)

    async def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> PartnerNotice:
        """Verify a webhook's ``Plaid-Verification`` JWT with Plaid's key, then read it."""
        jwt = headers.get("plaid-verification")
        if not jwt:
            raise WebhookRejected("no Plaid-Verification header")
        kid = webhook_verification.key_id_of(jwt)
        key = self._webhook_keys.get(kid)
        if key is None:
            try:
                response = await self._post("/webhook_verification_key/get", {"key_id": kid})
            except PlaidApiError as exc:
                raise WebhookRejected(f"Plaid does not know key {kid!r}") from exc
            key = response.get("key")
            if not isinstance(key, dict):
                raise WebhookRejected("Plaid answered no key")
            self._webhook_keys[kid] = key
        return webhook_verification.verify(jwt, key, body, now())

    async def create_link_token_for_update(
        self, access_token: str, client_user_id: str, redirect_url: str | None
    ) -> ProviderSession:
        """A Link token in update mode, to repair an Item (e.g. after ITEM_LOGIN_REQUIRED)."""
        body = wire.link_token_request(client_user_id, redirect_url, access_token=access_token)
        response = await self._post("/link/token/create", dict(body))
        with partner_errors(PARTNER):
            return wire.provider_session(response)

    async def exchange_public_token(self, public_token: str) -> tuple[str, str]:
        """Swap Link's one-time public token for ``(access_token, item_id)``."""
        response = await self._post("/item/public_token/exchange", {"public_token": public_token})
        with partner_errors(PARTNER):
            return str(response["access_token"]), str(response["item_id"])

    async def get_auth(self, access_token: str) -> list[wire.AuthAccount]:
        """The Item's depository accounts with their ACH account and routing numbers."""
        response = await self._post("/auth/get", {"access_token": access_token})
        with partner_errors(PARTNER):
            return wire.auth_accounts(response)

    async def create_processor_token(
        self, access_token: str, account_id: str, processor: str = "dwolla"
    ) -> str:
        """A processor token handing one account of the Item to a processor."""
        response = await self._post(
            "/processor/token/create",
            {"access_token": access_token, "account_id": account_id, "processor": processor},
        )
        with partner_errors(PARTNER):
            return str(response["processor_token"])

    async def get_processor_auth(self, processor_token: str) -> wire.AuthAccount:
        """The account (and ACH numbers) behind a processor token."""
        response = await self._post("/processor/auth/get", {"processor_token": processor_token})
        with partner_errors(PARTNER):
            return wire.processor_auth_account(response)

    async def _check_public_token_origin(self, request: ExchangeRequest) -> None:
        """Refuse a public token that another customer's Link session produced."""
        if await self._produced_by(request.token, request.customer_sessions):
            return
        if await self._produced_by(request.token, request.other_sessions):
            raise ExchangeTokenRejected("The public token belongs to another customer.")

    async def _produced_by(self, public_token: str, sessions: Iterable[ProviderSession]) -> bool:
        """Whether one of these link tokens' Link sessions handed out ``public_token``."""
        cutoff = now() - PUBLIC_TOKEN_TTL
        for session in sessions:
            if not session.token or (session.expires_at and session.expires_at < cutoff):
                continue
            try:
                response = await self._post("/link/token/get", {"link_token": session.token})
            except PlaidApiError as exc:
                if exc.error_code == "INVALID_LINK_TOKEN":
                    continue  # gone at Plaid: it produced nothing still usable
                raise
            if public_token in wire.link_session_public_tokens(response):
                return True
        return False

    async def _auth_for(self, access_token: str, account_id: str) -> list[wire.AuthAccount]:
        body = {"access_token": access_token, "options": {"account_ids": [account_id]}}
        response = await self._post("/auth/get", body)
        with partner_errors(PARTNER):
            return wire.auth_accounts(response)

    @staticmethod
    def _access_token(connection: dict[str, str]) -> str:
        if "access_token" not in connection:  # a processor token grants no Item access
            raise PartnerError(PARTNER, "exchange made with a processor token has no Item access")
        return connection["access_token"]

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "PLAID-CLIENT-ID": self.credentials.client_id,
            "PLAID-SECRET": self.credentials.secret.peek(),
            "Plaid-Version": wire.PLAID_VERSION,
        }
        url = self.credentials.base_url.rstrip("/") + path
        with partner_errors(PARTNER):
            response = await self.http.post(url, json=body, headers=headers)
            try:
                document = response.json()
            except ValueError:
                document = None
            if not isinstance(document, dict):
                document = {}
                if response.is_success:
                    raise ValueError(f"POST {path}: response is not a JSON object")
        if not response.is_success:
            raise PlaidApiError(path, response.status_code, document)
        return document


def _raise_lifecycle_error(exc: PlaidApiError) -> None:
    """Re-raise Plaid's answer as the lifecycle condition it reports, if it reports one."""
    if exc.error_code in REAUTH_CODES:
        raise ReauthRequired(exc.error_code) from exc
    if exc.error_code in REVOKED_CODES:
        raise ConnectionRevoked(exc.error_code) from exc


# mypy checks here that the adapter implements the interface the registry promises.
_CONFORMS: Callable[[PartnerCredentials, httpx.AsyncClient], PartnerAdapter] = PlaidAdapter
