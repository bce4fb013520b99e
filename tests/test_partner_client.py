"""``PartnerClient`` sends exactly what ``httpx.AsyncClient`` sends and answers the same.

The adapters' client keeps no cookies and reuses parsed URLs; a partner (an emulator in
process, or the real API in remote mode) must see the same request either way: method,
URL, every header in order, body; and the answer must read the same.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from bankbridge.partner_calls import PartnerClient

BASE = "http://127.0.0.1:8000/sandbox/mx"

# The adapters' call shapes: MX (Accept, Basic header, params, JSON), Plaid (JSON POST with
# its credential headers), Checkout.com (Bearer, JSON or no body), a URL seen again with
# other params, and a form body.
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "GET",
        f"{BASE}/users",
        {
            "params": {"id": "customer-1"},
            "headers": {"Accept": "application/vnd.mx.api.v1+json", "Authorization": "Basic eA=="},
        },
    ),
    (
        "GET",
        f"{BASE}/users",
        {"params": {"id": "customer-2", "page": "2"}, "headers": {"Accept": "*/*"}},
    ),
    (
        "POST",
        f"{BASE}/users/USR-1/widget_urls",
        {
            "json": {"widget_url": {"widget_type": "connect_widget", "é": [1, 2.5, None]}},
            "headers": {
                "Accept": "application/vnd.mx.api.v1+json",
                "Authorization": "Basic eA==",
                "Content-Type": "application/json",
            },
        },
    ),
    (
        "POST",
        "https://sandbox.plaid.test/link/token/create",
        {
            "json": {"client_name": "BankBridge", "user": {"client_user_id": "c"}},
            "headers": {"PLAID-CLIENT-ID": "id", "PLAID-SECRET": "s", "Plaid-Version": "2020"},
        },
    ),
    ("POST", "http://127.0.0.1:8000/sandbox/checkout/payment-sessions", {"json": None}),
    ("DELETE", f"{BASE}/users/USR-1", {"headers": {"Authorization": "Bearer t"}}),
    ("POST", f"{BASE}/form", {"data": {"a": "1"}, "headers": {"X-One": "1", "x-one": "2"}}),
]


def _capturing(seen: list[dict[str, Any]], answer: httpx.Response) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(
            {
                "method": request.method,
                "url": str(request.url),
                "headers": request.headers.raw,
                "body": request.read(),
                "extensions": request.extensions,
            }
        )
        if request.url.path == "/elsewhere":  # where the redirect answers lead
            return httpx.Response(200, json={"after": "redirect"})
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return httpx.MockTransport(handle)


def _exchange(
    client_type: type[httpx.AsyncClient],
    calls: list[tuple[str, str, dict[str, Any]]],
    answer: httpx.Response,
    **client_options: Any,
) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, str], bytes, str | None]]]:
    seen: list[dict[str, Any]] = []

    async def run() -> list[tuple[int, dict[str, str], bytes, str | None]]:
        answers = []
        transport = _capturing(seen, answer)
        async with client_type(transport=transport, **client_options) as http:
            for method, url, options in calls:
                response = await http.request(method, url, **options)
                follow = response.next_request
                answers.append(
                    (
                        response.status_code,
                        dict(response.headers),
                        response.content,
                        str(follow.url) if follow is not None else None,
                    )
                )
                assert response.is_closed and response.request.url == seen[-1]["url"]
        return answers

    return seen, asyncio.run(run())


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(201, json={"ok": True}, headers={"X-Request-Id": "r"}),
        httpx.Response(302, headers={"Location": "/elsewhere?x=1"}),
        httpx.Response(500, content=b"not json"),
    ],
    ids=["created", "redirect", "error"],
)
def test_partner_client_sends_and_answers_as_httpx_does(answer: httpx.Response) -> None:
    expected = _exchange(httpx.AsyncClient, CALLS, answer)
    assert _exchange(PartnerClient, CALLS, answer) == expected
    # Sent twice, the kept URLs change nothing.
    assert _exchange(PartnerClient, CALLS * 2, answer) == _exchange(
        httpx.AsyncClient, CALLS * 2, answer
    )


@pytest.mark.parametrize(
    "options",
    [
        {"auth": ("user", "pass")},
        {"follow_redirects": True},
        {"headers": {"User-Agent": "BankBridge-test", "Accept": "application/json"}},
        {"timeout": 3.0},
    ],
    ids=["client-auth", "follow-redirects", "client-headers", "timeout"],
)
def test_partner_client_keeps_httpx_behaviour_for_client_options(options: dict[str, Any]) -> None:
    """Options the adapters never set still work as in httpx (the full send path)."""
    answer = httpx.Response(302, headers={"Location": "/elsewhere"})
    calls = [*CALLS, ("GET", "http://user:secret@127.0.0.1:8000/sandbox/mx/users", {})]
    assert _exchange(PartnerClient, calls, answer, **options) == _exchange(
        httpx.AsyncClient, calls, answer, **options
    )


def test_partner_client_runs_event_hooks_and_refuses_calls_once_closed() -> None:
    hooked: list[str] = []

    async def on_request(request: httpx.Request) -> None:
        hooked.append(f"{request.method} {request.url.path}")

    async def run() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
        http = PartnerClient(transport=transport, event_hooks={"request": [on_request]})
        async with http:
            assert (await http.get(f"{BASE}/users")).json() == {}
        with pytest.raises(RuntimeError, match="closed"):
            await http.get(f"{BASE}/users")

    asyncio.run(run())
    assert hooked == ["GET /sandbox/mx/users"]


def test_a_streamed_answer_is_left_unread() -> None:
    async def run() -> bytes:
        body = json.dumps({"a": 1}).encode()
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
        async with (
            PartnerClient(transport=transport) as http,
            http.stream("GET", f"{BASE}/users") as response,
        ):
            return await response.aread()

    assert asyncio.run(run()) == b'{"a": 1}'
