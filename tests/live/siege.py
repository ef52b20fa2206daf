"""Careless and hostile connections against a served mock, with ordinary requests timed meanwhile.

One thread keeps up the siege with a selector (silent connections, reopened when the server
closes them; senders of one byte a second, in the headers or in the body) while the caller's
thread sends an ordinary request every PROBE_EVERY_S on a new connection and times it. Everything
targets the loopback address given, and stops by itself after the stated seconds.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

PROBE_EVERY_S = 0.25
PROBE = b"GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
SLOW_HEAD = b"GET /b2bbuyergateway/v1_1/offers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
SLOW_BODY_HEAD = (
    b"POST /b2bbuyergateway/v2/offers/DEMO01/items HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Authorization: Basic REVNTzAxOmRlbW8tcGFzcw==\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n"
)
SLOW_BODY = SLOW_BODY_HEAD + b"[" + b" " * 998 + b"]"
# a state import declared large (the control plane takes bodies far over the API's limit)
SLOW_CONTROL_HEAD = (
    b"PUT /__mock/state HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4000000\r\n\r\n"
)
SLOW_CONTROL = SLOW_CONTROL_HEAD + b"{" + b" " * 100


@dataclass
class Sender:
    """A connection sending `data` one byte a second after its first `sent` bytes."""

    sock: socket.socket
    data: bytes
    sent: int
    opened: float
    answer: bytes = b""
    closed_after: float | None = None  # seconds from opening until the server closed it


@dataclass
class Report:
    probes: list[float] = field(default_factory=list)  # seconds per ordinary request
    probe_failures: list[str] = field(default_factory=list)
    silent_reopened: int = 0  # silent connections the server closed (and the siege reopened)
    slow_heads: list[Sender] = field(default_factory=list)
    slow_bodies: list[Sender] = field(default_factory=list)
    slow_control: list[Sender] = field(default_factory=list)
    after_close: float = 0.0  # seconds for an ordinary request once the siege ended


def probe(host: str, port: int, timeout: float = 5.0) -> float:
    """Seconds for one ordinary request on a new connection, to the end of its answer."""
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(PROBE)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    if not answer.startswith(b"HTTP/1.1 200"):
        raise AssertionError(f"probe answered {answer[:80]!r}")
    return time.monotonic() - started


def siege(
    host: str,
    port: int,
    seconds: float,
    silent: int = 1000,
    slow_heads: int = 100,
    slow_bodies: int = 100,
    slow_control: int = 0,
) -> Report:
    """Hold the siege for `seconds`, probing meanwhile; then end it and probe once more."""
    report = Report()
    stop = threading.Event()
    worker = threading.Thread(
        target=_hold,
        args=(host, port, seconds, silent, (slow_heads, slow_bodies, slow_control), report, stop),
    )
    worker.start()
    try:
        deadline = time.monotonic() + seconds
        time.sleep(0.5)  # the siege's connections are open by then
        while time.monotonic() < deadline:
            try:
                report.probes.append(probe(host, port))
            except (OSError, AssertionError) as error:
                report.probe_failures.append(repr(error))
            time.sleep(PROBE_EVERY_S)
    finally:
        stop.set()
        worker.join()
    report.after_close = min(probe(host, port) for _ in range(5))
    return report


def _hold(
    host: str,
    port: int,
    seconds: float,
    silent: int,
    slow: tuple[int, int, int],
    report: Report,
    stop: threading.Event,
) -> None:
    selector = selectors.DefaultSelector()
    now = time.monotonic()

    def connect() -> socket.socket:
        sock = socket.create_connection((host, port), timeout=5)
        sock.setblocking(False)
        return sock

    quiet: set[socket.socket] = set()
    for _ in range(silent):
        sock = connect()
        quiet.add(sock)
        selector.register(sock, selectors.EVENT_READ, None)
    senders = []
    for count, data, skip, bucket in (
        (slow[0], SLOW_HEAD, 0, report.slow_heads),
        (slow[1], SLOW_BODY, len(SLOW_BODY_HEAD), report.slow_bodies),
        (slow[2], SLOW_CONTROL, len(SLOW_CONTROL_HEAD), report.slow_control),
    ):
        for _ in range(count):
            sock = connect()
            if skip:
                sock.sendall(data[:skip])
            sender = Sender(sock, data, skip, now)
            bucket.append(sender)
            senders.append(sender)
            selector.register(sock, selectors.EVENT_READ, sender)
    end = now + seconds
    next_byte = now + 1.0
    try:
        while not stop.is_set() and time.monotonic() < end:
            for key, _ in selector.select(0.1):
                sock = key.fileobj  # type: ignore[assignment]
                try:
                    chunk = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                sender = key.data
                if sender is not None:
                    sender.answer += chunk
                if chunk:
                    continue
                selector.unregister(sock)
                sock.close()
                if sender is None:  # a silent one was dropped: come back, as a siege would
                    quiet.discard(sock)
                    report.silent_reopened += 1
                    fresh = connect()
                    quiet.add(fresh)
                    selector.register(fresh, selectors.EVENT_READ, None)
                elif sender.closed_after is None:
                    sender.closed_after = time.monotonic() - sender.opened
            if time.monotonic() >= next_byte:
                next_byte += 1.0
                for sender in senders:
                    if sender.closed_after is None and sender.sent < len(sender.data):
                        try:
                            sender.sock.send(sender.data[sender.sent : sender.sent + 1])
                            sender.sent += 1
                        except OSError:
                            pass
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        selector.close()
