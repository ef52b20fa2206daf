"""The gunicorn worker: gthread, reading each request whole before a thread sees it, with its
HTTP-level refusals in the contract's JSON envelope.

gunicorn 23's gthread hands a connection to a thread as soon as its first byte can be read, and
parks a new connection in its poller with no timeout, counted against `worker_connections`
(benoitc/gunicorn#3407): silent connections wedged the server for good, and one-byte-a-second
senders held every thread. Here no thread ever waits on a client: when a connection has bytes,
a thread reads what is there without blocking and either answers the request, once it is whole
(framed by serving/intake.py), or gives the connection back to the event loop. The loop closes
connections that break a limit modelled on Kestrel's, the server in front of the real gateway:

- a connection with no request under way (new, or kept alive) is closed after `keepalive`
  seconds (5) of silence;
- a request's header block must arrive within REQUEST_HEADERS_TIMEOUT_S (30 s, Kestrel's
  RequestHeadersTimeout) of its first byte;
- its body at MIN_BODY_BYTES_PER_S (240 bytes/s, Kestrel's MinRequestBodyDataRate) on average,
  once BODY_GRACE_S (5 s) have passed;
- the requests waiting part-read hold at most MAX_BUFFERED_BYTES between them.

A request over those limits is answered 408 (503 for the buffer) in the envelope and closed.
Control-plane bodies (state imports) are read in the loop up to the buffer; a larger one is
handed to gunicorn's parser once its headers are whole, as before; the kernel's socket timeouts
(THREAD_IO_TIMEOUT_S) then bound each read, and each write to a client that does not read.

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
import select
import selectors
import socket
import struct
import time
from concurrent import futures
from functools import partial
from typing import Any

from gunicorn import http
from gunicorn.http import errors
from gunicorn.workers.gthread import TConn, ThreadWorker

from mock_gateway.contract.errors import JSON_TYPE, ApiError, InternalError
from mock_gateway.serving.intake import MAX_HEAD_BYTES, Framing, Verdict

REQUEST_HEADERS_TIMEOUT_S = 30.0
MIN_BODY_BYTES_PER_S = 240
BODY_GRACE_S = 5.0
MAX_BUFFERED_BYTES = 64 * 1024 * 1024
THREAD_IO_TIMEOUT_S = 10.0
READ_BYTES = 65536
SWEEP_EVERY_S = 0.25
HEARTBEAT_S = 1.0  # gunicorn's master restarts a worker silent for `timeout` (30 s)
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
    """A connection, and the request it is sending, read without blocking until it is whole."""

    def __init__(self, cfg: Any, sock: socket.socket, client: Any, server: Any) -> None:
        super().__init__(cfg, sock, client, server)
        # Blocking, with the kernel's timeouts: a thread writing to a client that does not
        # read, or a parser waiting on a client that stopped, gives up after THREAD_IO_TIMEOUT_S.
        # (Python's own socket timeout would poll before every send and recv.) Reads that
        # must not wait pass MSG_DONTWAIT.
        sock.setblocking(True)
        timeval = struct.pack("ll", int(THREAD_IO_TIMEOUT_S), 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
        self.parser: Any = None
        self.pending = bytearray()  # bytes received, not yet handed to the parser
        self.framing = Framing(0)
        self.started = 0.0  # when the request's first byte came (0: none yet)
        self.head_done = 0.0  # when its header block was whole (0: not yet)
        self.whole = False  # the request handed to the parser was read whole
        self.continued = False  # "100 Continue" was sent for this request

    def next_request(self, limits: tuple[int, int], idle_s: float) -> None:
        """Read the next request: what the parser read beyond the last one comes first."""
        if self.parser is not None:
            unreader = self.parser.unreader
            self.pending[:0] = unreader.buf.getvalue()
            unreader.buf.seek(0)
            unreader.buf.truncate()
        self.framing = Framing(*limits)
        now = time.monotonic()
        self.started = now if self.pending else 0.0
        self.head_done = 0.0
        self.whole = self.continued = False
        self.timeout = now + idle_s

    def verdict(self) -> str:
        verdict = self.framing.verdict(self.pending)
        if self.framing.head_end >= 0 and not self.head_done:
            self.head_done = time.monotonic()
        return verdict

    def to_parser(self) -> None:
        """Hand the request read so far to gunicorn's parser. A request not read whole (a
        body over the buffer) is then read by the parser itself, held to the body rate."""
        self.initialized = True
        if not self.whole:  # what the last parser kept was moved to `pending` already
            self.parser = http.RequestParser(self.cfg, RateChecked(self.sock), self.client)
        elif self.parser is None:
            self.parser = http.RequestParser(self.cfg, self.sock, self.client)
        self.parser.unreader.unread(self.pending)
        self.pending.clear()


class RateChecked:
    """The socket as gunicorn's parser reads a request handed over unread: each read waits a
    second at most at a time, and the body must keep MIN_BODY_BYTES_PER_S once BODY_GRACE_S
    have passed, as in the event loop; a slower one ends the read with TimeoutError (the app
    answers its 400 and the connection closes)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.started = time.monotonic()
        self.received = 0
        self.poller = select.poll()
        self.poller.register(sock, select.POLLIN)

    def recv(self, size: int) -> bytes:
        while True:
            elapsed = time.monotonic() - self.started
            if elapsed > BODY_GRACE_S and self.received < MIN_BODY_BYTES_PER_S * elapsed:
                raise TimeoutError(f"body slower than {MIN_BODY_BYTES_PER_S} bytes/s")
            if self.poller.poll(1000):
                data = self.sock.recv(size)
                self.received += len(data)
                return data


