"""The API's route table."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from bankbridge.api.resources import (
    accounts,
    customers,
    exchange_partners,
    exchange_sessions,
    health,
    root,
    tokens,
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
    ]
