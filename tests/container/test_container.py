"""The image as partners run it: `docker run --network host`, configured by environment alone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.live.server import free_port

IMAGE = os.environ.get("CONTAINER_IMAGE", "mock-gateway:test")
ROOT = Path(__file__).resolve().parents[2]


def docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


@contextmanager
def container(env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Run the image detached on a free port; yield (container id, base URL); remove it."""
    port = free_port()
    flags = [f"-e{k}={v}" for k, v in {"MOCK_GATEWAY_PORT": str(port), **(env or {})}.items()]
    started = docker("run", "-d", "--network", "host", *flags, IMAGE)
    assert started.returncode == 0, started.stderr
    cid = started.stdout.strip()
    try:
        yield cid, f"http://127.0.0.1:{port}"
    finally:
        docker("rm", "-f", cid)


def readme_figure(pattern: str) -> str:
    """A figure the README states, found by `pattern` (its one group)."""
    found = re.search(pattern, (ROOT / "README.md").read_text())
    assert found is not None, f"the README no longer states {pattern!r}"
    return found.group(1)


def test_container__the_image_size_is_what_the_readme_says() -> None:
    """The README's image and added sizes hold within 5 % (the stand-in base, when it is the
    one built here; on another base only the added size is comparable)."""
    size = int(docker("image", "inspect", IMAGE, "--format", "{{.Size}}").stdout) / 1e6
    base_found = docker("image", "inspect", "python:3.12-slim", "--format", "{{.Size}}")
    added = float(readme_figure(r"add (\d+) MB to the base image"))
    if base_found.returncode == 0:
        base = int(base_found.stdout) / 1e6
        assert abs((size - base) - added) <= 0.05 * size, (size, base)
        if abs(base - float(readme_figure(r"stand-in base image is (\d+) MB"))) < 2:
            assert abs(size - float(readme_figure(r"the image is (\d+) MB\s+there"))) <= 0.05 * size


