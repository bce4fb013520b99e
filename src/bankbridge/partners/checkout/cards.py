"""Checkout.com's Sandbox test cards, as the emulator's Flow page knows them, and how they end.

Only these numbers are accepted (with CVV ``100`` and any future expiry). Approving cards answer
response code ``10000``; the others decline with their documented code, whatever the amount
(Checkout's older docs say a zero-amount verification of some of them succeeds; unconfirmed for
Flow, so the emulator keeps the decline the card is known for). Issuer names are invented.

``outcome`` decides a payment: a card that a push-to-card funding source cannot take (not a US
debit or prepaid card) is declined first, with ``20057`` and Flow's ``card_not_supported``
reason, so that it never looks accepted; then the issuer answers as the card is known to.
``card_metadata`` is the Card Metadata lookup Flow makes for the first eight digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bankbridge.partners.checkout.push_to_card import is_fundable

__all__ = [
    "APPROVED",
    "BIN_LENGTH",
    "CARDS",
    "NOT_SUPPORTED",
    "TEST_CVV",
    "Outcome",
    "TestCard",
    "card_metadata",
    "find_card",
    "luhn_valid",
    "normalize",
    "outcome",
]

TEST_CVV = "100"
APPROVED = ("10000", "Approved")
# Push to card refuses the card: Checkout's "not permitted" code, as its payout test cards use.
NOT_SUPPORTED = ("20057", "Transaction not permitted to cardholder")
BIN_LENGTH = 8

# Response code -> Flow's decline reason (``details.requestErrorCodes`` of the CheckoutError).
DECLINE_REASONS = {
    "20051": "not_enough_funds",
    "20012": "invalid_customer_data",
    "20014": "invalid_customer_data",
    "20054": "invalid_customer_data",
    "200N7": "invalid_customer_data",
}
# Flow's own texts for each decline reason (its documented default translations).
DASH = "\N{EN DASH}"
DECLINE_MESSAGES = {
    "card_not_supported": "Card not supported",
    "not_enough_funds": f"Not enough funds {DASH} try another payment method",
    "invalid_customer_data": f"Incorrect details {DASH} try again or use another payment method",
    "try_again": f"Payment declined {DASH} try again or use another payment method",
}
PUSH_TO_CARD_HINT = "Push to card takes US debit or prepaid cards only."
SCHEME_IDS = {"Visa": "visa", "Mastercard": "mastercard"}


@dataclass(frozen=True)
class TestCard:
    """One sandbox card: what the payment's ``source`` shows and how the issuer answers."""

    number: str
    scheme: str
    card_type: str
    issuer_country: str
    response_code: str = APPROVED[0]
    response_summary: str = APPROVED[1]
    card_category: str = "CONSUMER"

    @property
    def approved(self) -> bool:
        """True when the issuer approves payments with this card."""
        return self.response_code == APPROVED[0]

    @property
    def issuer(self) -> str:
        """An invented issuer name for the card's country."""
        return f"Sandbox Test Bank {self.issuer_country}"


@dataclass(frozen=True)
class Outcome:
    """How a payment with a card ends: approved, or declined with a code and Flow's reason."""

    approved: bool
    response_code: str
    response_summary: str
    decline_reason: str | None = None

    @property
    def display_message(self) -> str:
        """What Flow shows the customer."""
        if self.approved:
            return "Payment successful"
        message = DECLINE_MESSAGES[self.decline_reason or "try_again"]
        if self.decline_reason == "card_not_supported":
            return f"{message}. {PUSH_TO_CARD_HINT}"
        return message


def outcome(card: TestCard) -> Outcome:
    """The answer to a payment with ``card``: push-to-card eligibility first, then the issuer."""
    if not is_fundable(card.card_type, card.issuer_country):
        return Outcome(False, *NOT_SUPPORTED, decline_reason="card_not_supported")
    if card.approved:
        return Outcome(True, card.response_code, card.response_summary)
    reason = DECLINE_REASONS.get(card.response_code, "try_again")
    return Outcome(False, card.response_code, card.response_summary, decline_reason=reason)


def card_metadata(bin_digits: str) -> dict[str, Any]:
    """Checkout's Card Metadata answer for the first eight digits of a card number.

    A test card's BIN tells its scheme, type and country; any other BIN only its scheme, from
    the leading digits (the emulator knows no other issuers).
    """
    card = next((c for c in _ALL if c.number.startswith(bin_digits)), None)
    if card is None:
        return {"bin": bin_digits, "scheme": _scheme_from_digits(bin_digits)}
    return {
        "bin": bin_digits,
        "scheme": SCHEME_IDS[card.scheme],
        "card_type": card.card_type,
        "card_category": card.card_category,
        "issuer": card.issuer,
        "issuer_country": card.issuer_country,
    }


