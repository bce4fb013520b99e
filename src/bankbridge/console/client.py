"""The console's API client: the API's own routes, called in process with the account's token.

Every request goes to the application itself over ``httpx.ASGITransport`` (through the same
middleware and route table a platform's request goes through), with the session's bearer
token and Dwolla's ``Accept`` header. Each call is recorded as an ``ApiCall`` (method, URL,
request body, status, response headers and body, time taken) that a page can show as the
call made, and as the same call written with curl or with Dwolla's ``dwollav2`` SDK.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from starlette.types import ASGIApp

__all__ = ["HAL", "ApiCall", "ConsoleApi", "segment"]

HAL = "application/vnd.dwolla.v1.hal+json"
TIMEOUT = httpx.Timeout(30.0)


def segment(value: str) -> str:
    """``value`` quoted as one path segment (an id typed into a console URL stays one)."""
    return quote(value, safe="")


@dataclass(frozen=True)
class ApiCall:
    """One request the console made to the API, and what the API answered."""

    method: str
    url: str  # absolute, under the public URL
    request_body: Any | None
    status: int
    headers: dict[str, str]
    body: Any | None  # the response's JSON (None when it had none or it was not JSON)
    text: str
    elapsed_ms: float

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return 200 <= self.status < 300

    @property
    def location(self) -> str | None:
        """The ``Location`` header of a 201."""
        return self.headers.get("location")

    @property
    def created_id(self) -> str:
        """The id of the resource a 201 created: the last segment of its ``Location``."""
        return (self.location or "").rsplit("/", 1)[-1]

    @property
    def pretty(self) -> str:
        """The response body pretty-printed (JSON), or as it came."""
        if self.body is None:
            return self.text
        return json.dumps(self.body, indent=2, ensure_ascii=False)

    @property
    def error_code(self) -> str | None:
        """Dwolla's error ``code`` (or OAuth2's ``error``) of a refused call."""
        if self.ok or not isinstance(self.body, dict):
            return None
        code = self.body.get("code", self.body.get("error"))
        return code if isinstance(code, str) else None

    @property
    def error_message(self) -> str:
        """Dwolla's error ``message`` (or OAuth2's ``error_description``)."""
        if isinstance(self.body, dict):
            message = self.body.get("message", self.body.get("error_description"))
            if isinstance(message, str):
                return message
        return f"The API answered {self.status}."

    def field_errors(self) -> dict[str, str]:
        """A ``ValidationError``'s embedded errors: JSON pointer path -> message."""
        if not isinstance(self.body, dict):
            return {}
        embedded = self.body.get("_embedded")
        errors = embedded.get("errors") if isinstance(embedded, dict) else None
        found: dict[str, str] = {}
        for error in errors if isinstance(errors, list) else []:
            if isinstance(error, dict) and isinstance(error.get("path"), str):
                found[error["path"]] = str(error.get("message", ""))
        return found

    def form_errors(self) -> dict[str, str]:
        """``field_errors`` keyed by form field: the pointer's leading ``/`` dropped."""
        return {path.lstrip("/"): message for path, message in self.field_errors().items()}

    def curl(self) -> str:
        """The same call with curl (the token as ``$TOKEN``, never its value)."""
        parts = ["curl", "-X", self.method, self.url]
        if self.url.endswith("/token"):
            parts += ["-u", "$KEY:$SECRET", "-d", "grant_type=client_credentials"]
            return " ".join(shlex.quote(p) if not p.startswith("$") else p for p in parts)
        lines = [" ".join(shlex.quote(p) for p in parts)]
        lines.append('-H "Authorization: Bearer $TOKEN"')
        lines.append(f"-H {shlex.quote('Accept: ' + HAL)}")
        if self.request_body is not None:
            lines.append(f"-H {shlex.quote('Content-Type: ' + HAL)}")
            lines.append(f"-d {shlex.quote(json.dumps(self.request_body))}")
        return " \\\n  ".join(lines)

    def dwollav2(self) -> str:
        """The same call with Dwolla's Python SDK (``token = client.Auth.client()``)."""
        if self.url.endswith("/token"):
            return "token = client.Auth.client()"
        method = self.method.lower()
        if self.request_body is None:
            return f"token.{method}({self.url!r})"
        body = json.dumps(self.request_body, indent=4)
        body = body.replace("true", "True").replace("false", "False").replace("null", "None")
        return f"token.{method}({self.url!r}, {body})"


@dataclass
class ConsoleApi:
    """Calls the API in process as one account's token; ``calls`` lists what was made."""

    app: ASGIApp
    base_url: str
    token: str | None = None
    calls: list[ApiCall] = field(default_factory=list)
    _http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> ConsoleApi:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client (when one was opened)."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def url(self, path: str) -> str:
        """The absolute URL of an API path (``/customers``), or ``path`` when absolute."""
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url.rstrip("/") + path

    def path_of(self, href: str) -> str | None:
        """The API path of an href under this install's public URL (None: elsewhere)."""
        base = self.base_url.rstrip("/")
        if not href.startswith(base + "/"):
            return None
        return urlsplit(href).path or None

    async def get(self, path: str, params: dict[str, str | int] | None = None) -> ApiCall:
        """``GET`` an API path (or an href under the public URL)."""
        return await self._call("GET", path, params=params)

    async def post(self, path: str, body: Any = None) -> ApiCall:
        """``POST`` a JSON body (Dwolla's media type) to an API path."""
        return await self._call("POST", path, body={} if body is None else body)

    async def delete(self, path: str) -> ApiCall:
        """``DELETE`` an API path."""
        return await self._call("DELETE", path)

    async def create_token(self, key: str, secret: str) -> ApiCall:
        """``POST /token`` with client credentials (HTTP Basic), as a platform does."""
        started = time.perf_counter()
        response = await self._client().post(
            "/token", data={"grant_type": "client_credentials"}, auth=(key, secret)
        )
        return self._record("POST", "/token", None, response, started)

    async def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, str | int] | None = None,
    ) -> ApiCall:
        headers = {"Accept": HAL}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        content = None
        if body is not None:
            headers["Content-Type"] = HAL
            content = json.dumps(body).encode()
        started = time.perf_counter()
        response = await self._client().request(
            method, self.url(path), headers=headers, content=content, params=params
        )
        return self._record(method, str(response.request.url), body, response, started)

    def _record(
        self, method: str, url: str, body: Any, response: httpx.Response, started: float
    ) -> ApiCall:
        elapsed = (time.perf_counter() - started) * 1000
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        call = ApiCall(
            method=method,
            url=self.url(url),
            request_body=body,
            status=response.status_code,
            headers=dict(response.headers),
            body=parsed,
            text=response.text,
            elapsed_ms=round(elapsed, 1),
        )
        self.calls.append(call)
        return call

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app),
                base_url=self.base_url,
                timeout=TIMEOUT,
            )
        return self._http
