"""``Prefer: code=NNN`` (sandbox only): answer an operation's documented error on purpose.

As Prism does for mocked APIs, an integrator can ask any authenticated endpoint to answer
one of the errors its operation documents in the route table (and so in ``/openapi.json``)
instead of running: ``Prefer: code=400`` on ``POST /customers/{id}/exchange-sessions``
answers that operation's first documented 400 error. Nothing runs and nothing is stored.
"""

from __future__ import annotations

import re

from starlette.requests import Request

from bankbridge.api.operation import operation_of
from bankbridge.errors import (
    BadRequest,
    BankBridgeError,
    FieldError,
    PartnerError,
    PartnerUnavailable,
    TooManyRequests,
    ValidationError,
)

__all__ = ["preferred_error"]

_CODE = re.compile(r"(?:^|[;,\s])code=(\d{3})(?:$|[;,\s])")
_SIMULATED = "Simulated by the request's Prefer header (sandbox)."


def preferred_error(request: Request) -> BankBridgeError | None:
    """The error the request's ``Prefer: code=NNN`` asks for; None without one."""
    prefer = request.headers.get("prefer")
    if prefer is None:
        return None
    match = _CODE.search(prefer)
    operation = operation_of(request)
    if match is None or operation is None:
        return None
    status = int(match.group(1))
    for error in operation.errors:
        if error.status == status:
            return _instance(error)
    documented = ", ".join(str(s) for s in sorted({e.status for e in operation.errors}))
    return BadRequest(
        f"Prefer: code={status} is not an error this operation documents "
        f"(documented: {documented or 'none'})."
    )


def _instance(error: type[BankBridgeError]) -> BankBridgeError:
    if issubclass(error, ValidationError):
        return ValidationError([FieldError("/", "Invalid", _SIMULATED)])
    if issubclass(error, TooManyRequests):
        return TooManyRequests(1, _SIMULATED)
    if issubclass(error, PartnerUnavailable):
        return PartnerUnavailable("simulated", _SIMULATED, 30)
    if issubclass(error, PartnerError):
        return PartnerError("simulated", _SIMULATED)
    try:
        # By keyword: an error whose first parameter names a related resource (the exchange
        # of UpdateCredentials, the duplicate of DuplicateResource) must not take the message
        # for that resource; it needs one, so it falls back to the plain error below.
        return error(message=_SIMULATED)
    except TypeError:  # an error that names a related resource: plain, with its code
        plain = BankBridgeError(_SIMULATED)
        plain.status, plain.code = error.status, error.code
        return plain
