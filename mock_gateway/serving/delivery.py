"""Refusals that arrive: read what is left of a request body before answering.

A server that answers early (413, 401, 415, a 403 before the body is read) and then closes
with body bytes still unread makes the kernel reset the connection, and a client still writing
(Python's urllib and requests, PHP's Guzzle: they write the whole body before reading) sees a
broken pipe or a reset instead of the answer. So every answer to a request with a body first
drains what the app did not read, up to DRAIN_LIMIT bytes and DRAIN_SECONDS, as nginx's
lingering close does. Past either bound the connection is closed anyway (a client sending that
much after a refusal is not one a mock must serve).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

DRAIN_LIMIT = 64 * 1024 * 1024
DRAIN_SECONDS = 5.0
_CHUNK = 64 * 1024


class CountingInput:
    """wsgi.input, counting what the app reads."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.read_bytes = 0
        self.exhausted = False

    def read(self, size: int = -1) -> bytes:
        data: bytes = (
            self.stream.read(size) if size is not None and size >= 0 else self.stream.read()
        )
        self.read_bytes += len(data)
        if not data or size is None or size < 0:
            self.exhausted = True
        return data

    def readline(self, size: int = -1) -> bytes:
        data: bytes = self.stream.readline(size)
        self.read_bytes += len(data)
        if not data:
            self.exhausted = True
        return data

    def __iter__(self) -> Any:
        return iter(self.readline, b"")


class BodyDrain:
    """WSGI middleware, outermost: drain an unread request body before the answer goes out."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or ""
        declared = int(length) if length.isdigit() and len(length) < 19 else 0
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not declared and not chunked:  # no body (every GET): nothing to drain
            return self.app(environ, start_response)
        counting = CountingInput(environ["wsgi.input"])
        environ["wsgi.input"] = counting
        result = self.app(environ, start_response)
        if not counting.exhausted and (chunked or counting.read_bytes < declared):
            _drain(environ, counting, None if chunked else declared - counting.read_bytes)
        return result


def _drain(environ: dict[str, Any], body: CountingInput, remaining: int | None) -> None:
    """Read and discard the rest of the body, within the bounds; never raise."""
    sock: Any = environ.get("gunicorn.socket") or environ.get("mock_gateway.socket")
    budget = DRAIN_LIMIT if remaining is None else min(remaining, DRAIN_LIMIT)
    deadline = time.monotonic() + DRAIN_SECONDS
    previous = sock.gettimeout() if isinstance(sock, socket.socket) else None
    with contextlib.suppress(Exception):  # a client gone or too slow: nothing more to do
        if isinstance(sock, socket.socket):
            sock.settimeout(DRAIN_SECONDS)
        while budget > 0 and time.monotonic() < deadline:
            data = body.read(min(_CHUNK, budget))
            if not data:
                break
            budget -= len(data)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.settimeout(previous)
