"""The gunicorn worker: gthread, reading each request whole before a thread sees it, with its
HTTP-level refusals in the contract's JSON envelope.

gunicorn 23's gthread hands a connection to a thread as soon as its first byte can be read, and
parks a new connection in its poller with no timeout, counted against `worker_connections`
(benoitc/gunicorn#3407): silent connections wedged the server for good, and one-byte-a-second
senders held every thread. Here the event loop reads each request (header block and body, as
framed by serving/intake.py) into memory, without blocking, under limits modelled on Kestrel's,
the server in front of the real gateway:

- a connection with no request under way (new, or kept alive) is closed after `keepalive`
  seconds (5) of silence;
- a request's header block must arrive within REQUEST_HEADERS_TIMEOUT_S (30 s, Kestrel's
  RequestHeadersTimeout) of its first byte;
- its body at MIN_BODY_BYTES_PER_S (240 bytes/s, Kestrel's MinRequestBodyDataRate) on average,
  once BODY_GRACE_S (5 s) have passed;
- the requests being read hold at most MAX_BUFFERED_BYTES between them.

A request over those limits is answered 408 (503 for the buffer) in the envelope and closed.
Only a whole request reaches a thread, so threads do nothing but the app's work and write the
answer (with a socket timeout of THREAD_IO_TIMEOUT_S, for a client that does not read).

gunicorn refuses a request that does not parse as HTTP (a negative Content-Length, a malformed
header line, too many headers) before the app sees it, with an HTML page. Partners' clients
parse every error body as JSON, so this worker answers the same refusals, with the status
gunicorn chose, in the envelope, and then closes gracefully: it stops writing and reads what
the client still sends for a moment, so the answer is not lost to a connection reset.
"""

from __future__ import annotations

import contextlib
import errno
import resource
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn import http
from gunicorn.http import errors
from gunicorn.workers.gthread import TConn, ThreadWorker

from mock_gateway.contract.errors import JSON_TYPE, ApiError, InternalError
from mock_gateway.serving.intake import Framing, Verdict

REQUEST_HEADERS_TIMEOUT_S = 30.0
MIN_BODY_BYTES_PER_S = 240
BODY_GRACE_S = 5.0
MAX_BUFFERED_BYTES = 64 * 1024 * 1024
THREAD_IO_TIMEOUT_S = 10.0
READ_BYTES = 65536
SWEEP_EVERY_S = 0.25
LINGER_SECONDS = 1.0
ACCEPT_PAUSE_S = 0.002
LINGER_BYTES = 1024 * 1024

