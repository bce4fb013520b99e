"""Health: ``GET /livez`` (the process answers) and ``GET /readyz`` (it can serve traffic).

Readiness means the app has started, is not shutting down, and its database answers a
query and commits a write (``Store.probe_readiness``): a read-only database file, a full
disk or a lost PostgreSQL connection all turn it to 503. ``GET /health`` is kept as an
alias of readiness for existing probes.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bankbridge.draining import Draining
from bankbridge.services import Services

__all__ = ["get_liveness", "get_readiness"]

log = logging.getLogger("bankbridge.health")

_LIVE = JSONResponse({"status": "ok"})


async def get_liveness(request: Request) -> Response:
    """200 while the process runs its event loop; it checks nothing else, on purpose."""
    return _LIVE


async def get_readiness(request: Request) -> Response:
    """200 when the store reads and writes; 503 while starting, stopping or failing."""
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:
        return _unready("starting")
    draining: Draining = request.app.state.draining
    if draining.active:
        return _unready("stopping")
    try:
        await services.store.probe_readiness()
    except Exception as exc:  # any driver error means "do not send traffic here"
        log.warning("readiness check failed: %s", type(exc).__name__)
        return _unready("database unavailable")
    return JSONResponse({"status": "ok", "mode": services.settings.mode})


def _unready(reason: str) -> Response:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
