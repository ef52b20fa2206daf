"""Run the real server (`mock-gateway serve`, gunicorn) on a free loopback port for a test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(
    env: dict[str, str] | None = None, timeout: float = 30.0, cwd: str | None = None
) -> Iterator[str]:
    """Start the server with extra MOCK_GATEWAY_* settings; yield its base URL; stop it."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_GATEWAY_")}
    environ.update(env or {})
    environ["MOCK_GATEWAY_PORT"] = str(port)
    environ["MOCK_GATEWAY_HOST"] = "127.0.0.1"
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_gateway", "serve"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=cwd,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"server exited with {process.returncode}: {output}")
            try:
                if requests.get(base + "/healthcheck", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy")
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def build_wheel(directory: Path) -> Path:
    """Build this project's wheel (no dependencies) into `directory`; return its path."""
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(directory), str(root)],
        check=True,
    )  # fmt: skip
    [wheel] = directory.glob("mock_gateway-*.whl")
    return wheel
