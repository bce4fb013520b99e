"""``limit``/``offset`` query parameters and the HAL paging links Dwolla returns."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from bankbridge.api.hal import link
from bankbridge.errors import FieldError, ValidationError

__all__ = ["ascii_integer", "page_document", "paging"]

DEFAULT_LIMIT = 25
MAX_LIMIT = 200
_MAX_DIGITS = 18  # beyond any limit or offset, and far below int()'s 4300-digit refusal


def paging(request: Request) -> tuple[int, int]:
    """(limit, offset) from the query string; a ``ValidationError`` names a bad one."""
    errors = []
    values = {}
    for name, default, low, high in (
        ("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        ("offset", 0, 0, 10**9),
    ):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        value = ascii_integer(raw)
        if value is None or not low <= value <= high:
            errors.append(
                FieldError(
                    f"/{name}", "Invalid", f"{name} must be an integer from {low} to {high}."
                )
            )
            continue
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return values["limit"], values["offset"]


def ascii_integer(raw: str) -> int | None:
    """The non-negative integer written in ASCII digits, or None.

    ``str.isdigit`` also accepts ``²`` and ``٣``, which ``int`` then refuses (or reads as
    Arabic-Indic digits): only 0-9 count, as in every client's query string.
    """
    if not raw or len(raw) > _MAX_DIGITS or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def _page_links(
    base: str, resource_type: str, limit: int, offset: int, total: int
) -> dict[str, dict[str, str]]:
    """``self``, ``first``, ``last`` and, where they exist, ``prev`` and ``next``."""

    def at(start: int) -> dict[str, str]:
        return link(f"{base}?limit={limit}&offset={start}", resource_type)

    last = max(0, (total - 1) // limit * limit)
    links = {"self": at(offset), "first": at(0), "last": at(last)}
    if offset > 0:
        links["prev"] = at(max(0, offset - limit))
    if offset + limit < total:
        links["next"] = at(offset + limit)
    return links


def page_document(
    base: str,
    resource_type: str,
    key: str,
    items: list[dict[str, Any]],
    limit: int,
    offset: int,
    total: int,
) -> dict[str, Any]:
    """A paged HAL collection: paging links, the presented ``items`` under ``key``, ``total``."""
    return {
        "_links": _page_links(base, resource_type, limit, offset, total),
        "_embedded": {key: items},
        "total": total,
    }
