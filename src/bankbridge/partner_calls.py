"""The partner adapters' HTTP transport: observed, bounded in time, retried, and broken.

Every adapter shares one ``httpx.AsyncClient``; its transport is ``PartnerTransport``,
which sends each call to MX, Plaid or Checkout.com to that partner's own transport (the
in-process emulator in sandbox mode, HTTP in remote mode; ``BANKBRIDGE_<PARTNER>_MODE``
decides per partner) and around each call:

- bounds it by the partner's timeout (``BANKBRIDGE_<PARTNER>_TIMEOUT_SECONDS``), the whole
  call, not per read;
- retries it with jittered exponential backoff, but only when repeating it is safe: a GET,
  or a Plaid read (``/…/get``); a POST that creates something is never sent twice;
- keeps a circuit breaker per partner: after ``breaker_failures`` failures in a row (no
  answer, a timeout, or a 5xx) calls fail at once with ``PartnerCircuitOpen`` for
  ``breaker_seconds``, then one trial call decides whether it closes again;
- logs one line (partner, operation, status, outcome, duration; never headers or bodies,
  which carry credentials) and counts it in the metrics.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bankbridge.metrics import count_partner_call
from bankbridge.partners.http import PartnerCircuitOpen

__all__ = ["Breaker", "PartnerClient", "PartnerRoute", "PartnerTransport", "operation_of"]

log = logging.getLogger("bankbridge.partners")

# A path segment is an id when it is long-ish and holds a digit (MX guids, Checkout.com
# ids; Plaid never puts one in a path): templates keep label and log cardinality small.
_ID_SEGMENT = re.compile(r"^(?=.*\d)[^/]{6,}$")
_RETRIED_STATUSES = frozenset({502, 503, 504})
_BACKOFF_SECONDS = 0.1


class PartnerClient(httpx.AsyncClient):
    """The adapters' one HTTP client: an ``httpx.AsyncClient`` that keeps no cookies.

    One client makes every account's partner calls, so a cookie one partner answer sets
    must never ride along on another account's call. None of the partners' APIs uses
    cookies, and not reading ``Set-Cookie`` into a jar also spares every call that work.
    """

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None

    def _merge_url(self, url: httpx.URL | str) -> httpx.URL:
        # httpx parses every call's URL string (a per-character check, then the parts);
        # the adapters call a few URLs over and over, so each is parsed once.
        return super()._merge_url(_parsed_url(url) if isinstance(url, str) else url)


class _Cookieless(httpx.Cookies):
    """Cookies that are never extracted from an answer (and so never sent)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


_NO_COOKIES = _Cookieless()


@functools.lru_cache(maxsize=4096)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, kept: a URL is immutable (its methods return new ones)."""
    return httpx.URL(url)


@dataclass(frozen=True)
class PartnerRoute:
    """Where one partner's calls go: its base URL, and the transport that reaches it."""

    slug: str
    base_url: str
    transport: httpx.AsyncBaseTransport
    timeout: float

    @property
    def timeouts(self) -> dict[str, float]:
        """httpx's per-phase timeouts (the whole call is bounded by ``timeout`` too)."""
        t = self.timeout
        return {"connect": min(t, 5.0), "read": t, "write": t, "pool": t}


