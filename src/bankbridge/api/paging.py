"""``limit``/``offset`` query parameters and the HAL paging links Dwolla returns."""

from __future__ import annotations

from starlette.requests import Request

from bankbridge.api.hal import link
from bankbridge.errors import FieldError, ValidationError

__all__ = ["page_links", "paging"]

DEFAULT_LIMIT = 25
MAX_LIMIT = 200


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
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors.append(
                FieldError(
                    f"/{name}", "Invalid", f"{name} must be an integer from {low} to {high}."
                )
            )
            continue
        values[name] = int(raw)
    if errors:
        raise ValidationError(errors)
    return values["limit"], values["offset"]


def page_links(
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
