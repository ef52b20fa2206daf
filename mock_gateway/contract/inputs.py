"""One parser per kind of input, shared by every entry point (the fast lane and the Flask views).

The real gateway is ASP.NET Core; these functions bind input the way it does (see the contract's
§2 rows on numbers, JSON bodies, dates and credentials). Each returns a value or None, or raises
one named ValueError (BadJson, the date's ValueError) for any input whatever: callers never need
a broad `except`, and no input reaches Python's own limits (int-string length, date range).

- Basic credentials: `basic_credentials(header)`.
- Int32 numbers, from a query string or a JSON string: `int32(text)`.
- ISO-8601 instants: `instant(text)` (in mock_gateway.clock, where the config and the control
  plane use it too; re-exported here).
- JSON bodies: `load_json(raw)` and `bind_json(value, schema, strict)`.
- Paths: `path_text(environ_path)`, the decoded text of a WSGI PATH_INFO; `undecodable_part`
  finds a path or query that is not UTF-8 (refused at the door).
- Query strings: `parse_query_string(raw)`, (name, value) pairs in order.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote_plus, unquote_to_bytes

from mock_gateway.clock import parse_instant as instant

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "BadJson",
    "NotAnInteger",
    "UnencodableText",
    "basic_credentials",
    "bind_json",
    "instant",
    "int32",
    "load_json",
    "parse_query_string",
    "parsed_size",
    "path_text",
    "undecodable_part",
]

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# .NET's NumberStyles.Integer: leading and trailing white space, an optional sign, ASCII digits.
# `[0-9]`, not `\d`: Python's \d and int() accept Arabic-Indic and other Unicode digits.
_INT32 = re.compile(r"[\t\n\v\f\r ]*([+-]?)0*([0-9]{1,10})[\t\n\v\f\r ]*", re.ASCII)


def int32(text: str) -> int | None:
    """The Int32 that `text` spells, or None (not a number, or outside Int32's range)."""
    match = _INT32.fullmatch(text)
    if match is None:
        return None
    value = int(match[2])
    if match[1] == "-":
        value = -value
    return value if INT32_MIN <= value <= INT32_MAX else None


def kept_for_short_values(function: Callable[P, R], max_length: int, size: int) -> Callable[P, R]:
    """`function` (pure, of request values), its answers kept for the values clients repeat on
    every request (a path, an Authorization or Host header), `size` of them at most.

    A call with a text argument over `max_length` characters is answered afresh and not kept,
    so a client inventing long values cannot grow the cache. (A closure: an object's __call__
    costs twice as much, and this runs several times a request.)
    """
    kept = lru_cache(maxsize=size)(function)

    def answer(*args: P.args, **kwargs: P.kwargs) -> R:
        for arg in args:
            if type(arg) is str and len(arg) > max_length:
                return function(*args, **kwargs)
        return kept(*args, **kwargs)  # type: ignore[arg-type]

    answer.cache_info = kept.cache_info  # type: ignore[attr-defined]
    return answer


CACHED_HEADER_LENGTH = 512


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """The (username, password) of an `Authorization: Basic …` header, or None.

    WSGI hands header values as latin-1 text; anything that is not base64 of UTF-8
    `user:password` with a non-empty user is None (a 401), whatever bytes it holds.
    """
    return _decoded_credentials(header) if header else None


def _decode_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    token = token.strip()
    if not token.isascii():
        return None
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    username, colon, password = decoded.partition(":")
    if not colon or not username:
        return None
    return username, password


_decoded_credentials = kept_for_short_values(_decode_credentials, CACHED_HEADER_LENGTH, 256)


def path_text(raw: str) -> str:
    """The text of a WSGI path (latin-1 code points standing for bytes), decoded as UTF-8.

    Werkzeug decodes the same way, so the fast lane and the Flask views see the same segments.
    A path that is not UTF-8 never gets here (`undecodable_part`, at the door); 'replace' only
    keeps this total for direct callers.
    """
    if raw.isascii():
        return raw
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


def undecodable_part(path: str, query: str) -> str | None:
    """Where a request's path or query holds bytes that are not UTF-8 text (so no text can
    stand for them: a stray byte, or a surrogate's encoding `%ED%A0%80`), or None.

    `path` is the WSGI PATH_INFO (already percent-decoded, bytes as latin-1 code points), `query`
    the raw QUERY_STRING. Both lanes and the control plane meet this check at the door, so text
    that UTF-8 cannot encode never reaches a store: it is not replaced by U+FFFD, it is refused.
    ASCII without '%' (almost every request) costs two str.isascii calls.
    """
    if not path.isascii() and not _is_utf8(path.encode("latin-1", "replace")):
        return "the path"
    if query.isascii() and "%" not in query:
        return None
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if not _is_utf8(_query_bytes(key)):
            return "a query parameter's name"
        if not _is_utf8(_query_bytes(value)):
            name = _query_bytes(key).decode("utf-8")
            return f"the query parameter '{name}'"
    return None


def _query_bytes(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")  # WSGI's latin-1 code points back to the bytes sent
    return unquote_to_bytes(raw.replace(b"+", b" ")) if b"%" in raw else raw


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BadJson(ValueError):
    """The body is not JSON (or holds a literal the gateway's parser refuses)."""


class NotAnInteger:
    """Stands for a JSON number that cannot bind to an integer (a fraction, an exponent, or
    more digits than any integer type holds): it fails every schema `integer` check."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _json_int(text: str) -> int | NotAnInteger:
    # int() of thousands of digits raises (Python's int-string limit); nothing needs them
    return int(text) if len(text) <= 20 else NotAnInteger(text)


def _json_constant(text: str) -> Any:
    raise BadJson(f"{text} is not JSON")  # System.Text.Json refuses NaN and Infinity literals


# one decoder, made once: json.loads with hooks would build a new one for every body
_DECODER = json.JSONDecoder(parse_int=_json_int, parse_constant=_json_constant)


def load_json(raw: bytes) -> Any:
    """Parse a JSON body (UTF-8, optional BOM); raise BadJson for anything that is not JSON.

    A repeated property: the last wins, as in System.Text.Json. Fractions stay floats; big
    integers become NotAnInteger, so no input reaches Python's int-string limit. A string
    escaping half of a surrogate pair (`"\\ud800"`) is text UTF-8 cannot encode: refused
    (UnencodableText), as System.Text.Json refuses it, so no such text is ever stored.
    """
    try:
        value = _DECODER.decode(raw.decode("utf-8-sig"))
    except BadJson:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadJson("not JSON") from None
    if _SURROGATE_ESCAPE.search(raw) is not None:  # rare: only then is the value walked
        where = _lone_surrogate(value, ())
        if where is not None:
            raise UnencodableText(where)
    return value


# What json.loads makes of a body, per structural byte: an empty dict or list (64 and 56 bytes),
# a list slot or dict entry per comma, a str object per pair of quotes. Measured against
# tracemalloc: within 25% of the parsed size, for state exports and for junk alike.
_BYTES_PER_CONTAINER, _BYTES_PER_COMMA, _BYTES_PER_QUOTE = 64, 16, 25


def parsed_size(raw: bytes) -> int:
    """About how many bytes of Python objects `raw` parses into, from a count of its brackets,
    commas and quotes (C-speed: 64 MB in about 50 ms), before any of them is made."""
    containers = raw.count(b"{") + raw.count(b"[")
    return (
        _BYTES_PER_CONTAINER * containers
        + _BYTES_PER_COMMA * raw.count(b",")
        + _BYTES_PER_QUOTE * raw.count(b'"')
    )


class UnencodableText(BadJson):
    """A JSON string (a name or a value) holding half of a surrogate pair."""

    def __init__(self, where: tuple[str | int, ...]) -> None:
        self.where = where
        super().__init__("a string UTF-8 cannot encode (half of a surrogate pair)")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: Any, where: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """Where in a parsed value a string holds a lone surrogate (a pair decodes to one
    character, so any surrogate left is alone), or None. Iterative: depth costs no stack."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, where)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return place
        elif isinstance(item, dict):
            for key, inner in item.items():
                if _SURROGATE.search(key):
                    return (*place, _SURROGATE.sub("\ufffd", key))
                stack.append((inner, (*place, key)))
        elif isinstance(item, list):
            stack.extend((inner, (*place, index)) for index, inner in enumerate(item))
    return None


def bind_json(value: Any, schema: dict[str, Any], strict: bool) -> Any:
    """Bind a parsed body to a schema as ASP.NET Core's web defaults do (unless `strict`).

    Web defaults: property names match case-insensitively (the last of several spellings wins)
    and integers may come as JSON strings ("2"). Either way a float for an integer property
    becomes NotAnInteger (System.Text.Json refuses 2.0 for an int). What does not bind stays as
    it is, for the schema check to name.
    """
    bind = compile_binder(schema, strict)
    return value if bind is None else bind(value)


Binder = Callable[[Any], Any]


def compile_binder(schema: dict[str, Any], strict: bool) -> Binder | None:
    """A function binding values of `schema` (None: they bind as they are). Compiled once per
    schema: bodies are bound on the hot path."""
    key = (id(schema), strict)
    if key not in _BINDERS:
        _BINDERS[key] = (schema, _compile(schema, strict))  # the schema keeps its id alive
    return _BINDERS[key][1]


_BINDERS: dict[tuple[int, bool], tuple[dict[str, Any], Binder | None]] = {}


def _compile(schema: dict[str, Any], strict: bool) -> Binder | None:
    if schema.get("type") == "integer":
        return _bind_integer_strict if strict else _bind_integer
    properties: dict[str, Any] = schema.get("properties") or {}
    if properties:
        return _object_binder(properties, strict)
    items = schema.get("items")
    if isinstance(items, dict):
        bind_item = _compile(items, strict)
        if bind_item is not None:
            return lambda value: (
                [bind_item(item) for item in value] if isinstance(value, list) else value
            )
    return None


def _object_binder(properties: dict[str, Any], strict: bool) -> Binder:
    binders: dict[str, Binder | None] = {
        name: _compile(spec, strict) for name, spec in properties.items()
    }
    converters = {name: b for name, b in binders.items() if b is not None}
    known = frozenset(binders)
    names: dict[str, str] = {name.lower(): name for name in properties}

    def bind(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if value.keys() <= known:  # the usual body: names as documented, nothing to rename
            for field, converter in converters.items():
                if field in value:
                    item = value[field]
                    converted = converter(item)
                    if converted is not item:
                        value = {**value, field: converted}
            return value
        bound: dict[str, Any] = {}
        key: str
        for key, item in value.items():
            name: str = key if strict or key in binders else names.get(key.lower(), key)
            bound.pop(name, None)  # the last spelling wins, in its place
            convert = binders.get(name)
            bound[name] = item if convert is None else convert(item)
        return bound

    return bind


def _bind_integer(value: Any) -> Any:
    if isinstance(value, float):
        return NotAnInteger(repr(value))
    if isinstance(value, str):
        number = int32(value)
        return value if number is None else number
    return value


def _bind_integer_strict(value: Any) -> Any:
    return NotAnInteger(repr(value)) if isinstance(value, float) else value


def parse_query_string(raw: str) -> list[tuple[str, str]]:
    """A query as (name, value) pairs, in order.

    Cheaper than werkzeug's MultiDict and parse_qsl: most partner queries (page numbers,
    barcodes) need no unquoting, so only parts with '%' or '+' go through unquote_plus.
    """
    if not raw:
        return []
    if not raw.isascii():  # WSGI hands raw bytes as latin-1; partners send UTF-8
        raw = raw.encode("latin-1").decode("utf-8", "replace")
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        if "%" in part or "+" in part:
            key, value = unquote_plus(key), unquote_plus(value)
        pairs.append((key, value))
    return pairs
