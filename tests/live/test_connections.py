"""Silent and slow connections against the real server: ordinary requests keep being answered,
and the limits the README documents (idle 5 s; headers 30 s; a body at 240 bytes/s after 5 s)
cut the offenders off with a JSON 408. Every socket is on loopback; each siege stops by itself.

The one-second bound is a limit on starvation, not a performance figure: an ordinary request
takes a few milliseconds on this machine, and a starved one never came back before.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.fleet import Replica
from tests.live.server import served
from tests.live.siege import Report, siege
from tests.redis_server import RedisServer


def host_port(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def assert_held(report: Report, seconds: float) -> None:
    assert not report.probe_failures, report.probe_failures[:3]
    assert len(report.probes) >= seconds * 2
    assert max(report.probes) <= 1.0, sorted(report.probes)[-5:]
    assert report.after_close <= 0.1, report.after_close


def assert_timed_out(sender_answer: bytes, reason: str) -> None:
    head, _, body = sender_answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 Request Timeout"), head
    assert b"Content-Type: application/json" in head
    document = json.loads(body)
    assert document["hasError"] is True
    assert reason in document["messages"][0]["content"]


@pytest.fixture(scope="module")
def default_server() -> Iterator[str]:
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as url:
        yield url


def test_connections__a_siege_of_silent_and_slow_clients_starves_nobody(
    default_server: str,
) -> None:
    """1,000 silent connections (reopened as they are dropped), 100 slow header senders, 100
    slow body senders and 50 slow state imports for 32 s."""
    report = siege(*host_port(default_server), seconds=32, slow_control=50)
    assert_held(report, 32)
    # silent ones are dropped after the 5 s idle timeout, and come back: about six rounds
    assert report.silent_reopened >= 4000
    for sender in report.slow_bodies:  # 240 bytes/s after a 5 s grace: cut at 5 to 6.5 s
        assert sender.closed_after is not None and 5 <= sender.closed_after <= 7
        assert_timed_out(sender.answer, "slower than 240 bytes/s")
    for sender in report.slow_control:  # a large state import is held to the same rate
        assert sender.closed_after is not None and 5 <= sender.closed_after <= 7
        assert_timed_out(sender.answer, "slower than 240 bytes/s")
    for sender in report.slow_heads:  # the header block within 30 s of its first byte
        assert sender.closed_after is not None and 30 <= sender.closed_after <= 32
        assert_timed_out(sender.answer, "headers did not arrive in 30 s")


@pytest.fixture
def redis_replica(tmp_path: Path) -> Iterator[Replica]:
    server = RedisServer(tmp_path).start()
    replica = Replica(server.url)
    yield replica
    replica.stop()
    server.stop()


def test_connections__a_redis_replica_holds_a_siege_too(redis_replica: Replica) -> None:
    report = siege(*host_port(redis_replica.base), seconds=10, slow_heads=50, slow_bodies=50)
    assert_held(report, 10)
    assert all(sender.closed_after is not None for sender in report.slow_bodies)


def test_connections__a_state_import_over_the_buffer_is_held_to_the_rate_too(
    default_server: str,
) -> None:
    """A body declared over the 64 MiB the event loop buffers is read by a thread: still cut
    off once it falls under 240 bytes/s after 5 s, so it holds the thread for seconds only."""
    host, port = host_port(default_server)
    with socket.create_connection((host, port), timeout=20) as sock:
        sock.sendall(
            b"PUT /__mock/state HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n{"
        )
        started = time.monotonic()
        answer = b""
        sock.settimeout(1.0)
        while time.monotonic() - started < 15 and not answer.endswith(b"}"):
            with contextlib.suppress(TimeoutError):
                sock.send(b" ")  # a byte a second
                answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:100]
        assert 5 <= time.monotonic() - started <= 8