def wait_healthy(cid: str, limit: float = 30) -> float:
    """Seconds from now until Docker reports the container healthy."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        status = docker("inspect", "-f", "{{.State.Health.Status}}", cid).stdout.strip()
        if status == "healthy":
            return time.monotonic() - start
        if docker("inspect", "-f", "{{.State.Running}}", cid).stdout.strip() != "true":
            raise AssertionError("container stopped: " + docker("logs", cid).stderr)
        time.sleep(0.05)
    raise AssertionError("container never became healthy")


def test_container__healthy_fast_live_suite_passes_logs_clean_stops_fast() -> None:
    port = free_port()
    start = time.monotonic()
    started = docker("run", "-d", "--network", "host", f"-eMOCK_GATEWAY_PORT={port}", IMAGE)
    assert started.returncode == 0, started.stderr
    cid = started.stdout.strip()
    try:
        wait_healthy(cid)
        healthy_after = time.monotonic() - start
        print(f"healthy {healthy_after:.2f}s after docker run")
        stated_healthy = float(readme_figure(r"healthy [0-9.]+–([0-9.]+) s after `docker run`"))
        assert healthy_after <= stated_healthy + 0.5  # the README's range, with a margin
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/control"],
            cwd=ROOT,
            env={**os.environ, "GATEWAY_TEST_URL": f"http://127.0.0.1:{port}"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert suite.returncode == 0, suite.stdout[-4000:]
        requests.get(
            f"http://127.0.0.1:{port}/v1_1/offers", auth=("DEMO01", "demo-pass"), timeout=5
        )
        requests.get(
            f"http://127.0.0.1:{port}/v1_1/offers", auth=("DEMO01", "bad-guess"), timeout=5
        )
        logs = docker("logs", cid)
        text = logs.stdout + logs.stderr
        lines = [line for line in text.splitlines() if line.startswith(("GET ", "POST "))]
        assert "GET /v1_1/offers 200" in text and "GET /v1_1/offers 401" in text
        assert len(lines) >= 50
        assert "mock-gateway is ready" in text  # the banner
        for secret in ("demo-pass", "bad-guess", "Authorization", "Basic "):
            assert secret not in text
        stop_start = time.monotonic()
        assert docker("stop", cid, timeout=30).returncode == 0
        stopped_in = time.monotonic() - stop_start
        print(f"docker stop took {stopped_in:.2f}s")
        stated_stop = float(readme_figure(r"measured `docker stop`: ([0-9.]+) s"))
        assert stopped_in <= stated_stop + 1.0  # the README's figure, with a margin
        assert docker("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip() == "0"
    finally:
        docker("rm", "-f", cid)


def test_container__settings_from_the_environment() -> None:
    env = {
        "MOCK_GATEWAY_BUYERS": "ACME01:acme-pw,ZETA02:zeta-pw",
        "MOCK_GATEWAY_SEED": "42",
        "MOCK_GATEWAY_CATALOG_SIZE": "1000",
        "MOCK_GATEWAY_CUTOFF_TIME": "18:30",
        "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z",
        "MOCK_GATEWAY_ADMIN_TOKEN": "t0ken",
        "MOCK_GATEWAY_LOG_FORMAT": "json",
        "MOCK_GATEWAY_PUBLIC_BASE_URL": "http://mock-gateway:8080",
    }
    with container(env) as (cid, base):
        wait_healthy(cid)
        auth = ("ACME01", "acme-pw")
        assert (
            requests.get(f"{base}/v1_1/offers", auth=("DEMO01", "demo-pass"), timeout=5).status_code
            == 401
        )
        offers = requests.get(f"{base}/v1_1/offers?PageSize=1", auth=auth, timeout=5)
        assert offers.headers["X-Paging-TotalCount"] == "1000"
        assert offers.json()[0]["imageUrl"].startswith("http://mock-gateway:8080/media/")
        assert requests.get(f"{base}/__mock/clock", timeout=5).status_code == 401
        admin = {"Authorization": "Bearer t0ken"}
        clock = requests.get(f"{base}/__mock/clock", headers=admin, timeout=5).json()
        assert clock["now"] == "2026-11-30T09:00:00.000Z"
        barcode = offers.json()[0]["barcode"]
        requests.patch(
            f"{base}/__mock/offers/{barcode}", json={"stockQuantity": 5}, headers=admin, timeout=5
        )
        requests.post(
            f"{base}/v2/offers/ACME01/items",
            json=[{"barcode": barcode, "requestedQuantity": 1}],
            auth=auth,
            timeout=5,
        )
        # 18:30 Istanbul = 15:30Z is the cut-off
        assert (
            requests.get(f"{base}/__mock/clock", headers=admin, timeout=5).json()["nextEvent"]
            == "2026-11-30T15:30:00.000Z"
        )
        logs = docker("logs", cid)
        json_lines = [
            line for line in (logs.stdout + logs.stderr).splitlines() if line.startswith("{")
        ]
        assert any(
            '"path": "/v1_1/offers"' in line and '"status": 200' in line for line in json_lines
        )
        # the same seed gives the same catalog in another container
    with container(env) as (cid2, base2):
        wait_healthy(cid2)
        again = requests.get(
            f"{base2}/v1_1/offers?PageSize=1", auth=("ACME01", "acme-pw"), timeout=5
        )
        assert again.json()[0]["barcode"] == barcode


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCK_GATEWAY_WORKERS": "2"}, "MOCK_GATEWAY_WORKERS=2 needs a shared store"),
        ({"MOCK_GATEWAY_CUTOFF_TIME": "4pm"}, "MOCK_GATEWAY_CUTOFF_TIME='4pm' is invalid"),
    ],
)
def test_container__refuses_to_start_with_one_clear_line(env: dict[str, str], message: str) -> None:
    flags = [f"-e{k}={v}" for k, v in env.items()]
    start = time.monotonic()
    result = docker("run", "--rm", "--network", "host", *flags, IMAGE, timeout=30)
    assert time.monotonic() - start < 10
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_container__the_readme_testcontainers_recipe_runs() -> None:
    """The README's Python Testcontainers example, as pasted (host network: no bridge here)."""
    readme = (ROOT / "README.md").read_text()
    [code] = re.findall(
        r"```python\n(# README example \(container suite\): Testcontainers\n.*?)```", readme, re.S
    )
    env = {
        **os.environ,
        "MOCK_GATEWAY_IMAGE": IMAGE,
        "DOCKER_HOST_NETWORK": "1",
        "MOCK_GATEWAY_TEST_PORT": str(free_port()),
        "TESTCONTAINERS_RYUK_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_container__the_readme_node_testcontainers_recipe_runs(tmp_path: Path) -> None:
    """The README's Node snippet, as pasted, as an ES module with Node from Debian and
    testcontainers 11 from tools/ (installed by the test command)."""
    readme = (ROOT / "README.md").read_text()
    [code] = re.findall(
        r"```javascript\n(// README example \(container suite\): Node Testcontainers\n.*?)```",
        readme,
        re.S,
    )
    modules = ROOT / "tools" / "node_modules"
    assert (modules / "testcontainers").is_dir(), "bash scripts/test.sh installs tools/"
    (tmp_path / "node_modules").symlink_to(modules)
    (tmp_path / "mock.mjs").write_text(code)
    port = free_port()
    env = {
        **os.environ,
        "MOCK_GATEWAY_IMAGE": IMAGE,
        "DOCKER_HOST_NETWORK": "1",
        "MOCK_GATEWAY_TEST_PORT": str(port),
        "TESTCONTAINERS_RYUK_DISABLED": "true",
        # no bridge network here: Node's testcontainers would look for its gateway
        "TESTCONTAINERS_HOST_OVERRIDE": "127.0.0.1",
    }
    result = subprocess.run(
        ["node", "mock.mjs"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"mock ready at http://127.0.0.1:{port}/b2bbuyergatewayapi" in result.stdout


def buy_on_one_and_see_it_on_the_other(a: str, b: str) -> None:
    """Two units bought through replica `a` are gone from replica `b`'s stock at once."""
    bought = requests.post(
        a + "/b2bbuyergatewayapi/v2/offers/DEMO01/items",
        json=[{"barcode": "8685298053581", "requestedQuantity": 2}],
        auth=("DEMO01", "demo-pass"),
        timeout=10,
    )
    assert bought.status_code == 200, bought.text
    stock = requests.get(
        b + "/b2bbuyergatewayapi/v2/offers/DEMO01/stock-status",
        params={"barcodeList": "8685298053581"},
        auth=("DEMO01", "demo-pass"),
        timeout=10,
    )
    assert stock.json() == [{"barcode": "8685298053581", "availableQuantity": 296}]


def test_container__two_replicas_share_one_redis(tmp_path: Path) -> None:
    """The image carries the Redis store: two containers (one with two workers) on one Redis
    answer as one gateway."""
    from tests.redis_server import RedisServer

    redis_server = RedisServer(tmp_path).start()
    try:
        store = {"MOCK_GATEWAY_STORE": redis_server.url}
        with (
            container({**store, "MOCK_GATEWAY_WORKERS": "2"}) as (first, a),
            container(store) as (second, b),
        ):
            for cid in (first, second):
                wait_healthy(cid)
            buy_on_one_and_see_it_on_the_other(a, b)
    finally:
        redis_server.stop()


def compose_command() -> list[str]:
    """`docker compose` (v2) where there is one, else `docker-compose` (1.28+)."""
    if docker("compose", "version").returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"]


def test_container__the_compose_fleet_answers_as_one_gateway() -> None:
    """compose.yaml's fleet profile as the README starts it: Redis and two replicas on a
    compose network, published on the host."""
    built = docker(
        "build", "--network", "host", "-f", "redis.Dockerfile", "-t",
        "mock-gateway-redis:local", str(ROOT), timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    port_a, port_b = free_port(), free_port()
    env = {
        **os.environ,
        "GATEWAY_IMAGE": IMAGE,
        "FLEET_PORT_A": str(port_a),
        "FLEET_PORT_B": str(port_b),
        "COMPOSE_PROJECT_NAME": f"mgfleet{port_a}",
    }
    compose = [*compose_command(), "-f", str(ROOT / "compose.yaml"), "--profile", "fleet"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*compose, *args], env=env, capture_output=True, text=True, timeout=180
        )

    up = run("up", "-d", "--no-build", "redis", "replica-a", "replica-b")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        deadline = time.monotonic() + 60
        for base in (a, b):
            while True:
                try:
                    if requests.get(base + "/__mock/ready", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, run("logs").stdout[-3000:]
                time.sleep(0.2)
        buy_on_one_and_see_it_on_the_other(a, b)
        journal = requests.get(b + "/__mock/journal", params={"method": "POST"}, timeout=10)
        assert [e["path"] for e in journal.json()] == ["/b2bbuyergatewayapi/v2/offers/DEMO01/items"]
    finally:
        run("down", "-v", "--remove-orphans")


def test_container__a_siege_of_silent_and_slow_clients_starves_nobody() -> None:
    """The image's server holds the siege of tests/live/test_connections.py (shorter)."""
    from tests.live.siege import siege
    from tests.live.test_connections import assert_held, assert_timed_out

    with container({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as (cid, base):
        wait_healthy(cid)
        host, port = base.removeprefix("http://").split(":")
        report = siege(host, int(port), seconds=12)
        assert_held(report, 12)
        assert report.silent_reopened >= 1000  # dropped after 5 s of silence, and back
        for sender in report.slow_bodies:
            assert sender.closed_after is not None and 5 <= sender.closed_after <= 7
            assert_timed_out(sender.answer, "slower than 240 bytes/s")
