"""Faults of the engine: Redis away at start, lost while serving, back again, or back empty."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from mock_gateway.testing import MockGateway
from tests.live.fleet import AUTH, Replica
from tests.redis_server import RedisServer, free_port

OFFERS = "/b2bbuyergatewayapi/v1_1/offers?PageSize=1"
PURCHASE = "/b2bbuyergatewayapi/v2/offers/DEMO01/items"
LINE = [{"barcode": "8685298053581", "requestedQuantity": 1}]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def replica(redis_server: RedisServer) -> Iterator[Replica]:
    served = Replica(redis_server.url, MOCK_GATEWAY_STORE_TIMEOUT="500ms")
    yield served
    served.stop()


def serve_once(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_GATEWAY_")}
    environ.update(MOCK_GATEWAY_PORT=str(free_port()), **env)
    return subprocess.run(
        [sys.executable, "-m", "mock_gateway", "serve"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_store__unreachable_at_start_is_one_line_and_exit_2() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = serve_once({"MOCK_GATEWAY_STORE": url})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"mock-gateway: cannot reach the store at {url}: ")


def test_store__holding_another_configuration_is_refused_at_start(
    replica: Replica, redis_server: RedisServer
) -> None:
    result = serve_once({"MOCK_GATEWAY_STORE": redis_server.url, "MOCK_GATEWAY_SEED": "7"})
    assert result.returncode == 2
    assert "holds the state of a gateway started with other settings" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_store__lost_while_serving_is_503_then_recovers(
    replica: Replica, redis_server: RedisServer
) -> None:
    session = requests.Session()
    assert session.get(replica.url(OFFERS), auth=AUTH, timeout=10).status_code == 200
    redis_server.pause()  # a hung Redis: answers take the store timeout, never longer
    try:
        started = time.monotonic()
        response = session.post(replica.url(PURCHASE), json=LINE, auth=AUTH, timeout=10)
        assert time.monotonic() - started < 5
        assert response.status_code == 503
        assert response.json()["hasError"] is True
        assert "state store is unreachable" in response.json()["messages"][0]["content"]
        # reads that follow are refused too, not answered from a copy that may be behind
        response = session.get(replica.url(OFFERS), auth=AUTH, timeout=10)
        assert response.status_code == 503
    finally:
        redis_server.resume()
    assert session.get(replica.url(OFFERS), auth=AUTH, timeout=10).status_code == 200
    assert session.post(replica.url(PURCHASE), json=LINE, auth=AUTH, timeout=10).status_code == 200


def test_store__restarted_with_its_data_keeps_the_state(
    replica: Replica, redis_server: RedisServer
) -> None:
    gateway = MockGateway(replica.base)
    status, reservation = gateway.call(
        "POST", "/v2/offers/DEMO01/items", [{"barcode": "8685298053581", "requestedQuantity": 1}]
    )
    assert status == 200
    redis_server.stop()
    status, body = gateway.call("GET", "/v1_1/offers?PageSize=1")
    assert status == 503 and body["hasError"] is True
    redis_server.start()  # the same port and directory: its append-only file brings the data
    numbers = [r["requestNumber"] for r in gateway.control("GET", "/requests")]
    assert numbers == [reservation["requestNumber"]]


def test_store__back_empty_starts_the_fleet_again_from_the_start_up_data(
    replica: Replica, redis_server: RedisServer
) -> None:
    gateway = MockGateway(replica.base)
    gateway.call(
        "POST", "/v2/offers/DEMO01/items", [{"barcode": "8685298053581", "requestedQuantity": 1}]
    )
    assert len(gateway.control("GET", "/requests")) == 1
    redis.Redis.from_url(redis_server.url).flushall()
    # a flush publishes nothing: replicas notice it at their next check, within a second
    deadline = time.monotonic() + 5
    while gateway.control("GET", "/requests") != [] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert gateway.control("GET", "/requests") == []
    assert gateway.call("GET", "/v1_1/offers?PageSize=1")[0] == 200
    status, _ = gateway.call(
        "POST", "/v2/offers/DEMO01/items", [{"barcode": "8685298053581", "requestedQuantity": 1}]
    )
    assert status == 200 and len(gateway.control("GET", "/requests")) == 1


def test_store__a_password_in_the_url_works_and_is_never_shown(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, password="s3cret-pw").start()
    try:
        replica = Replica(server.url)
        try:
            gateway = MockGateway(replica.base)
            assert gateway.call("GET", "/v1_1/offers?PageSize=1")[0] == 200
        finally:
            replica.stop()
        wrong = serve_once({"MOCK_GATEWAY_STORE": server.url.replace("s3cret-pw", "nope")})
        assert wrong.returncode == 2 and "cannot reach the store" in wrong.stderr
        assert "s3cret-pw" not in wrong.stderr and "nope" not in wrong.stderr
    finally:
        server.stop()
