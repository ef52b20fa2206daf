"""A real redis-server (Debian's package) on a free loopback port, for the Redis-store tests.

The test command installs redis-server when it is missing (scripts/test.sh); a machine without
it fails these tests loudly rather than skipping them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One redis-server process; `stop()` and `start()` again keep its port and its data."""

    def __init__(self, directory: Path, port: int | None = None, password: str = "") -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/test.sh")
        self.binary = binary
        self.directory = directory
        self.port = port or free_port()
        self.password = password
        credentials = f":{password}@" if password else ""
        self.url = f"redis://{credentials}127.0.0.1:{self.port}/0"
        # the same server on a unix socket (a short path: sun_path holds about 100 bytes)
        socket_dir = tempfile.mkdtemp(prefix="redis-")
        weakref.finalize(self, shutil.rmtree, socket_dir, True)
        self.socket = Path(socket_dir) / "redis.sock"
        self.unix_url = f"unix://{credentials}{self.socket}?db=0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--save", "", "--appendonly", "yes",
             "--appendfsync", "no", "--daemonize", "no", "--loglevel", "warning",
             "--unixsocket", str(self.socket), "--unixsocketperm", "700",
             *(["--requirepass", self.password] if self.password else [])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=real_clock_env(),
        )  # fmt: skip
        wait_answering(self.url, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def pause(self) -> None:
        """Stop answering without closing connections (SIGSTOP), as a hung server does."""
        assert self.process is not None
        self.process.send_signal(19)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(18)


def real_clock_env() -> dict[str, str]:
    """This environment without libfaketime: .ci/run shifts the suite's wall clock years ahead,
    and redis-server (which keeps no wall-clock state the mock reads) does not run under it."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}


def wait_answering(url: str, process: subprocess.Popen[bytes], limit_s: float = 15) -> None:
    """Return once the redis-server `process` answers PING at `url`."""
    client = redis.Redis.from_url(url, socket_timeout=1)
    deadline = time.monotonic() + limit_s
    try:
        while True:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer at {url}") from None
                time.sleep(0.02)
    finally:
        client.close()
