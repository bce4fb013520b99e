"""BankBridge's OpenAPI 3.1 document, generated from the route table.

Every ``ApiRoute`` carries its ``Operation``; this module walks them (as Starlette's
``schemas.py`` walks ``app.routes``) and adds what follows from an operation's kind: the
bearer token's 401 and the Accept header's 406, the 404 of a path id, the 400/409/415 of a
body or an ``Idempotency-Key``. Error responses name their Dwolla codes, taken from the
``BankBridgeError`` classes themselves. The component schemas live in ``api/schemas.py``.
``app.py`` builds the document once, at start-up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute

from bankbridge import __version__
from bankbridge.api.operation import HAL, JSON, ApiRoute, Operation, Reply
from bankbridge.api.schemas import Schema, component_schemas
from bankbridge.api.validation import BodySchemas
from bankbridge.errors import (
    BadRequest,
    BankBridgeError,
    Conflict,
    ExpiredAccessToken,
    InvalidAccessToken,
    NotAcceptable,
    NotFound,
    UnsupportedMediaType,
    ValidationError,
)

__all__ = ["PublishedApi", "api_operations", "openapi_document", "publish"]

# What each error status means, whatever the operation; its codes are listed beside it.
_ERROR_DESCRIPTIONS = {
    400: "Bad request or validation error (`_embedded.errors[].path`)",
    401: "Missing, invalid or expired access token",
    403: "Another account's resource, or a partner the account may not use",
    404: "Not found",
    406: f"The Accept header lacks `{HAL}` (Dwolla's API version)",
    409: "The Idempotency-Key is held by a request still running, or was used for another one",
    415: "The Content-Type is neither Dwolla's media type nor JSON",
    429: "Too many failed attempts with this client key; retry after `Retry-After` seconds",
    502: "The exchange partner could not be reached or failed",
}
_ERROR_HEADERS = {
    429: {
        "Retry-After": {
            "description": "Seconds until the key may try again",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}
_PATH_PARAMETERS = {
    "id": "The resource's id (a UUID)",
    "retry_id": "The retry's id",
}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Runs the POST once per account and key within 24 hours, then replays it",
    "schema": {"type": "string", "maxLength": 255},
}
_PATH_PARAM = re.compile(r"{([^}:]+)")


@dataclass(frozen=True)
class PublishedApi:
    """What the route table publishes, built once when the app is made: the document, its
    bytes as ``/openapi.json`` serves them, and the validators of its request bodies."""

    document: dict[str, Any]
    json: bytes
    body_schemas: BodySchemas


def publish(routes: Sequence[BaseRoute], server_url: str) -> PublishedApi:
    """The document for ``routes`` and the request-body validators compiled from it."""
    document = openapi_document(routes, server_url)
    bodies = {r.operation.body for r in api_operations(routes) if r.operation.body is not None}
    schemas = BodySchemas(
        document["components"]["schemas"], {body.schema for body in bodies if body.validated}
    )
    return PublishedApi(document, json.dumps(document, indent=2).encode(), schemas)


def api_operations(routes: Iterable[BaseRoute]) -> list[ApiRoute]:
    """The routes that carry an operation, in table order."""
    return [route for route in routes if isinstance(route, ApiRoute)]


def openapi_document(routes: Sequence[BaseRoute], server_url: str = "") -> dict[str, Any]:
    """The document for ``routes``; ``server_url`` (the public URL) becomes its one server."""
    described = api_operations(routes)
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    for route in described:
        paths.setdefault(route.path, {})[route.method] = _operation(route)
        tags[route.operation.tag] = None
    public = ", ".join(
        f"`{r.method.upper()} {r.path}`" for r in described if r.operation.auth != "bearer"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "BankBridge",
            "version": __version__,
            "summary": "Dwolla-compatible exchange sessions with MX, Plaid and Checkout.com.",
            "description": (
                f"Every operation but {public} needs `Authorization: Bearer <token>` and, "
                f"as Dwolla's API requires, `Accept: {HAL}`: a request without that media "
                "type among its Accept header's (a missing header, `application/json` and "
                f"`*/*` included) answers 406 `InvalidVersion`. Request bodies are `{HAL}` "
                f"or `{JSON}`. Errors are Dwolla's bodies: `code`, `message`, and for "
                "validation `_embedded.errors[]`, each with a JSON-pointer `path`; every "
                "error response lists the codes it may carry."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server_url or "/"}],
        "security": [{"bearer": []}],
        "tags": [{"name": name} for name in tags],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
            "schemas": component_schemas(),
        },
    }


def _operation(route: ApiRoute) -> dict[str, Any]:
    op = route.operation
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": _PATH_PARAMETERS.get(name, ""),
            "schema": {"type": "string"},
        }
        for name in _PATH_PARAM.findall(route.path)
    ]
    for param in op.query:
        parameters.append(
            {
                "name": param.name,
                "in": "query",
                "required": False,
                **({"description": param.description} if param.description else {}),
                "schema": dict(param.schema),
            }
        )
    if route.method == "post" and op.auth == "bearer":
        parameters.append(_IDEMPOTENCY)
    document: dict[str, Any] = {
        "tags": [op.tag],
        "summary": op.summary,
        "operationId": _operation_id(op.summary),
    }
    if op.description:
        document["description"] = op.description
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        document["requestBody"] = {
            "required": op.body.required,
            "content": {media: {"schema": _schema(op.body.schema)} for media in op.body.media},
        }
    responses = {str(reply.status): _reply(reply) for reply in op.replies}
    for status, codes in sorted(_error_codes(route, op).items()):
        responses[str(status)] = _error_reply(status, codes)
    document["responses"] = responses
    if op.auth == "none":
        document["security"] = []
    elif op.auth == "basic":
        document["security"] = [{"basic": []}, {}]
    document.update(op.extensions)
    return document


def _error_codes(route: ApiRoute, op: Operation) -> dict[int, list[str]]:
    """Every error status the operation may answer, with its Dwolla codes."""
    errors: list[type[BankBridgeError]] = list(op.errors)
    if op.auth == "bearer":
        errors += [InvalidAccessToken, ExpiredAccessToken, NotAcceptable]
        if route.method == "post":  # an Idempotency-Key: malformed, or held by another
            errors += [ValidationError, Conflict]
    if "{" in route.path:  # an id no resource has (or none can have, such as one with NUL)
        errors.append(NotFound)
    if op.query:
        errors.append(ValidationError)
    if op.body is not None and op.body.validated:
        errors += [BadRequest, ValidationError, UnsupportedMediaType]
    by_status: dict[int, list[str]] = {}
    for error in errors:
        codes = by_status.setdefault(error.status, [])
        if error.code not in codes:
            codes.append(error.code)
    return by_status


def _error_reply(status: int, codes: list[str]) -> dict[str, Any]:
    base = "AnyError" if "ValidationError" in codes else "Error"
    listed = ", ".join(f"`{code}`" for code in codes)
    schema = {**_ref(base), "properties": {"code": {"enum": codes}}}
    reply: dict[str, Any] = {
        "description": f"{_ERROR_DESCRIPTIONS.get(status, 'Error')}. Codes: {listed}",
        "content": {HAL: {"schema": schema}},
    }
    if status in _ERROR_HEADERS:
        reply["headers"] = _ERROR_HEADERS[status]
    return reply


def _reply(reply: Reply) -> dict[str, Any]:
    document: dict[str, Any] = {"description": reply.description}
    if reply.schema is not None:
        document["content"] = {reply.media: {"schema": _schema(reply.schema)}}
    if reply.location:
        document["headers"] = {
            "Location": {"description": "The new resource's URL", "schema": {"type": "string"}}
        }
    return document


def _schema(schema: str | Any) -> Schema:
    return _ref(schema) if isinstance(schema, str) else dict(schema)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation_id(summary: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in summary).split()
    return words[0].lower() + "".join(w.capitalize() for w in words[1:])
