"""Checkout.com Flow in a real front end: Checkout's npm loader, BankBridge's drop-in, offline.

The app (``apps/checkout_flow.js``) is written against Checkout.com's documented Flow API and
loads Flow with ``loadCheckoutWebComponents`` from ``@checkout.com/checkout-web-components``,
which injects ``https://checkout-web-components.checkout.com/index.js``: that one URL is routed
to BankBridge, every other off-host request is blocked. The app is served from another origin
than BankBridge, so the Flow frame is cross-origin, as in production.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from helpers import sandbox_credentials
from live_server import LivePlatform
from support.frontend import APPS_DIR, Frontend
from support.offline_browser import (
    CDN_PATHS,
    CHECKOUT_CDN,
    AppServer,
    OfflineContext,
    route_cdn,
    wait_until,
)

pytestmark = pytest.mark.browser

US_DEBIT = "4024 7644 4997 1519"
CREDIT = "4242 4242 4242 4242"
INSUFFICIENT_FUNDS = "4544 2491 6767 3670"
BILLING = {
    "address1": "552 Test St",
    "city": "Des Moines",
    "stateProvinceRegion": "IA",
    "country": "US",
    "postalCode": "50310",
}


class FlowApp:
    """The integrator's page in the offline browser, with what Flow reported to it."""

    def __init__(self, page: Page, fetched: list[str]) -> None:
        self.page = page
        self.fetched = fetched

    @property
    def frame(self) -> FrameLocator:
        return self.page.frame_locator("#flow-container iframe")

    def events(self, name: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.page.evaluate(
            "name => window.flowEvents.filter(e => e.name === name)", name
        )
        return found

    def wait_for(self, name: str, count: int = 1) -> list[dict[str, Any]]:
        wait_until(self.page, lambda: len(self.events(name)) >= count, timeout=20)
        return self.events(name)

    def fill_card(self, number: str, expiry: str = "12 / 35", cvv: str = "100") -> None:
        self.frame.locator("#card_number").fill(number)
        self.frame.locator("#expiry").fill(expiry)
        self.frame.locator("#cvv").fill(cvv)

    def pay(self, number: str) -> None:
        self.fill_card(number)
        self.frame.locator("#pay").click()


@pytest.fixture
def customer(bankbridge: LivePlatform) -> dict[str, Any]:
    """A customer of the front-end account."""
    created = bankbridge.api.post(
        "/customers",
        json={"firstName": "Jane", "lastName": "Doe", "email": f"{uuid.uuid4().hex}@example.com"},
    )
    assert created.status_code == 201, created.text
    return {"id": created.headers["location"].rsplit("/", 1)[1]}


@pytest.fixture
def session_data(bankbridge: LivePlatform, customer: dict[str, Any]) -> dict[str, str]:
    """A Checkout.com exchange session's ``externalProviderSessionData``, via the Dwolla API."""
    partners = bankbridge.api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    href = next(p for p in partners if p["name"] == "Checkout.com")["_links"]["self"]["href"]
    created = bankbridge.api.post(
        f"/customers/{customer['id']}/exchange-sessions",
        json={"_links": {"exchange-partner": {"href": href}}},
    )
    assert created.status_code == 201, created.text
    data: dict[str, str] = bankbridge.api.get(created.headers["location"]).json()[
        "externalProviderSessionData"
    ]
    return data


@pytest.fixture
def public_key(bankbridge: LivePlatform) -> str:
    """The account's sandbox public key, as ``bankbridge accounts create --json`` shows it."""
    key = sandbox_credentials("checkout", bankbridge.account.account.id).public_key
    assert key is not None and key.startswith("pk_sbox_")
    return key


@pytest.fixture
def open_app(
    frontend: Frontend, app_server: AppServer, bankbridge: LivePlatform, offline: OfflineContext
) -> Any:
    """Factory: serve the app with a config (as its back end would) and open it."""
    bundle = frontend.bundle(APPS_DIR / "checkout_flow.js")

    def open_it(**config: Any) -> FlowApp:
        fetched = route_cdn(
            offline.context, CHECKOUT_CDN, bankbridge.base + CDN_PATHS[CHECKOUT_CDN]
        )
        page = offline.context.new_page()
        page.goto(app_server.host_app(bundle, config))
        return FlowApp(page, fetched)

    return open_it


def _exchange(bankbridge: LivePlatform, customer: dict[str, Any], token: str) -> Any:
    partners = bankbridge.api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    href = next(p for p in partners if p["name"] == "Checkout.com")["_links"]["self"]["href"]
    return bankbridge.api.post(
        f"/customers/{customer['id']}/exchanges",
        json={"_links": {"exchange-partner": {"href": href}}, "token": token},
    )


def test_flow_pays_with_a_us_debit_card_and_the_payment_becomes_a_verified_card(
    open_app: Any,
    session_data: dict[str, str],
    public_key: str,
    bankbridge: LivePlatform,
    customer: dict[str, Any],
    offline: OfflineContext,
) -> None:
    app = open_app(paymentSession=session_data, publicKey=public_key)
    app.wait_for("ready")
    assert app.events("mounted")[0]["value"] == {"payButtonRequired": True}
    expect(app.frame.locator("#name")).to_have_value("Jane Doe")
    # A message in the frame's shape from any other window than the frame is ignored.
    app.page.evaluate(
        """window.postMessage({source: "bankbridge-checkout-flow", type: "payment_completed",
            payload: {payment: {id: "pay_forged"}}}, "*")"""
    )

    app.pay(US_DEBIT)

    completed = app.wait_for("paymentCompleted")[0]
    payment = completed["value"]
    assert completed["component"] == {"type": "flow", "name": "Flow"}
    assert set(payment) == {"id", "status", "type"}
    assert (payment["status"], payment["type"]) == ("Approved", "card")
    assert payment["id"].startswith("pay_") and len(payment["id"]) == 30
    assert len(app.events("paymentCompleted")) == 1
    assert [e["name"] for e in app.page.evaluate("window.flowEvents")].count("submit") == 1
    assert app.events("error") == []
    expect(app.frame.locator("#notice")).to_have_text("Payment successful")
    # The app's back end turns the payment id into an exchange, then a funding source.
    exchange = _exchange(bankbridge, customer, payment["id"])
    assert exchange.status_code == 201, exchange.text
    source = bankbridge.api.post(
        f"/customers/{customer['id']}/funding-sources",
        json={
            "_links": {"exchange": {"href": exchange.headers["location"]}},
            "name": "Debit card",
            "cardDetails": {"firstName": "Jane", "lastName": "Doe", "billingAddress": BILLING},
        },
    )
    assert source.status_code == 201, source.text
    funding = bankbridge.api.get(source.headers["location"]).json()
    assert (funding["type"], funding["status"]) == ("card", "verified")
    assert funding["cardDetails"]["lastFour"] == "1519"
    # Only Checkout's CDN script was routed; nothing else left the host.
    assert app.fetched == [f"{bankbridge.base}/sandbox/checkout/web-components/index.js"]
    assert offline.blocked == []
    assert offline.errors == []


def test_a_declined_card_reports_a_checkout_error_and_another_card_can_pay(
    open_app: Any, session_data: dict[str, str], public_key: str
) -> None:
    app = open_app(paymentSession=session_data, publicKey=public_key)
    app.wait_for("ready")

    app.pay(INSUFFICIENT_FUNDS)

    error = app.wait_for("error")[0]["value"]
    assert error["isError"] is True
    assert (error["name"], error["type"], error["code"]) == (
        "CheckoutError",
        "Request",
        "payment_request_declined",
    )
    assert error["details"]["paymentId"].startswith("pay_")
    assert error["details"]["requestErrorCodes"] == ["not_enough_funds"]
    assert error["details"]["paymentSessionId"] == session_data["id"]
    assert error["details"]["browserSessionId"]
    expect(app.frame.locator("#notice")).to_contain_text("Not enough funds")

    app.pay(US_DEBIT)
    assert app.wait_for("paymentCompleted")[0]["value"]["status"] == "Approved"


def test_a_credit_card_is_declined_as_not_supported_and_cannot_become_an_exchange(
    open_app: Any,
    session_data: dict[str, str],
    public_key: str,
    bankbridge: LivePlatform,
    customer: dict[str, Any],
) -> None:
    app = open_app(paymentSession=session_data, publicKey=public_key)
    app.wait_for("ready")

    app.pay(CREDIT)

    error = app.wait_for("error")[0]["value"]
    assert (error["type"], error["code"]) == ("Request", "payment_request_declined")
    assert error["details"]["requestErrorCodes"] == ["card_not_supported"]
    expect(app.frame.locator("#notice")).to_contain_text("Card not supported")
    assert app.events("paymentCompleted") == []
    refused = _exchange(bankbridge, customer, error["details"]["paymentId"])
    assert refused.status_code == 400 and refused.json()["code"] == "InvalidExchangeToken"


def test_flows_documented_card_type_filters_refuse_a_credit_card_before_paying(
    open_app: Any, session_data: dict[str, str], public_key: str
) -> None:
    app = open_app(
        paymentSession=session_data,
        publicKey=public_key,
        componentOptions={"card": {"acceptedCardTypes": ["debit", "prepaid"]}},
    )
    app.wait_for("ready")

    app.pay(CREDIT)

    expect(app.frame.locator("#card_number-error")).to_have_text("Visa credit not supported")
    assert app.page.evaluate("window.flowComponent.isValid()") is False
    assert app.events("paymentCompleted") == [] and app.events("error") == []


def test_an_on_card_bin_changed_refusal_aborts_the_payment(
    open_app: Any, session_data: dict[str, str], public_key: str
) -> None:
    app = open_app(paymentSession=session_data, publicKey=public_key, rejectCreditCards=True)
    app.wait_for("ready")

    app.pay(CREDIT)

    metadata = app.wait_for("cardBinChanged")[0]["value"]
    assert (metadata["bin"], metadata["scheme"], metadata["card_type"]) == (
        "42424242",
        "visa",
        "CREDIT",
    )
    error = app.wait_for("error")[0]["value"]
    assert (error["type"], error["code"]) == ("Request", "payment_request_aborted")
    assert error["details"]["abortReason"] == "card_not_supported"
    assert error["details"]["customMessage"] == "Credit cards are not accepted"
    expect(app.frame.locator("#card_number-error")).to_have_text("Credit cards are not accepted")
    assert app.events("paymentCompleted") == []


def test_the_card_component_with_the_apps_own_pay_button(
    open_app: Any, session_data: dict[str, str], public_key: str
) -> None:
    app = open_app(
        paymentSession=session_data,
        publicKey=public_key,
        component="card",
        createOptions={"showPayButton": False},
    )
    app.wait_for("ready")
    expect(app.frame.locator("#pay")).to_be_hidden()

    app.page.click("#own-pay")
    invalid = app.wait_for("error")[0]["value"]
    assert (invalid["type"], invalid["code"]) == ("Submit", "component_invalid")

    app.fill_card(US_DEBIT)
    wait_until(app.page, lambda: app.page.evaluate("window.flowComponent.isValid()"))
    app.page.click("#own-pay")
    completed = app.wait_for("paymentCompleted")[0]
    assert completed["component"] == {"type": "card", "name": "Card"}
    assert completed["value"]["status"] == "Approved"


@pytest.mark.parametrize(
    ("config", "code"),
    [
        ({"paymentSession": None}, "payment_session_required"),
        ({"mountTo": "#nowhere"}, "element_not_found"),
    ],
)
def test_integration_mistakes_reach_on_error_as_integration_errors(
    open_app: Any,
    session_data: dict[str, str],
    public_key: str,
    config: dict[str, Any],
    code: str,
) -> None:
    app = open_app(**{"paymentSession": session_data, "publicKey": public_key, **config})

    error = app.wait_for("error")[0]["value"]

    assert (error["name"], error["type"], error["code"]) == ("CheckoutError", "Integration", code)
    if code == "element_not_found":
        assert error["details"]["element"] == "#nowhere"
    assert app.page.locator("iframe").count() == 0
    assert app.events("ready") == []


@pytest.mark.parametrize("whose", ["another account", "malformed"])
def test_a_public_key_that_is_not_the_accounts_is_an_integration_error(
    open_app: Any, session_data: dict[str, str], whose: str
) -> None:
    other = sandbox_credentials("checkout", str(uuid.uuid4())).public_key
    key = other if whose == "another account" else "pk_sbox_not-a-key"
    app = open_app(paymentSession=session_data, publicKey=key)

    error = app.wait_for("error")[0]["value"]

    assert (error["type"], error["code"]) == ("Integration", "payment_session_invalid")
    assert "publicKey" in error["message"]
    assert app.events("ready") == []
    expect(app.frame.locator("#card-form")).to_be_hidden()
