"""The API's route table."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from bankbridge.api.resources import (
    accounts,
    available_connections,
    customers,
    docs,
    events,
    exchange_partners,
    exchange_sessions,
    exchanges,
    funding_sources,
    health,
    root,
    tokens,
    webhook_subscriptions,
    webhooks,
)

__all__ = ["api_routes"]


def api_routes() -> list[BaseRoute]:
    """Every Dwolla-compatible route BankBridge serves."""
    return [
        Route("/health", health.get_health, methods=["GET"]),
        Route("/token", tokens.create_token, methods=["POST"]),
        Route("/", root.get_root, methods=["GET"]),
        Route("/accounts/{id}", accounts.retrieve, methods=["GET"]),
        Route("/customers", customers.create, methods=["POST"]),
        Route("/customers", customers.list_all, methods=["GET"]),
        Route("/customers/{id}", customers.retrieve, methods=["GET"]),
        Route("/customers/{id}/exchange-sessions", exchange_sessions.create, methods=["POST"]),
        Route("/exchange-sessions/{id}", exchange_sessions.retrieve, methods=["GET"]),
        Route("/exchange-partners", exchange_partners.list_partners, methods=["GET"]),
        Route("/exchange-partners/{id}", exchange_partners.get_partner, methods=["GET"]),
        Route(
            "/customers/{id}/available-exchange-connections",
            available_connections.list_all,
            methods=["GET"],
        ),
        Route("/customers/{id}/exchanges", exchanges.create, methods=["POST"]),
        Route("/customers/{id}/exchanges", exchanges.list_for_customer, methods=["GET"]),
        Route("/exchanges/{id}", exchanges.retrieve, methods=["GET"]),
        Route("/exchanges/{id}/exchange-sessions", exchanges.create_reauth, methods=["POST"]),
        Route(
            "/sandbox/exchanges/{id}/reset-login", exchanges.sandbox_reset_login, methods=["POST"]
        ),
        Route("/customers/{id}/funding-sources", funding_sources.create, methods=["POST"]),
        Route(
            "/customers/{id}/funding-sources", funding_sources.list_for_customer, methods=["GET"]
        ),
        Route("/funding-sources/{id}", funding_sources.retrieve, methods=["GET"]),
        Route("/funding-sources/{id}", funding_sources.update, methods=["POST"]),
        Route("/events", events.list_all, methods=["GET"]),
        Route("/events/{id}", events.retrieve, methods=["GET"]),
        Route("/webhook-subscriptions", webhook_subscriptions.create, methods=["POST"]),
        Route("/webhook-subscriptions", webhook_subscriptions.list_all, methods=["GET"]),
        Route("/webhook-subscriptions/{id}", webhook_subscriptions.retrieve, methods=["GET"]),
        Route("/webhook-subscriptions/{id}", webhook_subscriptions.update, methods=["POST"]),
        Route("/webhook-subscriptions/{id}", webhook_subscriptions.remove, methods=["DELETE"]),
        Route(
            "/webhook-subscriptions/{id}/webhooks",
            webhook_subscriptions.list_webhooks_of,
            methods=["GET"],
        ),
        Route("/webhooks/{id}", webhooks.retrieve, methods=["GET"]),
        Route("/webhooks/{id}/retries", webhooks.create_retry, methods=["POST"]),
        Route("/webhooks/{id}/retries", webhooks.list_retries_of, methods=["GET"]),
        Route("/webhooks/{id}/retries/{retry_id}", webhooks.retrieve_retry, methods=["GET"]),
        Route("/openapi.json", docs.get_openapi, methods=["GET"]),
        Route("/docs", docs.get_docs, methods=["GET"]),
    ]
