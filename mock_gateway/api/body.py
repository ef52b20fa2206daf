"""Request bodies: Content-Type (415), JSON parse (400), JSON-Schema validation (400)."""

from __future__ import annotations

from typing import Any

from flask import request

from mock_gateway.contract.errors import ApiError, BadBody, BadRequest, UnsupportedMediaType
from mock_gateway.contract.inputs import (
    BadJson,
    UnencodableText,
    bind_json,
    load_json,
    parsed_size,
)
from mock_gateway.contract.schemas import Schemas, location
from mock_gateway.state.services import services

MAX_DEPTH = 32
# The control plane takes bodies up to 1 GiB (whole state documents). A state export parses
# into about 3.4 times its size; a body that would parse into more than this many times its
# size is junk (a million `{}`s, short strings), refused before it is parsed.
CONTROL_PARSE_RATIO = 6
WEIGHED_FROM = 1024 * 1024  # smaller bodies cost little whatever their shape
JSON_TYPES = frozenset({"application/json", "text/json"})


def json_body(
    schema: str,
    error: type[ApiError] = BadRequest,
    strict: bool | None = None,
    control_plane: bool = False,
) -> Any:
    """Return the Flask request's body, bound and valid against `schema`.

    `strict` defaults to the JSON binding setting (the control plane always binds strictly).
    `control_plane`: read as the control plane reads: refusals of text UTF-8 cannot encode name the
    field, and a large body that would parse into more than CONTROL_PARSE_RATIO times its size
    is refused before it is parsed.
    """
    check_content_type(request.mimetype, request.content_length)
    svc = services()
    if strict is None:
        strict = svc.settings.json_binding == "strict"
    return parse_body(request_bytes(error), schema, svc.schemas, error, strict, control_plane)


def request_bytes(error: type[ApiError] = BadRequest) -> bytes:
    """The Flask request's body bytes; a body that cannot be read is the route's 400."""
    try:
        data: bytes = request.get_data(cache=True)
    except OSError:  # a malformed chunked body (gunicorn's InvalidChunkSize is an IOError)
        raise _as(error, BadBody().texts[0]) from None
    return data


def check_content_type(mimetype: str, content_length: int | None) -> None:
    """A body must be JSON (415 otherwise); an empty body is left to the parser's 400.
    `text/json` is JSON too: ASP.NET's JSON input formatter accepts it."""
    if content_length != 0 and not (mimetype in JSON_TYPES or mimetype.endswith("+json")):
        raise UnsupportedMediaType(
            f"Content-Type must be application/json, not {mimetype or 'missing'!r}"
        )


def parse_body(
    raw: bytes,
    schema: str,
    schemas: Schemas,
    error: type[ApiError],
    strict: bool,
    control_plane: bool = False,
) -> Any:
    """Parse, bind and check a body; raise the route's error shape (400 or the bare-array 400)."""
    if (
        control_plane
        and len(raw) > WEIGHED_FROM
        and parsed_size(raw) > CONTROL_PARSE_RATIO * len(raw)
    ):
        raise _as(
            error,
            f"body holds more JSON values than a document of its size could: it would take "
            f"more than {CONTROL_PARSE_RATIO} times its size to read; nothing was changed",
        )
    try:
        body = load_json(raw)
    except UnencodableText as bad:
        if not control_plane:  # the emulated API answers as the real gateway's parser does
            raise _as(error, BadBody().texts[0]) from None
        raise _as(error, f"{location(bad.where)}: {bad}; nothing was changed") from None
    except BadJson:
        raise _as(error, BadBody().texts[0]) from None
    # too deep takes more than MAX_DEPTH opening brackets: most bodies have far fewer, and
    # counting them is cheaper than walking the parsed value
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _too_deep(body):
        raise _as(error, f"body is nested deeper than {MAX_DEPTH} levels")
    body = bind_json(body, schemas.documents[schema], strict)
    problems = schemas.errors(schema, body)
    if problems:
        raise error(*problems)
    return body


def _as(error: type[ApiError], text: str) -> ApiError:
    return error(text)


def _too_deep(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, dict):
        return any(_too_deep(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_too_deep(v, depth + 1) for v in value)
    return False
