"""The gunicorn worker: gthread, with its HTTP-level refusals in the contract's JSON envelope.

gunicorn refuses a request that does not parse as HTTP (a negative Content-Length, a malformed
header line, too many headers) before the app sees it, with an HTML page. Partners' clients
parse every error body as JSON, so this worker answers the same refusals, with the status
gunicorn chose, in the envelope, and then closes gracefully: it stops writing and reads what
the client still sends for a moment, so the answer is not lost to a connection reset.
"""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any

from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

from mock_gateway.contract.errors import JSON_TYPE, ApiError, InternalError

LINGER_SECONDS = 1.0
ACCEPT_PAUSE_S = 0.002
LINGER_BYTES = 1024 * 1024

# (status, reason) per refusal; anything else a parser raises is a 400
_REFUSALS: tuple[tuple[type[Exception], int, str], ...] = (
    (errors.LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    (errors.UnsupportedTransferCoding, 501, "Not Implemented"),
    (errors.ForbiddenProxyRequest, 403, "Forbidden"),
)


class JsonErrorWorker(ThreadWorker):  # type: ignore[misc]
    """gthread, answering gunicorn's own refusals in the contract's envelope."""

    def accept(self, server: Any, listener: Any) -> None:
        """Accept one connection; with other workers about, a worker that already holds a
        connection per thread pauses a moment first, so that the others take their share.

        Workers share one listening socket and whoever wakes first accepts. A client that
        opens its keep-alive connections in a burst (a load generator, a connection pool)
        could otherwise land all of them on one worker for good, and leave the others idle:
        measured with wrk's 16 connections on 2 workers, one run in three served at half speed.
        """
        if self.cfg.workers > 1 and self.nr_conns >= self.cfg.threads:
            time.sleep(ACCEPT_PAUSE_S)
        super().accept(server, listener)

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: Exception) -> None:
        status, reason, text = refusal(exc)
        if status >= 500:
            self.log.exception("Error handling request")
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        body = error_body(status, text)
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: {JSON_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            client.setblocking(True)
            client.sendall(head.encode("latin-1") + body)
            linger(client)


def refusal(exc: Exception) -> tuple[int, str, str]:
    """The status, reason phrase and message for an exception raised before the app."""
    for kind, status, reason in _REFUSALS:
        if isinstance(exc, kind):
            return status, reason, _describe(exc)
    if isinstance(exc, errors.ParseException):
        return 400, "Bad Request", _describe(exc)
    return 500, "Internal Server Error", ""


def error_body(status: int, text: str) -> bytes:
    if status >= 500:
        return InternalError().response().get_data()
    error = ApiError(text)
    error.status = status
    return error.response().get_data()


def _describe(exc: Exception) -> str:
    detail = str(exc).strip() or type(exc).__name__
    return f"The request is not valid HTTP: {detail}"[:300]


def linger(sock: socket.socket) -> None:
    """Stop writing, then read and discard for a moment: the client reads the answer, not a
    reset (the kernel resets a connection closed with unread bytes)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        received = 0
        while received < LINGER_BYTES:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            data = sock.recv(65536)
            if not data:
                break
            received += len(data)
