"""Start-up: the lifespan builds one complete, immutable set of services, then serves."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.services import SandboxAdapters, Services
from helpers import TEST_OWNER


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """Start-up does not depend on the backend: one is enough."""
    return f"sqlite:///{tmp_path}/startup.db"


def test_the_started_app_holds_one_complete_immutable_set_of_services(client):
    services = client.app.state.services
    assert isinstance(services, Services)
    for field in dataclasses.fields(services):
        assert getattr(services, field.name) is not None, field.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.store = None  # type: ignore[misc]


def test_sandbox_adapters_are_each_accounts_own_and_kept(services):
    assert isinstance(services.adapters, SandboxAdapters)
    mine = services.adapters_for(TEST_OWNER)
    assert set(mine) == {"mx", "plaid", "checkout"}
    assert services.adapters_for(TEST_OWNER) is mine
    other = services.adapters_for("6a1b7a5e-4d7a-4a4e-9e0e-8b8b8b8b8b8b")
    assert other["plaid"] is not mine["plaid"]


def test_health_is_503_until_started_and_the_services_go_with_the_lifespan(settings):
    app = create_app(settings)
    unstarted = TestClient(app)
    assert unstarted.get("/health").status_code == 503
    with TestClient(app) as started:
        assert started.get("/health").json() == {"status": "ok", "mode": "sandbox"}
        worker = app.state.services.worker
    assert not hasattr(app.state, "services")
    assert worker is not None