# (status, reason) per refusal; anything else a parser raises is a 400
_REFUSALS: tuple[tuple[type[Exception], int, str], ...] = (
    (errors.LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    (errors.UnsupportedTransferCoding, 501, "Not Implemented"),
    (errors.ForbiddenProxyRequest, 403, "Forbidden"),
)


class Intake(TConn):  # type: ignore[misc]
    """A connection, and the request it is sending, as the event loop reads it."""

    def __init__(self, cfg: Any, sock: socket.socket, client: Any, server: Any) -> None:
        super().__init__(cfg, sock, client, server)
        self.parser: Any = None
        self.pending = bytearray()  # bytes received, not yet handed to the parser
        self.framing: Framing | None = None
        self.started = 0.0  # when the request's first byte came (0: none yet)
        self.head_done = 0.0  # when its header block was whole (0: not yet)
        self.whole = False  # the request handed to a thread was read whole
        self.continued = False  # "100 Continue" was sent for this request

    def init(self) -> None:
        """Hand over to a thread: blocking with a timeout, and the bytes read so far."""
        self.initialized = True
        self.sock.settimeout(THREAD_IO_TIMEOUT_S)
        if self.parser is None:
            self.parser = http.RequestParser(self.cfg, self.sock, self.client)
        self.parser.unreader.unread(bytes(self.pending))
        self.pending.clear()

    def next_request(self, max_body: int, idle_s: float) -> None:
        """Wait for the next request: what the parser read beyond the last one comes first."""
        if self.parser is not None:
            unreader = self.parser.unreader
            self.pending[:0] = unreader.buf.getvalue()
            unreader.buf.seek(0)
            unreader.buf.truncate()
        self.framing = Framing(max_body)
        self.started = self.head_done = 0.0
        self.whole = self.continued = False
        self.timeout = time.monotonic() + idle_s

    def verdict(self) -> str:
        assert self.framing is not None
        return self.framing.verdict(self.pending)


class JsonErrorWorker(ThreadWorker):  # type: ignore[misc]
    """gthread reading whole requests in its event loop, answering gunicorn's own refusals in
    the contract's envelope."""

    def run(self) -> None:
        services = getattr(self.wsgi, "extensions", {}).get("mock_gateway")
        self.max_body = services.settings.max_body_bytes if services else 1024 * 1024
        self.reading: set[Intake] = set()  # connections in the event loop, with deadlines
        self.buffered = 0  # bytes held in their `pending` between them
        self.next_sweep = 0.0
        _raise_file_limit()
        super().run()

    def accept(self, server: Any, listener: Any) -> None:
        """Accept one connection and read its first request in the event loop; with other
        workers about, a worker that already holds a connection per thread pauses a moment
        first, so that the others take their share.

        Workers share one listening socket and whoever wakes first accepts. A client that
        opens its keep-alive connections in a burst (a load generator, a connection pool)
        could otherwise land all of them on one worker for good, and leave the others idle:
        measured with wrk's 16 connections on 2 workers, one run in three served at half speed.
        """
        if self.cfg.workers > 1 and self.nr_conns >= self.cfg.threads:
            time.sleep(ACCEPT_PAUSE_S)
        try:
            sock, client = listener.accept()
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE):
                self.log.warning("No file descriptor left for a new connection: %s", error)
                self._close_oldest_idle()
            elif error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = Intake(self.cfg, sock, client, server)
        self.nr_conns += 1
        self._read_next(conn)

    def _read_next(self, conn: Intake) -> None:
        conn.sock.setblocking(False)
        conn.next_request(self.max_body, self.cfg.keepalive)
        with self._lock:
            self.reading.add(conn)
            self.buffered += len(conn.pending)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._receive, conn))

    def _stop_reading(self, conn: Intake) -> None:
        with self._lock:
            self.reading.discard(conn)
            self.buffered -= len(conn.pending)
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(conn.sock)

    def _receive(self, conn: Intake, sock: socket.socket) -> None:
        """Read what the connection has sent; hand its request to a thread once it is whole."""
        try:
            data = sock.recv(READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client is gone, or will send no more of a request not yet whole
            self._drop(conn, answer=None)
            return
        now = time.monotonic()
        if not conn.started:
            conn.started = now
        conn.pending += data
        self.buffered += len(data)
        if self.buffered > MAX_BUFFERED_BYTES:
            self._drop(conn, answer=(503, "The mock is reading too many requests at once; retry"))
            return
        verdict = conn.verdict()
        framing = conn.framing
        assert framing is not None
        if framing.head_end >= 0 and not conn.head_done:
            conn.head_done = now
        if verdict == Verdict.WAIT:
            if framing.expects_continue and conn.head_done and not conn.continued:
                conn.continued = True  # the client waits for this before its body
                with contextlib.suppress(OSError):
                    sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self._stop_reading(conn)
        conn.whole = verdict == Verdict.WHOLE
        self.enqueue_req(conn)

    def murder_keepalived(self) -> None:
        """Close the connections that broke a time limit (the loop calls this after every
        event; the connections are looked over SWEEP_EVERY_S at most)."""
        now = time.monotonic()
        if now < self.next_sweep:
            return
        self.next_sweep = now + SWEEP_EVERY_S
        for conn in list(self.reading):
            if not conn.started:
                if now > conn.timeout:  # silent: no request under way
                    self._drop(conn, answer=None)
            elif not conn.head_done:
                if now - conn.started > REQUEST_HEADERS_TIMEOUT_S:
                    seconds = f"{REQUEST_HEADERS_TIMEOUT_S:g}"
                    self._drop(conn, (408, f"The request headers did not arrive in {seconds} s"))
            else:
                elapsed = now - conn.head_done
                framing = conn.framing
                received = framing.body_received(conn.pending) if framing else 0
                if elapsed > BODY_GRACE_S and received < MIN_BODY_BYTES_PER_S * elapsed:
                    text = f"The request body arrived slower than {MIN_BODY_BYTES_PER_S} bytes/s"
                    self._drop(conn, (408, text))

    def _close_oldest_idle(self) -> None:
        """Out of file descriptors: make room by closing the connection silent the longest."""
        idle = [conn for conn in self.reading if not conn.started]
        if idle:
            self._drop(min(idle, key=lambda conn: conn.timeout), answer=None)
        else:
            time.sleep(0.01)  # nothing to close: do not spin on the listener

    def _drop(self, conn: Intake, answer: tuple[int, str] | None) -> None:
        """Stop reading a connection and close it, first answering in the envelope if asked."""
        self._stop_reading(conn)
        if answer is not None:
            status, text = answer
            with contextlib.suppress(OSError):
                body = error_body(status, text)
                conn.sock.send(_head(status, _REASONS[status], len(body)) + body)
                conn.sock.shutdown(socket.SHUT_WR)
                while conn.sock.recv(READ_BYTES):  # what is already here, without waiting
                    pass
        self.nr_conns -= 1
        conn.close()

    def finish_request(self, fs: Any) -> None:
        if fs.cancelled():
            self.nr_conns -= 1
            fs.conn.close()
            return
        try:
            keepalive, conn = fs.result()
            if keepalive and self.alive:
                self._read_next(conn)
            else:
                self.nr_conns -= 1
                conn.close()
        except Exception:
            self.nr_conns -= 1
            fs.conn.close()

    def handle_request(self, req: Any, conn: Intake) -> bool:
        if conn.continued:  # answered already, before the body came: gunicorn must not again
            req.headers = [(name, value) for name, value in req.headers if name != "EXPECT"]
        return bool(super().handle_request(req, conn))

    def handle(self, conn: Intake) -> tuple[bool, Intake]:
        """Answer the request handed over, and those pipelined whole behind it."""
        while True:
            keepalive, conn = super().handle(conn)
            if not keepalive or not conn.whole:
                return False, conn  # a request not read whole may still be arriving: close
            body = conn.parser.mesg.body  # what the app left unread is already here
            while body.read(READ_BYTES):
                pass
            conn.next_request(self.max_body, self.cfg.keepalive)
            verdict = conn.verdict()
            if verdict == Verdict.WAIT:
                return True, conn
            conn.whole = verdict == Verdict.WHOLE
            conn.init()

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: Exception) -> None:
        status, reason, text = refusal(exc)
        if status >= 500:
            self.log.exception("Error handling request")
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        body = error_body(status, text)
        with contextlib.suppress(OSError):
            client.settimeout(LINGER_SECONDS)
            client.sendall(_head(status, reason, len(body)) + body)
            linger(client)


_REASONS = {408: "Request Timeout", 503: "Service Unavailable"}


def _head(status: int, reason: str, length: int) -> bytes:
    return (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {JSON_TYPE}\r\nContent-Length: {length}\r\n\r\n"
    ).encode("latin-1")


def _raise_file_limit() -> None:
    """Let the worker hold as many connections as the system allows it (silent ones are
    cheap here, and closed on time)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


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