GONE, BUSY = "gone", "busy"


class JsonErrorWorker(ThreadWorker):  # type: ignore[misc]
    """gthread reading whole requests before the app sees them, and answering gunicorn's own
    refusals in the contract's envelope.

    The event loop only waits: when a connection has bytes, a thread reads what is there
    without blocking and either answers a whole request or gives the connection back to the
    loop. The loop closes connections that broke a time limit.
    """

    def run(self) -> None:
        """The event loop: accept, wait for bytes, close what broke a limit.

        Leaner than gthread's own loop, which on every turn touched the heartbeat file,
        asked for the parent's pid and locked every request in flight to see which were done:
        here the heartbeat goes every HEARTBEAT_S, and a request's end is its own callback.
        """
        services = getattr(self.wsgi, "extensions", {}).get("mock_gateway")
        settings = services.settings if services else None
        api_limit = settings.max_body_bytes if settings else 1024 * 1024
        control_limit = settings.control_max_body_bytes if settings else api_limit
        # bodies read in the event loop; a larger one (a state import over the buffer) is
        # handed to gunicorn's parser once its headers are whole
        self.limits = (api_limit, min(control_limit, MAX_BUFFERED_BYTES - MAX_HEAD_BYTES))
        self.reading: set[Intake] = set()  # connections waiting in the loop, with deadlines
        self.buffered = 0  # bytes held in the waiting connections' `pending` between them
        self.next_sweep = 0.0
        self.in_flight: set[Any] = set()  # futures of requests being answered
        _raise_file_limit()
        for listener in self.sockets:
            listener.setblocking(False)
            # the listener's name may be gone during a graceful shutdown: taken once, here
            acceptor = partial(self.accept, listener.getsockname())
            self.poller.register(listener, selectors.EVENT_READ, acceptor)
        heartbeat = 0.0
        while self.alive:
            now = time.monotonic()
            if now >= heartbeat:
                heartbeat = now + HEARTBEAT_S
                self.notify()
                if not self.is_parent_alive():
                    break
            if self.nr_conns < self.worker_connections:
                for key, _ in self.poller.select(SWEEP_EVERY_S):
                    key.data(key.fileobj)
            else:  # at the cap: wait for connections to end (or to break a limit)
                time.sleep(0.01)
            self.murder_keepalived()
        self.tpool.shutdown(False)
        self.poller.close()
        for listener in self.sockets:
            listener.close()
        futures.wait(list(self.in_flight), timeout=self.cfg.graceful_timeout)

    def _wrap_future(self, fs: Any, conn: Intake) -> None:
        fs.conn = conn
        self.in_flight.add(fs)
        fs.add_done_callback(self.finish_request)

    def accept(self, server: Any, listener: Any) -> None:
        """Accept one connection and wait for its first request; with other workers about, a
        worker that already holds a connection per thread pauses a moment first, so that the
        others take their share.

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
        conn.next_request(self.limits, self.cfg.keepalive)
        self._wait(conn)

    def _wait(self, conn: Intake) -> bool:
        """Wait in the loop for the connection's next bytes; False when the bytes it holds
        would take the waiting connections past MAX_BUFFERED_BYTES."""
        with self._lock:
            if self.buffered + len(conn.pending) > MAX_BUFFERED_BYTES:
                return False
            self.buffered += len(conn.pending)
            self.reading.add(conn)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        return True

    def _readable(self, conn: Intake, sock: socket.socket) -> None:
        self._take(conn)
        self._wrap_future(self.tpool.submit(self.handle, conn), conn)

    def _take(self, conn: Intake) -> bool:
        """Take a connection out of the loop; False if a thread has it already."""
        with self._lock:
            if conn not in self.reading:
                return False
            self.reading.discard(conn)
            self.buffered -= len(conn.pending)
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(conn.sock)
        return True

    def _receive(self, conn: Intake) -> str:
        """Read what the connection has sent, without blocking: a Verdict, GONE or BUSY."""
        while True:
            try:
                data = conn.sock.recv(READ_BYTES, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                data = b""
            if not data:  # gone, or will send no more of a request not yet whole
                return GONE
            if not conn.started:
                conn.started = time.monotonic()
            conn.pending += data
            if len(conn.pending) > MAX_BUFFERED_BYTES:
                return BUSY
            if len(data) < READ_BYTES:
                break
        return conn.verdict()

    def handle(self, conn: Intake) -> tuple[bool, Intake]:
        """Read what has arrived; answer the request once it is whole, and those pipelined
        whole behind it. True: the connection waits in the loop for more."""
        verdict = self._receive(conn)
        while True:
            if verdict == GONE:
                return False, conn
            if verdict == BUSY:
                self._refuse(conn, 503, "The mock is reading too many requests at once; retry")
                return False, conn
            if verdict == Verdict.WAIT:
                if conn.framing.expects_continue and conn.head_done and not conn.continued:
                    conn.continued = True  # the client waits for this before its body
                    with contextlib.suppress(OSError):
                        conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n", socket.MSG_DONTWAIT)
                return True, conn
            conn.whole = verdict == Verdict.WHOLE
            conn.to_parser()
            keepalive, conn = super().handle(conn)
            if not keepalive or not conn.whole:
                return False, conn  # a request not read whole may still be arriving: close
            body = conn.parser.mesg.body  # what the app left unread is already here
            while body.read(READ_BYTES):
                pass
            conn.next_request(self.limits, self.cfg.keepalive)
            verdict = conn.verdict()

    def handle_request(self, req: Any, conn: Intake) -> bool:
        if conn.continued:  # answered already, before the body came: gunicorn must not again
            req.headers = [(name, value) for name, value in req.headers if name != "EXPECT"]
        return bool(super().handle_request(req, conn))

    def finish_request(self, fs: Any) -> None:
        self.in_flight.discard(fs)
        conn = fs.conn
        try:
            waits = not fs.cancelled() and fs.result()[0] and self.alive
        except Exception:
            waits = False
        if not waits:
            self._close(conn)
        elif not self._wait(conn):
            self._refuse(conn, 503, "The mock is reading too many requests at once; retry")
            self._close(conn)

    def murder_keepalived(self) -> None:
        """Close the connections that broke a time limit (the loop calls this after every
        event; the connections are looked over every SWEEP_EVERY_S)."""
        now = time.monotonic()
        if now < self.next_sweep:
            return
        self.next_sweep = now + SWEEP_EVERY_S
        with self._lock:
            waiting = list(self.reading)
        for conn in waiting:
            if not conn.started:
                if now > conn.timeout:  # silent: no request under way
                    self._drop(conn)
            elif not conn.head_done:
                if now - conn.started > REQUEST_HEADERS_TIMEOUT_S:
                    seconds = f"{REQUEST_HEADERS_TIMEOUT_S:g}"
                    self._drop(conn, 408, f"The request headers did not arrive in {seconds} s")
            else:
                elapsed = now - conn.head_done
                received = conn.framing.body_received(conn.pending)
                if elapsed > BODY_GRACE_S and received < MIN_BODY_BYTES_PER_S * elapsed:
                    text = f"The request body arrived slower than {MIN_BODY_BYTES_PER_S} bytes/s"
                    self._drop(conn, 408, text)

    def _close_oldest_idle(self) -> None:
        """Out of file descriptors: make room by closing the connection silent the longest."""
        with self._lock:
            idle = [conn for conn in self.reading if not conn.started]
        if idle:
            self._drop(min(idle, key=lambda conn: conn.timeout))
        else:
            time.sleep(0.01)  # nothing to close: do not spin on the listener

    def _drop(self, conn: Intake, status: int = 0, text: str = "") -> None:
        """Take a waiting connection out of the loop and close it, answering first if asked."""
        if not self._take(conn):
            return  # a thread took it meanwhile
        if status:
            self._refuse(conn, status, text)
        self._close(conn)

    def _refuse(self, conn: Intake, status: int, text: str) -> None:
        """Answer in the envelope without waiting on the client, and stop reading it."""
        with contextlib.suppress(OSError):
            body = error_body(status, text)
            conn.sock.send(_head(status, _REASONS[status], len(body)) + body, socket.MSG_DONTWAIT)
            conn.sock.shutdown(socket.SHUT_WR)
            while conn.sock.recv(READ_BYTES, socket.MSG_DONTWAIT):  # no reset for unread bytes
                pass

    def _close(self, conn: Intake) -> None:
        conn.pending.clear()
        self.nr_conns -= 1
        conn.close()

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
