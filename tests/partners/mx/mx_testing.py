"""Helpers shared by the MX tests: a started app, MX request headers, a connected member."""

from __future__ import annotations

import base64
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.clock import now
from bankbridge.config import Secret, Settings
from bankbridge.models import Customer, ProviderSession
from bankbridge.partners.base import SessionRequest
from bankbridge.partners.mx.adapter import MxAdapter
from helpers import TEST_OWNER, TEST_SECRET_KEY, sandbox_credentials

T = TypeVar("T")

PUBLIC_URL = "http://testserver"
MX = "/sandbox/mx"
MEDIA_TYPE = "application/vnd.mx.api.v1+json"
CLIENT_ID, API_KEY = sandbox_credentials("mx").client_id, sandbox_credentials("mx").secret


def basic(client_id: str = CLIENT_ID, api_key: str = API_KEY) -> str:
    """An HTTP Basic ``Authorization`` value."""
    return "Basic " + base64.b64encode(f"{client_id}:{api_key}".encode()).decode()


HEADERS = {"Authorization": basic(), "Accept": MEDIA_TYPE}


@contextmanager
def started_client(tmp_path: Path) -> Iterator[TestClient]:
    """A test client of a started sandbox app with its own SQLite file."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/mx.db",
        public_url_override=PUBLIC_URL,
        secret_key=Secret(TEST_SECRET_KEY),
    )
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        yield client


def run(client: TestClient, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run an adapter coroutine on the app's event loop."""
    return client.portal.call(fn, *args)  # type: ignore[union-attr]


def adapter(client: TestClient) -> MxAdapter:
    """The app's MX adapter (talks to the emulator in-process)."""
    services = client.app.state.services  # type: ignore[attr-defined]
    found: MxAdapter = services.adapters_for(TEST_OWNER)["mx"]
    return found


def customer(customer_id: str = "9f2c3f4e-2b7a-4f59-9d8e-1c1f0e1a2b3c") -> Customer:
    """A domain customer as the core API would hand it to the adapter."""
    return Customer(
        id=customer_id,
        account_id=TEST_OWNER,
        first_name="Jane",
        last_name="Doe",
        email=f"jane+{customer_id[:8]}@example.com",
        type="unverified",
        status="unverified",
        created=now(),
    )


def session_request(who: Customer | None = None) -> SessionRequest:
    """A session request for ``who`` (a default customer when omitted)."""
    return SessionRequest(
        session_id="es-1",
        customer=who or customer(),
        return_url="https://platform.example/return",
    )


def open_session(client: TestClient, who: Customer | None = None) -> ProviderSession:
    """A new MX session (widget URL) through the real adapter."""
    return run(client, adapter(client).create_session, session_request(who))


def sign_in(client: TestClient, url: str, password: str = "password") -> str:
    """Submit the hosted sign-in form as ``mxuser``; returns the page HTML."""
    response = client.post(url, data={"username": "mxuser", "password": password})
    return response.text


def connect(client: TestClient, who: Customer | None = None) -> tuple[str, str]:
    """Connect MX Bank through the hosted page: ``(user_guid, member_guid)``."""
    session = open_session(client, who)
    assert session.url is not None and session.external_ref is not None
    html = sign_in(client, session.url)
    match = re.search(r'id="member-guid">(MBR-[0-9a-f-]{36})<', html)
    assert match, html
    return session.external_ref, match.group(1)


def api_get(client: TestClient, path: str, **params: str) -> Any:
    """GET an emulator API path with valid headers; asserts 200 and returns the JSON."""
    response = client.get(MX + path, headers=HEADERS, params=params)
    assert response.status_code == 200, response.text
    return response.json()
