"""The app-level request pipeline around the emulated API, in one place and in this order:

    (base path and case folding: routing.PathNormalizer, before Flask sees the request)
    -> faults (latency, a forced status, a dropped connection) -> User-Agent (when required)
    -> auth -> a `buyerCode` query naming another buyer (403) -> rate limit
    -> route (404/405) -> Content-Type, JSON parse and schema validation (in the views)
    -> journal entry and access-log line for every response.

The control plane (/__mock/) and the image files (/media/) skip faults and auth; the control
plane's changes are journaled after they are made (`plane=control`), its reads are not.
Successful offers, stock-status and purchase requests are answered before Flask by the fast
lane (mock_gateway.serving.fastlane), which shares the answer functions and record_exchange below.
This runs on every request, so it reads the request and the services once each.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, g, redirect, request

from mock_gateway.api.auth import authenticate, check_query_buyer, check_user_agent
from mock_gateway.contract.errors import (
    ApiError,
    InternalError,
    ServiceUnavailable,
    TooManyRequests,
    UriTooLong,
)
from mock_gateway.contract.inputs import basic_credentials
from mock_gateway.state import commands
from mock_gateway.state.services import Services
from mock_gateway.state.store import StoreUnavailable

PUBLIC_ENDPOINTS = frozenset({"api.healthcheck", "api.media"})


def install(app: Flask) -> None:
    """Register the pipeline's hooks on the app."""
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(ConnectionDropped, lambda _: Response(b"", status=499))


def _skips_pipeline(path: str) -> bool:
    return path.startswith(("/__mock/", "/media/")) or path == "/__mock"


# The request-line limits, in characters as the server hands them over (the path decoded to
# bytes, the query as sent). gunicorn's own cap is off (its refusal is HTML); these are stated
# in the OpenAPI document, whose parameter bounds always fit them (mock_gateway.contract.openapi).
MAX_PATH = 2048
MAX_QUERY = 32768


def _before() -> None:
    req = request._get_current_object()  # type: ignore[attr-defined]
    g.started = time.perf_counter()
    environ = req.environ
    if len(environ.get("PATH_INFO", "")) > MAX_PATH:
        raise UriTooLong(f"The path is longer than {MAX_PATH} characters")
    if len(environ.get("QUERY_STRING", "")) > MAX_QUERY:
        raise UriTooLong(f"The query string is longer than {MAX_QUERY} characters")
    svc: Services = current_app.extensions["mock_gateway"]
    if req.path == "/" and req.method == "GET" and svc.settings.control_plane:
        from mock_gateway.control.dashboard import wants_html

        if wants_html():  # a browser at the root: the dashboard (API clients get today's 404)
            return redirect("/__mock/ui/", code=302)  # type: ignore[return-value]
    failed: StoreUnavailable | None = environ.pop("mock_gateway.store_failed", None)
    if failed is not None:  # met in the fast lane: the same 503, the same words
        raise failed
    if not environ.get("mock_gateway.synced") and not req.path.startswith("/__mock/ui"):
        svc.store.sync()  # a shared store: what other processes changed, before reading
    if _skips_pipeline(req.path):
        if req.method not in READS:  # the mock time the change was asked at (not after it)
            g.control_time = svc.clock.now()
        saver = svc.saver
        if saver is not None:  # control-plane changes are saved too
            saver.ensure_started()
        return
    g.svc = svc
    g.journaled = True
    if svc.saver is not None:
        svc.saver.ensure_started()
    if svc.faults.active:
        credentials = basic_credentials(environ.get("HTTP_AUTHORIZATION"))
        claimed = credentials[0] if credentials is not None else None
        decision = svc.store.run(
            commands.decide_faults, method=req.method, path=req.path, buyer=claimed
        )
        g.fault = fault_words(decision)
        if decision.delay_s:
            time.sleep(decision.delay_s)
        if decision.drop:
            _drop_connection(req.environ)
        if decision.status is not None:
            raise _fault_error(decision.status, decision.retry_after)
    if req.endpoint in PUBLIC_ENDPOINTS or req.method == "OPTIONS":
        return  # no route takes OPTIONS: routing answers 405 with Allow, credentials or not
    check_user_agent(svc, environ)
    buyer = authenticate()
    check_query_buyer(buyer, environ.get("QUERY_STRING", ""))
    limit = svc.rate_limiter.limit
    if limit is not None and req.endpoint is not None:
        retry = svc.store.run(commands.check_rate, buyer=buyer, endpoint=req.endpoint)
        if retry is not None:
            raise TooManyRequests(
                f"Rate limit exceeded: at most {limit.requests} requests per "
                f"{limit.window_seconds:g} s per endpoint; retry after {retry} s",
                headers={"Retry-After": str(retry)},
            )


def fault_words(decision: Any) -> str | None:
    """What the fault rules did to a request, in words, for its journal entry."""
    if not decision.rule_ids:
        return None
    done = []
    if decision.delay_s:
        done.append(f"delayed {decision.delay_s * 1000:.0f} ms")
    if decision.drop:
        done.append("connection dropped")
    elif decision.status is not None:
        done.append(f"answered {decision.status}")
    rules = ", ".join(str(i) for i in decision.rule_ids)
    return f"{' and '.join(done) or 'matched'} by fault rule {rules}"


