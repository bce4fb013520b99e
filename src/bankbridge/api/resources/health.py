"""``GET /health``: readiness, answered once the store is open."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bankbridge.services import Services


async def get_health(request: Request) -> Response:
    """200 when the store answers; 503 otherwise."""
    services: Services = request.app.state.services
    if services.store is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ok", "mode": services.settings.mode})
