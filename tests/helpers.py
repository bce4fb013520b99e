"""Test helpers: a small Dwolla API client over the test client, and error assertions."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient

from bankbridge.clock import now
from bankbridge.config import Secret, Settings
from bankbridge.crypto import load_vault
from bankbridge.models import Customer
from bankbridge.partners.kit.keys import SandboxCredentials, SandboxKeys

HAL = "application/vnd.dwolla.v1.hal+json"
# The secret key of the test settings (conftest.py) and the account the partner-level tests
# act for: with both fixed, the sandbox credentials the emulators accept are known up front.
TEST_SECRET_KEY = "test-secret-key-not-for-production"
TEST_OWNER = "0f8e6b1c-3a2d-4c5e-9f70-1a2b3c4d5e6f"
_emails = itertools.count(1)


def assert_dwolla_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is a Dwolla error body with this status and code; returns the body.

    When the request was to an operation of the route table, its OpenAPI document must list
    that status and code for it: every error test also checks the table.
    """
    assert response.status_code == status, (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    request = getattr(response, "_request", None)
    if request is not None:
        documented = documented_error_codes(request.method, request.url.path, status)
        assert documented is None or code in documented, (
            request.method,
            request.url.path,
            documented,
        )
    assert isinstance(body["message"], str) and body["message"], body
    if code == "ValidationError":
        errors = body["_embedded"]["errors"]
        assert errors and all(e["path"].startswith("/") for e in errors), body
    return body


def assert_link(link: dict[str, str], href: str, resource_type: str) -> None:
    """A Dwolla link: exact href, HAL type, resource type."""
    assert link == {"href": href, "type": HAL, "resource-type": resource_type}


@dataclass
class ApiClient:
    """Requests as a platform sends them: bearer token and Dwolla's media type."""

    client: TestClient
    token: str

    @classmethod
    def login(cls, client: TestClient, key: str, secret: str) -> ApiClient:
        response = client.post(
            "/token", data={"grant_type": "client_credentials"}, auth=(key, secret)
        )
        assert response.status_code == 200, response.text
        return cls(client, response.json()["access_token"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": HAL}

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, "Content-Type": HAL, **kwargs.pop("headers", {})}
        return self.client.post(url, json=body, headers=headers, **kwargs)

    def create_customer(self, **fields: Any) -> dict[str, Any]:
        body = {
            "firstName": "Jane",
            "lastName": "Merchant",
            "email": f"jane{next(_emails)}@example.com",
            **fields,
        }
        created = self.post("/customers", body)
        assert created.status_code == 201, created.text
        fetched = self.get(created.headers["location"])
        assert fetched.status_code == 200, fetched.text
        result: dict[str, Any] = fetched.json()
        return result

    def partner_href(self, name: str) -> str:
        partners = self.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
        return next(p["_links"]["self"]["href"] for p in partners if p["name"] == name)

    def create_session(
        self, customer: dict[str, Any], partner: str, redirect_url: str | None = None
    ) -> httpx.Response:
        links: dict[str, Any] = {"exchange-partner": {"href": self.partner_href(partner)}}
        if redirect_url is not None:
            links["redirect-url"] = {"href": redirect_url}
        return self.post(f"/customers/{customer['id']}/exchange-sessions", {"_links": links})


def domain_customer(customer_id: str) -> Customer:
    """A domain ``Customer`` for adapter tests that bypass the API."""
    return Customer(
        id=customer_id,
        account_id=TEST_OWNER,
        first_name="Jane",
        last_name="Doe",
        email="jane@example.com",
        type="unverified",
        status="unverified",
        created=now(),
    )


def sandbox_credentials(
    slug: str, owner: str = TEST_OWNER, secret_key: str = TEST_SECRET_KEY
) -> SandboxCredentials:
    """The credentials ``owner``'s adapters use with the ``slug`` emulator."""
    vault = load_vault(Settings(secret_key=Secret(secret_key)))
    return SandboxKeys(vault).for_account(slug, owner)


def documented_error_codes(method: str, path: str, status: int) -> list[str] | None:
    """The Dwolla codes the route table documents for ``status`` on this request, ``[]`` when
    it documents no such status, None when no operation serves the path."""
    for pattern, operations in _operations():
        if pattern.fullmatch(path):
            operation = operations.get(method.lower())
            if operation is None:
                return None
            reply = operation["responses"].get(str(status))
            if reply is None:
                return []
            schema = next(iter(reply.get("content", {}).values()), {}).get("schema", {})
            return list(schema.get("properties", {}).get("code", {}).get("enum", []))
    return None


@functools.cache
def _operations() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    from bankbridge.api.openapi import openapi_document
    from bankbridge.api.routes import api_routes

    paths = openapi_document(api_routes())["paths"]
    return [
        (re.compile(re.sub(r"\\{[^}]+\\}", "[^/]*", re.escape(p))), ops) for p, ops in paths.items()
    ]
