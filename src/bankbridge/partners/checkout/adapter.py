"""The Checkout.com adapter: payment sessions for Flow and payments read back, over httpx.

``credentials.base_url`` is BankBridge's own emulator in sandbox mode, Checkout.com's API
(``https://api.sandbox.checkout.com`` or a merchant subdomain) in remote mode. Every call
authenticates with the secret key (``Authorization: Bearer sk_…``), as payment sessions require.
Failures leave as ``CheckoutApiError`` (a ``PartnerError``) carrying the HTTP status and
Checkout's ``error_codes``; the detail is for logs only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from bankbridge.config import PartnerCredentials
from bankbridge.errors import PartnerError
from bankbridge.models import Customer, ProviderSession
from bankbridge.partners.base import (
    AvailableConnection,
    BankBalance,
    BankDetails,
    CardDetails,
    ExchangeRequest,
    ExchangeTokenRejected,
    OpenedExchange,
    PartnerAdapter,
    PartnerNotice,
    SessionRequest,
    WebhookRejected,
)
from bankbridge.partners.checkout import wire
from bankbridge.partners.http import partner_errors

__all__ = ["CheckoutAdapter", "CheckoutApiError"]

PARTNER = "checkout"
PAYMENT_ID_PREFIX = "pay_"
EXCHANGE_TOKEN_KIND = "token"  # Dwolla's exchange body field carrying the pay_ id


class CheckoutApiError(PartnerError):
    """Checkout.com answered with a non-2xx status (``error_codes`` from a 422 body)."""

    def __init__(
        self, method: str, path: str, response: httpx.Response, body: dict[str, Any]
    ) -> None:
        self.status_code = response.status_code
        codes = body.get("error_codes")
        self.error_codes: list[str] = (
            [str(code) for code in codes] if isinstance(codes, list) else []
        )
        self.error_type = str(body.get("error_type") or "")
        request_id = body.get("request_id") or response.headers.get("Cko-Request-Id")
        detail = f"{method} {path} -> HTTP {response.status_code}"
        if self.status_code == 401:
            detail += " (secret key missing, wrong or lacking the scope)"
        if self.status_code == 404:
            detail += " (no such resource)"
        if self.error_type or self.error_codes:
            detail += f" {self.error_type}: {', '.join(self.error_codes)}"
        detail += f" (request id {request_id})"
        retryable = self.status_code >= 500 or self.status_code == 429
        super().__init__(PARTNER, detail, retryable=retryable)


class CheckoutAdapter:
    """Opens Flow payment sessions and reads the card payments made in them."""

    name = "Checkout.com"
    sandbox_webhooks: tuple[str, ...] = ()  # BankBridge receives no Checkout.com webhooks

    def __init__(self, credentials: PartnerCredentials, http: httpx.AsyncClient) -> None:
        self.credentials = credentials
        self.http = http

    async def create_session(self, request: SessionRequest) -> ProviderSession:
        """A zero-amount payment session; its id, secret and token go to the platform."""
        body = wire.payment_session_request(request)
        response = await self._call("POST", "/payment-sessions", dict(body))
        with partner_errors(PARTNER):
            return wire.provider_session(response)

    async def get_payment(self, payment_id: str) -> wire.CardPayment:
        """The payment ``pay_…`` with its card source; unknown ids raise ``CheckoutApiError``."""
        response = await self._call("GET", f"/payments/{quote(payment_id, safe='')}")
        with partner_errors(PARTNER):
            return wire.card_payment(response)

    async def open_exchange(self, request: ExchangeRequest) -> OpenedExchange:
        """Accept a Flow payment id whose verified US debit card becomes the connection."""
        token = request.token
        if request.kind != EXCHANGE_TOKEN_KIND or not token.startswith(PAYMENT_ID_PREFIX):
            raise ExchangeTokenRejected("Checkout.com exchanges take a payment id (pay_…).")
        try:
            payment = await self.get_payment(token)
        except CheckoutApiError as exc:
            if exc.status_code in (404, 422):
                raise ExchangeTokenRejected("The Checkout.com payment does not exist.") from exc
            raise
        if not payment.verified:
            raise ExchangeTokenRejected("The Checkout.com payment did not verify the card.")
        if not payment.fundable:
            raise ExchangeTokenRejected("The card is not a US debit card.")
        connection = {"payment_id": payment.id, "source_id": payment.source_id}
        return OpenedExchange(connection, session_ref=payment.reference)

    async def read_funding_details(self, connection: dict[str, str]) -> BankDetails | CardDetails:
        """The card of the exchange's verification payment."""
        payment = await self.get_payment(connection["payment_id"])
        return wire.card_details(payment)

    async def create_reauth_session(
        self, connection: dict[str, str], request: SessionRequest
    ) -> ProviderSession:
        """Card exchanges have no login to renew."""
        raise PartnerError(PARTNER, "Checkout.com card exchanges cannot be re-authenticated")

    async def list_available_connections(self, customer: Customer) -> list[AvailableConnection]:
        """Checkout.com has no "available connections": the platform holds the payment id."""
        return []

    async def read_balance(self, connection: dict[str, str]) -> BankBalance:
        """A card has no bank balance to read (the domain refuses before asking)."""
        raise PartnerError(PARTNER, "Checkout.com card exchanges have no bank balance")

    async def set_sandbox_balance(self, connection: dict[str, str], balance: BankBalance) -> None:
        """A card has no bank balance to set."""
        raise PartnerError(PARTNER, "Checkout.com card exchanges have no bank balance")

    async def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> PartnerNotice:
        """BankBridge does not take this partner's webhooks yet: none verifies."""
        raise WebhookRejected("webhooks from this partner are not received")

    async def require_reauth(self, connection: dict[str, str]) -> None:
        """Card exchanges have no login to expire."""
        raise PartnerError(PARTNER, "Checkout.com card exchanges cannot require re-authentication")

    async def fire_sandbox_webhook(self, connection: dict[str, str], code: str) -> None:
        """Nothing to send (``sandbox_webhooks`` is empty)."""
        raise PartnerError(PARTNER, "BankBridge receives no Checkout.com webhooks")

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.credentials.secret.peek()}"}
        url = self.credentials.base_url.rstrip("/") + path
        with partner_errors(PARTNER):
            response = await self.http.request(method, url, json=body, headers=headers)
            try:
                document = response.json() if response.content else None
            except ValueError:
                document = None
            if not isinstance(document, dict):
                document = {}
                if response.is_success:
                    raise ValueError(f"{method} {path}: response is not a JSON object")
        if not response.is_success:
            raise CheckoutApiError(method, path, response, document)
        return document


# mypy checks here that the adapter implements the interface the registry promises.
_CONFORMS: Callable[[PartnerCredentials, httpx.AsyncClient], PartnerAdapter] = CheckoutAdapter
