"""Reading request bodies: size limit, media type, JSON syntax, and typed field access.

Every problem becomes a Dwolla error: unreadable bodies a ``BadRequest`` with a precise
message, wrong fields a ``ValidationError`` naming each field by its JSON pointer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from bankbridge.errors import BadRequest, FieldError, UnsupportedMediaType, ValidationError

__all__ = ["Body", "read_body", "read_json"]

JSON_MEDIA_TYPES = ("application/vnd.dwolla.v1.hal+json", "application/json")
_REPORTED = object()  # a type error already recorded for this path
# NUL and lone surrogates (JSON's "\u0000", "\ud800") are not text any store can keep.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing anything larger than ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length", "")
    # ASCII digits only: ``str.isdigit`` also accepts "²", which ``int`` refuses.
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise BadRequest(f"The request body is too large: the limit is {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(f"The request body is too large: the limit is {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int, *, required: bool = True) -> Body:
    """The body as a JSON object (Dwolla's HAL media type or plain JSON)."""
    raw = await read_body(request, limit)
    if not raw.strip():
        if required:
            raise BadRequest("The request body is empty: a JSON object is required.")
        return Body({})
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in JSON_MEDIA_TYPES:  # a missing one too: Dwolla requires it on a body
        raise UnsupportedMediaType()
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise BadRequest("The request body is not valid UTF-8.") from exc
    except RecursionError as exc:
        raise BadRequest("The request body is nested too deeply.") from exc
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"The request body contains bad syntax or is incomplete: {exc.msg} "
            f"at line {exc.lineno} column {exc.colno}."
        ) from exc
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return Body(data)


class Body:
    """A JSON object with typed getters that collect every field error before raising."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def string(self, path: str, *, required: bool = True) -> str | None:
        """The string at a JSON pointer (``/_links/exchange-partner/href``), or None."""
        value = self._typed(path, str, "a string", required)
        if isinstance(value, str) and _UNSTORABLE.search(value):
            message = f"{_name(path)} contains characters that are not allowed."
            self.errors.append(FieldError(path, "InvalidFormat", message))
            return None
        return value if isinstance(value, str) else None

    def boolean(self, path: str, *, required: bool = True) -> bool | None:
        """The boolean at a JSON pointer, or None."""
        value = self._typed(path, bool, "true or false", required)
        return value if isinstance(value, bool) else None

    def _typed(self, path: str, kind: type, noun: str, required: bool) -> object:
        """The value at ``path`` if it is a ``kind``; else None, with the problem recorded."""
        value = self._at(path)
        if value is _REPORTED:
            return None
        if value is None:
            if required:
                self.errors.append(FieldError(path, "Required", f"{_name(path)} is required."))
            return None
        if not isinstance(value, kind):
            self.errors.append(FieldError(path, "Invalid", f"{_name(path)} must be {noun}."))
            return None
        return value

    def has(self, path: str) -> bool:
        """True when something (anything but null) is at the JSON pointer."""
        errors = len(self.errors)
        value = self._at(path)
        del self.errors[errors:]  # a probe reports nothing
        return value is not None and value is not _REPORTED

    def raise_errors(self) -> None:
        """Raise one ``ValidationError`` listing every problem found so far."""
        if self.errors:
            raise ValidationError(list(self.errors))

    def _at(self, path: str) -> Any:
        node: Any = self.data
        parts = path.strip("/").split("/")
        for i, part in enumerate(parts):
            if not isinstance(node, dict):
                parent = "/" + "/".join(parts[:i])
                self.errors.append(
                    FieldError(parent, "Invalid", f"{_name(parent)} must be an object.")
                )
                return _REPORTED
            node = node.get(part)
            if node is None:
                return None
        return node


def _name(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] or "body"
