"""The one error hierarchy; ``api/errors.py`` turns each into a Dwolla error body.

    BankBridgeError (500 ServerError)
    ├── BadRequest (400 BadRequest)             malformed JSON, oversize or unreadable body
    ├── ValidationError (400 ValidationError)   carries (path, code, message) items
    ├── InvalidExchangeToken (400)              a partner token unknown, spent, expired, foreign
    ├── InactiveExchange (400)                  the exchange was removed or disabled
    ├── UpdateCredentials (400)                 the partner needs the user to log in again
    ├── UnsupportedOperation (400)              e.g. the bank balance of a card
    ├── InvalidResourceState (400)              e.g. removing what is already removed
    ├── DuplicateResource (400)                 carries the existing resource's (collection, id)
    ├── MaxNumberOfResources (400)              e.g. an eleventh webhook subscription
    ├── InvalidAccessToken (401)
    ├── WebhookNotVerified (401)                a partner webhook failed verification or replayed
    │   └── ExpiredAccessToken (401)
    ├── Forbidden (403 forbidden)
    ├── NotFound (404 NotFound)
    ├── MethodNotAllowed (405 MethodNotAllowed)
    ├── NotAcceptable (406 InvalidVersion)
    ├── Conflict (409 Conflict)                 e.g. an Idempotency-Key still in use
    ├── TooManyRequests (429)                   carries ``retry_after`` seconds
    ├── UnsupportedMediaType (415 UnsupportedMediaType)
    └── PartnerError (502 ServerError)          a partner failed; detail stays in the log
        └── PartnerUnavailable (503 ServerError)  its breaker is open; carries ``retry_after``

Codes are Dwolla's strings, checked against Dwolla's OpenAPI spec.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BadRequest",
    "BankBridgeError",
    "Conflict",
    "DuplicateResource",
    "ExpiredAccessToken",
    "FieldError",
    "Forbidden",
    "InactiveExchange",
    "InvalidAccessToken",
    "InvalidExchangeToken",
    "InvalidResourceState",
    "MaxNumberOfResources",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "PartnerError",
    "PartnerUnavailable",
    "TooManyRequests",
    "UnsupportedMediaType",
    "UnsupportedOperation",
    "UpdateCredentials",
    "ValidationError",
    "WebhookNotVerified",
]


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a request body, located by a JSON pointer."""

    path: str
    code: str
    message: str
    about: tuple[str, str] | None = None  # (collection, id) of a related resource, e.g. a duplicate


class BankBridgeError(Exception):
    """Base of every error BankBridge answers with a Dwolla-style body."""

    status: int = 500
    code: str = "ServerError"
    default_message: str = "A server error occurred."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class BadRequest(BankBridgeError):
    """The request cannot be read at all (bad syntax, too large, wrong encoding)."""

    status = 400
    code = "BadRequest"
    default_message = "The request body contains bad syntax or is incomplete."


class ValidationError(BankBridgeError):
    """The request was read but some fields are wrong; each is named by its path."""

    status = 400
    code = "ValidationError"
    default_message = "Validation error(s) present. See embedded errors list for more details."

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        if not errors:
            raise ValueError("ValidationError needs at least one FieldError")
        self.errors = errors
        super().__init__(message)

    @classmethod
    def single(cls, path: str, code: str, message: str) -> ValidationError:
        """A validation error about one field, whose message is also the top-level one."""
        return cls([FieldError(path, code, message)], message)


class InvalidExchangeToken(BankBridgeError):
    status = 400
    code = "InvalidExchangeToken"
    default_message = "The exchange token is not valid to perform this operation."


class InactiveExchange(BankBridgeError):
    status = 400
    code = "InactiveExchange"
    default_message = "The Exchange was removed or disabled."


