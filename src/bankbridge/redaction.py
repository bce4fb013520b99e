"""Redaction of capability tokens and secrets in request targets, before they are logged.

Some URLs are capabilities: whoever holds one may use it. The MX Connect widget URL
(``/sandbox/mx/connect/<token>``), the Checkout.com Flow page (``/sandbox/checkout/flow/
<ps_…>``), Plaid's ``link-sandbox-…`` and ``public-sandbox-…`` tokens, and any credential
sent in a query string (``?client_secret=``, ``?token=`` …). ``redact_target`` replaces each
with ``[redacted]``; ``RedactingFilter`` applies it to every string argument of a log record,
and ``install_access_log_redaction`` puts it on uvicorn's access log, in every process that
builds the app.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

__all__ = ["REDACTED", "RedactingFilter", "install_access_log_redaction", "redact_target"]

REDACTED = "[redacted]"
ACCESS_LOGGER = "uvicorn.access"

# Path segments that are themselves capabilities (the page's token is the segment).
_CAPABILITY_SEGMENT = re.compile(r"(/sandbox/(?:mx/connect|checkout/flow)/)[^/?#]+", re.IGNORECASE)
# Partner tokens and secrets, wherever they appear: Plaid's tokens, Checkout.com payment
# session ids and secrets, secret keys and access tokens.
_PARTNER_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:link|public|access|processor)-(?:sandbox|development|production)-[A-Za-z0-9-]+"
    r"|pss?_[A-Za-z0-9]+"
    r"|sk_[A-Za-z0-9_]+"
    r"|cko_[A-Za-z0-9_]+"
    r")",
    re.IGNORECASE,
)
# A target made only of these characters, with none of these words, holds nothing the
# patterns above match (no ``?``, no ``_``): ``/exchange-sessions/<uuid>`` and the like.
_PLAIN = re.compile(r"[A-Za-z0-9/.~-]*")
_TOKEN_WORDS = re.compile(r"sandbox|-development-|-production-", re.IGNORECASE)
# A query parameter whose name holds one of these carries a credential.
_SECRET_NAME_PARTS = ("token", "secret", "password", "passwd", "key", "signature", "auth")


def redact_target(target: str) -> str:
    """``target`` (a path, optionally with a query string) with every capability redacted."""
    if _PLAIN.fullmatch(target) and not _TOKEN_WORDS.search(target):
        return target  # the common case, without the patterns' work
    return _redact(target)


def _redact(target: str) -> str:
    path, mark, query = target.partition("?")
    path = _CAPABILITY_SEGMENT.sub(rf"\g<1>{REDACTED}", path)
    path = _PARTNER_TOKEN.sub(REDACTED, path)
    if not mark:
        return path
    return f"{path}?{'&'.join(_redact_parameter(p) for p in query.split('&'))}"


class RedactingFilter(logging.Filter):
    """Passes every record, its string arguments (and message) run through ``redact_target``.

    Only request targets hold capabilities in uvicorn's records; the other arguments
    (client address, method, HTTP version) have nothing the patterns match.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_target(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and not record.args:
            record.msg = redact_target(record.msg)
        return True


def install_access_log_redaction() -> None:
    """Redact uvicorn's access log lines (once per process, whoever configured logging)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


def _redact_parameter(parameter: str) -> str:
    name, equals, value = parameter.partition("=")
    lowered = unquote_plus(name).lower()
    if not equals:
        return REDACTED if _PARTNER_TOKEN.search(unquote_plus(name)) else parameter
    if any(part in lowered for part in _SECRET_NAME_PARTS) or _PARTNER_TOKEN.search(
        unquote_plus(value)
    ):
        return f"{name}={REDACTED}"
    return parameter
