"""Fuzzing a live BankBridge against an OpenAPI document with Schemathesis.

Dwolla's official spec is read in place (``../shared/dwolla-openapi/openapi.yml`` or
``$DWOLLA_OPENAPI_SPEC``), never copied, and patched in memory by ``DEVIATIONS`` (each one
documented in docs/deviations.md). Only the operations BankBridge implements are fuzzed:
every route of ``api_routes()`` whose method and path template the spec also has
(``OURS_ALONE`` are not Dwolla's). BankBridge's own ``/openapi.json`` is fuzzed the same way,
all of it. Each generated case runs once against the server; every failed check is recorded
(not raised, so one defect does not hide the others) and reported at the end.
"""

from __future__ import annotations

import base64
import os
import re
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import hypothesis
import requests
import schemathesis
import yaml
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure as CheckFailure
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.routing import Route

from bankbridge.api.routes import api_routes

HAL = "application/vnd.dwolla.v1.hal+json"
SPEC_ENV = "DWOLLA_OPENAPI_SPEC"
DEFAULT_SPEC = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "dwolla-openapi" / "openapi.yml"
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OURS_ALONE = ("/health", "/livez", "/readyz", "/metrics", "/sandbox/", "/openapi.json", "/docs")
# A subscription the fuzzer creates must never make the delivery worker call out: its URL's
# host is replaced by a closed local port.
CLOSED_LOCAL = "127.0.0.1:9"


def spec_path() -> Path | None:
    """Dwolla's spec: ``$DWOLLA_OPENAPI_SPEC`` if set, else the shared checkout, else None."""
    configured = os.environ.get(SPEC_ENV)
    candidate = Path(configured) if configured else DEFAULT_SPEC
    return candidate.resolve() if candidate.is_file() else None


def load_spec(spec: Path) -> dict[str, Any]:
    """The spec as a dict (in memory: the file is never written)."""
    with spec.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def implemented_operations(
    spec_paths: Mapping[str, Mapping[str, Any]], *, ours_too: bool = False
) -> set[tuple[str, str]]:
    """(METHOD, spec path) for every route of ours that the spec also describes."""
    by_shape = {_shape(path): path for path in spec_paths}
    found = set()
    for route in api_routes():
        assert isinstance(route, Route)
        if not ours_too and route.path.startswith(OURS_ALONE):
            continue
        spec_path_ = by_shape.get(_shape(route.path))
        if spec_path_ is None:
            continue
        for method in route.methods or ():
            if method.lower() in spec_paths[spec_path_] and method != "HEAD":
                found.add((method, spec_path_))
    return found


@dataclass(frozen=True)
class Deviation:
    """A documented difference from the spec, applied to the in-memory spec before fuzzing.

    Each ``key`` has its entry in docs/deviations.md.
    """

    key: str
    apply: Callable[[dict[str, Any], set[tuple[str, str]]], None]


def _add_checkout_partner(spec: dict[str, Any], _: set[tuple[str, str]]) -> None:
    # The seed documents Checkout.com as an exchange partner; the spec's enum predates it.
    name = spec["components"]["schemas"]["ExchangePartner"]["properties"]["name"]
    name["enum"] = [*name["enum"], "Checkout.com"]


def _add_checkout_session_data(spec: dict[str, Any], _: set[tuple[str, str]]) -> None:
    # The seed's third exchange-session shape; without it the field would go unchecked.
    session = spec["components"]["schemas"]["ExchangeSession"]
    session["properties"]["externalProviderSessionData"] = {
        "type": "object",
        "required": ["id", "payment_session_secret", "payment_session_token"],
        "properties": {
            "id": {"type": "string"},
            "payment_session_secret": {"type": "string"},
            "payment_session_token": {"type": "string"},
        },
    }


def _overlapping_alternatives_as_any_of(spec: dict[str, Any], wanted: set[tuple[str, str]]) -> None:
    # Error ``oneOf`` lists overlap (several are plain {code, message}), so every real error
    # body matches more than one: read them as ``anyOf``.
    for method, path in wanted:
        for response in spec["paths"][path][method.lower()].get("responses", {}).values():
            for media in response.get("content", {}).values():
                if "schema" in media:
                    _rename_one_of(media["schema"])
    for schema in spec["components"]["schemas"].values():
        _rename_one_of(schema)


