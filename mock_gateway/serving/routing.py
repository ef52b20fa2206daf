"""Before either lane sees a request: refuse a missing or malformed Host, or a path or query
that is not UTF-8; strip the base path and fold route segments' case; and around both lanes,
bound the request's waits on the store.

The real gateway answers under two base paths (stage and prod differ) and ASP.NET matches routes
case-insensitively, so `/b2bbuyergatewayapi/V2/Offers/X/b2bs` must reach the same view as
`/v2/offers/X/B2Bs`. Only the fixed segments of known routes are folded; path parameters
(barcodes, model numbers) keep their case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from mock_gateway.contract.errors import BadRequest
from mock_gateway.contract.inputs import kept_for_short_values, undecodable_part

BASE_PATHS = ("/b2bbuyergatewayapi", "/b2bbuyergateway")

# The emulated routes, one tuple of segments each; None marks a path parameter.
ROUTE_TEMPLATES: tuple[tuple[str | None, ...], ...] = (
    ("healthcheck",),
    ("v1_1", "offers"),
    ("v2", "offers", None, "stock-status"),
    ("v2", "offers", None, "items"),
    ("v2", "offers", None, "B2Bs"),
    ("v2", "offers", None, "cancel-items"),
    ("v2", "products", None, "images"),
    ("v2", "products", None, "rating"),
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def split_base_path(path: str) -> tuple[str, str]:
    """Return (base path, the rest); the base path is '' when the request has none."""
    lowered = path.lower()
    for base in BASE_PATHS:
        if lowered == base or lowered.startswith(base + "/"):
            return path[: len(base)], path[len(base) :] or "/"
    return "", path


def canonical_path(path: str) -> str:
    """Fold the fixed segments of a known route to their canonical spelling."""
    segments = path.strip("/").split("/")
    for template in ROUTE_TEMPLATES:
        if len(template) != len(segments):
            continue
        if all(
            t is None or t.lower() == s.lower() for t, s in zip(template, segments, strict=True)
        ):
            return "/" + "/".join(
                s if t is None else t for t, s in zip(template, segments, strict=True)
            )
    # not an emulated route (the control plane, the dashboard, a 404): left as it came, so
    # /__mock/ui/ keeps its slash
    return path


def _fold(path: str) -> tuple[str, str]:
    base, rest = split_base_path(path)
    return base, canonical_path(rest)


# (base path, the rest in canonical spelling) of a request path. Kept per path: a partner's
# traffic repeats a few hundred paths, and folding one costs more than answering a cached
# offers page (about 5 µs against 0.5 µs).
CACHED_PATH_LENGTH = 512
fold = kept_for_short_values(_fold, CACHED_PATH_LENGTH, 4096)


# A Host header as RFC 3986 writes an authority's host and port (a name or IPv4 address, or an
# IPv6 address in brackets); anything else (spaces, a path, user info) Kestrel refuses with 400.
_HOST = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
host_is_valid = kept_for_short_values(lambda host: _HOST.fullmatch(host) is not None, 256, 256)


def door_refusal(environ: dict[str, Any]) -> BadRequest | None:
    """The 400 of a request whose Host is missing (HTTP/1.1 requires it) or malformed, or
    whose path or query is not UTF-8 (what ASP.NET cannot bind; nothing may store it)."""
    host = environ.get("HTTP_HOST")
    if host is None:
        if environ.get("SERVER_PROTOCOL") == "HTTP/1.0":
            return None
        return BadRequest("The request has no Host header (HTTP/1.1 requires one)")
    if not host_is_valid(host):
        return BadRequest("The request's Host header is not a host name and port")
    part = undecodable_part(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
    if part is not None:
        return BadRequest(f"{part[0].upper()}{part[1:]} is not UTF-8 text")
    return None


def _mend_raw_path(environ: dict[str, Any]) -> None:
    """gunicorn reads a request target's bytes as latin-1, then percent-decodes it through
    UTF-8, so raw (unescaped) non-ASCII bytes in a path arrive double-encoded (`ç` as `Ã§`, and a
    stray 0xFF as valid text). Rebuild PATH_INFO from the bytes sent, as PEP 3333 hands them,
    so that the UTF-8 check and the routes see what the client sent."""
    raw = environ.get("RAW_URI", "")
    if raw.isascii() or environ.get("SCRIPT_NAME"):
        return
    target = raw.partition("?")[0]
    if "://" in target:  # absolute form: http://host/path
        target = "/" + target.partition("://")[2].partition("/")[2]
    environ["PATH_INFO"] = unquote_to_bytes(target.encode("latin-1", "replace")).decode("latin-1")


class PathNormalizer:
    """WSGI middleware: the first step of the pipeline, before auth and routing (and so
    before either lane): a bad Host is refused here, for both."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        _mend_raw_path(environ)
        refusal = door_refusal(environ)
        if refusal is not None:
            response: Iterable[bytes] = refusal.response()(environ, start_response)
            return response
        base, rest = fold(environ.get("PATH_INFO", "") or "/")
        if base:
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + base
        environ["PATH_INFO"] = rest
        return self.app(environ, start_response)


class StoreBound:
    """WSGI middleware around both lanes: a request's waits on the store, all together, end
    within the store's bound (MOCK_GATEWAY_STORE_TIMEOUT for Redis), then it is a 503."""

    def __init__(self, app: WsgiApp, services: Any) -> None:
        self.app = app
        self.store = services.store

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        with self.store.request_scope():
            return self.app(environ, start_response)
