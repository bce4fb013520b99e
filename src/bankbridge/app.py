"""Application wiring: the one place that joins concrete pieces, at startup.

``create_app`` builds the Starlette app: the Dwolla API routes, and in sandbox mode the
partner emulators under ``/sandbox/<slug>``. The lifespan opens (and migrates) the store
and builds each partner adapter. In sandbox mode adapters reach the emulators through an
in-process ASGI transport, over the same HTTP code they use against the real partners.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Router

from bankbridge.api.errors import EXCEPTION_HANDLERS
from bankbridge.api.fastpath import FastPathMiddleware
from bankbridge.api.idempotency import IdempotencyMiddleware
from bankbridge.api.routes import api_routes
from bankbridge.config import Settings
from bankbridge.crypto import load_vault
from bankbridge.housekeeping import Housekeeper
from bankbridge.partners import PARTNERS
from bankbridge.partners.base import EmulatorContext
from bankbridge.redaction import install_access_log_redaction
from bankbridge.services import Services
from bankbridge.store import SqlStore, open_database
from bankbridge.store.base import EmulatorRecords
from bankbridge.store.sealed import seal_legacy_rows
from bankbridge.webhooks.delivery import DeliveryWorker, delivery_client

__all__ = ["create_app"]

log = logging.getLogger("bankbridge")

PARTNER_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def create_app(settings: Settings) -> Starlette:
    """Build the ASGI application for ``settings``."""
    services = Services(settings=settings)

    def records_in(namespace: str) -> EmulatorRecords:
        return services.require_store().emulator_records(namespace)

    async def redirect_urls_of(account_id: str) -> tuple[str, ...]:
        account = await services.require_store().get_account(account_id)
        return account.redirect_urls if account else ()

    routes: list[BaseRoute] = list(api_routes())
    emulators: list[BaseRoute] = []
    if settings.sandbox:
        for partner in PARTNERS:
            context = EmulatorContext(
                slug=partner.slug,
                settings=settings,
                get_records=records_in,
                get_keys=lambda: services.sandbox_keys,
                get_redirect_urls=redirect_urls_of,
            )
            emulators.append(Mount(f"/sandbox/{partner.slug}", app=partner.build_emulator(context)))
        routes.extend(emulators)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services.vault = load_vault(settings)
        database = await open_database(settings.database_url)
        services.store = SqlStore(database, services.vault)
        sealed = await seal_legacy_rows(database, services.vault)
        if sealed:
            log.info("sealed %d rows stored before secrets were encrypted at rest", sealed)
        if settings.sandbox:
            # Adapters call only their emulator's base URL (``/sandbox/<slug>``), so their
            # requests go straight to the same mounted emulator apps, over HTTP as ever, and
            # skip the API's middleware and route table, which never answer those paths.
            transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=Router(emulators))
        else:
            transport = httpx.AsyncHTTPTransport(retries=1)
        async with httpx.AsyncClient(transport=transport, timeout=PARTNER_TIMEOUT) as http:
            services.http = http
            if not settings.sandbox:  # sandbox adapters are per account: adapters_for()
                services.adapters = {
                    p.slug: p.build_adapter(settings.partner(p.slug), http) for p in PARTNERS
                }
            webhook_http = delivery_client(allow_local=settings.sandbox)
            worker = DeliveryWorker(services.store, settings, services.vault, webhook_http)
            app.state.webhook_worker = worker
            await worker.start()
            housekeeper = Housekeeper(services.store)
            housekeeper.start()
            log.info("BankBridge ready (%s mode, %s)", settings.mode, database.dialect)
            try:
                yield
            finally:
                await housekeeper.stop()
                await worker.stop()
                await webhook_http.aclose()
                await database.close()

    install_access_log_redaction()  # capability tokens in URLs never reach the access log
    app = Starlette(
        routes=routes,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
        middleware=[Middleware(FastPathMiddleware), Middleware(IdempotencyMiddleware)],
    )
    app.state.services = services
    return app


def app_from_environment() -> Starlette:
    """The app for the current ``BANKBRIDGE_*`` environment (uvicorn's factory entry point)."""
    from bankbridge.config import load_settings

    return create_app(load_settings())
