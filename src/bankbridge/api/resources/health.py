"""``GET /health``: readiness, answered once the app has started (its store open)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bankbridge.services import Services


async def get_health(request: Request) -> Response:
    """200 once started; 503 before (the lifespan has not built the services yet)."""
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ok", "mode": services.settings.mode})
