"""Run the real server (`mock-gateway serve`, gunicorn) on a free loopback port for a test."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.environ import mock_environ


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
    environ = mock_environ()
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
        wait_until_answering(process, base + "/healthcheck", timeout)
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


def wait_until_answering(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    """Poll `url` until it answers 200; fail with the server's output if it exits first."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            stream = process.stdout or process.stderr
            output = stream.read().decode() if stream else ""
            raise RuntimeError(f"server exited with {process.returncode}: {output}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server did not answer {url} in {timeout:g} s")
        time.sleep(0.05)


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
