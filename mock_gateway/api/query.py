"""Query strings: names case-insensitive, arrays as repeated keys, values checked by schema.

The schema of a route's query (schemas/*-query.json) names each parameter in its documented
spelling and gives its type; this module folds the names, converts integers and enum values,
and reports every problem with the parameter's documented name.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    spec = _query_spec(schemas, name)
    properties = spec.properties
    values: dict[str, Any] = {}
    problems: list[str] = []
    indexed: dict[str, dict[int, str]] = {}
    for raw_key, given in pairs:
        key = spec.by_lower.get(raw_key.lower())
        if key is None:
            _index_item(spec, raw_key, given, indexed)
            continue  # unknown parameters are ignored, as ASP.NET model binding does
        if key in spec.arrays:
            if given != "":
                values.setdefault(key, []).append(given)
        elif key not in values and not (given == "" and _skips_empty(properties[key])):
            values[key] = _scalar(given, properties[key])
    for key, items in indexed.items():
        values.setdefault(key, []).extend(_from_zero(items))
    problems.extend(schemas.errors(name, values, root="query"))
    for key in spec.instants:
        if isinstance(values.get(key), str):
            try:
                values[key] = parse_instant(values[key])
            except ValueError:
                problems.append(f"{key} must be {properties[key].get('x-expect', 'a date-time')}")
    if problems:
        raise BadRequest(*sorted(problems))
    return values


def _index_item(
    spec: QuerySpec, raw_key: str, given: str, indexed: dict[str, dict[int, str]]
) -> None:
    """Keep `name[3]=B` of an array parameter: ASP.NET's collection binder reads indexed keys
    (what PHP's http_build_query and Guzzle send) beside repeated ones. A repeated index keeps
    its first value, as a repeated scalar does."""
    base, bracket, rest = raw_key.partition("[")
    if not bracket or not rest.endswith("]") or not rest[:-1].isdigit() or len(rest) > 10:
        return
    key = spec.by_lower.get(base.lower())
    if key in spec.arrays and given != "":
        indexed.setdefault(key, {}).setdefault(int(rest[:-1]), given)


def _from_zero(items: dict[int, str]) -> list[str]:
    """The values of indices 0, 1, 2… up to the first one missing, as ASP.NET binds them."""
    found: list[str] = []
    while len(found) in items:
        found.append(items[len(found)])
    return found


@dataclass(frozen=True)
class QuerySpec:
    """What reading a query needs of its schema, worked out once per schema."""

    properties: dict[str, Any]
    by_lower: dict[str, str]  # parameter names by their lower-case spelling
    arrays: frozenset[str]  # parameters given as repeated keys
    instants: tuple[str, ...]  # date-time parameters


@lru_cache(maxsize=64)
def _query_spec(schemas: Schemas, name: str) -> QuerySpec:
    properties: dict[str, Any] = schemas.documents[name].get("properties", {})
    return QuerySpec(
        properties=properties,
        by_lower={key.lower(): key for key in properties},
        arrays=frozenset(k for k, p in properties.items() if p.get("type") == "array"),
        instants=tuple(k for k, p in properties.items() if p.get("format") == "date-time"),
    )


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