def _scheme_from_digits(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or "2221" <= digits[:4] <= "2720":
        return "mastercard"
    if digits[:2] in {"34", "37"}:
        return "american_express"
    return "unknown"


def _visa(number: str, card_type: str, country: str, code: str = "", summary: str = "") -> TestCard:
    return _card("Visa", number, card_type, country, code, summary)


def _mastercard(
    number: str, card_type: str, country: str, code: str = "", summary: str = ""
) -> TestCard:
    return _card("Mastercard", number, card_type, country, code, summary)


def _card(
    scheme: str, number: str, card_type: str, country: str, code: str, summary: str
) -> TestCard:
    if code:
        return TestCard(normalize(number), scheme, card_type, country, code, summary)
    return TestCard(normalize(number), scheme, card_type, country)


def normalize(number: str) -> str:
    """A card number without the spaces or dashes people type."""
    return "".join(number.split()).replace("-", "")


def luhn_valid(number: str) -> bool:
    """True when ``number`` is 12-19 digits with a valid Luhn check digit."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


_ALL = (
    # Generic success and the push-to-card (payout) debit cards: approved.
    _visa("4242 4242 4242 4242", "CREDIT", "US"),
    _visa("4024 7644 4997 1519", "DEBIT", "US"),
    _visa("4921 8178 4444 5119", "DEBIT", "GB"),
    _visa("4978 3139 1578 3283", "DEBIT", "FR"),
    _visa("4076 6131 3985 0359", "DEBIT", "SG"),
    _mastercard("5318 7730 1249 0080", "DEBIT", "US"),
    _mastercard("5355 2249 6852 1878", "DEBIT", "GB"),
    _mastercard("5132 7284 9187 0081", "DEBIT", "FR"),
    _mastercard("5526 3031 7015 7160", "DEBIT", "SG"),
    _visa("4658 5840 9000 0001", "DEBIT", "US"),
    _mastercard("5000 1866 2234 6654", "DEBIT", "US"),
    # Payout declines.
    _visa("4610 1798 4673 0147", "DEBIT", "US", "20005", "Declined - Do Not Honour"),
    _mastercard("5109 1100 0000 0030", "DEBIT", "US", "20005", "Declined - Do Not Honour"),
    _visa("4610 1744 6411 8832", "DEBIT", "US", "20057", "Transaction not permitted"),
    _mastercard("5109 1199 3156 0251", "DEBIT", "US", "20057", "Transaction not permitted"),
    # Response-code cards.
    _visa("4544 2491 6767 3670", "DEBIT", "US", "20051", "Insufficient Funds"),
    _visa("4724 1172 1595 1699", "DEBIT", "US", "20054", "Expired Card"),
    _visa("4000 1416 8078 8456", "PREPAID", "US", "20054", "Expired Card"),
    _visa("4485 3815 7718 2090", "CREDIT", "US", "20014", "Invalid Card Number"),
    _visa("4024 0071 0357 3027", "CREDIT", "US", "20012", "Invalid Transaction"),
    _visa("4111 1111 1111 1129", "CREDIT", "US", "20001", "Refer to Card Issuer"),
    _visa("4897 4535 6848 5113", "CREDIT", "US", "20059", "Suspected Fraud"),
    _visa("4556 2945 9375 7189", "CREDIT", "US", "20061", "Activity Amount Limit Exceeded"),
    _visa("4818 9242 5013 1070", "CREDIT", "US", "20062", "Restricted Card"),
    _visa("4556 2537 5271 2245", "CREDIT", "US", "20063", "Security Violation"),
    _visa("4095 2548 0264 2505", "CREDIT", "US", "20068", "Response Received Too Late"),
    _visa("4532 8194 1348 7978", "CREDIT", "US", "20078", "Blocked, First Used"),
    _visa("4734 8689 5873 3862", "CREDIT", "US", "200N7", "Decline for CVV2 Failure"),
    _visa("4567 3613 2598 1788", "CREDIT", "US", "200R3", "Stop Payment Order"),
    _visa("4151 5127 3630 5999", "CREDIT", "US", "20057", "Transaction not permitted"),
    _visa("4659 4658 8870 5671", "CREDIT", "US", "20057", "Transaction not permitted"),
)

CARDS: dict[str, TestCard] = {card.number: card for card in _ALL}


def find_card(number: str) -> TestCard | None:
    """The test card with this number (spaces and dashes ignored), if there is one."""
    return CARDS.get(normalize(number))