class Breaker:
    """A circuit breaker: closed, open for ``cooldown`` seconds, then half-open (one trial)."""

    def __init__(
        self,
        failures: int,
        cooldown: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failures
        self._cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    def refusal(self) -> int | None:
        """Seconds to wait when a call must fail fast now; None lets it through."""
        if self._opened_at is None:
            return None
        waited = self._clock() - self._opened_at
        if waited < self._cooldown or self._trial:
            return max(1, round(self._cooldown - waited))
        self._trial = True  # half-open: this one call tries the partner
        return None

    def succeeded(self) -> bool:
        """Record a success; True when it closed an open breaker."""
        was_open = self._opened_at is not None
        self._failures, self._opened_at, self._trial = 0, None, False
        return was_open

    def failed(self) -> bool:
        """Record a failure; True when it (re)opened the breaker."""
        self._failures += 1
        if self._opened_at is not None:
            self._opened_at, self._trial = self._clock(), False  # the trial failed
            return True
        if self._failures >= self._threshold:
            self._opened_at = self._clock()
            return True
        return False


class PartnerTransport(httpx.AsyncBaseTransport):
    """Routes each partner call to its transport, with timeout, retries, breaker and logs."""

    def __init__(
        self,
        routes: Sequence[PartnerRoute],
        *,
        retries: int,
        breaker_failures: int,
        breaker_seconds: float,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        # Longest base first, so a base that prefixes another never takes its calls.
        self._routes = sorted(routes, key=lambda r: -len(r.base_url))
        self._places = [(r, _place(httpx.URL(r.base_url), base=True)) for r in self._routes]
        self._retries = retries
        self._breakers = {r.slug: Breaker(breaker_failures, breaker_seconds) for r in routes}
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route, operation = self._route_of(request)
        breaker = self._breakers[route.slug]
        request.extensions["timeout"] = route.timeouts
        attempts = 1 + (self._retries if _safe_to_repeat(route.slug, request) else 0)
        for attempt in range(1, attempts + 1):
            wait = breaker.refusal()
            if wait is not None:
                _record(route.slug, operation, time.perf_counter(), 0, "rejected", logging.WARNING)
                raise PartnerCircuitOpen(f"{route.slug} is unavailable (circuit open)", wait)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(route.timeout):
                    response = await route.transport.handle_async_request(request)
            except (TimeoutError, httpx.TransportError) as exc:
                outcome = "timeout" if isinstance(exc, TimeoutError) else "unreachable"
                _record(route.slug, operation, started, 0, outcome, logging.WARNING)
                self._failed(route.slug, breaker)
                if attempt == attempts:
                    if isinstance(exc, TimeoutError):
                        raise httpx.ReadTimeout(f"{route.slug}: no answer in time") from exc
                    raise
            else:
                status = response.status_code
                failed = status >= 500
                outcome = "error" if status >= 400 else "ok"
                level = logging.WARNING if failed else logging.INFO
                _record(route.slug, operation, started, status, outcome, level)
                if not failed:
                    if breaker.succeeded():
                        log.warning("partner %s answers again: circuit closed", route.slug)
                    return response
                self._failed(route.slug, breaker)
                if attempt == attempts or status not in _RETRIED_STATUSES:
                    return response
                await response.aclose()
            await self._sleep(_BACKOFF_SECONDS * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def aclose(self) -> None:
        for transport in {id(r.transport): r.transport for r in self._routes}.values():
            await transport.aclose()

    def _failed(self, slug: str, breaker: Breaker) -> None:
        if breaker.failed():
            log.warning("partner %s is failing: circuit open, calls fail fast for a while", slug)

    def _route_of(self, request: httpx.Request) -> tuple[PartnerRoute, str]:
        # The URL's parts as httpx parsed them (no new URL is built for each call).
        origin, path = _place(request.url)
        for route, (base_origin, base_path) in self._places:
            if origin == base_origin and path.startswith(base_path):
                return route, operation_of(request.method, path[len(base_path) :])
        # Adapters call only their partner's base URL; anything else is a programming error.
        raise httpx.UnsupportedProtocol(f"no partner serves {request.url.host}")


def _place(url: httpx.URL, base: bool = False) -> tuple[tuple[str, str, int | None], str]:
    """(scheme, host, port) and the encoded path (a base's without its trailing ``/``): a
    base URL prefixes a call's URL when the first parts are equal and the path starts with
    the base's."""
    path = url.raw_path.split(b"?", 1)[0].decode("ascii")
    return (url.scheme, url.host, url.port), path.rstrip("/") if base else path


def operation_of(method: str, path: str) -> str:
    """``METHOD /path/{id}``: the call's template, ids and tokens in the path replaced."""
    segments = ["{id}" if _ID_SEGMENT.match(s) else s for s in path.split("/")]
    return f"{method} {'/'.join(segments) or '/'}"


def _safe_to_repeat(slug: str, request: httpx.Request) -> bool:
    """GETs, and Plaid's reads (every Plaid call is a POST; its reads end in ``/get…``)."""
    if request.method == "GET":
        return True
    last = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    return slug == "plaid" and request.method == "POST" and last.startswith("get")


def _record(
    partner: str, operation: str, started: float, status: int, outcome: str, level: int
) -> None:
    seconds = time.perf_counter() - started
    fields = {
        "partner": partner,
        "operation": operation,
        "status": status,
        "outcome": outcome,
        "duration_ms": round(seconds * 1000, 1),
    }
    log.log(level, "partner call", extra=fields)
    count_partner_call(partner, operation, outcome, seconds)