# Control-plane changes whose request body is not journaled: a buyer's holds a password, a
# state import is a whole document (the entry says it was imported; the export shows it)
UNJOURNALED_BODIES = ("/__mock/buyers", "/__mock/state")
READS = frozenset({"GET", "HEAD", "OPTIONS"})
UNJOURNALED_CHANGES = frozenset({"/__mock/journal"})  # clearing the journal is not a step


def _journal_control_change(req: Any, response: Response) -> None:
    """A change made through the control plane joins the journal, in order with the
    requests: clock moves, cut-offs, resets, imports and faults are part of a test's story.
    Its time is the mock time it was asked at (a clock move's entry stands before the move)."""
    svc: Services = current_app.extensions["mock_gateway"]
    path = req.path
    body = b"" if path.startswith(UNJOURNALED_BODIES) else _request_body(req)
    record_exchange(
        svc,
        method=req.method,
        path=path,
        query=req.environ.get("QUERY_STRING", ""),
        body=body if svc.journal.enabled else b"",
        status=response.status_code,
        response=_response_body(response) if svc.journal.enabled else b"",
        started=g.get("started", time.perf_counter()),
        buyer=None,
        at=g.control_time,
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


def _drop_connection(environ: dict[str, Any]) -> None:
    """Close the client's connection without an answer (gunicorn, or the plugin's server)."""
    sock: Any = environ.get("gunicorn.socket") or environ.get("mock_gateway.socket")
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
    req = request._get_current_object()  # type: ignore[attr-defined]
    if not g.get("journaled"):  # the control plane and images: a log line; changes journaled
        svc: Services = current_app.extensions["mock_gateway"]
        if g.get("control_time") is not None and req.path not in UNJOURNALED_CHANGES:
            _journal_control_change(req, response)  # its entry and its log line
            return response
        # readiness polls (the container's health check, every second) would drown the log
        if svc.settings.log_format != "off" and req.path != "/__mock/ready":
            elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
            path = req.script_root + req.path
            _log(svc.settings.log_format, req.method, path, response.status_code, elapsed, None)
        return response
    record_exchange(
        g.svc,
        method=req.method,
        path=req.script_root + req.path,
        query=req.environ.get("QUERY_STRING", ""),
        body=_request_body(req) if g.svc.journal.enabled else b"",
        status=response.status_code,
        response=_response_body(response) if g.svc.journal.enabled else b"",
        started=g.get("started", time.perf_counter()),
        buyer=g.get("buyer"),
        fault=g.get("fault"),
    )
    return response


def record_exchange(
    svc: Services,
    *,
    method: str,
    path: str,
    query: str,
    body: bytes,
    status: int,
    response: bytes | str,
    started: float,
    buyer: str | None,
    fault: str | None = None,
    at: datetime | None = None,
) -> None:
    """The journal entry and the access-log line of one answered request (every entry point)."""
    duration_ms = (time.perf_counter() - started) * 1000
    if svc.journal.enabled:
        svc.journal.record(
            time=at or svc.clock.now(),
            buyer=buyer,
            method=method,
            path=path,
            query=query,
            body=body,
            status=status,
            response=response,
            duration_ms=duration_ms,
            fault=fault,
        )
    log_format = svc.settings.log_format
    if log_format != "off":
        _log(log_format, method, path, status, duration_ms, buyer)


def _log(fmt: str, method: str, path: str, status: int, ms: float, buyer: str | None) -> None:
    """One line per request on stderr, written directly: the logging module's record and
    handler machinery cost more than the rest of a stock-status request."""
    if fmt == "json":  # json.dumps escapes control characters (and lone surrogates)
        fields = {"method": method, "path": path, "status": status, "buyer": buyer}
        line = json.dumps({**fields, "durationMs": round(ms, 2)})
    else:
        line = f"{method} {path} {status} {ms:.1f}ms buyer={buyer or '-'}"
        if not line.isprintable():  # a %0A in a path must not start a forged line
            line = _escaped(line)
    with contextlib.suppress(OSError, ValueError):  # a broken stderr must not fail a request
        stream = sys.stderr
        if stream is sys.__stderr__:  # the process's own stderr: one write, no text layer
            os.write(2, (line + "\n").encode())
        else:  # swapped (test runners capture it)
            stream.write(line + "\n")


def _escaped(text: str) -> str:
    """The text with every character that is not printable (line breaks, escape sequences,
    lone surrogates) written as a Python escape."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _request_body(req: Any) -> bytes:
    if not req.content_length and "chunked" not in req.environ.get("HTTP_TRANSFER_ENCODING", ""):
        return b""
    try:
        data: bytes = req.get_data(cache=True)
        return data
    except Exception:  # an oversized or broken body was already answered; record nothing
        return b""


def _response_body(response: Response) -> bytes | str:
    if response.direct_passthrough or not (response.mimetype or "").endswith("json"):
        return f"<{response.content_length or 0} bytes of {response.mimetype}>"
    return response.get_data()