def _rename_one_of(node: Any) -> None:
    if isinstance(node, dict):
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _rename_one_of(value)
    elif isinstance(node, list):
        for value in node:
            _rename_one_of(value)


def _undocumented_not_found(spec: dict[str, Any], wanted: set[tuple[str, str]]) -> None:
    # An unknown id answers Dwolla's 404 NotFound even where the spec lists no 404.
    for method, path in wanted:
        responses = spec["paths"][path][method.lower()]["responses"]
        if "{" in path and "404" not in responses:
            responses["404"] = _error_response("NotFoundError")


def _undocumented_validation(spec: dict[str, Any], wanted: set[tuple[str, str]]) -> None:
    # A query parameter out of range answers 400 ValidationError naming it by path.
    for method, path in wanted:
        operation = spec["paths"][path][method.lower()]
        queries = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        if queries and "400" not in operation["responses"]:
            operation["responses"]["400"] = _error_response("ValidationErrorSchema")


def _retry_of_removed_subscription(spec: dict[str, Any], wanted: set[tuple[str, str]]) -> None:
    # A webhook whose subscription was removed cannot be sent again: 400 InvalidResourceState.
    if ("POST", "/webhooks/{id}/retries") in wanted:
        responses = spec["paths"]["/webhooks/{id}/retries"]["post"]["responses"]
        responses.setdefault("400", _error_response("BadRequestError"))


def _balance_errors(spec: dict[str, Any], wanted: set[tuple[str, str]]) -> None:
    # A card, a removed source, an inactive exchange or a lapsed login: a 400 Dwolla error
    # (UnsupportedOperation, InvalidResourceState, InactiveExchange, UpdateCredentials).
    if ("GET", "/funding-sources/{id}/balance") in wanted:
        responses = spec["paths"]["/funding-sources/{id}/balance"]["get"]["responses"]
        responses.setdefault("400", _error_response("BadRequestError"))


def _error_response(schema: str) -> dict[str, Any]:
    return {
        "description": "BankBridge deviation (docs/deviations.md)",
        "content": {HAL: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


DEVIATIONS = (
    Deviation("checkout-exchange-partner", _add_checkout_partner),
    Deviation("checkout-session-data", _add_checkout_session_data),
    Deviation("overlapping-error-alternatives", _overlapping_alternatives_as_any_of),
    Deviation("undocumented-404", _undocumented_not_found),
    Deviation("undocumented-400", _undocumented_validation),
    Deviation("retry-removed-subscription", _retry_of_removed_subscription),
    Deviation("balance-errors", _balance_errors),
)


@dataclass
class Failure:
    """One failed check on one operation (the first case that showed it)."""

    operation: str
    check: str
    status: int
    detail: str
    request: str


@dataclass
class Summary:
    """What a fuzzing run did."""

    operations: int = 0
    cases: int = 0
    failures: list[Failure] = field(default_factory=list)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"spec fuzzing: {self.operations} operations, {self.cases} cases, "
            f"{len(self.failures)} failures"
        )


def fuzz(
    raw: dict[str, Any],
    base_url: str,
    bearer: str,
    basic: tuple[str, str],
    ids: Mapping[str, list[str]],
    max_examples: int,
    bodies: Mapping[str, Callable[[], Any]] | None = None,
    deviations: tuple[Deviation, ...] = (),
    ours_too: bool = False,
) -> Summary:
    """Run every implemented operation's generated cases against ``base_url``.

    Cases that draw a ``pick`` address a real resource (``ids``, by collection) and, one in
    three, send a known-valid body (``bodies``, by "METHOD /path"), so success paths are
    fuzzed too: generated hrefs and tokens almost never name anything that exists.
    ``raw`` is the spec as a dict (``load_spec``), patched in place by ``deviations``;
    ``ours_too`` also fuzzes the operations only BankBridge has (``/health``, ``/sandbox``…).
    """
    wanted = implemented_operations(raw["paths"], ours_too=ours_too)
    for deviation in deviations:
        deviation.apply(raw, wanted)
    schema = schemathesis.openapi.from_dict(raw)
    summary = Summary()
    seen: set[tuple[str, str]] = set()
    with requests.Session() as session:
        operations = [result.ok() for result in schema.get_all_operations()]
        # Deletions last, so the other operations still find what they address.
        operations.sort(key=lambda op: op.method.upper() == "DELETE")
        for operation in operations:
            key = (operation.method.upper(), operation.path)
            if key not in wanted:
                continue
            summary.operations += 1
            label = f"{key[0]} {key[1]}"
            summary.statuses[label] = Counter()
            run_case = _case_runner(
                operation_label=label,
                base_url=base_url,
                session=session,
                headers=_auth_headers(key, bearer, basic),
                ids=_ids_for(operation.path, ids),
                valid_body=(bodies or {}).get(label),
                summary=summary,
                seen=seen,
            )
            _explore(operation.as_strategy(), run_case, max_examples)
    return summary


def _explore(strategy: Any, run_case: Callable[[Any, int | None], None], examples: int) -> None:
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy, pick=st.none() | st.integers(min_value=0, max_value=99))
    def explore(case: Any, pick: int | None) -> None:
        run_case(case, pick)

    explore()


