"""The benchmark: the mock against a minimal Flask baseline, side by side, on this machine.

    .venv/bin/python bench/run.py [--rounds 3] [--seconds 5]

Starts each server exactly as the container does (gunicorn with gunicorn.conf.py, one worker),
drives it with wrk (installed from the OS packages if missing) from the other core, sends
traffic to 127.0.0.1 only, stops every process it started, and writes bench/results.json and
bench/results.md. Figures are medians of the rounds, and ratios to the baseline measured in the
same round, the two servers up at once and run in turns (mock, baseline, baseline, mock): the
machines are shared and noisy, ratios hold where absolute numbers do not.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
AUTH = "Basic " + base64.b64encode(b"DEMO01:demo-pass").decode()
SERVER_CPU, LOAD_CPU = "0", "1"  # server and load generator on different cores
CONNECTIONS = 16


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    ready_s: float


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk from the OS packages", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(
    env: dict[str, str],
    app: str | None = None,
    ready_path: str = "/__mock/ready",
    cpus: str = SERVER_CPU,
    root: Path = ROOT,
) -> Iterator[Server]:
    """Start gunicorn as the container does (from the tree at `root`); measure time to the first
    good readiness answer."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_GATEWAY_")}
    environ.update({"MOCK_GATEWAY_HOST": "127.0.0.1", "MOCK_GATEWAY_PORT": str(port)})
    environ.update(env)
    environ["PYTHONPATH"] = str(root)
    command = [
        "taskset",
        "-c",
        cpus,
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
    ]
    if app:
        command.append(app)
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=root, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(base + ready_path, timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            if time.perf_counter() - start > 60:
                raise RuntimeError("server did not become ready")
            time.sleep(0.005)
        yield Server(process, base, time.perf_counter() - start)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_rss_mib(server: Server) -> float:
    """Peak resident memory (VmHWM) of the gunicorn worker that serves the requests."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children")
    # the process is taskset, which execs python; gunicorn's worker is its child
    kids = [int(k) for k in children.read_text().split()] if children.exists() else []
    target = kids[0] if kids else pid
    for line in Path(f"/proc/{target}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def call(base: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", AUTH)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def lua_table(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def workload_script(
    name: str, barcodes: list[str], stocked: list[str], pages: int, directory: Path
) -> Path:
    """A wrk Lua script for one workload; random choices seeded, so runs are comparable."""
    header = f"""
math.randomseed(20261129)
wrk.headers["Authorization"] = "{AUTH}"
wrk.headers["Content-Type"] = "application/json"
local barcodes = {lua_table(barcodes)}
local stocked = {lua_table(stocked)}
local pages = {pages}
local numbers = {{}}
local function offers()
  return wrk.format("GET", "/b2bbuyergateway/v1_1/offers?Page=" .. math.random(1, pages) .. "&PageSize=20")
end
local function stock()
  local parts = {{}}
  for i = 1, 20 do parts[i] = "barcodeList=" .. barcodes[math.random(1, #barcodes)] end
  return wrk.format("GET", "/b2bbuyergateway/v2/offers/DEMO01/stock-status?" .. table.concat(parts, "&"))
end
local function purchase()
  local lines, used = {{}}, {{}}
  for i = 1, math.random(1, 3) do
    local b = stocked[math.random(1, #stocked)]
    if not used[b] then used[b] = true; lines[#lines + 1] = '{{"barcode":"' .. b .. '","requestedQuantity":' .. math.random(1, 2) .. '}}' end
  end
  return wrk.format("POST", "/b2bbuyergateway/v2/offers/DEMO01/items", nil, "[" .. table.concat(lines, ",") .. "]")
end
local function cancel()
  local n = table.remove(numbers)
  if not n then return purchase() end
  return wrk.format("POST", "/b2bbuyergateway/v2/offers/" .. n[1] .. "/cancel-items", nil, '{{"barcode":"' .. n[2] .. '","quantity":1}}')
end
"""
    bodies = {
        "W1": "request = offers",
        "W2": "request = stock",
        "W3": "request = purchase",
        "W4": """
request = function()
  local r = math.random()
  if r < 0.45 then return offers() elseif r < 0.80 then return stock()
  elseif r < 0.93 then return purchase() else return cancel() end
end
response = function(status, headers, body)
  local n = body and string.match(body, '"requestNumber":"(%d+)"')
  local b = body and string.match(body, '"items":%[{"barcode":"(%d+)"')
  if n and b and #numbers < 1000 then numbers[#numbers + 1] = {n, b} end
end
""",
        "W5": "request = offers",
    }
    path = directory / f"{name}.lua"
    path.write_text(header + bodies["W5" if name.startswith("W5") else name[:2]])
    return path


def run_wrk(wrk: str, script: Path, base: str, seconds: int) -> dict[str, float]:
    output = subprocess.run(
        ["taskset", "-c", LOAD_CPU, wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def alternate(
    wrk: str, script: Path, first: str, second: str, seconds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Each server loaded for 2 × `seconds` in one-second runs, in turns: first, second,
    second, first, first, second…

    The machine's speed drifts and stalls for seconds at a time: run one after the other, the
    same two servers' ratio moved by ±0.15 between rounds. In short turns a stall or a drift
    falls on both alike. Each server's figures are the mean of its runs (errors summed).
    """
    runs: dict[str, list[dict[str, float]]] = {first: [], second: []}
    for turn in range(seconds * 2):
        for base in (first, second) if turn % 2 == 0 else (second, first):
            runs[base].append(run_wrk(wrk, script, base, 1))
    return _merged(runs[first]), _merged(runs[second])


def _merged(runs: list[dict[str, float]]) -> dict[str, float]:
    merged = {key: statistics.fmean(run[key] for run in runs) for key in runs[0]}
    merged["non_2xx"] = sum(run["non_2xx"] for run in runs)
    return merged


def _latency(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)\b", output)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def mean_response_bytes(base: str, script_kind: str, barcodes: list[str], pages: int) -> int:
    """The mean body size of a workload's responses, for the baseline to return."""
    rng = random.Random(1)
    sizes = []
    for _ in range(20):
        if script_kind in ("W1", "W5") or (script_kind == "W4" and rng.random() < 0.5):
            path = f"/b2bbuyergateway/v1_1/offers?Page={rng.randint(1, pages)}&PageSize=20"
        else:
            query = "&".join(f"barcodeList={rng.choice(barcodes)}" for _ in range(20))
            path = f"/b2bbuyergateway/v2/offers/DEMO01/stock-status?{query}"
        if script_kind == "W3":
            sizes.append(160)
            continue
        sizes.append(len(json.dumps(call(base, "GET", path), separators=(",", ":")).encode()))
    return int(statistics.mean(sizes))


WORKLOADS = ("W1", "W2", "W3", "W4", "W5")
# the costs of the journal, of a fault rule that matches nothing and of an open dashboard
EXTRAS = ("W1-no-journal", "W1-fault-rule", "W1-dashboard")
# the same reads and purchases with 2 workers on a Redis store, against 1 in-memory worker
SCALED = ("W1-redis2", "W3-redis2", "W1-redis2-no-journal", "W3-redis2-no-journal")


def partner(workload: str) -> str:
    """What a workload is compared with: the baseline app for W1-W5; for a Redis run, one
    in-memory worker with the same settings; for the costs, the in-memory worker as it comes."""
    if workload in WORKLOADS:
        return "baseline"
    if workload in SCALED:
        return workload.replace("-redis2", "")
    return workload[:2]


@contextmanager
def redis_server() -> Iterator[str]:
    """Debian's redis-server on a free loopback port (installed when missing), no persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        print("installing redis-server from the OS packages", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=False)
        binary = shutil.which("redis-server") or "redis-server"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
            ).stdout.strip()
            != "PONG"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def mock_env(workload: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    size = "100000" if workload.startswith("W5") else "10000"
    env = {"MOCK_GATEWAY_CATALOG_SIZE": size, "MOCK_GATEWAY_LOG_FORMAT": "plain"}
    if workload.endswith("no-journal"):
        env["MOCK_GATEWAY_JOURNAL_SIZE"] = "0"
    env.update(extra or {})
    return env


def measure_round(
    wrk: str, seconds: int, directory: Path, only: list[str] | None = None
) -> dict[str, Any]:
    """One round: each workload, in turns with what it is compared with (`partner`)."""
    results: dict[str, Any] = {}
    for workload in (*WORKLOADS, *EXTRAS, *SCALED):
        if only and workload not in only:
            continue
        kind = workload[:2]
        with ExitStack() as stack:
            cpus = SERVER_CPU
            extra: dict[str, str] = {}
            if workload in SCALED:  # two workers on a Redis store, free to use both cores
                url = stack.enter_context(redis_server())
                extra.update({"MOCK_GATEWAY_STORE": url, "MOCK_GATEWAY_WORKERS": "2"})
                cpus = f"{SERVER_CPU},{LOAD_CPU}"
            server = stack.enter_context(serve(mock_env(workload, extra), cpus=cpus))
            barcodes, stocked = prepare(server.base)
            if workload == "W1-fault-rule":
                rule = {"method": "DELETE", "path": "/never/*", "effect": {"type": "drop"}}
                urllib.request.urlopen(
                    urllib.request.Request(
                        f"{server.base}/__mock/faults", data=json.dumps(rule).encode(),
                        method="POST", headers={"Content-Type": "application/json"},
                    ), timeout=10,
                ).close()  # fmt: skip
            pages = len(barcodes) // 20
            script = workload_script(kind, barcodes[:5000], stocked, pages, directory)
            size = mean_response_bytes(server.base, kind, barcodes, pages)
            other = partner(workload)
            if other == "baseline":
                env, app = {"BASELINE_BYTES": str(size)}, "bench.baseline_app:app"
                peer = stack.enter_context(serve(env, app, "/"))
            else:
                peer = stack.enter_context(serve(mock_env(other)))
                prepare(peer.base)
            with dashboard_open(server.base, workload == "W1-dashboard"):
                run_wrk(wrk, script, server.base, 1)  # warm-up
                run_wrk(wrk, script, peer.base, 1)
                figures, peer_figures = alternate(wrk, script, server.base, peer.base, seconds)
            figures.update(ready_s=server.ready_s, rss_mib=peak_rss_mib(server), bytes=size)
            peer_figures.update(ready_s=peer.ready_s, rss_mib=peak_rss_mib(peer))
            results[workload] = figures
            results[f"{workload}-{'baseline' if other == 'baseline' else 'partner'}"] = peer_figures
    with serve({}) as default:  # the default data set: start-up and memory
        results["default-data"] = {"ready_s": default.ready_s, "rss_mib": peak_rss_mib(default)}
    return results


def prepare(base: str) -> tuple[list[str], list[str]]:
    """A started mock's barcodes, and the 200 of them purchases use, stocked so that they never
    run dry during a run."""
    offers = call(base, "GET", "/v2/offers/DEMO01/stock-status")
    barcodes = [row["barcode"] for row in offers]
    stocked = barcodes[:: max(1, len(barcodes) // 200)][:200]
    for barcode in stocked:
        patch = urllib.request.Request(
            f"{base}/__mock/offers/{barcode}",
            data=json.dumps({"stockQuantity": 10_000_000}).encode(),
            method="PATCH",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(patch, timeout=10).close()
    return barcodes, stocked


@contextmanager
def dashboard_open(base: str, wanted: bool) -> Iterator[None]:
    """With `wanted`, the dashboard's overview open in headless Chromium (pinned to the load
    generator's core), refreshing every second while the load runs."""
    if not wanted:
        yield
        return
    sys.path.insert(0, str(ROOT))
    from tests.ui.browser import chromium, wait_for

    with chromium(cpu=int(LOAD_CPU)) as driver:
        driver.get(base + "/__mock/ui/#overview")
        wait_for(driver, "document.getElementById('status').textContent.startsWith('live')")
        yield


def summarize(rounds: list[dict[str, Any]], domain: dict[str, Any]) -> dict[str, Any]:
    def med(key: str, field: str) -> float:
        return float(statistics.median(r[key][field] for r in rounds))

    def ratio(key: str, field: str, base_key: str) -> float:
        return float(statistics.median(r[key][field] / r[base_key][field] for r in rounds))

    rows = []
    for workload in WORKLOADS:
        base = f"{workload}-baseline"
        rows.append(
            {
                "workload": workload,
                "rps": med(workload, "rps"),
                "rps_ratio": ratio(workload, "rps", base),
                "p50_ms": med(workload, "p50_ms"),
                "p99_ms": med(workload, "p99_ms"),
                "p99_ratio": ratio(workload, "p99_ms", base),
                "baseline_rps": med(base, "rps"),
                "baseline_p99_ms": med(base, "p99_ms"),
                "non_2xx": med(workload, "non_2xx"),
                "rss_mib": med(workload, "rss_mib"),
                "ready_s": med(workload, "ready_s"),
            }
        )
    scaled = []
    for workload in SCALED:
        memory = f"{workload}-partner"
        scaled.append(
            {
                "workload": workload,
                "against": partner(workload),
                "rps": med(workload, "rps"),
                "rps_ratio": ratio(workload, "rps", memory),
                "p99_ms": med(workload, "p99_ms"),
                "p99_ratio": ratio(workload, "p99_ms", memory),
                "memory_rps": med(memory, "rps"),
                "non_2xx": med(workload, "non_2xx"),
            }
        )
    return {
        "rows": rows,
        "scaled": scaled,
        "journal_cost": 1 - ratio("W1-no-journal-partner", "rps", "W1-no-journal"),
        "fault_matching_cost": 1 - ratio("W1-fault-rule", "rps", "W1-fault-rule-partner"),
        "dashboard_cost": 1 - ratio("W1-dashboard", "rps", "W1-dashboard-partner"),
        "w1_dashboard_rps": med("W1-dashboard", "rps"),
        "w5_vs_w1_p50": statistics.median(r["W5"]["p50_ms"] / r["W1"]["p50_ms"] for r in rounds),
        "default_ready_s": med("default-data", "ready_s"),
        "default_rss_mib": med("default-data", "rss_mib"),
        "baseline_ready_s": med("W1-baseline", "ready_s"),
        "close_and_pack_10k_s": domain["median_s"],
        "rounds": len(rounds),
    }


def table(summary: dict[str, Any]) -> str:
    rows = summary["rows"]
    w = {r["workload"]: r for r in rows}
    lines = [
        "| workload | req/s (× baseline) | p50 ms | p99 ms (× baseline p99) | target |",
        "|---|---|---|---|---|",
    ]
    targets = {"W1": 0.9, "W2": 0.9, "W3": 0.8, "W4": 0.8, "W5": None}
    names = {
        "W1": "W1 offers page, 10 000 offers",
        "W2": "W2 stock status, 20 barcodes",
        "W3": "W3 purchase, 1–3 lines",
        "W4": "W4 mixed partner flow",
        "W5": "W5 W1's reads, 100 000 offers",
    }
    for r in rows:
        target = targets[r["workload"]]
        goal = f"≥ {target}× req/s, ≤ 1.5× p99" if target else "p50 ≤ 1.5× W1's"
        lines.append(
            f"| {names[r['workload']]} | {r['rps']:.0f} ({r['rps_ratio']:.2f}×) | {r['p50_ms']:.2f} | "
            f"{r['p99_ms']:.2f} ({r['p99_ratio']:.2f}×) | {goal} |"
        )
    s = summary
    lines += [
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| time to ready, default data | {s['default_ready_s']:.2f} s (baseline app {s['baseline_ready_s']:.2f} s) | ≤ 0.5 s |",
        f"| time to ready, 100 000 offers | {w['W5']['ready_s']:.2f} s | ≤ 3 s |",
        f"| peak RSS, default data | {s['default_rss_mib']:.0f} MiB | ≤ 80 MiB |",
        f"| peak RSS, 100 000 offers (after W5) | {w['W5']['rss_mib']:.0f} MiB | ≤ 400 MiB |",
        f"| W5 p50 / W1 p50 | {s['w5_vs_w1_p50']:.2f}× | ≤ 1.5× |",
        f"| close and pack 10 000 requests | {s['close_and_pack_10k_s'] * 1000:.0f} ms | ≤ 1 s |",
        f"| journal cost (W1 throughput, journal on vs off) | {s['journal_cost'] * 100:.1f}% | ≤ 10% |",
        f"| fault matching cost (W1, one non-matching rule vs none) | {s['fault_matching_cost'] * 100:.1f}% | ≤ 2% |",
        f"| dashboard cost (W1 throughput, overview open in Chromium vs none; {s['w1_dashboard_rps']:.0f} req/s open) | {s['dashboard_cost'] * 100:.1f}% | ≤ 5% |",
    ]
    lines += [
        "",
        "| 2 workers on Redis vs 1 in-memory worker | req/s (× in-memory) | p99 ms (× in-memory) | target |",
        "|---|---|---|---|",
    ]
    goals = {"W1": "≥ 1.3× req/s, ≤ 1.5× p99", "W3": "≥ 1.0× req/s, ≤ 1.5× p99"}
    for r in s["scaled"]:
        journal = "journal off" if r["workload"].endswith("no-journal") else "journal on"
        lines.append(
            f"| {names[r['workload'][:2]]}, {journal} | {r['rps']:.0f} ({r['rps_ratio']:.2f}×) | "
            f"{r['p99_ms']:.2f} ({r['p99_ratio']:.2f}×) | {goals[r['workload'][:2]]} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--seconds", type=int, default=5, help="each server is loaded 2 × SECONDS a round, in turns"
    )
    parser.add_argument("--only", nargs="*", help="quick look at some workloads (no summary)")
    args = parser.parse_args()
    wrk = ensure_wrk()
    sys.path.insert(0, str(ROOT))
    from bench.domain_bench import main as domain_main

    rounds = []
    with tempfile.TemporaryDirectory() as directory:
        for index in range(args.rounds):
            print(f"round {index + 1}/{args.rounds}", file=sys.stderr)
            rounds.append(measure_round(wrk, args.seconds, Path(directory), args.only))
    if args.only:
        print(json.dumps(rounds, indent=1))
        return 0
    summary = summarize(rounds, domain_main())
    text = table(summary)
    (BENCH / "results.json").write_text(
        json.dumps({"summary": summary, "rounds": rounds}, indent=1) + "\n"
    )
    (BENCH / "results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
