"""Hardened remote mode: per-partner mode and timeout, safe retries, a breaker per partner.

The remote partner (Plaid, the only partner in remote mode here) lives on one local port
that the test turns into a partner that hangs, one that refuses connections, and finally
a working one (a sandbox BankBridge serving its Plaid emulator).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Secret, Settings
from bankbridge.partner_calls import PartnerClient, PartnerRoute, PartnerTransport
from helpers import TEST_SECRET_KEY, ApiClient, assert_dwolla_error, sandbox_credentials
from live_server import free_port

TIMEOUT = 1  # seconds: the Plaid timeout set below
COOLDOWN = 2  # seconds the breaker stays open


def test_breaker_opens_on_a_hanging_then_refusing_partner_and_closes_when_it_is_back(
    settings, tmp_path
):
    port = free_port()
    plaid = sandbox_credentials("plaid")
    remote_plaid = settings.with_changes(
        partner_modes={"plaid": "remote"},
        partner_overrides={
            "plaid": {
                "base_url": f"http://127.0.0.1:{port}/sandbox/plaid",
                "client_id": plaid.client_id,
                "secret": plaid.secret,
            }
        },
        partner_timeouts={"plaid": float(TIMEOUT)},
        breaker_failures=3,
        breaker_seconds=COOLDOWN,
    )
    with TestClient(create_app(remote_plaid), base_url="http://testserver") as client:
        api = _account_api(client)
        customer = api.create_customer()

        def create() -> tuple[httpx.Response, float]:
            started = time.monotonic()
            response = api.create_session(customer, "Plaid")
            return response, time.monotonic() - started

        # MX stays in sandbox mode: its emulator is mounted and answers.
        assert api.create_session(customer, "MX").status_code == 201
        with _hanging(port):
            for _ in range(3):  # each waits out the timeout, then fails
                response, took = create()
                assert_dwolla_error(response, 502, "ServerError")
                assert TIMEOUT * 0.9 <= took < TIMEOUT + 2
            response, took = create()  # the breaker is open: no call, no wait
            body = assert_dwolla_error(response, 503, "ServerError")
            assert took < 0.5
            assert 1 <= int(response.headers["retry-after"]) <= COOLDOWN
            assert "127.0.0.1" not in body["message"]
        # Nothing listens now: the trial call after the cooldown is refused, and it re-opens.
        time.sleep(COOLDOWN + 0.2)
        assert_dwolla_error(create()[0], 502, "ServerError")
        response, took = create()
        assert_dwolla_error(response, 503, "ServerError")
        assert took < 0.5
        assert _sessions(client) == 1  # only MX's: no half-created Plaid session

        with _working_partner(port, tmp_path):
            assert_dwolla_error(create()[0], 503, "ServerError")  # still cooling down
            time.sleep(COOLDOWN + 0.2)
            for _ in range(2):  # the trial call succeeds and the breaker closes
                response, _ = create()
                assert response.status_code == 201, response.text
        assert _sessions(client) == 3


def test_only_calls_safe_to_repeat_are_retried():
    calls: list[str] = []
    statuses = iter([503, 503, 200, 503, 503])

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        return httpx.Response(next(statuses))

    async def no_wait(seconds: float) -> None:
        return None

    transport = PartnerTransport(
        [PartnerRoute("plaid", "http://plaid.test", httpx.MockTransport(answer), 5.0)],
        retries=2,
        breaker_failures=10,
        breaker_seconds=30,
        sleep=no_wait,
    )

    async def run() -> tuple[int, int]:
        async with httpx.AsyncClient(transport=transport) as http:
            read = await http.post("http://plaid.test/accounts/get", json={})
            create = await http.post("http://plaid.test/link/token/create", json={})
            return read.status_code, create.status_code

    import asyncio

    assert asyncio.run(run()) == (200, 503)
    assert calls == ["POST /accounts/get"] * 3 + ["POST /link/token/create"]


def test_partner_calls_are_routed_by_base_url_and_never_carry_another_calls_cookies():
    """Routes match scheme, host, port and path prefix (the longest base first); a
    ``Set-Cookie`` from one answer is not sent on the next call (``PartnerClient``)."""
    seen: list[tuple[str, str | None]] = []

    def route(slug: str, base: str) -> PartnerRoute:
        def answer(request: httpx.Request) -> httpx.Response:
            seen.append((slug, request.headers.get("cookie")))
            return httpx.Response(200, headers={"set-cookie": f"session={slug}; Path=/"})

        return PartnerRoute(slug, base, httpx.MockTransport(answer), 5.0)

    transport = PartnerTransport(
        [
            route("mx", "http://127.0.0.1:8000/sandbox/mx"),
            route("mxx", "http://127.0.0.1:8000/sandbox/mx/x"),
            route("plaid", "https://sandbox.plaid.test/"),
        ],
        retries=0,
        breaker_failures=10,
        breaker_seconds=30,
    )

    async def run() -> list[int]:
        async with PartnerClient(transport=transport) as http:
            urls = [
                "http://127.0.0.1:8000/sandbox/mx/users?id=a",
                "http://127.0.0.1:8000/sandbox/mx/x/y",
                "https://sandbox.plaid.test:443/link/token/create",
            ]
            statuses = [(await http.get(url)).status_code for url in urls]
            with pytest.raises(httpx.UnsupportedProtocol):
                await http.get("http://127.0.0.1:8001/sandbox/mx/users")
            return statuses

    import asyncio

    assert asyncio.run(run()) == [200, 200, 200]
    assert seen == [("mx", None), ("mxx", None), ("plaid", None)]


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({}, "sandbox"),
        ({"BANKBRIDGE_MODE": "remote"}, "remote"),
        ({"BANKBRIDGE_MX_MODE": "remote"}, "remote"),
    ],
)
def test_each_partner_has_a_mode_that_defaults_to_the_global_one(env, mode):
    from bankbridge.config import load_settings

    settings = load_settings(env)
    assert settings.partner_mode("mx") == mode
    assert settings.partner_mode("plaid") == env.get("BANKBRIDGE_MODE", "sandbox")


def _account_api(client: TestClient) -> ApiClient:
    from bankbridge.domain.accounts import create_account

    store = client.app.state.services.store
    account = client.portal.call(create_account, store, "Breaker", [], [])
    return ApiClient.login(client, account.application.key, account.secret)


def _sessions(client: TestClient) -> int:
    database = client.app.state.services.store.database

    async def count() -> int:
        row = await database.fetch_one("SELECT COUNT(*) AS n FROM exchange_sessions")
        return int(row["n"])

    return client.portal.call(count)


@contextlib.contextmanager
def _hanging(port: int) -> Iterator[None]:
    """A partner that accepts connections and never answers."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


@contextlib.contextmanager
def _working_partner(port: int, tmp_path) -> Iterator[None]:
    """A sandbox BankBridge on ``port``: its Plaid emulator plays the real Plaid."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/partner.db",
        secret_key=Secret(TEST_SECRET_KEY),
        host="127.0.0.1",
        port=port,
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "partner did not start"
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
