"""Replicas of the real server (`mock-gateway serve`) sharing one redis-server, for fleet tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from mock_gateway.testing import MockGateway
from tests.environ import mock_environ
from tests.live.server import wait_until_answering
from tests.redis_server import RedisServer, free_port

AUTH = ("DEMO01", "demo-pass")


class Replica:
    """One `mock-gateway serve` (a gunicorn master and its workers) in its own process group,
    so that SIGKILL takes the whole replica down at once, as a crashed container would."""

    def __init__(
        self, store_url: str, workers: int = 1, cpus: set[int] | None = None, **env: str
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environ = mock_environ()
        environ.update(
            MOCK_GATEWAY_PORT=str(self.port),
            MOCK_GATEWAY_HOST="127.0.0.1",
            MOCK_GATEWAY_STORE=store_url,
            MOCK_GATEWAY_WORKERS=str(workers),
            MOCK_GATEWAY_LOG_FORMAT="off",
            **env,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mock_gateway", "serve"],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            # as `taskset` would: the CPUs the replica may use
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
        wait_until_answering(self.process, self.base + "/__mock/ready", 30)

    def url(self, path: str) -> str:
        return self.base + path

    def kill(self) -> None:
        """SIGKILL the master and every worker: no graceful anything."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()


def start_redis(directory: Path) -> RedisServer:
    return RedisServer(directory).start()


def views(gateways: list[MockGateway], paths: tuple[str, ...] = ("/state",)) -> set[str]:
    """What the control plane shows at `paths`, asked ten times of each replica: one view when
    every worker agrees (ten asks miss one of two workers with p = 2^-9)."""
    return {
        json.dumps([gateway.control("GET", path) for path in paths], sort_keys=True)
        for gateway in gateways * 10
    }
