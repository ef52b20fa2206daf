"""Through the real server on a socket (gunicorn, as users run it), not the test client."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from mock_gateway.resources import data_dir
from tests.live.conftest import LiveClient, fixtures_with_stock
from tests.live.server import served

PURCHASES = 240
STOCK = 50


@pytest.fixture(scope="module")
def contended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server where the first offer has exactly STOCK units."""
    directory = fixtures_with_stock(tmp_path_factory.mktemp("fx"), data_dir("fixtures"), {0: STOCK})
    barcode = json.loads((directory / "offers.json").read_text())[0]["barcode"]
    env = {"MOCK_GATEWAY_FIXTURES": str(directory), "MOCK_GATEWAY_THREADS": "16"}
    with served(env) as base:
        yield base, barcode


def test_concurrent_purchases__never_oversell(contended: tuple[str, str]) -> None:
    base, barcode = contended
    start = threading.Barrier(PURCHASES)
    seen_stock: list[int] = []

    def purchase(i: int) -> int:
        body = [{"barcode": barcode, "requestedQuantity": 1 + i % 3}]
        start.wait()
        response = requests.post(
            f"{base}/v2/offers/DEMO01/items",
            json=body,
            auth=("DEMO01", "demo-pass"),
            timeout=60,
        )
        assert response.status_code == 200, response.text
        [line] = response.json()["items"]
        assert 0 <= line["availableQuantity"] <= line["requestedQuantity"]
        if i % 20 == 0:
            stock = requests.get(
                f"{base}/v2/offers/DEMO01/stock-status?barcodeList={barcode}",
                auth=("DEMO01", "demo-pass"),
                timeout=60,
            ).json()
            seen_stock.append(stock[0]["availableQuantity"])
        return int(line["availableQuantity"])

    with ThreadPoolExecutor(max_workers=PURCHASES) as pool:
        reserved = list(pool.map(purchase, range(PURCHASES)))
    assert sum(reserved) == STOCK
    assert all(0 <= s <= STOCK for s in seen_stock)
    final = LiveClient(base).get(f"/v2/offers/DEMO01/stock-status?barcodeList={barcode}")
    assert final.json() == [{"barcode": barcode, "availableQuantity": 0}]


def test_partner_flow__quantity_cutoff(tmp_path: Path) -> None:
    """offers, stock, partial purchase, partial cancel, cut-off, cancel refused, B2Bs."""
    directory = fixtures_with_stock(tmp_path, data_dir("fixtures"), {0: 3, 1: 40})
    env = {
        "MOCK_GATEWAY_FIXTURES": str(directory),
        "MOCK_GATEWAY_CUTOFF_QUANTITY": "10",
        "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z",
    }
    with served(env) as base:
        api = LiveClient(base)
        offers = api.get("/b2bbuyergateway/v1_1/offers?Page=1&PageSize=2").json()
        scarce, plenty = offers[0]["barcode"], offers[1]["barcode"]
        assert [o["stockQuantity"] for o in offers] == [3, 40]

        def stock() -> dict[str, int]:
            rows = api.get(
                f"/b2bbuyergateway/v2/offers/DEMO01/stock-status?barcodeList={scarce}&barcodeList={plenty}"
            ).json()
            return {r["barcode"]: r["availableQuantity"] for r in rows}

        def offer_stock() -> dict[str, int]:
            rows = api.get(
                f"/b2bbuyergateway/v1_1/offers?Barcodes={scarce}&Barcodes={plenty}"
            ).json()
            return {r["barcode"]: r["stockQuantity"] for r in rows}

        assert stock() == offer_stock() == {scarce: 3, plenty: 40}
        purchase = api.post(
            "/b2bbuyergateway/v2/offers/DEMO01/items?vendorRef=SO-1",
            json=[
                {"barcode": scarce, "requestedQuantity": 5},
                {"barcode": plenty, "requestedQuantity": 4},
            ],
        ).json()
        number = purchase["requestNumber"]
        assert [i["availableQuantity"] for i in purchase["items"]] == [3, 4]
        assert stock() == offer_stock() == {scarce: 0, plenty: 36}

        cancel = api.post(
            f"/b2bbuyergateway/v2/offers/{number}/cancel-items",
            json={"barcode": plenty, "quantity": 2},
        ).json()
        assert cancel == {
            "requestedQuantity": 2,
            "cancelledQuantity": 2,
            "hasError": False,
            "messages": [],
        }
        assert stock() == offer_stock() == {scarce: 0, plenty: 38}
        assert api.get(f"/b2bbuyergateway/v2/offers/{number}/B2Bs").json() == []

        # 5 units are reserved now; 5 more reach the quantity cut-off of 10
        second = api.post(
            "/b2bbuyergateway/v2/offers/DEMO01/items?packageType=single",
            json=[{"barcode": plenty, "requestedQuantity": 5}],
        ).json()
        assert stock() == offer_stock() == {scarce: 0, plenty: 33}

        refused = api.post(
            f"/b2bbuyergateway/v2/offers/{number}/cancel-items",
            json={"barcode": plenty, "quantity": 1},
        )
        assert refused.status_code == 400
        assert isinstance(refused.json(), list) and refused.json()[0]["type"] == "error"
        assert stock() == offer_stock() == {scarce: 0, plenty: 33}

        packages = api.get(f"/b2bbuyergateway/v2/offers/{number}/B2Bs").json()
        single = api.get(f"/b2bbuyergateway/v2/offers/{second['requestNumber']}/B2Bs").json()
        assert packages and single
        assert all(p["warehouseName"] for p in packages + single)
        assert not {p["b2BId"] for p in packages} & {p["b2BId"] for p in single}


def test_served_mock__runs_on_the_wall_clock_shift_the_tests_are_given() -> None:
    """`.ci/run` runs the served suites with MOCK_GATEWAY_CLOCK_SHIFT five years ahead: every
    mock a test starts must receive it, or that run would prove nothing."""
    from datetime import UTC, datetime, timedelta

    from mock_gateway.config import load_settings

    shift = load_settings({k: v for k, v in os.environ.items() if k == "MOCK_GATEWAY_CLOCK_SHIFT"})
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as base:
        now = requests.get(base + "/__mock/clock", timeout=5).json()["now"]
    late = datetime.fromisoformat(now.replace("Z", "+00:00")) - datetime.now(UTC)
    assert abs(late - shift.clock_shift) < timedelta(minutes=1)
