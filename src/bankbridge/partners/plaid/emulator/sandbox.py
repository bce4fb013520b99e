"""Plaid Sandbox test data the emulator serves: institutions, credentials, accounts, errors.

Values follow Plaid's Sandbox documentation (``shared/reference/partners.md`` §1.5). The
display messages of Link errors are close to Plaid's but not copied from a live response.

Credentials (username ``user_good``): ``pass_good`` logs in; ``error_<CODE>`` fails with that
error code; the MFA passwords ask for a second factor in Link (``/sandbox/public_token/create``
skips it, as at Plaid):

- ``mfa_device``: choose a device, then enter the code ``1234``;
- ``mfa_questions_<n>_<m>``: ``n`` rounds of ``m`` questions; question ``j`` of round ``i``
  (both from 0) is answered ``answer_<i>_<j>``;
- ``mfa_selections``: one question, answered ``Yes``;
- ``mfa_selections_<n>_<m>_<o>``: ``n`` rounds of ``m`` questions with ``o`` choices each;
  question ``j`` of round ``i`` is answered ``answer_<i>_<j>_0``.

``n`` and ``m`` are 1 to 9, ``o`` 2 to 9; other MFA passwords are wrong credentials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACCOUNTS",
    "COUNTRY_CODES",
    "DEFAULT_INSTITUTION",
    "ERROR_PASSWORD_PREFIX",
    "GOOD_PASSWORD",
    "GOOD_USERNAME",
    "INSTITUTIONS",
    "LANGUAGES",
    "LINK_INSTITUTIONS",
    "MFA_DEVICES",
    "MFA_DEVICE_CODE",
    "PROCESSORS",
    "PRODUCTS",
    "ROUTING",
    "WIRE_ROUTING",
    "MfaChallenge",
    "error_for",
    "link_error",
    "mfa_challenge",
    "search_institutions",
]

GOOD_USERNAME = "user_good"
GOOD_PASSWORD = "pass_good"
ERROR_PASSWORD_PREFIX = "error_"
DEFAULT_INSTITUTION = "ins_109508"
MFA_DEVICE_CODE = "1234"
MFA_SELECTION_ANSWER = "Yes"
# (device id, what Link shows) for the ``mfa_device`` user: where the code is "sent".
MFA_DEVICES: tuple[tuple[str, str], ...] = (
    ("phone", "Text message to (***) ***-1234"),
    ("email", "Email to t*****@plaid.com"),
)

INSTITUTIONS: dict[str, str] = {
    "ins_109508": "First Platypus Bank",
    "ins_130016": "First Platypus Balance Bank",
    "ins_109509": "First Gingham Credit Union",
    "ins_109510": "Tattersall Federal Credit Union",
    "ins_109511": "Tartan Bank",
    "ins_109512": "Houndstooth Bank",
    "ins_135858": "Windowpane Bank",
    "ins_127287": "Platypus OAuth Bank",
    "ins_132241": "First Platypus OAuth App2App Bank",
    "ins_43": "Tartan-Dominion Bank of Canada",
}
# The hosted page offers the US credential-based (non-OAuth) banks only.
LINK_INSTITUTIONS = ("ins_109508", "ins_130016", "ins_109509", "ins_109510", "ins_109511")


def _words(text: str) -> frozenset[str]:
    """A set of space-separated names."""
    return frozenset(text.split())


LANGUAGES = _words("da de en es et fr hi it ja lt lv nl no pl pt ro sv vi zh")
COUNTRY_CODES = _words("AT BE CA DE DK EE ES FI FR GB IE IT LT LV NL NO PL PT SE US")
PRODUCTS = _words(
    "assets auth balance credit_details employment identity identity_verification income "
    "income_verification investments investments_auth liabilities payment_initiation "
    "processor_identity processor_payments recurring_transactions signal standing_orders "
    "statements transactions transfer"
)
PROCESSORS = ("dwolla", "checkout")

ROUTING = "011401533"
WIRE_ROUTING = "021000021"
# The two depository accounts every Sandbox Item gets (no credit/loan accounts: the broker
# only moves money from checking and savings).
ACCOUNTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Plaid Checking",
        "official_name": "Plaid Gold Standard 0% Interest Checking",
        "mask": "0000",
        "type": "depository",
        "subtype": "checking",
        "available": 100.0,
        "current": 110.0,
        "account_number": "1111222233330000",
    },
    {
        "name": "Plaid Saving",
        "official_name": "Plaid Silver Standard 0.1% Interest Saving",
        "mask": "1111",
        "type": "depository",
        "subtype": "savings",
        "available": 200.0,
        "current": 210.0,
        "account_number": "1111222233331111",
    },
)

_INSTITUTION_DOWN = "This financial institution is not currently responding to requests."
# error_code -> (error_type, error_message, display_message) for ``error_<CODE>`` passwords.
_LINK_ERRORS: dict[str, tuple[str, str, str | None]] = {
    "INVALID_CREDENTIALS": (
        "ITEM_ERROR",
        "the provided credentials were not correct",
        "The provided credentials were not correct. Please try again.",
    ),
    "ITEM_LOCKED": (
        "ITEM_ERROR",
        "the account is locked. prompt the user to visit the institution's site and unlock "
        "their account",
        "The given credentials were not correct. Too many attempts have been made; your "
        "account is locked. Please visit your bank's website to unlock it.",
    ),
    "INVALID_SEND_METHOD": (
        "ITEM_ERROR",
        "the method used to send the MFA code was invalid",
        "The selected device could not be used. Please try again.",
    ),
    "INVALID_MFA": (
        "ITEM_ERROR",
        "the provided MFA response(s) were not correct",
        "The provided MFA responses were not correct. Please try again.",
    ),
    "INSUFFICIENT_CREDENTIALS": (
        "ITEM_ERROR",
        "insufficient authorization was provided to complete the request",
        "INSUFFICIENT_CREDENTIALS",
    ),
    "ITEM_NOT_SUPPORTED": (
        "ITEM_ERROR",
        "this account is currently not supported",
        "Account not currently supported",
    ),
    "MFA_NOT_SUPPORTED": (
        "ITEM_ERROR",
        "this account requires a MFA type that is not currently supported",
        "Account not currently supported",
    ),
    "NO_ACCOUNTS": (
        "ITEM_ERROR",
        "no valid accounts were found for this item",
        "No valid accounts were found at the financial institution. Please visit your "
        "financial institution's website to confirm accounts are available.",
    ),
    "COUNTRY_NOT_SUPPORTED": (
        "ITEM_ERROR",
        "this institution is not currently supported in the requested country",
        "The institution is not supported in your country.",
    ),
    "INSTITUTION_DOWN": (
        "INSTITUTION_ERROR",
        "this institution is not currently responding to this request. please try again soon",
        _INSTITUTION_DOWN,
    ),
    "INSTITUTION_NOT_RESPONDING": (
        "INSTITUTION_ERROR",
        "this institution is not currently responding to this request. please try again soon",
        _INSTITUTION_DOWN,
    ),
    "INSTITUTION_NOT_AVAILABLE": (
        "INSTITUTION_ERROR",
        "this institution is not currently responding to this request. please try again soon",
        _INSTITUTION_DOWN,
    ),
    "INSTITUTION_NO_LONGER_SUPPORTED": (
        "INSTITUTION_ERROR",
        "this institution is no longer supported",
        "This financial institution is no longer supported.",
    ),
    "INTERNAL_SERVER_ERROR": (
        "API_ERROR",
        "an unexpected error occurred",
        "Something went wrong. Please try again later.",
    ),
}


_MFA_QUESTIONS = re.compile(r"mfa_questions_([1-9])_([1-9])")
_MFA_SELECTIONS = re.compile(r"mfa_selections_([1-9])_([1-9])_([2-9])")


@dataclass(frozen=True)
class MfaChallenge:
    """The second factor an MFA password asks for.

    ``kind`` is Plaid's ``mfa_type`` of its first step: ``device`` (then ``code``),
    ``questions`` or ``selections``; ``rounds`` x ``per_round`` questions, ``choices``
    answers to pick from for selections.
    """

    kind: str
    rounds: int = 1
    per_round: int = 1
    choices: int = 0

    def question(self, round_: int, index: int) -> str:
        """The text of question ``index`` of round ``round_`` (both from 0)."""
        if self.kind == "selections" and self.choices == 0:
            return "Do you want to link this account?"
        return f"question_{round_}_{index}"

    def options(self, round_: int, index: int) -> list[str]:
        """The answers offered for a selections question (empty for typed answers)."""
        if self.kind != "selections":
            return []
        if self.choices == 0:
            return [MFA_SELECTION_ANSWER, "No"]
        return [f"answer_{round_}_{index}_{k}" for k in range(self.choices)]

    def answer(self, round_: int, index: int) -> str:
        """The answer that passes question ``index`` of round ``round_``."""
        if self.kind == "selections":
            return self.options(round_, index)[0]
        return f"answer_{round_}_{index}"


def search_institutions(query: str) -> list[str]:
    """The Link institutions whose name contains ``query`` (all for an empty query)."""
    wanted = query.strip().casefold()
    return [i for i in LINK_INSTITUTIONS if wanted in INSTITUTIONS[i].casefold()]


def mfa_challenge(username: str, password: str) -> MfaChallenge | None:
    """The MFA these Sandbox credentials ask for in Link, or None."""
    if username != GOOD_USERNAME:
        return None
    if password == "mfa_device":
        return MfaChallenge("device")
    if password == "mfa_selections":
        return MfaChallenge("selections")
    if match := _MFA_QUESTIONS.fullmatch(password):
        return MfaChallenge("questions", int(match[1]), int(match[2]))
    if match := _MFA_SELECTIONS.fullmatch(password):
        return MfaChallenge("selections", int(match[1]), int(match[2]), int(match[3]))
    return None


def link_error(username: str, password: str) -> tuple[str, str, str, str | None] | None:
    """The Link error for these Sandbox credentials, or None when they log in (MFA
    passwords log in once their second factor is given).

    Returns ``(error_type, error_code, error_message, display_message)``.
    """
    if username == GOOD_USERNAME and password.startswith(ERROR_PASSWORD_PREFIX):
        code = password[len(ERROR_PASSWORD_PREFIX) :]
        return error_for(code)
    if username == GOOD_USERNAME and password == GOOD_PASSWORD:
        return None
    if mfa_challenge(username, password) is not None:
        return None
    return error_for("INVALID_CREDENTIALS")


def error_for(code: str) -> tuple[str, str, str, str | None]:
    """``(error_type, error_code, error_message, display_message)`` of a Link error code."""
    error_type, message, display = _LINK_ERRORS.get(
        code, ("ITEM_ERROR", f"sandbox error {code.lower()}", "Something went wrong.")
    )
    return error_type, code, message, display
