"""A worker that dies (the kernel's OOM killer, say) is replaced by gunicorn from its start-up
copy: the mock never passes that off silently. The state comes back from wherever it is kept
(the state file, Redis); without either, one log line and /__mock/ready say it was lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.environ import mock_environ
from tests.live.server import free_port, wait_until_answering
from tests.redis_server import RedisServer

AUTH = ("DEMO01", "demo-pass")


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    environ = mock_environ()
    environ.update(env, MOCK_GATEWAY_PORT=str(port), MOCK_GATEWAY_LOG_FORMAT="off")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_gateway", "serve"], env=environ, stderr=out
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(process, base + "/__mock/ready", 30)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def worker_pid(base: str) -> int:
    return int(
        requests.get(base + "/__mock/ready", timeout=5).headers["X-Mock-Gateway-Pid"].split()[0]
    )


def buy(base: str) -> str:
    rows = requests.get(
        f"{base}/b2bbuyergateway/v2/offers/DEMO01/stock-status", auth=AUTH, timeout=5
    )
    barcode = next(r["barcode"] for r in rows.json() if r["availableQuantity"] >= 5)
    answer = requests.post(
        f"{base}/b2bbuyergateway/v2/offers/DEMO01/items",
        json=[{"barcode": barcode, "requestedQuantity": 1}], auth=AUTH, timeout=5,
    )  # fmt: skip
    assert answer.status_code == 200
    number: str = answer.json()["requestNumber"]
    return number


def kill_worker(base: str) -> dict[str, Any]:
    """SIGKILL the serving worker; wait for its replacement; return its readiness report."""
    dead = worker_pid(base)
    os.kill(dead, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if worker_pid(base) != dead:
                report: dict[str, Any] = requests.get(base + "/__mock/ready", timeout=5).json()
                assert report["workerRestart"]["deadWorkerPid"] == dead
                return report
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError("no replacement worker answered in 20 s")


def numbers(base: str) -> list[str]:
    rows = requests.get(base + "/__mock/requests", timeout=5).json()
    return [row["requestNumber"] for row in rows]


def test_worker_death__state_comes_back_from_the_state_file(tmp_path: Path) -> None:
    env = {"MOCK_GATEWAY_STATE_FILE": str(tmp_path / "state.json"),
           "MOCK_GATEWAY_STATE_SAVE_INTERVAL": "100ms"}  # fmt: skip
    with serving(env, tmp_path / "log") as base:
        number = buy(base)
        time.sleep(0.5)  # saved
        report = kill_worker(base)
        assert report["workerRestart"]["stateLost"] is False
        assert numbers(base) == [number]
    log = (tmp_path / "log").read_text()
    assert "died and was replaced; the state comes back from the state file" in log


def test_worker_death__without_a_state_file_the_loss_is_announced(tmp_path: Path) -> None:
    with serving({}, tmp_path / "log") as base:
        buy(base)
        report = kill_worker(base)
        assert report["workerRestart"]["stateLost"] is True
        assert numbers(base) == []
    lines = [line for line in (tmp_path / "log").read_text().splitlines() if "replaced" in line]
    assert len(lines) == 1 and "the state is lost" in lines[0]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = RedisServer(tmp_path).start()
    yield server.url
    server.stop()


def test_worker_death__a_redis_worker_reads_the_state_back(tmp_path: Path, redis_url: str) -> None:
    with serving({"MOCK_GATEWAY_STORE": redis_url}, tmp_path / "log") as base:
        number = buy(base)
        report = kill_worker(base)
        assert report["workerRestart"]["state"] == "from the shared store"
        assert numbers(base) == [number]
