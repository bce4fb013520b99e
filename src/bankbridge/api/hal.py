"""HAL+JSON: the media type, links with ``type``/``resource-type``, embedded lists, responses.

The only module that knows how Dwolla shapes a document; every href is built from
``Settings.public_url``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

__all__ = ["HAL_JSON", "collection", "encode", "hal_response", "link"]

HAL_JSON = "application/vnd.dwolla.v1.hal+json"

# json.dumps(..., separators=(",", ":")) builds this encoder on every call; build it once.
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def link(href: str, resource_type: str, media_type: str = HAL_JSON) -> dict[str, str]:
    """One HAL link as Dwolla writes it."""
    return {"href": href, "type": media_type, "resource-type": resource_type}


def collection(
    self_href: str,
    resource_type: str,
    name: str,
    items: list[dict[str, Any]],
    total: int,
    extra_links: Mapping[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A Dwolla list document: ``_links``, ``_embedded.<name>`` and ``total``."""
    links = {"self": link(self_href, resource_type), **(extra_links or {})}
    return {"_links": links, "_embedded": {name: items}, "total": total}


def hal_response(
    body: Mapping[str, Any] | None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A response carrying a HAL document (or none, for 201/204 with a Location)."""
    content = b"" if body is None else encode(body)
    return Response(content, status_code=status, headers=headers, media_type=HAL_JSON)


def encode(document: Mapping[str, Any]) -> bytes:
    """A HAL document's bytes: compact JSON, non-ASCII escaped."""
    return _ENCODER.encode(document).encode()