class UpdateCredentials(BankBridgeError):
    """The partner needs the user to log in again; ``_links.about`` names the endpoint that
    creates the re-authentication exchange session for ``exchange_id``."""

    status = 400
    code = "UpdateCredentials"
    default_message = (
        "The exchange requires the user to re-authenticate with their bank. Create a "
        "re-authentication exchange session for it."
    )

    def __init__(self, exchange_id: str, message: str | None = None) -> None:
        self.exchange_id = exchange_id
        super().__init__(message)


class UnsupportedOperation(BankBridgeError):
    """The operation exists but not for this kind of resource (a card's bank balance)."""

    status = 400
    code = "UnsupportedOperation"
    default_message = "The requested operation is not supported for this resource."


class InvalidResourceState(BankBridgeError):
    status = 400
    code = "InvalidResourceState"
    default_message = "Resource cannot be modified."


class DuplicateResource(BankBridgeError):
    """The resource already exists; ``about`` names it as (collection, id)."""

    status = 400
    code = "DuplicateResource"

    def __init__(self, message: str, about: tuple[str, str]) -> None:
        self.about = about
        super().__init__(message)


class MaxNumberOfResources(BankBridgeError):
    """The account already has as many of a resource as Dwolla allows."""

    status = 400
    code = "MaxNumberOfResources"
    default_message = "The maximum number of subscriptions has been reached."


class InvalidAccessToken(BankBridgeError):
    status = 401
    code = "InvalidAccessToken"
    default_message = "Invalid access token."


class ExpiredAccessToken(InvalidAccessToken):
    code = "ExpiredAccessToken"
    default_message = "Expired access token."


class WebhookNotVerified(BankBridgeError):
    """A partner webhook whose signature, age or body did not verify, or a replay of one."""

    status = 401
    code = "InvalidSignature"
    default_message = "The webhook could not be verified."


class Forbidden(BankBridgeError):
    status = 403
    code = "forbidden"
    default_message = "The supplied credentials are not authorized for this resource."


class NotFound(BankBridgeError):
    status = 404
    code = "NotFound"
    default_message = "The requested resource was not found."


class MethodNotAllowed(BankBridgeError):
    status = 405
    code = "MethodNotAllowed"
    default_message = "The requested method is not allowed on this resource."


class NotAcceptable(BankBridgeError):
    status = 406
    code = "InvalidVersion"
    default_message = (
        "Missing or invalid API version. Send Accept: application/vnd.dwolla.v1.hal+json."
    )


class UnsupportedMediaType(BankBridgeError):
    status = 415
    code = "UnsupportedMediaType"
    default_message = (
        "The request's Content-Type is not supported. "
        "Use application/vnd.dwolla.v1.hal+json or application/json."
    )


class Conflict(BankBridgeError):
    status = 409
    code = "Conflict"
    default_message = "The request conflicts with another request in progress."


class TooManyRequests(BankBridgeError):
    """Refused for a while; ``retry_after`` says how many seconds (the Retry-After header)."""

    status = 429
    code = "TooManyRequests"
    default_message = "Please wait a short period of time before re-attempting the request."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class PartnerError(BankBridgeError):
    """A partner call failed. ``detail`` is for logs only and never reaches a response."""

    status = 502
    code = "ServerError"
    default_message = "The exchange partner could not be reached or returned an error."

    def __init__(self, partner: str, detail: str, *, retryable: bool = False) -> None:
        self.partner = partner
        self.detail = detail
        self.retryable = retryable
        super().__init__(None)

    def __str__(self) -> str:
        return f"{self.partner}: {self.detail}"


class PartnerUnavailable(PartnerError):
    """The partner is down (its circuit breaker is open): failed fast, retry after a while.

    Dwolla documents ``ServerError`` as its code for a failure on its side; the status is
    503 with ``Retry-After`` (``retry_after`` seconds), as for any unavailable dependency.
    """

    status = 503
    default_message = "The exchange partner is unavailable. Retry after the Retry-After delay."

    def __init__(self, partner: str, detail: str, retry_after: int) -> None:
        super().__init__(partner, detail, retryable=True)
        self.retry_after = retry_after
