"""A browser kept offline, an integrator's app on its own origin, and the one CDN rule.

- :class:`AppServer`: serves an integrator's page and bundled script over real HTTP from
  ``http://localhost:PORT``, while BankBridge's live server is ``http://127.0.0.1:PORT``, so
  the partner iframes are cross-origin and cross-site, as in production (cookies in them are
  third-party; only ``postMessage`` crosses).
- :class:`OfflineContext`: a Playwright browser context in which every request (and
  WebSocket) to an origin other than the allowed ones is aborted and recorded in
  ``blocked``, so a test can assert that nothing tried to leave the host.
- :func:`route_cdn`: the README's rule for integrators, done the way a Playwright user would:
  requests under a partner's CDN prefix are answered by BankBridge.

Chromium is also started with host-resolver rules that fail every DNS lookup but
``localhost``'s and ``127.0.0.1``'s (:data:`OFFLINE_ARGS`): a request the routes missed still
cannot leave the machine.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    WebError,
    WebSocketRoute,
)

from live_server import free_port

PLAID_CDN = "https://cdn.plaid.com/"
CHECKOUT_CDN = "https://checkout-web-components.checkout.com/"
# Where BankBridge serves what each CDN prefix serves (appended to its base URL).
CDN_PATHS = {PLAID_CDN: "/sandbox/plaid/", CHECKOUT_CDN: "/sandbox/checkout/web-components/"}
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]


class AppServer:
    """A tiny static web server for an integrator's app: pages and scripts added by the test."""

    def __init__(self, port: int) -> None:
        self.origin = f"http://localhost:{port}"
        self._files: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.Lock()
        self.requests: list[str] = []

    def add(self, path: str, body: bytes | str | Path, content_type: str | None = None) -> str:
        """Serve ``body`` (bytes, text, or a file's content) at ``path``; returns its URL."""
        if isinstance(body, Path):
            content_type = content_type or mimetypes.guess_type(body.name)[0]
            body = body.read_bytes()
        data = body.encode() if isinstance(body, str) else body
        kind = content_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith(("javascript", "json")):
            kind += "; charset=utf-8"
        with self._lock:
            self._files[path] = (kind, data)
        return self.origin + path

    def host_app(self, bundle: Path, config: object = None, path: str = "/") -> str:
        """Serve an HTML page at ``path`` that runs ``bundle`` in ``<div id="root">``.

        ``config`` (JSON) is ``window.APP_CONFIG`` before the bundle runs, the way an app gets
        a link token or session from its back end. Returns the page's URL.
        """
        script = bundle.read_bytes()
        script_path = f"/assets/app-{hashlib.sha256(script).hexdigest()[:12]}.js"
        self.add(script_path, script, "text/javascript")
        # "</" inside a <script> element would end it: escape it in the JSON.
        config_json = json.dumps(config).replace("</", "<\\/")
        page = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>App</title>'
            '</head>\n<body><div id="root"></div>\n'
            f"<script>window.APP_CONFIG = {config_json};</script>\n"
            f'<script src="{script_path}"></script>\n</body></html>\n'
        )
        return self.add(path, page, "text/html")

    def _lookup(self, path: str) -> tuple[str, bytes] | None:
        with self._lock:
            self.requests.append(path)
            return self._files.get(urlsplit(path).path)


@contextmanager
def serve_app() -> Iterator[AppServer]:
    """An :class:`AppServer` on 127.0.0.1, addressed as ``localhost``; stopped on exit."""
    port = free_port()
    app = AppServer(port)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = app._lookup(self.path)
            content_type, body = found or ("text/plain; charset=utf-8", b"not found\n")
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test records requests itself."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class OfflineContext:
    """A browser context that lets requests reach only the allowed origins, and records the rest.

    ``blocked`` lists every aborted request URL (WebSockets included), ``errors`` the pages'
    uncaught exceptions and console errors, which make assertion messages useful.
    """

    def __init__(self, context: BrowserContext, allowed_origins: Iterable[str]) -> None:
        self.context = context
        self.allowed_origins = frozenset(_origin(origin) for origin in allowed_origins)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        # Registered first, so it has the lowest precedence: later routes (route_cdn) win.
        context.route("**/*", self._guard)
        context.route_web_socket(lambda url: not self.allows(url), self._block_socket)
        context.on("console", self._console)
        context.on("weberror", self._web_error)

    def allows(self, url: str) -> bool:
        """Whether a request to ``url`` may go out (to the app's or BankBridge's origin)."""
        return _origin(url) in self.allowed_origins

    def _guard(self, route: Route) -> None:
        url = route.request.url
        if self.allows(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _block_socket(self, socket: WebSocketRoute) -> None:
        self.blocked.append(socket.url)
        socket.close()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _web_error(self, error: WebError) -> None:
        self.errors.append(f"uncaught: {error.error}")


def route_cdn(context: BrowserContext, cdn_prefix: str, bankbridge_prefix: str) -> list[str]:
    """Answer every request under ``cdn_prefix`` with BankBridge's response under its prefix.

    ``route_cdn(context, "https://cdn.plaid.com/", f"{base}/sandbox/plaid/")``. Playwright's
    ``route.continue_(url=...)`` cannot change the scheme (https to http), so the response is
    fetched from BankBridge and fulfils the route. Returns the list of BankBridge URLs fetched,
    filled in as requests happen.
    """
    fetched: list[str] = []

    def forward(route: Route) -> None:
        target = bankbridge_prefix + route.request.url[len(cdn_prefix) :]
        fetched.append(target)
        route.fulfill(response=route.fetch(url=target))

    context.route(lambda url: url.startswith(cdn_prefix), forward)
    return fetched


def wait_until(page: Page, condition: Callable[[], object], timeout: float = 10) -> None:
    """Wait (bounded) until ``condition()`` is truthy, letting Playwright handle events meanwhile.

    Route handlers and event listeners run only while the test is inside a Playwright call, so
    a plain ``time.sleep`` loop would never see them record anything.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(25)


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, WebSocket schemes folded onto HTTP's."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"
