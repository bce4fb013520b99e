"""Webhook subscriptions (create, pause, resume, remove), their webhooks, every delivery
attempt of a webhook (request, response, timing), and retrying one; in sandbox mode, a
receiver to subscribe when one has no server of one's own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bankbridge.console.client import segment
from bankbridge.console.pages.browse import (
    PAGE_SIZE,
    embedded,
    offset_of,
    paging,
    resource_context,
)
from bankbridge.console.session import Console, console_page, public_page, services_of

__all__ = ["ROUTES"]

SUBSCRIPTION_FIELDS = ("url", "secret")


RECEIVER = "/console/sandbox/webhook-receiver"


@console_page
async def subscriptions(request: Request, console: Console) -> Response:
    """The account's webhook subscriptions, with the form to create one (in sandbox mode
    prefilled with the sandbox receiver's URL: a person with only a browser has no other)."""
    url = (
        console.services.settings.public_url + RECEIVER if console.services.settings.sandbox else ""
    )
    return await _subscriptions_page(console, values={"url": url})


async def sandbox_receiver(request: Request) -> Response:
    """Sandbox only: a webhook receiver that answers 200 and keeps nothing, so deliveries
    (and retries) can be watched in the console without a server of one's own. Anyone may
    post to it: it reads no body and stores nothing (elsewhere: the not-found page)."""
    if not services_of(request).settings.sandbox:
        return public_page("not_found.html", {}, title="Not found", status=404)
    return PlainTextResponse("Received by BankBridge's sandbox webhook receiver (kept nowhere).")


async def _subscriptions_page(
    console: Console,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str = "",
    status: int = 200,
) -> Response:
    listing = await console.api.get("/webhook-subscriptions")
    if not listing.ok:
        return console.api_failed(listing)
    return console.render(
        "subscriptions.html",
        {
            "subscriptions": embedded(listing, "webhook-subscriptions"),
            "errors": errors or {},
            "values": {"url": (values or {}).get("url", "")},  # the secret is never echoed
            "message": message,
        },
        title="Webhook subscriptions",
        nav="webhooks",
        status=status,
    )


@console_page
async def create_subscription(request: Request, console: Console) -> Response:
    """``POST /webhook-subscriptions``; field errors are shown in the form."""
    values = {name: console.form.get(name, "").strip() for name in SUBSCRIPTION_FIELDS}
    call = await console.api.post("/webhook-subscriptions", values)
    if call.status == 201 and call.location:
        subscription_id = call.created_id
        return console.redirect(f"/console/webhook-subscriptions/{subscription_id}")
    errors = call.form_errors()
    return await _subscriptions_page(console, errors, values, call.error_message, 400)


@console_page
async def subscription(request: Request, console: Console) -> Response:
    """One subscription and its webhooks, a page at a time."""
    subscription_id = segment(request.path_params["id"])
    call = await console.api.get(f"/webhook-subscriptions/{subscription_id}")
    if not call.ok:
        return console.api_failed(call)
    offset = offset_of(request)
    hooks = await console.api.get(
        f"/webhook-subscriptions/{subscription_id}/webhooks",
        {"limit": PAGE_SIZE, "offset": offset},
    )
    total = int((hooks.body or {}).get("total", 0)) if hooks.ok else 0
    return console.render(
        "subscription.html",
        {
            **resource_context(console, call),
            "webhooks": embedded(hooks, "webhooks"),
            **paging(offset, total),
        },
        title="Webhook subscription",
        nav="webhooks",
    )


@console_page
async def change_subscription(request: Request, console: Console) -> Response:
    """Pause, resume (``POST /webhook-subscriptions/{id}``) or remove (``DELETE``) one."""
    subscription_id = segment(request.path_params["id"])
    action = console.form.get("action", "")
    path = f"/webhook-subscriptions/{subscription_id}"
    if action == "remove":
        call = await console.api.delete(path)
        return (
            console.redirect("/console/webhook-subscriptions")
            if call.ok
            else console.api_failed(call)
        )
    if action not in ("pause", "resume"):
        return console.render(
            "refused.html", {"message": "Unknown action."}, title="Refused", status=400
        )
    call = await console.api.post(path, {"paused": action == "pause"})
    if not call.ok:
        return console.api_failed(call)
    return console.redirect(f"/console/webhook-subscriptions/{subscription_id}")


@console_page
async def webhook(request: Request, console: Console) -> Response:
    """One webhook: every delivery attempt (request, response, timing) and its retries."""
    webhook_id = segment(request.path_params["id"])
    call = await console.api.get(f"/webhooks/{webhook_id}")
    if not call.ok:
        return console.api_failed(call)
    retries = await console.api.get(f"/webhooks/{webhook_id}/retries")
    body = call.body if isinstance(call.body, dict) else {}
    attempts = [a for a in body.get("attempts", []) if isinstance(a, dict)]
    return console.render(
        "webhook.html",
        {
            **resource_context(console, call),
            "attempts": [(a, _elapsed_ms(a)) for a in attempts],
            "retries": embedded(retries, "retries"),
            "retried": request.query_params.get("retried") == "1",
        },
        title=f"Webhook {body.get('topic', '')}".strip(),
        nav="webhooks",
    )


@console_page
async def retry(request: Request, console: Console) -> Response:
    """``POST /webhooks/{id}/retries``: deliver the webhook again, now."""
    webhook_id = segment(request.path_params["id"])
    call = await console.api.post(f"/webhooks/{webhook_id}/retries")
    if not call.ok:
        return console.api_failed(call)
    return console.redirect(f"/console/webhooks/{webhook_id}?retried=1")


def _elapsed_ms(attempt: dict[str, Any]) -> int | None:
    """Milliseconds from an attempt's request to its response (None when unknown)."""
    try:
        sent = datetime.fromisoformat(attempt["request"]["timestamp"].replace("Z", "+00:00"))
        answered = datetime.fromisoformat(attempt["response"]["timestamp"].replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return round((answered - sent).total_seconds() * 1000)


ROUTES = [
    Route("/webhook-subscriptions", subscriptions, methods=["GET"]),
    Route("/webhook-subscriptions", create_subscription, methods=["POST"]),
    Route("/webhook-subscriptions/{id}", subscription, methods=["GET"]),
    Route("/webhook-subscriptions/{id}", change_subscription, methods=["POST"]),
    Route("/webhooks/{id}", webhook, methods=["GET"]),
    Route("/webhooks/{id}/retries", retry, methods=["POST"]),
    Route("/sandbox/webhook-receiver", sandbox_receiver, methods=["POST"]),
]
