"""The API's route table."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

__all__ = ["api_routes"]


def api_routes() -> list[BaseRoute]:
    """Every Dwolla-compatible route BankBridge serves."""
    from bankbridge.api.resources import health

    return [Route("/health", health.get_health, methods=["GET"])]
