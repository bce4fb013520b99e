"""The API's route table: every route with its operation, written down once.

Each ``ApiRoute`` names its path, method, endpoint and ``Operation`` (summary, tag, query
parameters, request-body schema, replies and the errors the endpoint itself raises). The
OpenAPI document (``api/openapi.py``), request-body validation (``api/body.py``) and the
docs page are derived from this table and nothing else.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from bankbridge.api.operation import FORM, JSON, ApiRoute, Body, Operation, Param, Reply
from bankbridge.api.resources import (
    accounts,
    available_connections,
    customers,
    docs,
    events,
    exchange_partners,
    exchange_sessions,
    exchanges,
    faults,
    funding_sources,
    health,
    metrics,
    partner_webhooks,
    root,
    tokens,
    webhook_subscriptions,
    webhooks,
)
from bankbridge.errors import (
    BadRequest,
    DuplicateResource,
    Forbidden,
    InactiveExchange,
    InvalidExchangeToken,
    InvalidResourceState,
    MaxNumberOfResources,
    PartnerError,
    PartnerUnavailable,
    TooManyRequests,
    UnsupportedOperation,
    UpdateCredentials,
    WebhookNotVerified,
)

__all__ = ["api_routes"]

PAGING = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 25}),
    Param("offset", {"type": "integer", "minimum": 0, "default": 0}),
)


def _ok(schema: str, description: str = "OK") -> tuple[Reply, ...]:
    return (Reply(200, description, schema),)


def _created(description: str) -> tuple[Reply, ...]:
    return (Reply(201, description, location=True),)


def api_routes() -> list[BaseRoute]:
    """Every Dwolla-compatible route BankBridge serves, with its operation."""
    session_created = _created("Exchange session created; GET its Location")
    return [
        ApiRoute(
            "/livez",
            health.get_liveness,
            "GET",
            Operation(
                "meta",
                "Check liveness",
                (Reply(200, "The process answers", "Health", JSON),),
                auth="none",
            ),
        ),
        *(
            ApiRoute(
                path,
                health.get_readiness,
                "GET",
                Operation(
                    "meta",
                    summary,
                    (
                        Reply(200, "The database reads and writes", "Health", JSON),
                        Reply(503, "Starting, stopping, or the database fails", "Health", JSON),
                    ),
                    auth="none",
                ),
            )
            for path, summary in (
                ("/readyz", "Check readiness"),
                ("/health", "Check readiness (alias of /readyz)"),
            )
        ),
        ApiRoute(
            "/token",
            tokens.create_token,
            "POST",
            Operation(
                "tokens",
                "Create an application access token",
                (
                    Reply(200, "A bearer token", "Token", JSON),
                    Reply(400, "Bad request (OAuth2 error body)", "OAuthError", JSON),
                    Reply(401, "Unknown or missing client credentials", "OAuthError", JSON),
                ),
                (TooManyRequests,),
                body=Body("TokenRequest", media=(FORM, JSON), validated=False),
                auth="basic",
            ),
        ),
        ApiRoute("/", root.get_root, "GET", Operation("root", "Get the API root", _ok("Root"))),
        ApiRoute(
            "/accounts/{id}",
            accounts.retrieve,
            "GET",
            Operation("root", "Get the token's account", _ok("Account"), (Forbidden,)),
        ),
        ApiRoute(
            "/customers",
            customers.create,
            "POST",
            Operation(
                "customers",
                "Create a customer",
                _created("Customer created"),
                body=Body("NewCustomer"),
            ),
        ),
        ApiRoute(
            "/customers",
            customers.list_all,
            "GET",
            Operation("customers", "List customers", _ok("Customers"), query=PAGING),
        ),
        ApiRoute(
            "/customers/{id}",
            customers.retrieve,
            "GET",
            Operation("customers", "Get a customer", _ok("Customer"), (Forbidden,)),
        ),
        ApiRoute(
            "/customers/{id}/exchange-sessions",
            exchange_sessions.create,
            "POST",
            Operation(
                "exchange sessions",
                "Create an exchange session",
                session_created,
                (Forbidden, PartnerError, PartnerUnavailable),
                body=Body("NewExchangeSession"),
            ),
        ),
        ApiRoute(
            "/customers/{id}/exchange-sessions",
            exchange_sessions.list_for_customer,
            "GET",
            Operation(
                "exchange sessions",
                "List a customer's exchange sessions",
                _ok("ExchangeSessions"),
                (Forbidden,),
                query=PAGING,
                description="BankBridge's own: Dwolla's API lists no exchange sessions.",
            ),
        ),
        ApiRoute(
            "/exchange-sessions/{id}",
            exchange_sessions.retrieve,
            "GET",
            Operation(
                "exchange sessions",
                "Get an exchange session",
                _ok("ExchangeSession", "The session, in its partner's shape"),
                (Forbidden,),
            ),
        ),
        ApiRoute(
            "/exchange-partners",
            exchange_partners.list_partners,
            "GET",
            Operation("exchange partners", "List exchange partners", _ok("ExchangePartners")),
        ),
        ApiRoute(
            "/exchange-partners/{id}",
            exchange_partners.get_partner,
            "GET",
            Operation("exchange partners", "Get an exchange partner", _ok("ExchangePartner")),
        ),
        ApiRoute(
            "/customers/{id}/available-exchange-connections",
            available_connections.list_all,
            "GET",
            Operation(
                "exchanges",
                "List available exchange connections",
                _ok("AvailableExchangeConnections"),
                (Forbidden, PartnerError, PartnerUnavailable),
            ),
        ),
        ApiRoute(
            "/customers/{id}/exchanges",
            exchanges.create,
            "POST",
            Operation(
                "exchanges",
                "Create an exchange",
                _created("Exchange created"),
                (
                    Forbidden,
                    InvalidExchangeToken,
                    DuplicateResource,
                    PartnerError,
                    PartnerUnavailable,
                ),
                body=Body("NewExchange"),
            ),
        ),
        ApiRoute(
            "/customers/{id}/exchanges",
            exchanges.list_for_customer,
            "GET",
            Operation(
                "exchanges",
                "List a customer's exchanges",
                _ok("Exchanges"),
                (Forbidden,),
                query=PAGING,
            ),
        ),
        ApiRoute(
            "/exchanges/{id}",
            exchanges.retrieve,
            "GET",
            Operation(
                "exchanges",
                "Get an exchange",
                _ok("Exchange"),
                (Forbidden, PartnerError, PartnerUnavailable),
            ),
        ),
        ApiRoute(
            "/exchanges/{id}/exchange-sessions",
            exchanges.create_reauth,
            "POST",
            Operation(
                "exchange sessions",
                "Create a re-authentication exchange session",
                session_created,
                (Forbidden, InactiveExchange, PartnerError, PartnerUnavailable),
                body=Body("NewReauthExchangeSession", required=False),
            ),
        ),
        ApiRoute(
            "/sandbox/exchanges/{id}/reset-login",
            exchanges.sandbox_reset_login,
            "POST",
            Operation(
                "sandbox",
                "Require a new login for an exchange (sandbox only)",
                _ok("Exchange"),
                (Forbidden, InactiveExchange, PartnerError, PartnerUnavailable),
            ),
        ),
        ApiRoute(
            "/sandbox/exchanges/{id}/partner-webhooks",
            exchanges.sandbox_fire_webhook,
            "POST",
            Operation(
                "sandbox",
                "Make the partner send a webhook about an exchange (sandbox only)",
                _ok("Exchange", "The exchange once BankBridge received the webhook"),
                (
                    Forbidden,
                    InactiveExchange,
                    UnsupportedOperation,
                    PartnerError,
                    PartnerUnavailable,
                ),
                body=Body("SandboxPartnerWebhook"),
                description=(
                    "The emulated partner sends the webhook to BankBridge's receiver "
                    "(`/partner-webhooks/...`), signed as the partner signs it, and the "
                    "receiver applies it: `ERROR` or `CONNECTION_STATUS` flag re-authentication, "
                    "`LOGIN_REPAIRED` clears it, `USER_PERMISSION_REVOKED` or `MEMBER_DELETED` "
                    "deactivate the exchange."
                ),
            ),
        ),
        ApiRoute(
            "/sandbox/faults",
            faults.set_one,
            "POST",
            Operation(
                "sandbox",
                "Make an emulated partner fail (sandbox only)",
                _ok("Fault", "The partner's fault, now active"),
                body=Body("NewFault"),
            ),
        ),
        ApiRoute(
            "/sandbox/faults",
            faults.list_all,
            "GET",
            Operation("sandbox", "List injected partner faults (sandbox only)", _ok("Faults")),
        ),
        ApiRoute(
            "/sandbox/faults",
            faults.clear,
            "DELETE",
            Operation("sandbox", "Clear injected partner faults (sandbox only)", _ok("Faults")),
        ),
        ApiRoute(
            "/customers/{id}/funding-sources",
            funding_sources.create,
            "POST",
            Operation(
                "funding sources",
                "Create a funding source from an exchange",
                _created("Funding source created"),
                (
                    Forbidden,
                    InactiveExchange,
                    UpdateCredentials,
                    DuplicateResource,
                    PartnerError,
                    PartnerUnavailable,
                ),
                body=Body("NewFundingSource"),
            ),
        ),
        ApiRoute(
            "/customers/{id}/funding-sources",
            funding_sources.list_for_customer,
            "GET",
            Operation(
                "funding sources",
                "List a customer's funding sources",
                _ok("FundingSources"),
                (Forbidden,),
                query=(
                    Param(
                        "removed",
                        {"type": "string", "enum": ["true", "false"], "default": "true"},
                        "`false` hides removed funding sources",
                    ),
                ),
            ),
        ),
        ApiRoute(
            "/funding-sources/{id}",
            funding_sources.retrieve,
            "GET",
            Operation(
                "funding sources", "Get a funding source", _ok("FundingSource"), (Forbidden,)
            ),
        ),
        ApiRoute(
            "/funding-sources/{id}/balance",
            funding_sources.balance,
            "GET",
            Operation(
                "funding sources",
                "Get a bank funding source's balance (read live from the partner)",
                _ok("BankBalance"),
                (
                    Forbidden,
                    UnsupportedOperation,
                    InvalidResourceState,
                    InactiveExchange,
                    UpdateCredentials,
                    PartnerError,
                    PartnerUnavailable,
                ),
            ),
        ),
        ApiRoute(
            "/sandbox/funding-sources/{id}/balance",
            funding_sources.sandbox_set_balance,
            "POST",
            Operation(
                "sandbox",
                "Set the emulated bank's balance of a bank funding source (sandbox only)",
                _ok("BankBalance"),
                (
                    Forbidden,
                    UnsupportedOperation,
                    InactiveExchange,
                    UpdateCredentials,
                    PartnerError,
                    PartnerUnavailable,
                ),
                body=Body("SandboxBalance"),
            ),
        ),
        ApiRoute(
            "/funding-sources/{id}",
            funding_sources.update,
            "POST",
            Operation(
                "funding sources",
                "Remove a funding source",
                _ok("FundingSource"),
                (Forbidden, InvalidResourceState),
                body=Body("RemoveFundingSource"),
            ),
        ),
        ApiRoute(
            "/partner-webhooks/plaid/{id}",
            partner_webhooks.plaid,
            "POST",
            Operation(
                "partner webhooks",
                "Receive a Plaid webhook for an account (Plaid-Verification JWT)",
                (Reply(200, "Verified and applied", {"type": "object"}, JSON),),
                (WebhookNotVerified, BadRequest, PartnerError, PartnerUnavailable),
                auth="none",
                description=(
                    "The URL BankBridge gives Plaid as the Link token's `webhook`. "
                    "Unverifiable, stale (over five minutes) or replayed webhooks answer 401."
                ),
            ),
        ),
        ApiRoute(
            "/partner-webhooks/mx/{id}",
            partner_webhooks.mx,
            "POST",
            Operation(
                "partner webhooks",
                "Receive an MX member or connection-status webhook for an account",
                (Reply(204, "Verified and applied"),),
                (WebhookNotVerified, BadRequest, PartnerError, PartnerUnavailable),
                auth="none",
                description=(
                    "MX's webhook URL for the account, with HTTP Basic credentials: the "
                    "account's MX client_id and api_key. Anything else answers 401."
                ),
            ),
        ),
        ApiRoute(
            "/events",
            events.list_all,
            "GET",
            Operation("events", "List events", _ok("Events"), query=PAGING),
        ),
        ApiRoute(
            "/events/{id}",
            events.retrieve,
            "GET",
            Operation("events", "Get an event", _ok("Event")),
        ),
        ApiRoute(
            "/webhook-subscriptions",
            webhook_subscriptions.create,
            "POST",
            Operation(
                "webhook subscriptions",
                "Create a webhook subscription",
                _created("Subscription created"),
                (MaxNumberOfResources,),
                body=Body("NewWebhookSubscription"),
            ),
        ),
        ApiRoute(
            "/webhook-subscriptions",
            webhook_subscriptions.list_all,
            "GET",
            Operation(
                "webhook subscriptions", "List webhook subscriptions", _ok("WebhookSubscriptions")
            ),
        ),
        ApiRoute(
            "/webhook-subscriptions/{id}",
            webhook_subscriptions.retrieve,
            "GET",
            Operation(
                "webhook subscriptions", "Get a webhook subscription", _ok("WebhookSubscription")
            ),
        ),
        ApiRoute(
            "/webhook-subscriptions/{id}",
            webhook_subscriptions.update,
            "POST",
            Operation(
                "webhook subscriptions",
                "Pause or resume a webhook subscription",
                _ok("WebhookSubscription"),
                body=Body("UpdateWebhookSubscription"),
            ),
        ),
        ApiRoute(
            "/webhook-subscriptions/{id}",
            webhook_subscriptions.remove,
            "DELETE",
            Operation(
                "webhook subscriptions",
                "Remove a webhook subscription",
                _ok("WebhookSubscription", "The subscription as it was"),
            ),
        ),
        ApiRoute(
            "/webhook-subscriptions/{id}/webhooks",
            webhook_subscriptions.list_webhooks_of,
            "GET",
            Operation(
                "webhooks",
                "List a subscription's webhooks",
                _ok("Webhooks"),
                (Forbidden,),
                query=PAGING,
            ),
        ),
        ApiRoute(
            "/webhooks/{id}",
            webhooks.retrieve,
            "GET",
            Operation("webhooks", "Get a webhook", _ok("Webhook")),
        ),
        ApiRoute(
            "/webhooks/{id}/retries",
            webhooks.create_retry,
            "POST",
            Operation(
                "webhooks", "Retry a webhook", _created("Retry queued"), (InvalidResourceState,)
            ),
        ),
        ApiRoute(
            "/webhooks/{id}/retries",
            webhooks.list_retries_of,
            "GET",
            Operation("webhooks", "List a webhook's retries", _ok("WebhookRetries")),
        ),
        ApiRoute(
            "/webhooks/{id}/retries/{retry_id}",
            webhooks.retrieve_retry,
            "GET",
            Operation("webhooks", "Get a webhook retry", _ok("WebhookRetry")),
        ),
        ApiRoute(
            "/metrics",
            metrics.get_metrics,
            "GET",
            Operation(
                "meta",
                "Get metrics (Prometheus)",
                (Reply(200, "Prometheus text exposition", {"type": "string"}, "text/plain"),),
                auth="none",
            ),
        ),
        ApiRoute(
            "/openapi.json",
            docs.get_openapi,
            "GET",
            Operation(
                "meta",
                "Get this OpenAPI document",
                (Reply(200, "This document", {}, JSON),),
                auth="none",
            ),
        ),
        ApiRoute(
            "/docs",
            docs.get_docs,
            "GET",
            Operation(
                "meta",
                "Read the API documentation",
                (Reply(200, "HTML", {"type": "string"}, "text/html"),),
                auth="none",
            ),
        ),
    ]
