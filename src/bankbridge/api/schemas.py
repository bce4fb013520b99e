"""The component schemas of BankBridge's OpenAPI document: Dwolla's shapes, by name.

Responses follow the presenters in ``api/resources``; the exchange session is a ``oneOf`` of
the three per-partner shapes (MX link, Plaid token, Checkout.com data). Request-body schemas
(``New…``, ``Update…``) are also what ``api/body.py`` validates incoming bodies against.
"""

from __future__ import annotations

from typing import Any

from bankbridge.partners import PARTNERS
from bankbridge.partners.kit.faults import FAULT_KINDS

__all__ = ["Schema", "component_schemas"]

Schema = dict[str, Any]

_PARTNER_NAMES = [partner.name for partner in PARTNERS]  # MX, Plaid, Checkout.com

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


def _href_body(*required: str, optional: tuple[str, ...] = (), redirect: bool = False) -> Schema:
    href = _obj(["href"], href=_string(format="uri"))
    properties = {name: href for name in (*required, *optional)}
    if redirect:  # an http(s) URL or a mobile app's package name: not always a URI
        properties["redirect-url"] = _obj(["href"], href=_string(minLength=1))
    return {"type": "object", "required": list(required), "properties": properties}


def _messages(**by_keyword: str) -> Schema:
    """Dwolla's own wording for a failed keyword (``api/validation.py`` reads it)."""
    return {"x-messages": by_keyword}


# The schemas ----------------------------------------------------------------------------


def component_schemas() -> dict[str, Schema]:
    """Every named schema, as ``components.schemas`` holds them."""
    created = _string(format="date-time")
    uuid = _string(format="uuid")
    money = _string(pattern=r"^-?\d{1,12}(\.\d{1,2})?$")
    amount = _obj(["value", "currency"], value=money, currency=_string())
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
        "Health": _obj(["status"], status=_string(), mode=_string(), reason=_string()),
        "NewFault": _obj(
            ["partner", "fault"],
            partner=_string(enum=_PARTNER_NAMES),
            fault=_string(enum=list(FAULT_KINDS)),
            error=_string(minLength=1, maxLength=64),
            delaySeconds={"type": "number", "minimum": 0, "maximum": 30},
            calls={"type": "integer", "minimum": 1, "maximum": 1000},
        ),
        "Fault": _obj(
            ["partner", "fault"],
            partner=_string(),
            fault=_string(),
            error=_string(),
            delaySeconds={"type": "number"},
            remainingCalls={"type": "integer"},
        ),
        "Faults": _obj(["faults"], faults={"type": "array", "items": _ref("Fault")}),
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
            firstName=_string(minLength=1, maxLength=50),
            lastName=_string(minLength=1, maxLength=50),
            email=_string(format="email", minLength=1, maxLength=254),
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
            name=_string(enum=_PARTNER_NAMES),
            status=_string(enum=["active"]),
            created=created,
        ),
        "ExchangePartners": _list("ExchangePartner", "exchange-partners"),
        "NewExchangeSession": _obj(
            ["_links"],
            _links=_href_body("exchange-partner", redirect=True),
        ),
        "NewReauthExchangeSession": _obj(_links=_href_body(redirect=True)),
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
                _links=_href_body(optional=("exchange-partner",)),  # required for `token`
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
        "ExchangeSessions": _list("ExchangeSession", "exchange-sessions"),
        "NewFundingSource": _obj(
            ["_links", "name"],
            _links=_href_body("exchange"),
            name=_string(minLength=1, maxLength=50),
            bankAccountType=_string(
                enum=["checking", "savings"],
                description="Required for a bank exchange",
                **_messages(enum="bankAccountType must be checking or savings."),
            ),
            cardDetails={
                "description": "Required, with every field but address2, for a card exchange",
                **_obj(
                    firstName=_string(),
                    lastName=_string(),
                    billingAddress=_obj(
                        address1=_string(maxLength=50),
                        address2=_string(maxLength=100),
                        city=_string(maxLength=50),
                        stateProvinceRegion=_string(maxLength=2),
                        country=_string(maxLength=2),
                        postalCode=_string(maxLength=10),
                    ),
                ),
            },
        ),
        "RemoveFundingSource": _obj(
            ["removed"],
            removed={
                "const": True,
                **_messages(const='Only {"removed": true} is supported for these funding sources.'),
            },
        ),
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
        "SandboxPartnerWebhook": _obj(
            ["webhookCode"],
            webhookCode=_string(
                minLength=1,
                maxLength=64,
                description=(
                    "Plaid: an ITEM webhook_code (ERROR, LOGIN_REPAIRED, "
                    "USER_PERMISSION_REVOKED…); MX: CONNECTION_STATUS or MEMBER_DELETED"
                ),
            ),
        ),
        "SandboxBalance": _obj(
            ["closing"],
            available=_obj(["value"], value=money),
            closing=_obj(["value"], value=money),
        ),
        "BankBalance": _resource(
            _links("self", "funding-source"),
            ["available", "closing", "lastUpdated"],
            available=amount,
            closing=amount,
            lastUpdated=_string(format="date-time"),
        ),
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
            ["url", "secret"],
            url=_string(format="uri", **_messages(format="Url must be a valid url.")),
            secret=_string(
                minLength=1,
                maxLength=128,
                **_messages(maxLength="Secret must be 128 or fewer characters."),
            ),
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