def _case_runner(
    *,
    operation_label: str,
    base_url: str,
    session: requests.Session,
    headers: dict[str, str],
    ids: list[str],
    valid_body: Callable[[], Any] | None,
    summary: Summary,
    seen: set[tuple[str, str]],
) -> Callable[[Any, int | None], None]:
    def run_case(case: Any, pick: int | None) -> None:
        # Half the cases address a real resource, so GETs find something to describe.
        if ids and pick is not None and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = ids[pick % len(ids)]
        if valid_body is not None and pick is not None and pick % 3 == 0:
            case.body = valid_body()
        _keep_webhooks_local(case)
        _unique_idempotency_key(case)
        summary.cases += 1
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        summary.statuses[operation_label][response.status_code] += 1
        if operation_label == "POST /sandbox/faults":
            # An injected partner fault is undone at once: the other operations are fuzzed
            # against healthy partners (a faulty one answers 502 on purpose).
            session.delete(f"{base_url}/sandbox/faults", headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, CheckFailure) as exc:
            failures = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
            for failure in failures:
                check = getattr(failure, "title", type(failure).__name__)
                if (operation_label, check) in seen:
                    continue
                seen.add((operation_label, check))
                summary.failures.append(
                    Failure(
                        operation_label,
                        check,
                        response.status_code,
                        str(getattr(failure, "message", failure))[:1500],
                        _describe(case, response),
                    )
                )

    return run_case


def _auth_headers(key: tuple[str, str], bearer: str, basic: tuple[str, str]) -> dict[str, str]:
    if key == ("POST", "/token"):
        pair = base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    # OpenAPI ignores header parameters named Accept, so Dwolla's required one is sent here.
    return {"Authorization": f"Bearer {bearer}", "Accept": HAL}


def _ids_for(path: str, ids: Mapping[str, list[str]]) -> list[str]:
    collection = path.strip("/").split("/", 1)[0]
    return list(ids.get(collection, []))


def _keep_webhooks_local(case: Any) -> None:
    body = case.body
    if case.operation.path.startswith("/webhook-subscriptions") and isinstance(body, dict):
        url = body.get("url")
        if isinstance(url, str):
            try:
                parts = urlsplit(url)
            except ValueError:
                return
            if parts.netloc:
                body["url"] = urlunsplit(parts._replace(netloc=CLOSED_LOCAL))


def _unique_idempotency_key(case: Any) -> None:
    # A key reused by another request replays that request's response (by design, as
    # Dwolla's), so two generated keys that happen to be equal would mix up operations.
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and key.strip() and key.isprintable():
        case.headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4()}"


def _describe(case: Any, response: Any) -> str:
    request = response.request
    body = request.body
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    return (
        f"{request.method} {request.url}\n  body: {str(body)[:400]}\n"
        f"  -> {response.status_code} {response.text[:400]}"
    )


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)
