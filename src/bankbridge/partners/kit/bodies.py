"""Request bodies for emulator routes and hosted-page forms, bounded while they are read.

Every emulator reads its body through ``read_body`` before it checks credentials, so an
unauthenticated client cannot make the process hold more than the limit (1 MiB by default,
the API's own). Errors are ``BodyError``; each emulator turns one into its partner's error
format.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request

__all__ = [
    "BodyError",
    "ascii_int",
    "parse_json_object",
    "read_body",
    "read_form",
    "read_json_object",
]

MAX_FORM_FIELDS = 100


class BodyError(Exception):
    """A body that is too large, not parseable, or not the expected shape.

    ``reason`` is one of ``too_large``, ``malformed``, ``not_object``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status to answer: 413 for a body past the limit, else 400."""
        return 413 if self.reason == "too_large" else 400


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with ``BodyError("too_large")`` as soon as it passes ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyError("too_large", "request body is too large")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyError("too_large", "request body is too large")
            chunks.append(chunk)
    except ClientDisconnect:
        raise BodyError("malformed", "the client went away mid-body") from None
    body = b"".join(chunks)
    request._body = body  # let Starlette's own readers see what was read
    return body


def parse_json_object(raw: bytes, *, empty: dict[str, Any] | None = None) -> dict[str, Any]:
    """A JSON object from ``raw``; ``empty`` (when given) stands for a blank body."""
    if empty is not None and not raw.strip():
        return empty
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BodyError("malformed", "body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise BodyError("malformed", "body could not be parsed as JSON") from None
    if not isinstance(value, dict):
        raise BodyError("not_object", "body must be a JSON object")
    return value


async def read_json_object(
    request: Request, limit: int, *, empty: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``read_body`` then ``parse_json_object``."""
    return parse_json_object(await read_body(request, limit), empty=empty)


async def read_form(request: Request, limit: int) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` post as a dict (last value of a name wins)."""
    raw = await read_body(request, limit)
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise BodyError("malformed", "the form could not be read") from None
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise BodyError("malformed", "the form could not be read")
    return dict(pairs)


def ascii_int(text: str | None) -> int | None:
    """``text`` as a non-negative integer when it is ASCII digits only, else None.

    ``str.isdigit`` accepts ``²`` and ``٣``, which ``int()`` then refuses or misreads.
    """
    if not text or not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)
