"""What a route declares about itself: its operation (summary, parameters, body, responses).

An ``ApiRoute`` is a Starlette ``Route`` that carries its ``Operation``. The route table
(``api/routes.py``) is the one place each operation is written down; the OpenAPI document
(``api/openapi.py``), request-body validation (``api/body.py``) and the docs page are all
derived from it. While a request is handled, the route's operation is in the ASGI scope, so
``read_json`` knows which published schema the body must match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bankbridge.errors import BankBridgeError

__all__ = [
    "FORM",
    "HAL",
    "JSON",
    "ApiRoute",
    "Body",
    "Operation",
    "Param",
    "Reply",
    "operation_of",
]

HAL = "application/vnd.dwolla.v1.hal+json"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
SCOPE_KEY = "bankbridge.operation"

Auth = Literal["bearer", "basic", "none"]
Schema = str | Mapping[str, Any]  # a component name, or an inline schema


@dataclass(frozen=True)
class Reply:
    """One documented response that is not a ``BankBridgeError`` (those are ``errors``)."""

    status: int
    description: str
    schema: Schema | None = None  # None: no body
    media: str = HAL
    location: bool = False  # a 201 naming the new resource in its Location header


@dataclass(frozen=True)
class Param:
    """A query parameter."""

    name: str
    schema: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True)
class Body:
    """The request body: a component schema, the media types it may come in, required or not."""

    schema: str
    media: tuple[str, ...] = (HAL, JSON)
    required: bool = True
    validated: bool = True  # False: the endpoint parses it itself (POST /token's form)


@dataclass(frozen=True)
class Operation:
    """One HTTP operation as the OpenAPI document and the docs page describe it.

    ``errors`` lists the errors the endpoint itself may raise; those every operation of its
    kind can answer (401/406 with a bearer token, 400/409/415 with a body, 404 for a path
    id, 400 for a query parameter) are added by the document generator.
    """

    tag: str
    summary: str
    replies: tuple[Reply, ...]
    errors: tuple[type[BankBridgeError], ...] = ()
    body: Body | None = None
    query: tuple[Param, ...] = ()
    auth: Auth = "bearer"
    description: str = ""
    extensions: Mapping[str, Any] = field(default_factory=dict)


class ApiRoute(Route):
    """A Starlette route that carries its operation, and puts it in the scope it handles."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[[Request], Any],
        method: str,
        operation: Operation,
    ) -> None:
        super().__init__(path, endpoint, methods=[method])
        self.method = method.lower()
        self.operation = operation

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with this route's operation in the scope."""
        scope[SCOPE_KEY] = self.operation
        await super().handle(scope, receive, send)


def operation_of(request: Request) -> Operation | None:
    """The operation of the route serving ``request`` (None outside the route table)."""
    operation: Operation | None = request.scope.get(SCOPE_KEY)
    return operation
