"""``GET /metrics``: Prometheus text exposition of this server's (every worker's) metrics."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.metrics import CONTENT_TYPE, render
from bankbridge.services import Services

__all__ = ["get_metrics"]


async def get_metrics(request: Request) -> Response:
    """Counters and histograms by route, partner and outcome; the webhook queue depth."""
    services: Services | None = getattr(request.app.state, "services", None)
    depth = await services.store.count_pending_webhooks() if services is not None else 0
    return Response(render(depth), media_type=CONTENT_TYPE)
