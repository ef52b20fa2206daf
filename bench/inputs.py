"""The cost of hostile inputs: CPU seconds and peak memory per request, in-process.

    .venv/bin/python bench/inputs.py

Each case is sent once through the app (the Flask test client: the same parse, checks and
answer as served) and measured twice: CPU time (time.process_time) without tracing, then the
peak of Python allocations with tracemalloc. The API's bodies go up to its 1 MiB limit; the
control plane's state imports are 64 MB of junk. Figures go to docs/robustness.md.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mock_gateway import create_app
from mock_gateway.config import Settings
from tests.conftest import BUYER
from tests.unit.test_input_cost import API_BODIES, JSON, MB, PURCHASE, filled

CONTROL_BODIES = {
    "objects": b'{"offers":' + filled(b"{}", 64 * MB) + b"}",
    "arrays": b'{"offers":' + filled(b"[]", 64 * MB) + b"}",
    "short strings": b'{"offers":' + filled(b'"ab"', 64 * MB) + b"}",
    "zeros": b'{"offers":' + filled(b"0", 64 * MB) + b"}",
    "numbers": b'{"offers":' + filled(b"1234567", 64 * MB) + b"}",
    "not json": b"{" + b"x" * 64 * MB,
}


def measure(
    app: object, method: str, path: str, body: bytes, auth: object
) -> tuple[float, int, int]:
    client = app.test_client()  # type: ignore[attr-defined]
    cpu = []
    for _ in range(3):
        started = time.process_time()
        status = client.open(path, method=method, data=body, headers=JSON, auth=auth).status_code
        cpu.append(time.process_time() - started)
    tracemalloc.start()
    client.open(path, method=method, data=body, headers=JSON, auth=auth)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(cpu), peak, status


def main() -> int:
    app = create_app(Settings(log_format="off", buyers={BUYER[0]: BUYER[1]}))
    print("| plane | body | size | status | CPU (median of 3) | peak memory | peak / size |")
    print("|---|---|---|---|---|---|---|")
    cases: list[tuple[str, str, str, str, bytes, tuple[str, str] | None]]
    cases = [("API", n, "POST", PURCHASE, b, BUYER) for n, b in API_BODIES.items()]
    cases += [("control", n, "PUT", "/__mock/state", b, None) for n, b in CONTROL_BODIES.items()]
    for plane, name, method, path, body, auth in cases:
        cpu, peak, status = measure(app, method, path, body, auth)
        print(f"| {plane} | {name} | {len(body) / MB:.1f} MiB | {status} | {cpu * 1000:.0f} ms "
              f"| {peak / MB:.1f} MiB | {peak / len(body):.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
