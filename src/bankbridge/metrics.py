"""Prometheus metrics: what BankBridge counts, and how ``/metrics`` exposes it.

Counted here: HTTP requests by route template, method and status (with latency), partner
calls by partner, operation and outcome (with latency), webhook delivery attempts by
outcome, and idempotent replays. The webhook queue depth is read from the database when
``/metrics`` is scraped (``render``), so it is the same whichever process answers.

With ``serve --workers N`` every worker writes its samples to files in
``PROMETHEUS_MULTIPROC_DIR`` (set by ``serve`` before the workers start) and ``render``
sums them, so any worker's ``/metrics`` shows the whole server. Label children are bound
once per label set and kept (``_bound``), never looked up again per request.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

__all__ = [
    "CONTENT_TYPE",
    "MULTIPROCESS_VARIABLE",
    "count_idempotent_replay",
    "count_partner_call",
    "count_webhook_attempt",
    "render",
    "request_children",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Latency buckets (seconds): the API answers in about a millisecond; partners in tens to
# hundreds of milliseconds, and a hanging one at the timeout (10 s).
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_REQUESTS = Counter(
    "bankbridge_http_requests", "HTTP requests answered", ("route", "method", "status")
)
_REQUEST_SECONDS = Histogram(
    "bankbridge_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ("route", "method"),
    buckets=_BUCKETS,
)
_PARTNER_CALLS = Counter(
    "bankbridge_partner_requests", "Calls to partners", ("partner", "operation", "outcome")
)
_PARTNER_SECONDS = Histogram(
    "bankbridge_partner_request_duration_seconds",
    "Time until a partner answered (or the call failed)",
    ("partner", "operation"),
    buckets=_BUCKETS,
)
_WEBHOOK_ATTEMPTS = Counter(
    "bankbridge_webhook_attempts", "Webhook delivery attempts", ("outcome",)
)
_REPLAYS = Counter(
    "bankbridge_idempotent_replays", "POSTs answered from an earlier Idempotency-Key response"
)

_bound: dict[tuple[object, ...], Any] = {}


def request_children(route: str, method: str, status: int) -> tuple[Any, Any]:
    """The (counter, histogram) children of one route, method and status (bound once)."""
    key = ("request", route, method, status)
    children = _bound.get(key)
    if children is None:
        children = _bound[key] = (
            _REQUESTS.labels(route, method, str(status)),
            _REQUEST_SECONDS.labels(route, method),
        )
    return children


def count_partner_call(partner: str, operation: str, outcome: str, seconds: float) -> None:
    """Count one partner call and its latency."""
    key = ("partner", partner, operation, outcome)
    children = _bound.get(key)
    if children is None:
        children = _bound[key] = (
            _PARTNER_CALLS.labels(partner, operation, outcome),
            _PARTNER_SECONDS.labels(partner, operation),
        )
    children[0].inc()
    children[1].observe(seconds)


def count_webhook_attempt(outcome: str) -> None:
    """Count one webhook delivery attempt (``delivered``, ``pending`` or ``failed``)."""
    key = ("webhook", outcome)
    child = _bound.get(key)
    if child is None:
        child = _bound[key] = _WEBHOOK_ATTEMPTS.labels(outcome)
    child.inc()


def count_idempotent_replay() -> None:
    """Count one response replayed for an Idempotency-Key."""
    _REPLAYS.inc()


def render(webhook_queue_depth: int) -> bytes:
    """The exposition text: this process's (or every worker's) samples, plus the queue."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        text = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        text = generate_latest(REGISTRY)
    scrape = CollectorRegistry()
    Gauge(
        "bankbridge_webhook_queue_depth",
        "Webhooks waiting for a (re)delivery attempt",
        registry=scrape,
    ).set(webhook_queue_depth)
    return text + generate_latest(scrape)
