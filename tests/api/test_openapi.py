"""BankBridge's own OpenAPI document: exactly the served routes, and real responses fit it."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.versions.consts import OPENAPIV31
from openapi_spec_validator.versions.shortcuts import get_spec_version
from starlette.routing import Route

from bankbridge.api.openapi import openapi_document
from bankbridge.api.routes import api_routes
from helpers import HAL, assert_dwolla_error

METHODS = {"get", "post", "delete", "put", "patch"}


def _served() -> set[tuple[str, str]]:
    served = set()
    for route in api_routes():
        assert isinstance(route, Route)
        served |= {(m.lower(), route.path) for m in route.methods or () if m != "HEAD"}
    return served


def _described(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def _document() -> dict[str, Any]:
    return openapi_document(api_routes())


def _validator(document: dict[str, Any], name: str) -> Any:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema_rs.Draft202012Validator(schema)


def test_the_document_describes_every_route_and_only_those():
    assert _described(_document()) == _served()


def test_the_document_is_valid_against_the_openapi_3_1_meta_schema():
    document = _document()
    assert get_spec_version(document) == OPENAPIV31
    validate(document)  # raises on the first violation of the OpenAPI 3.1 meta-schema


def test_no_operation_claims_plain_json_is_an_acceptable_accept_header():
    """The server answers 406 to ``Accept: application/json``; the document says so."""
    document = _document()
    for item in document["paths"].values():
        for operation in item.values():
            names = [p["name"].lower() for p in operation.get("parameters", [])]
            assert "accept" not in names
            if "security" not in operation:  # a bearer token: Dwolla's API proper
                assert "InvalidVersion" in operation["responses"]["406"]["description"]


def test_a_documented_error_code_is_the_code_the_server_answers(api):
    document = _document()
    listed = document["paths"]["/customers/{id}"]["get"]["responses"]
    response = api.client.get(
        "/customers/6a1b7a5e-4d7a-4a4e-9e0e-8b8b8b8b8b8b",
        headers={**api.headers, "Accept": "application/json"},
    )
    body = assert_dwolla_error(response, 406, "InvalidVersion")
    assert body["code"] in listed["406"]["content"][HAL]["schema"]["properties"]["code"]["enum"]
    not_found = api.get("/customers/6a1b7a5e-4d7a-4a4e-9e0e-8b8b8b8b8b8b").json()
    assert (
        not_found["code"] in listed["404"]["content"][HAL]["schema"]["properties"]["code"]["enum"]
    )


def test_every_schema_reference_resolves():
    document = _document()
    names = set(document["components"]["schemas"])

    def refs(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
            return found.union(*(refs(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(refs(v) for v in node))
        return set()

    for ref in refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in names, ref


def test_openapi_json_is_served_without_a_token(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver"}]
    assert _described(document) == _served()


def test_docs_page_is_served_without_a_token_and_loads_only_its_own_assets(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert "docs/assets/swagger-ui/swagger-ui-bundle.js" in assets
    for asset in assets:
        assert "//" not in asset, asset  # relative: this host, under any public URL
        loaded = client.get(f"/{asset}")
        assert loaded.status_code == 200, asset
        assert loaded.content, asset
    assert client.get("/docs/assets/swagger-ui/missing.js").status_code == 404


@pytest.mark.parametrize(
    ("partner", "shape"),
    [
        ("MX", "MXExchangeSession"),
        ("Plaid", "PlaidExchangeSession"),
        ("Checkout.com", "CheckoutExchangeSession"),
    ],
)
def test_each_exchange_session_shape_matches_exactly_one_alternative(api, customer, partner, shape):
    created = api.create_session(customer, partner)
    assert created.status_code == 201, created.text
    session = api.get(created.headers["location"]).json()
    document = _document()
    assert _validator(document, "ExchangeSession").is_valid(session)  # oneOf: exactly one
    assert _validator(document, shape).is_valid(session)


def test_resources_and_lists_match_their_schemas(api, customer):
    document = _document()
    checks = {
        "/": "Root",
        "/customers": "Customers",
        f"/customers/{customer['id']}": "Customer",
        "/exchange-partners": "ExchangePartners",
        "/events": "Events",
        "/webhook-subscriptions": "WebhookSubscriptions",
        f"/customers/{customer['id']}/exchanges": "Exchanges",
        f"/customers/{customer['id']}/funding-sources": "FundingSources",
    }
    for path, name in checks.items():
        response = api.get(path)
        assert response.status_code == 200, (path, response.text)
        errors = [e.message for e in _validator(document, name).iter_errors(response.json())]
        assert not errors, (path, errors)


def test_error_bodies_match_the_error_schemas(api):
    document = _document()
    not_found = api.get("/customers/6a1b7a5e-4d7a-4a4e-9e0e-8b8b8b8b8b8b").json()
    assert _validator(document, "Error").is_valid(not_found)
    invalid = api.post("/customers", {"firstName": "A"}).json()
    assert _validator(document, "ValidationError").is_valid(invalid)
    assert _validator(document, "AnyError").is_valid(invalid)
    assert HAL in document["info"]["description"]
