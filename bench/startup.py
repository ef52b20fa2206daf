"""Start-up and shutdown of `mock-gateway serve` on the default data, timed (medians of 7).

    .venv/bin/python bench/startup.py

Time to ready: from starting the command to the first 200 from /__mock/ready. Time to stop:
from SIGTERM (the server idle) to the process's exit. Loopback only; stops what it starts.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.live.server import free_port

ROUNDS = 7


def main() -> int:
    port = free_port()
    command = [str(Path(sys.executable).parent / "mock-gateway"), "serve"]
    env = {**os.environ, "MOCK_GATEWAY_PORT": str(port), "MOCK_GATEWAY_LOG_FORMAT": "off"}
    ready, stop = [], []
    for _ in range(ROUNDS):
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/__mock/ready", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() - started > 30:
                    process.kill()
                    raise SystemExit("the server did not start") from None
                time.sleep(0.01)
        ready.append(time.monotonic() - started)
        time.sleep(0.5)  # idle
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        stop.append(time.monotonic() - signalled)
    for label, values in (("time to ready", ready), ("time to stop", stop)):
        spread = ", ".join(f"{v:.2f}" for v in sorted(values))
        print(f"{label}: median {statistics.median(values):.3f} s ({spread})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
