"""BankBridge's own OpenAPI 3.1 document: exactly the routes it serves, with Dwolla's shapes.

Written by hand as Python data (no generator reads the endpoints), so a test pins it to
``api_routes()``: every route is described and every described operation is served. Response
shapes follow the presenters in ``api/resources``; the exchange session is a ``oneOf`` of
the three per-partner shapes (MX link, Plaid token, Checkout.com data).
"""

from __future__ import annotations

from typing import Any

from bankbridge import __version__

__all__ = ["openapi_document"]

HAL = "application/vnd.dwolla.v1.hal+json"
JSON = "application/json"

Schema = dict[str, Any]


def openapi_document(server_url: str = "") -> dict[str, Any]:
    """The document; ``server_url`` (the public URL) becomes its one server."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "BankBridge",
            "version": __version__,
            "summary": "Dwolla-compatible exchange sessions with MX, Plaid and Checkout.com.",
            "description": (
                "Every operation but `POST /token`, `GET /health`, `GET /openapi.json` and "
                "`GET /docs` needs `Authorization: Bearer <token>` and "
                f"`Accept: {HAL}`. Request bodies are `{HAL}` or `{JSON}`. Errors are "
                "Dwolla's bodies: `code`, `message`, and for validation `_embedded.errors[]` "
                "each with a JSON-pointer `path`."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server_url or "/"}],
        "security": [{"bearer": []}],
        "tags": [{"name": name} for name in _TAGS],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
            "schemas": _schemas(),
        },
    }
    return document


_TAGS = (
    "tokens",
    "root",
    "customers",
    "exchange partners",
    "exchange sessions",
    "exchanges",
    "funding sources",
    "events",
    "webhook subscriptions",
    "webhooks",
    "sandbox",
    "meta",
)


# Schema helpers -------------------------------------------------------------------------


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str] | None = None, **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _string(**extra: Any) -> Schema:
    return {"type": "string", **extra}


def _links(*required: str, optional: tuple[str, ...] = ()) -> Schema:
    names = (*required, *optional)
    return {
        "type": "object",
        "required": list(required),
        "properties": {name: _ref("Link") for name in names},
        "additionalProperties": _ref("Link"),
    }


def _resource(links: Schema, required: list[str], **properties: Schema) -> Schema:
    return _obj(["_links", *required], _links=links, **properties)


def _list(item: str, name: str) -> Schema:
    return _obj(
        ["_links", "_embedded", "total"],
        _links=_links("self", optional=("first", "last", "prev", "next")),
        _embedded=_obj([name], **{name: {"type": "array", "items": _ref(item)}}),
        total={"type": "integer", "minimum": 0},
    )


def _href_body(*required: str, optional: tuple[str, ...] = ()) -> Schema:
    href = _obj(["href"], href=_string(format="uri"))
    properties = {name: href for name in (*required, *optional)}
    return {"type": "object", "required": list(required), "properties": properties}


# Operation helpers ----------------------------------------------------------------------


def _content(schema: Schema, media: str = HAL) -> dict[str, Any]:
    return {media: {"schema": schema}}


def _ok(schema: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": _content(_ref(schema))}


def _created(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "Location": {"description": "The new resource's URL", "schema": _string()},
        },
    }


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": _content(_ref(schema))}


_ERRORS = {
    "400": _error("Bad request or validation error (`_embedded.errors[].path`)", "AnyError"),
    "401": _error("Missing, invalid or expired access token"),
    "403": _error("Another account's resource, or a partner the account may not use"),
    "404": _error("Not found"),
    "406": _error("The Accept header admits no Dwolla media type (`InvalidVersion`)"),
    "409": _error("The Idempotency-Key is in use by a request still running"),
    "415": _error("The Content-Type is neither Dwolla's media type nor JSON"),
    "502": _error("The exchange partner could not be reached or failed"),
}
_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The resource's id (a UUID)",
    "schema": _string(),
}
_ACCEPT = {
    "name": "Accept",
    "in": "header",
    "required": False,
    "description": f"`{HAL}` (Dwolla's media type); `application/json` is also accepted",
    "schema": _string(default=HAL),
}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Runs the POST once per account and key within 24 hours, then replays it",
    "schema": _string(maxLength=255),
}
_PAGING = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 25},
    },
    {
        "name": "offset",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
]


def _op(
    tag: str,
    summary: str,
    responses: dict[str, Any],
    *,
    errors: tuple[str, ...] = ("401", "403", "404", "406"),
    body: str | None = None,
    params: list[dict[str, Any]] | None = None,
    with_id: bool = False,
    public: bool = False,
) -> dict[str, Any]:
    parameters = [_ID] if with_id else []
    parameters += params or []
    if not public:
        parameters.append(_ACCEPT)
    operation: dict[str, Any] = {
        "tags": [tag],
        "summary": summary,
        "operationId": _operation_id(summary),
        "responses": {**responses, **{code: _ERRORS[code] for code in errors}},
    }
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["parameters"] = [*parameters, _IDEMPOTENCY]
        operation["requestBody"] = {
            "required": True,
            "content": {**_content(_ref(body)), **_content(_ref(body), JSON)},
        }
        operation["responses"].setdefault("400", _ERRORS["400"])
        operation["responses"].setdefault("409", _ERRORS["409"])
        operation["responses"].setdefault("415", _ERRORS["415"])
    if public:
        operation["security"] = []
    return operation


def _operation_id(summary: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in summary).split()
    return words[0].lower() + "".join(w.capitalize() for w in words[1:])


# The paths ------------------------------------------------------------------------------


def _paths() -> dict[str, Any]:
    created_session = _created("Exchange session created; GET its Location")
    return {
        "/health": {
            "get": _op(
                "meta",
                "Check health",
                {
                    "200": {"description": "The store answers", "content": _health()},
                    "503": {"description": "Starting up", "content": _health()},
                },
                errors=(),
                public=True,
            )
        },
        "/openapi.json": {
            "get": _op(
                "meta",
                "Get this OpenAPI document",
                {"200": {"description": "This document", "content": {JSON: {"schema": {}}}}},
                errors=(),
                public=True,
            )
        },
        "/docs": {
            "get": _op(
                "meta",
                "Read the API documentation",
                {"200": {"description": "HTML", "content": {"text/html": {"schema": _string()}}}},
                errors=(),
                public=True,
            )
        },
        "/token": {
            "post": {
                **_op(
                    "tokens",
                    "Create an application access token",
                    {
                        "200": {
                            "description": "A bearer token",
                            "content": _content(_ref("Token"), JSON),
                        },
                        "400": {
                            "description": "Bad request (OAuth2 error body)",
                            "content": _content(_ref("OAuthError"), JSON),
                        },
                        "401": {
                            "description": "Unknown or missing client credentials",
                            "content": _content(_ref("OAuthError"), JSON),
                        },
                        "429": {
                            **_error(
                                "Too many failed attempts with this client key "
                                "(`TooManyRequests`); retry after `Retry-After` seconds"
                            ),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds until the key may try again",
                                    "schema": {"type": "integer", "minimum": 1},
                                }
                            },
                        },
                    },
                    errors=(),
                ),
                "parameters": [],
                "security": [{"basic": []}, {}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": _ref("TokenRequest")},
                        JSON: {"schema": _ref("TokenRequest")},
                    },
                },
            }
        },
        "/": {"get": _op("root", "Get the API root", {"200": _ok("Root")}, errors=("401", "406"))},
        "/accounts/{id}": {
            "get": _op("root", "Get the token's account", {"200": _ok("Account")}, with_id=True)
        },
        "/customers": {
            "post": _op(
                "customers",
                "Create a customer",
                {"201": _created("Customer created")},
                errors=("401", "406"),
                body="NewCustomer",
            ),
            "get": _op(
                "customers",
                "List customers",
                {"200": _ok("Customers")},
                errors=("400", "401", "406"),
                params=_PAGING,
            ),
        },
        "/customers/{id}": {
            "get": _op("customers", "Get a customer", {"200": _ok("Customer")}, with_id=True)
        },
        "/exchange-partners": {
            "get": _op(
                "exchange partners",
                "List exchange partners",
                {"200": _ok("ExchangePartners")},
                errors=("401", "406"),
            )
        },
        "/exchange-partners/{id}": {
            "get": _op(
                "exchange partners",
                "Get an exchange partner",
                {"200": _ok("ExchangePartner")},
                with_id=True,
            )
        },
        "/customers/{id}/exchange-sessions": {
            "post": _op(
                "exchange sessions",
                "Create an exchange session",
                {"201": created_session},
                errors=("401", "403", "404", "406", "502"),
                body="NewExchangeSession",
                with_id=True,
            )
        },
        "/exchange-sessions/{id}": {
            "get": _op(
                "exchange sessions",
                "Get an exchange session",
                {"200": _ok("ExchangeSession", "The session, in its partner's shape")},
                with_id=True,
            )
        },
        "/customers/{id}/available-exchange-connections": {
            "get": _op(
                "exchanges",
                "List available exchange connections",
                {"200": _ok("AvailableExchangeConnections")},
                errors=("401", "403", "404", "406", "502"),
                with_id=True,
            )
        },
        "/customers/{id}/exchanges": {
            "post": _op(
                "exchanges",
                "Create an exchange",
                {"201": _created("Exchange created")},
                errors=("401", "403", "404", "406", "502"),
                body="NewExchange",
                with_id=True,
            ),
            "get": _op(
                "exchanges",
                "List a customer's exchanges",
                {"200": _ok("Exchanges")},
                errors=("400", "401", "403", "404", "406"),
                params=_PAGING,
                with_id=True,
            ),
        },
        "/exchanges/{id}": {
            "get": _op(
                "exchanges",
                "Get an exchange",
                {"200": _ok("Exchange")},
                errors=("401", "403", "404", "406", "502"),
                with_id=True,
            )
        },
        "/exchanges/{id}/exchange-sessions": {
            "post": {
                **_op(
                    "exchange sessions",
                    "Create a re-authentication exchange session",
                    {"201": created_session},
                    errors=("401", "403", "404", "406", "502"),
                    body="NewReauthExchangeSession",
                    with_id=True,
                ),
            }
        },
        "/sandbox/exchanges/{id}/reset-login": {
            "post": _op(
                "sandbox",
                "Require a new login for an exchange (sandbox only)",
                {"200": _ok("Exchange")},
                errors=("401", "403", "404", "406", "502"),
                with_id=True,
            )
        },
        "/customers/{id}/funding-sources": {
            "post": _op(
                "funding sources",
                "Create a funding source from an exchange",
                {"201": _created("Funding source created")},
                errors=("401", "403", "404", "406", "502"),
                body="NewFundingSource",
                with_id=True,
            ),
            "get": _op(
                "funding sources",
                "List a customer's funding sources",
                {"200": _ok("FundingSources")},
                errors=("400", "401", "403", "404", "406"),
                params=[
                    {
                        "name": "removed",
                        "in": "query",
                        "required": False,
                        "description": "`false` hides removed funding sources",
                        "schema": _string(enum=["true", "false"], default="true"),
                    }
                ],
                with_id=True,
            ),
        },
        "/funding-sources/{id}": {
            "get": _op(
                "funding sources",
                "Get a funding source",
                {"200": _ok("FundingSource")},
                with_id=True,
            ),
            "post": _op(
                "funding sources",
                "Remove a funding source",
                {"200": _ok("FundingSource")},
                body="RemoveFundingSource",
                with_id=True,
            ),
        },
        "/events": {
            "get": _op(
                "events",
                "List events",
                {"200": _ok("Events")},
                errors=("400", "401", "406"),
                params=_PAGING,
            )
        },
        "/events/{id}": {"get": _op("events", "Get an event", {"200": _ok("Event")}, with_id=True)},
        "/webhook-subscriptions": {
            "post": _op(
                "webhook subscriptions",
                "Create a webhook subscription",
                {"201": _created("Subscription created")},
                errors=("401", "406"),
                body="NewWebhookSubscription",
            ),
            "get": _op(
                "webhook subscriptions",
                "List webhook subscriptions",
                {"200": _ok("WebhookSubscriptions")},
                errors=("401", "406"),
            ),
        },
        "/webhook-subscriptions/{id}": {
            "get": _op(
                "webhook subscriptions",
                "Get a webhook subscription",
                {"200": _ok("WebhookSubscription")},
                with_id=True,
            ),
            "post": _op(
                "webhook subscriptions",
                "Pause or resume a webhook subscription",
                {"200": _ok("WebhookSubscription")},
                body="UpdateWebhookSubscription",
                with_id=True,
            ),
            "delete": _op(
                "webhook subscriptions",
                "Remove a webhook subscription",
                {"200": _ok("WebhookSubscription", "The subscription as it was")},
                with_id=True,
            ),
        },
        "/webhook-subscriptions/{id}/webhooks": {
            "get": _op(
                "webhooks",
                "List a subscription's webhooks",
                {"200": _ok("Webhooks")},
                errors=("400", "401", "403", "404", "406"),
                params=_PAGING,
                with_id=True,
            )
        },
        "/webhooks/{id}": {
            "get": _op("webhooks", "Get a webhook", {"200": _ok("Webhook")}, with_id=True)
        },
        "/webhooks/{id}/retries": {
            "post": _op(
                "webhooks",
                "Retry a webhook",
                {"201": _created("Retry queued")},
                errors=("400", "401", "403", "404", "406"),
                with_id=True,
            ),
            "get": _op(
                "webhooks", "List a webhook's retries", {"200": _ok("WebhookRetries")}, with_id=True
            ),
        },
        "/webhooks/{id}/retries/{retry_id}": {
            "get": _op(
                "webhooks",
                "Get a webhook retry",
                {"200": _ok("WebhookRetry")},
                params=[{**_ID, "name": "retry_id", "description": "The retry's id"}],
                with_id=True,
            )
        },
    }


def _health() -> dict[str, Any]:
    return _content(_obj(["status"], status=_string(), mode=_string()), JSON)


# The schemas ----------------------------------------------------------------------------


def _schemas() -> dict[str, Schema]:
    created = _string(format="date-time")
    uuid = _string(format="uuid")
    return {
        "Link": _obj(
            ["href", "type", "resource-type"],
            href=_string(format="uri"),
            type=_string(),
            **{"resource-type": _string()},
        ),
        "Error": _obj(["code", "message"], code=_string(), message=_string(), _links=_links()),
        "ValidationError": _obj(
            ["code", "message", "_embedded"],
            code=_string(const="ValidationError"),
            message=_string(),
            _embedded=_obj(
                ["errors"],
                errors={
                    "type": "array",
                    "minItems": 1,
                    "items": _obj(
                        ["code", "message", "path"],
                        code=_string(),
                        message=_string(),
                        path=_string(pattern="^/"),
                        _links=_links(),
                    ),
                },
            ),
        ),
        "AnyError": {"anyOf": [_ref("ValidationError"), _ref("Error")]},
        "OAuthError": _obj(["error"], error=_string(), error_description=_string()),
        "TokenRequest": _obj(
            ["grant_type"],
            grant_type=_string(enum=["client_credentials"]),
            client_id=_string(),
            client_secret=_string(),
        ),
        "Token": _obj(
            ["access_token", "token_type", "expires_in"],
            access_token=_string(),
            token_type=_string(const="Bearer"),
            expires_in={"type": "integer"},
        ),
        "Root": _resource(_links("account", "customers", "exchange-partners"), []),
        "Account": _resource(_links("self", "customers"), ["id", "name"], id=uuid, name=_string()),
        "NewCustomer": _obj(
            ["firstName", "lastName", "email"],
            firstName=_string(),
            lastName=_string(),
            email=_string(format="email"),
            type=_string(enum=["unverified", "receive-only"], default="unverified"),
            businessName=_string(),
            correlationId=_string(),
        ),
        "Customer": _resource(
            _links("self"),
            ["id", "firstName", "lastName", "email", "type", "status", "created"],
            id=uuid,
            firstName=_string(),
            lastName=_string(),
            email=_string(),
            type=_string(enum=["unverified", "receive-only"]),
            status=_string(),
            created=created,
            businessName=_string(),
            correlationId=_string(),
        ),
        "Customers": _list("Customer", "customers"),
        "ExchangePartner": _resource(
            _links("self"),
            ["id", "name", "status", "created"],
            id=uuid,
            name=_string(enum=["MX", "Plaid", "Checkout.com"]),
            status=_string(enum=["active"]),
            created=created,
        ),
        "ExchangePartners": _list("ExchangePartner", "exchange-partners"),
        "NewExchangeSession": _obj(
            ["_links"], _links=_href_body("exchange-partner", optional=("redirect-url",))
        ),
        "NewReauthExchangeSession": _obj(_links=_href_body(optional=("redirect-url",))),
        "ExchangeSession": {
            "description": "One of three shapes, by exchange partner (as Dwolla's docs).",
            "oneOf": [
                _ref("MXExchangeSession"),
                _ref("PlaidExchangeSession"),
                _ref("CheckoutExchangeSession"),
            ],
        },
        "MXExchangeSession": _session(
            "MX: open `_links.external-provider-session.href` (MX Connect).",
            links=("self", "exchange-partner", "external-provider-session"),
            forbidden=("externalProviderSessionToken", "externalProviderSessionData"),
        ),
        "PlaidExchangeSession": _session(
            "Plaid: initialise Link with `externalProviderSessionToken`.",
            required=("externalProviderSessionToken",),
            forbidden=("externalProviderSessionData",),
            externalProviderSessionToken=_string(),
        ),
        "CheckoutExchangeSession": _session(
            "Checkout.com: initialise Flow with `externalProviderSessionData`.",
            required=("externalProviderSessionData",),
            forbidden=("externalProviderSessionToken",),
            externalProviderSessionData=_obj(
                ["id", "payment_session_secret", "payment_session_token"],
                id=_string(),
                payment_session_secret=_string(),
                payment_session_token=_string(),
            ),
        ),
        "AvailableExchangeConnections": _resource(
            _links("self", "customers"),
            ["_embedded"],
            _embedded=_obj(
                ["available-exchange-connections"],
                **{
                    "available-exchange-connections": {
                        "type": "array",
                        "items": _obj(
                            ["name", "availableConnectionToken"],
                            name=_string(),
                            availableConnectionToken=_string(),
                        ),
                    }
                },
            ),
        ),
        "NewExchange": {
            "description": "Exactly one token: MX's, Plaid's, or a Checkout.com payment id.",
            **_obj(
                _links=_href_body(optional=("exchange-partner",)),
                mx=_obj(["availableConnectionToken"], availableConnectionToken=_string()),
                plaid=_obj(["publicToken"], publicToken=_string()),
                token=_string(),
            ),
        },
        "Exchange": _resource(
            _links("self", "exchange-partner", "customer", optional=("re-authenticate",)),
            ["id", "status", "created"],
            id=uuid,
            status=_string(),
            created=created,
        ),
        "Exchanges": _list("Exchange", "exchanges"),
        "NewFundingSource": _obj(
            ["_links", "name"],
            _links=_href_body("exchange"),
            name=_string(),
            bankAccountType=_string(enum=["checking", "savings"]),
            cardDetails=_obj(
                firstName=_string(),
                lastName=_string(),
                billingAddress=_obj(
                    address1=_string(),
                    address2=_string(),
                    city=_string(),
                    stateProvinceRegion=_string(),
                    country=_string(),
                    postalCode=_string(),
                ),
            ),
        ),
        "RemoveFundingSource": _obj(["removed"], removed={"const": True}),
        "FundingSource": _resource(
            _links("self", "customer", "exchange", optional=("remove",)),
            ["id", "status", "type", "name", "created", "removed", "fingerprint"],
            id=uuid,
            status=_string(),
            type=_string(enum=["bank", "card"]),
            name=_string(),
            created=created,
            removed={"type": "boolean"},
            fingerprint=_string(),
            bankAccountType=_string(),
            channels={"type": "array", "items": _string()},
            bankName=_string(),
            cardDetails={"type": "object"},
        ),
        "FundingSources": _list("FundingSource", "funding-sources"),
        "Event": _resource(
            _links("self", "account", "resource", optional=("customer",)),
            ["id", "created", "topic", "resourceId"],
            id=uuid,
            created=created,
            topic=_string(),
            resourceId=_string(),
        ),
        "Events": _list("Event", "events"),
        "NewWebhookSubscription": _obj(
            ["url", "secret"], url=_string(format="uri"), secret=_string(maxLength=128)
        ),
        "UpdateWebhookSubscription": _obj(["paused"], paused={"type": "boolean"}),
        "WebhookSubscription": _resource(
            _links("self", "webhooks"),
            ["id", "url", "paused", "created"],
            id=uuid,
            url=_string(),
            paused={"type": "boolean"},
            created=created,
        ),
        "WebhookSubscriptions": _list("WebhookSubscription", "webhook-subscriptions"),
        "Webhook": _resource(
            _links("self", "subscription", "retry", "retries", "event"),
            ["id", "topic", "accountId", "eventId", "subscriptionId", "attempts"],
            id=uuid,
            topic=_string(),
            accountId=uuid,
            eventId=uuid,
            subscriptionId=uuid,
            attempts={"type": "array", "items": _ref("WebhookAttempt")},
        ),
        "WebhookAttempt": _obj(
            ["id", "request", "response"],
            id=uuid,
            request=_obj(
                ["timestamp", "url", "headers", "body"],
                timestamp=created,
                url=_string(),
                headers=_ref("Headers"),
                body=_string(),
            ),
            response=_obj(
                ["timestamp", "headers", "statusCode", "body"],
                timestamp=created,
                headers=_ref("Headers"),
                statusCode={"type": "integer", "description": "0: no response arrived"},
                body=_string(),
            ),
        ),
        "Headers": {
            "type": "array",
            "items": _obj(["name", "value"], name=_string(), value=_string()),
        },
        "Webhooks": _list("Webhook", "webhooks"),
        "WebhookRetry": _resource(
            _links("self", "webhook"), ["id", "timestamp"], id=uuid, timestamp=created
        ),
        "WebhookRetries": _list("WebhookRetry", "retries"),
    }


def _session(
    description: str,
    *,
    links: tuple[str, ...] = ("self", "exchange-partner"),
    required: tuple[str, ...] = (),
    forbidden: tuple[str, ...] = (),
    **properties: Schema,
) -> Schema:
    schema = _resource(
        _links(*links), ["created", *required], created=_string(format="date-time"), **properties
    )
    schema["description"] = description
    # The three shapes must be told apart: each lacks the others' distinguishing fields.
    exclusions: list[Schema] = [{"required": [name]} for name in forbidden]
    if "external-provider-session" not in links:
        exclusions.append({"properties": {"_links": {"required": ["external-provider-session"]}}})
    schema["not"] = {"anyOf": exclusions}
    return schema
