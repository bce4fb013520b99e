"""Application wiring: the one place that joins concrete pieces, at startup.

``create_app`` builds the Starlette app: the Dwolla API routes, and in sandbox mode the
partner emulators under ``/sandbox/<slug>``. The lifespan opens (and migrates) the store
and builds each partner adapter. In sandbox mode adapters reach the emulators through an
in-process ASGI transport, over the same HTTP code they use against the real partners.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Router

from bankbridge.api.errors import EXCEPTION_HANDLERS
from bankbridge.api.idempotency import IdempotencyMiddleware
from bankbridge.api.observation import BankBridge
from bankbridge.api.openapi import publish
from bankbridge.api.resources.docs import docs_assets
from bankbridge.api.resources.events import event_renderer
from bankbridge.api.routes import api_routes
from bankbridge.config import Settings
from bankbridge.console.routes import console_mount
from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import TokenCache
from bankbridge.draining import Draining
from bankbridge.housekeeping import Housekeeper
from bankbridge.logs import install_request_context
from bankbridge.partner_calls import PartnerClient, PartnerRoute, PartnerTransport
from bankbridge.partners import PARTNERS
from bankbridge.partners.base import EmulatorContext
from bankbridge.redaction import install_access_log_redaction
from bankbridge.services import Services, partner_adapters
from bankbridge.store import SqlStore, open_database
from bankbridge.store.base import EmulatorRecords
from bankbridge.store.sealed import seal_legacy_rows
from bankbridge.webhooks.delivery import DeliveryWorker, delivery_client

__all__ = ["create_app"]

log = logging.getLogger("bankbridge")

# Each partner's own timeout (``PartnerTransport``) replaces this on every call.
PARTNER_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def create_app(settings: Settings) -> Starlette:
    """Build the ASGI application for ``settings``."""
    routes: list[BaseRoute] = [*api_routes(), docs_assets()]
    published = publish(routes, settings.public_url)
    routes.append(console_mount())
    emulators: list[BaseRoute] = []
    if any(settings.partner_mode(p.slug) == "sandbox" for p in PARTNERS):
        # Emulators are mounted now and reach the services, which exist once started, here.
        def records_in(namespace: str) -> EmulatorRecords:
            return _services(app).store.emulator_records(namespace)

        async def redirect_urls_of(account_id: str) -> tuple[str, ...]:
            account = await _services(app).store.get_account(account_id)
            return account.redirect_urls if account else ()

        async def deliver(url: str, body: bytes, headers: Mapping[str, str]) -> int:
            # A partner webhook to BankBridge's own receiver stays in process (the sandbox
            # may have no reachable address); any other URL gets a real HTTP POST.
            own = settings.public_url.rstrip("/") + "/"
            transport = httpx.ASGITransport(app=app) if url.startswith(own) else None
            async with httpx.AsyncClient(transport=transport, timeout=PARTNER_TIMEOUT) as http:
                response = await http.post(url, content=body, headers=dict(headers))
            return response.status_code

        for partner in PARTNERS:
            if settings.partner_mode(partner.slug) != "sandbox":
                continue
            context = EmulatorContext(
                slug=partner.slug,
                settings=settings,
                get_records=records_in,
                get_keys=lambda: _services(app).sandbox_keys,
                get_redirect_urls=redirect_urls_of,
                deliver=deliver,
            )
            emulators.append(Mount(f"/sandbox/{partner.slug}", app=partner.build_emulator(context)))
        routes.extend(emulators)

    draining = Draining()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        vault = load_vault(settings)
        database = await open_database(settings.database_url)
        try:
            store = SqlStore(database, vault)
            sealed = await seal_legacy_rows(database, vault)
            if sealed:
                log.info("sealed %d rows stored before secrets were encrypted at rest", sealed)
            async with (
                PartnerClient(
                    transport=_partner_transport(settings, emulators), timeout=PARTNER_TIMEOUT
                ) as http,
                delivery_client(allow_local=settings.sandbox) as webhook_http,
            ):
                worker = DeliveryWorker(
                    store,
                    settings,
                    vault,
                    webhook_http,
                    render_event=event_renderer(settings.public_url),
                )
                # Webhooks this process queues wake its worker at commit; those queued by
                # other processes are found by the poll (see BENCHMARKS.md, webhooks).
                store.on_webhooks_due(worker.wake)
                app.state.services = Services(
                    settings=settings,
                    store=store,
                    vault=vault,
                    adapters=partner_adapters(settings, vault, http),
                    worker=worker,
                    token_cache=TokenCache(),
                )
                await worker.start()
                housekeeper = Housekeeper(store)
                housekeeper.start()
                log.info("BankBridge ready (%s mode, %s)", settings.mode, database.dialect)
                stop_watching = draining.watch_signals()
                try:
                    yield
                finally:
                    draining.begin()
                    stop_watching()
                    await housekeeper.stop()
                    await worker.stop()
                    del app.state.services
        finally:
            await database.close()

    install_access_log_redaction()  # capability tokens in URLs never reach the access log
    install_request_context()  # every log line carries its request's id
    # BankBridge: Starlette with the outermost layer (request id, metrics, access log,
    # the session-read fast path) around its own stack.
    app = BankBridge(
        routes=routes,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
        middleware=[Middleware(IdempotencyMiddleware)],
    )
    app.state.published = published
    app.state.draining = draining
    return app


def app_from_environment() -> Starlette:
    """The app for the current ``BANKBRIDGE_*`` environment (uvicorn's factory entry point)."""
    from bankbridge.config import load_settings

    return create_app(load_settings())


def _services(app: Starlette) -> Services:
    services: Services = app.state.services
    return services


def _partner_transport(settings: Settings, emulators: list[BaseRoute]) -> httpx.AsyncBaseTransport:
    # Sandbox partners' adapters call their emulator's base URL (``/sandbox/<slug>``): those
    # calls go straight to the mounted emulator apps, over HTTP as ever, and skip the API's
    # middleware and route table, which never answer those paths.
    emulated = httpx.ASGITransport(app=Router(emulators))
    remote = httpx.AsyncHTTPTransport(retries=0)  # PartnerTransport retries what is safe
    routes = [
        PartnerRoute(
            p.slug, settings.emulator_url(p.slug), emulated, settings.partner_timeout(p.slug)
        )
        if settings.partner_mode(p.slug) == "sandbox"
        else PartnerRoute(
            p.slug,
            settings.partner(p.slug).base_url.rstrip("/"),
            remote,
            settings.partner_timeout(p.slug),
        )
        for p in PARTNERS
    ]
    return PartnerTransport(
        routes,
        retries=settings.partner_retries,
        breaker_failures=settings.breaker_failures,
        breaker_seconds=settings.breaker_seconds,
    )
