"""The app-level request pipeline around the emulated API, in one place and in this order:

    (base path and case folding: routing.PathNormalizer, before Flask sees the request)
    -> faults (latency, a forced status, a dropped connection) -> auth -> rate limit
    -> route (404/405) -> Content-Type, JSON parse and schema validation (in the views)
    -> journal entry and access-log line for every response.

The control plane (/__mock/) and the image files (/media/) skip faults, auth and the journal.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
import time
from typing import Any

from flask import Flask, Response, g, request

from mock_gateway.api.auth import authenticate
from mock_gateway.errors import ApiError, InternalError, ServiceUnavailable, TooManyRequests
from mock_gateway.services import services

PUBLIC_ENDPOINTS = frozenset({"api.healthcheck", "api.media"})
access_log = logging.getLogger("mock_gateway.access")


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever sys.stderr is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _setup_access_log() -> None:
    if not access_log.handlers:
        access_log.addHandler(_CurrentStderr())
        access_log.setLevel(logging.INFO)
        access_log.propagate = False


def install(app: Flask) -> None:
    """Register the pipeline's hooks on the app."""
    _setup_access_log()
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(ConnectionDropped, lambda _: Response(b"", status=499))


def _skips_pipeline(path: str) -> bool:
    return path.startswith("/__mock/") or path == "/__mock" or path.startswith("/media/")


def _before() -> None:
    g.started = time.perf_counter()
    if _skips_pipeline(request.path):
        return
    svc = services()
    auth = request.authorization
    claimed = auth.username if auth is not None and auth.type == "basic" else None
    decision = svc.faults.decide(request.method, request.path, claimed)
    if decision.delay_s:
        time.sleep(decision.delay_s)
    if decision.drop:
        _drop_connection()
    if decision.status is not None:
        raise _fault_error(decision.status, decision.retry_after)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    buyer = authenticate()
    limit = svc.rate_limiter.limit
    if limit is not None and request.endpoint is not None:
        retry = svc.rate_limiter.check(buyer, request.endpoint)
        if retry is not None:
            raise TooManyRequests(
                f"Rate limit exceeded: at most {limit.requests} requests per "
                f"{limit.window_seconds:g} s per endpoint; retry after {retry} s",
                headers={"Retry-After": str(retry)},
            )


def _fault_error(status: int, retry_after: int | None) -> ApiError:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if status == 500:
        return InternalError()
    if status == 429:
        return TooManyRequests("Too many requests (injected fault)", headers=headers)
    error = ServiceUnavailable("Service unavailable (injected fault)", headers=headers)
    error.status = status
    return error


def _drop_connection() -> None:
    """Close the client's connection without an answer (gunicorn, or the plugin's server)."""
    sock: Any = request.environ.get("gunicorn.socket") or request.environ.get("mock_gateway.socket")
    if sock is None:
        raise InternalError()  # no socket to drop under the test client: the closest failure
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    raise ConnectionDropped()


class ConnectionDropped(Exception):
    """The connection was closed on purpose; nothing is sent."""


def _after(response: Response) -> Response:
    if _skips_pipeline(request.path):
        return response
    svc = services()
    duration_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    buyer = g.get("buyer")
    path = request.script_root + request.path
    if svc.journal.enabled:
        svc.journal.record(
            time=svc.clock.now(),
            buyer=buyer,
            method=request.method,
            path=path,
            query=request.query_string.decode("latin-1"),
            body=_request_text(),
            status=response.status_code,
            response=_response_text(response),
            duration_ms=duration_ms,
        )
    _log(request.method, path, response.status_code, duration_ms, buyer)
    return response


def _log(method: str, path: str, status: int, duration_ms: float, buyer: str | None) -> None:
    settings = services().settings
    if settings.log_format == "off":
        return
    if settings.log_format == "json":
        line = json.dumps(
            {
                "method": method,
                "path": path,
                "status": status,
                "durationMs": round(duration_ms, 2),
                "buyer": buyer,
            }
        )
    else:
        line = f"{method} {path} {status} {duration_ms:.1f}ms buyer={buyer or '-'}"
    access_log.info(line)


def _request_text() -> str:
    try:
        return request.get_data(cache=True, as_text=True)
    except Exception:  # an oversized or broken body was already answered; record nothing
        return ""


def _response_text(response: Response) -> str:
    if response.direct_passthrough or not (response.mimetype or "").endswith("json"):
        return f"<{response.content_length or 0} bytes of {response.mimetype}>"
    return response.get_data(as_text=True)
