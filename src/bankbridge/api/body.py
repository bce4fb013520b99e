"""Reading request bodies: size limit, media type, JSON syntax, and the published schema.

Every problem becomes a Dwolla error: an unreadable body a ``BadRequest`` with a precise
message; a body that does not match its operation's schema (``api/routes.py``) one
``ValidationError`` listing every field at fault by its JSON pointer (``api/validation.py``).
What a schema cannot say (that an href names an existing resource, that exactly one token
is sent) the endpoint checks after reading.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from bankbridge.api.openapi import PublishedApi
from bankbridge.api.operation import operation_of
from bankbridge.errors import BadRequest, UnsupportedMediaType, ValidationError

__all__ = ["Body", "read_body", "read_json"]

JSON_MEDIA_TYPES = ("application/vnd.dwolla.v1.hal+json", "application/json")


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


async def read_json(request: Request, limit: int) -> Body:
    """The body as a JSON object (Dwolla's HAL media type or plain JSON) that matches the
    request-body schema of the operation being served."""
    operation = operation_of(request)
    declared = operation.body if operation is not None else None
    raw = await read_body(request, limit)
    if not raw.strip():
        if declared is None or declared.required:
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
    if declared is not None and declared.validated:
        published: PublishedApi = request.app.state.published
        errors = published.body_schemas.check(declared.schema, data)
        if errors:
            raise ValidationError(errors)
    return Body(data)


class Body:
    """A JSON object that matched its schema, read by JSON pointer; null counts as absent."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, path: str) -> Any:
        """The value at a JSON pointer (``/_links/exchange-partner/href``), or None."""
        node: Any = self.data
        for part in path.strip("/").split("/"):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def string(self, path: str) -> str | None:
        """The string at a JSON pointer, or None."""
        value = self.get(path)
        return value if isinstance(value, str) else None

    def boolean(self, path: str) -> bool | None:
        """The boolean at a JSON pointer, or None."""
        value = self.get(path)
        return value if isinstance(value, bool) else None

    def has(self, path: str) -> bool:
        """True when something (anything but null) is at the JSON pointer."""
        return self.get(path) is not None
