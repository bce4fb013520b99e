"""``limit``/``offset`` on every paged route: only ASCII digits, a Dwolla 400 otherwise.

The paged routes are found from the route table (a route that refuses ``limit=0`` with a
validation error at ``/limit`` pages), so a new paged route is checked without editing this.
"""

from __future__ import annotations

import uuid

from starlette.routing import Route

from bankbridge.api.routes import api_routes
from helpers import assert_dwolla_error

KNOWN_PAGED = {
    "/customers",
    "/events",
    "/customers/{id}/exchanges",
    "/webhook-subscriptions/{id}/webhooks",
}
# Superscript two, Arabic-Indic three and fullwidth one pass str.isdigit; int() reads two.
ODD_NUMBERS = [
    "²",
    "٣",
    "\uff11",
    "9" * 5000,
    "-1",
    "+1",
    " 1",
    "1_0",
    "0x10",
    "1.0",
]


def _get_paths() -> list[str]:
    return [
        route.path
        for route in api_routes()
        if isinstance(route, Route) and route.methods and "GET" in route.methods
    ]


def _path_errors(response) -> set[str]:
    body = assert_dwolla_error(response, 400, "ValidationError")
    return {error["path"] for error in body["_embedded"]["errors"]}


def test_every_paged_route_refuses_non_ascii_digits_as_a_validation_error(api, customer):
    def concrete(path: str) -> str:
        own = customer["id"] if path.startswith("/customers/") else str(uuid.uuid4())
        return path.replace("{id}", own).replace("{retry_id}", str(uuid.uuid4()))

    paged = set()
    for path in _get_paths():
        url = concrete(path)
        if api.get(url, params={"limit": "0"}).status_code == 400:
            paged.add(path)
            continue
        for value in ODD_NUMBERS[:3]:  # a route that does not page ignores them
            response = api.get(url, params={"limit": value, "offset": value})
            assert response.status_code < 500, (path, value, response.text)
    assert paged >= KNOWN_PAGED, paged
    for path in sorted(paged):
        for value in ODD_NUMBERS:
            response = api.get(concrete(path), params={"limit": value, "offset": value})
            assert _path_errors(response) == {"/limit", "/offset"}, (path, value)
