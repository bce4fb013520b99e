"""Request bodies checked against the schemas the API publishes, every problem at once.

``BodySchemas`` compiles one validator (jsonschema-rs, JSON Schema 2020-12 with formats
checked) per request-body schema of the route table, at start-up, against the same
``components.schemas`` that ``/openapi.json`` serves. Each violation becomes one of
Dwolla's ``_embedded.errors[]`` items, located by a JSON pointer, with Dwolla's codes:
``Required`` (missing, null or empty), ``Invalid`` (wrong type or value), ``InvalidFormat``
(too long, or not in the format the schema names). A schema may give Dwolla's own wording
for a keyword in ``x-messages`` (``{"maxLength": "Secret must be 128 or fewer characters."}``).

Before validation a body is cleaned: null members count as absent (Dwolla treats a null
required field as missing), and text no store can keep (NUL, lone surrogates) is reported
at its path and taken out, which also keeps it from the validator, whose strings are UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import jsonschema_rs

from bankbridge.errors import BadRequest, FieldError

__all__ = ["BodySchemas", "clean"]

# NUL and lone surrogates (JSON's "\u0000", "\ud800") are not text any store can keep.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NOUNS = {
    "string": "a string",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "integer": "an integer",
    "number": "a number",
}


class BodySchemas:
    """One compiled validator per named request-body schema."""

    def __init__(self, components: Mapping[str, Any], names: Iterable[str]) -> None:
        self._root = {"components": {"schemas": dict(components)}}
        self._validators = {
            name: jsonschema_rs.Draft202012Validator(
                {"$ref": f"#/components/schemas/{name}", **self._root}, validate_formats=True
            )
            for name in names
        }

    def check(self, name: str, data: Mapping[str, Any]) -> list[FieldError]:
        """Every problem with ``data`` as a body of schema ``name`` (empty when it fits)."""
        cleaned, errors = clean(data)
        validator = self._validators[name]
        try:
            if validator.is_valid(cleaned):  # the common case, and the cheapest check
                return errors
            violations = list(validator.iter_errors(cleaned))
        except ValueError as exc:  # the validator's own limit on nesting
            raise BadRequest("The request body is nested too deeply.") from exc
        reported = {error.path for error in errors}
        for violation in violations:
            error = self._field_error(violation)
            if error.path not in reported:  # one problem per field, the first found
                reported.add(error.path)
                errors.append(error)
        return errors

    def _field_error(self, violation: Any) -> FieldError:
        keyword: str = violation.kind.name
        location = list(violation.schema_path)[:-1]
        schema = self._schema_at(location)
        path = _pointer(list(violation.instance_path))
        if keyword == "required":
            path, schema = self._first_required(path, schema, violation.kind.property)
        name = path.rsplit("/", 1)[-1] or "body"
        custom = schema.get("x-messages", {}).get(keyword)
        if keyword == "required" or (keyword == "minLength" and violation.kind.limit == 1):
            return FieldError(path, "Required", custom or f"{name} is required.")
        if keyword == "type":
            wanted = schema.get("type")
            noun = _NOUNS.get(wanted, f"of type {wanted}") if isinstance(wanted, str) else "valid"
            return FieldError(path, "Invalid", custom or f"{name} must be {noun}.")
        if keyword == "enum":
            options = ", ".join(str(option) for option in schema["enum"])
            return FieldError(path, "Invalid", custom or f"{name} must be one of: {options}.")
        if keyword == "const":
            expected = json.dumps(schema["const"])
            return FieldError(path, "Invalid", custom or f"{name} must be {expected}.")
        if keyword == "maxLength":
            limit = violation.kind.limit
            message = f"{name} must be {limit} characters or less."
            return FieldError(path, "InvalidFormat", custom or message)
        if keyword in ("minLength", "format", "pattern"):
            return FieldError(path, "InvalidFormat", custom or f"{name} is not in a valid format.")
        return FieldError(path, "Invalid", custom or f"{name} is invalid.")

    def _first_required(
        self, parent: str, schema: Mapping[str, Any], missing: str
    ) -> tuple[str, Mapping[str, Any]]:
        """Where a missing member is reported: as Dwolla does for links, at the field it
        leads to (``/_links/exchange-partner/href``) while each level requires one field."""
        path = f"{parent}/{_escape(missing)}"
        member = self._resolve(schema.get("properties", {}).get(missing, {}))
        while len(member.get("required", ())) == 1:
            (only,) = member["required"]
            path = f"{path}/{_escape(only)}"
            member = self._resolve(member.get("properties", {}).get(only, {}))
        return path, member

    def _schema_at(self, location: list[str | int]) -> Mapping[str, Any]:
        node: Any = self._root
        for part in location:
            node = node[part]
        return self._resolve(node)

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            node: Any = self._root
            for part in str(schema["$ref"]).removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema


def clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """``data`` without null members and unstorable strings; the latter, as errors."""
    errors: list[FieldError] = []
    root: dict[str, Any] = {}
    # Iterative, so a body nested as deeply as json.loads allows cannot overflow the stack.
    stack: list[tuple[Any, Any, str]] = [(data, root, "")]
    while stack:
        source, target, path = stack.pop()
        items = source.items() if isinstance(source, Mapping) else enumerate(source)
        for key, value in items:
            if value is None:
                continue
            if isinstance(key, str) and _UNSTORABLE.search(key):
                continue  # no field has such a name: an unknown member, ignored
            where = f"{path}/{_escape(str(key))}"
            if isinstance(value, str) and _UNSTORABLE.search(value):
                name = str(key) if isinstance(key, str) else path.rsplit("/", 1)[-1]
                message = f"{name} contains characters that are not allowed."
                errors.append(FieldError(where, "InvalidFormat", message))
                continue
            copy: Any = value
            if isinstance(value, Mapping):
                copy = {}
                stack.append((value, copy, where))
            elif isinstance(value, list):
                copy = [None] * len(value)
                stack.append((value, copy, where))
            target[key] = copy
    return root, errors


def _pointer(parts: list[str | int]) -> str:
    return "".join(f"/{_escape(str(part))}" for part in parts)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")
