"""Query strings: names case-insensitive, arrays as repeated keys, values checked by schema.

The schema of a route's query (schemas/*-query.json) names each parameter in its documented
spelling and gives its type; this module folds the names, converts integers and enum values,
and reports every problem with the parameter's documented name.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import request

from mock_gateway.contract.errors import BadRequest
from mock_gateway.contract.inputs import instant as parse_instant
from mock_gateway.contract.inputs import int32, parse_query_string
from mock_gateway.contract.schemas import Schemas


def query_pairs() -> list[tuple[str, str]]:
    """The current Flask request's query as (name, value) pairs, in order."""
    return parse_query_string(request.environ.get("QUERY_STRING", ""))


def read_query(schemas: Schemas, name: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Return the query as {documented name: value}; raise BadRequest listing every problem."""
    properties, by_lower = _query_spec(schemas, name)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for raw_key, given in pairs:
        key = by_lower.get(raw_key.lower())
        if key is None:
            continue  # unknown parameters are ignored, as ASP.NET model binding does
        spec = properties[key]
        if spec.get("type") == "array":
            if given != "":
                values.setdefault(key, []).append(given)
        elif key not in values and not (given == "" and _skips_empty(spec)):
            values[key] = _scalar(given, spec)
    problems.extend(schemas.errors(name, values, root="query"))
    for key, spec in properties.items():
        if spec.get("format") == "date-time" and isinstance(values.get(key), str):
            try:
                values[key] = parse_instant(values[key])
            except ValueError:
                problems.append(f"{key} must be {spec.get('x-expect', 'a date-time')}")
    if problems:
        raise BadRequest(*sorted(problems))
    return values


@lru_cache(maxsize=64)
def _query_spec(schemas: Schemas, name: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A query schema's properties, and its parameter names by their lower-case spelling."""
    properties: dict[str, Any] = schemas.documents[name].get("properties", {})
    return properties, {key.lower(): key for key in properties}


def _skips_empty(spec: dict[str, Any]) -> bool:
    """An empty plain string parameter counts as absent; an empty date or number is an error."""
    return spec.get("type") == "string" and "format" not in spec


def _scalar(text: str, spec: dict[str, Any]) -> Any:
    if spec.get("type") == "integer":
        number = int32(text)  # outside Int32, or not ASCII digits: the schema check names it
        return text if number is None else number
    if "enum" in spec:
        for member in spec["enum"]:
            if isinstance(member, str) and member.lower() == text.strip().lower():
                return member
    return text


def instant(values: dict[str, Any], key: str) -> datetime | None:
    value = values.get(key)
    return value if isinstance(value, datetime) else None
