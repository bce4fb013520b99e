"""``GET /openapi.json`` and ``GET /docs``: the API's own description, readable offline.

The docs page is rendered here from the OpenAPI document (one HTML page, its style inline),
so it needs nothing from any other host.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

__all__ = ["get_docs", "get_openapi"]

_METHODS = ("get", "post", "delete")


async def get_openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document (built at start-up), its server the public URL."""
    return Response(request.app.state.openapi_json, media_type="application/json")


async def get_docs(request: Request) -> Response:
    """The document as one self-contained HTML page."""
    document = request.app.state.openapi_document
    page = _templates().get_template("docs.html").render(**_view(document))
    return HTMLResponse(page)


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
        autoescape=select_autoescape(["html"]),
    )


def _view(document: dict[str, Any]) -> dict[str, Any]:
    """What the template shows: operations grouped by tag, then the schemas."""
    groups: dict[str, list[dict[str, Any]]] = {t["name"]: [] for t in document["tags"]}
    for path, item in document["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            groups[operation["tags"][0]].append(_operation(method, path, operation))
    schemas = {
        name: json.dumps(schema, indent=2)
        for name, schema in document["components"]["schemas"].items()
    }
    return {
        "info": document["info"],
        "server": document["servers"][0]["url"],
        "groups": [(tag, ops) for tag, ops in groups.items() if ops],
        "schemas": schemas,
    }


def _operation(method: str, path: str, operation: dict[str, Any]) -> dict[str, Any]:
    body = operation.get("requestBody")
    body_schemas = (
        sorted({_schema_name(m["schema"]) for m in body["content"].values()}) if body else []
    )
    return {
        "id": operation["operationId"],
        "method": method.upper(),
        "path": path,
        "summary": operation["summary"],
        "public": operation.get("security") == [],
        "parameters": [
            {
                "name": p["name"],
                "in": p["in"],
                "required": p.get("required", False),
                "description": p.get("description", ""),
                "schema": json.dumps(p.get("schema", {})),
            }
            for p in operation.get("parameters", [])
        ],
        "body": body_schemas,
        "body_media": list(body["content"]) if body else [],
        "responses": [
            {
                "status": status,
                "description": response["description"],
                "schemas": sorted(
                    {_schema_name(m["schema"]) for m in response.get("content", {}).values()}
                ),
            }
            for status, response in sorted(operation["responses"].items())
        ],
    }


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return str(ref).rsplit("/", 1)[-1] if ref else ""
