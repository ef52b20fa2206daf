"""Durable state over a real process: restarts lose nothing; a bad file stops start-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.environ import mock_environ
from tests.live.conftest import LiveClient
from tests.live.server import free_port, served


def answers(api: LiveClient, numbers: list[str], barcodes: list[str]) -> Any:
    query = "&".join(f"barcodeList={b}" for b in barcodes)
    return (
        api.get(f"/v2/offers/DEMO01/stock-status?{query}").json(),
        [api.get(f"/v2/offers/{n}/B2Bs").json() for n in numbers],
        api.get("/__mock/state").json(),
    )


def test_state_file__sigterm_then_restart_loses_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state" / "mock.json"
    env = {
        "MOCK_GATEWAY_STATE_FILE": str(state),
        "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z",
        "MOCK_GATEWAY_STATE_SAVE_INTERVAL": "10s",  # only the shutdown save can have saved it
    }
    with served(env) as base:
        api = LiveClient(base)
        rows = api.get("/v2/offers/DEMO01/stock-status").json()
        barcodes = [r["barcode"] for r in rows if r["availableQuantity"] >= 5][:2]
        first = api.post(
            "/v2/offers/DEMO01/items", json=[{"barcode": barcodes[0], "requestedQuantity": 3}]
        ).json()["requestNumber"]
        api.post(f"/v2/offers/{first}/cancel-items", json={"barcode": barcodes[0], "quantity": 1})
        api.post("/__mock/clock/advance", json={"by": "4h"})  # cut-off: packages
        second = api.post(
            "/v2/offers/DEMO01/items", json=[{"barcode": barcodes[1], "requestedQuantity": 2}]
        ).json()["requestNumber"]
        before = answers(api, [first, second], barcodes)
    assert state.exists()  # written at SIGTERM
    with served(env) as base:
        after = answers(LiveClient(base), [first, second], barcodes)
    assert after == before
    assert before[1][0] and before[1][1] == []


def test_state_file__saved_shortly_after_a_change_survives_a_hard_kill(tmp_path: Path) -> None:
    state = tmp_path / "mock.json"
    port = free_port()
    env = {
        **mock_environ(),
        "MOCK_GATEWAY_STATE_FILE": str(state),
        "MOCK_GATEWAY_STATE_SAVE_INTERVAL": "200ms",
        "MOCK_GATEWAY_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_gateway", "serve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        api = LiveClient(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                api.get("/healthcheck")
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        barcode = api.get("/v1_1/offers?PageSize=1").json()[0]["barcode"]
        api.session.patch(f"{api.base}/__mock/offers/{barcode}", json={"stockQuantity": 77})
        deadline = time.monotonic() + 10  # the documented bound is one interval; allow slack
        while b'"stockQuantity":77' not in (state.read_bytes() if state.exists() else b""):
            assert time.monotonic() < deadline, "state was not saved after the change"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with served({"MOCK_GATEWAY_STATE_FILE": str(state)}) as base:
        rows = LiveClient(base).get(f"/v2/offers/DEMO01/stock-status?barcodeList={barcode}").json()
    assert rows == [{"barcode": barcode, "availableQuantity": 77}]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{not json", "unreadable"), (b'{"format": "other"}', "not a valid state")],
)
def test_state_file__corrupted_stops_start_up(tmp_path: Path, content: bytes, message: str) -> None:
    state = tmp_path / "mock.json"
    state.write_bytes(content)
    env = {
        **mock_environ(),
        "MOCK_GATEWAY_STATE_FILE": str(state),
        "MOCK_GATEWAY_PORT": str(free_port()),
    }
    result = subprocess.run(
        [sys.executable, "-m", "mock_gateway", "serve"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"MOCK_GATEWAY_STATE_FILE {state}: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert state.read_bytes() == content  # never replaced by fresh data
