"""Every input costs bounded memory, whatever its size or shape: counted with tracemalloc
around the whole request (wall time is never asserted; bench/inputs.py measures CPU)."""

from __future__ import annotations

import json
import threading
import tracemalloc
from collections.abc import Callable

import pytest
from flask import Flask

from mock_gateway import create_app
from mock_gateway.api.body import CONTROL_PARSE_RATIO
from mock_gateway.config import Settings
from tests.conftest import BUYER

MB = 1024 * 1024
API_BUDGET = 64 * MB
PURCHASE = "/b2bbuyergateway/v2/offers/DEMO01/items"
JSON = {"Content-Type": "application/json"}


def filled(item: bytes, size: int, joiner: bytes = b",", array: bool = True) -> bytes:
    """About `size` bytes of `item`s, as a JSON array or as bare lines."""
    count = size // (len(item) + len(joiner)) - 1
    body = joiner.join([item] * count)
    return b"[" + body + b"]" if array else body


API_BODIES = {
    "objects": filled(b"{}", MB - 16),
    "zeros": filled(b"0", MB - 16),
    "arrays": filled(b"[]", MB - 16),
    "object lines": filled(b"{}", MB - 16, b"\n", array=False),
    "zero lines": filled(b"0", MB - 16, b"\n", array=False),
    "array lines": filled(b"[]", MB - 16, b"\n", array=False),
    "deep": b"[" * (MB // 2 - 8) + b"]" * (MB // 2 - 8),
    "bad lines": filled(b'{"barcode":1,"requestedQuantity":"x"}', MB - 16),
}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(Settings(log_format="off", buyers={BUYER[0]: BUYER[1]}))


def peak_of(work: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", list(API_BODIES))
def test_api_body__up_to_its_limit_costs_at_most_64_mb(app: Flask, name: str) -> None:
    body = API_BODIES[name]
    assert len(body) <= MB
    statuses = []

    def send() -> None:
        response = app.test_client().post(PURCHASE, data=body, headers=JSON, auth=BUYER)
        statuses.append(response.status_code)

    assert peak_of(send) <= API_BUDGET
    assert statuses == [400]


def test_api_body__eight_at_once_cost_at_most_eight_budgets(app: Flask) -> None:
    statuses: list[int] = []

    def send(body: bytes) -> None:
        response = app.test_client().post(PURCHASE, data=body, headers=JSON, auth=BUYER)
        statuses.append(response.status_code)

    def eight() -> None:
        bodies = [API_BODIES[name] for name in ("objects", "arrays", "zeros", "bad lines")] * 2
        threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert peak_of(eight) <= 8 * API_BUDGET
    assert statuses == [400] * 8


CONTROL_JUNK = {
    # refused before parsing: a document of this size could not hold so many values
    "objects": (b'{"offers":' + filled(b"{}", 16 * MB) + b"}", 4),
    "arrays": (b'{"offers":' + filled(b"[]", 16 * MB) + b"}", 4),
    "short strings": (b'{"offers":' + filled(b'"ab"', 16 * MB) + b"}", 4),
    "not json": (b"{" + b"x" * 16 * MB, 4),
    "zeros": (b'{"offers":' + filled(b"0", 16 * MB) + b"}", 4),
    # JSON shaped like a state document parses (as an export does), then the schema refuses
    # it: the parse bound plus the body and its copy
    "numbers": (b'{"offers":' + filled(b"1234567", 16 * MB) + b"}", CONTROL_PARSE_RATIO + 2),
}


def test_state_import__a_large_export_full_of_purchases_is_taken(app: Flask) -> None:
    """The densest real document: a small catalog, thousands of purchases in one batch,
    written compactly (its values would parse into about 5 times its size)."""
    client = app.test_client()
    client.post("/__mock/reset", json={"catalogSize": 20})
    document = client.get("/__mock/state").get_json()
    barcode = document["offers"][0]["barcode"]
    client.patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 100_000})
    line = [{"barcode": barcode, "requestedQuantity": 1}]
    for _ in range(6000):
        assert client.post(PURCHASE, json=line, auth=BUYER).status_code == 200
    raw = json.dumps(client.get("/__mock/state").get_json(), separators=(",", ":")).encode()
    assert len(raw) > MB  # the size at which bodies are weighed
    assert client.put("/__mock/state", data=raw, headers=JSON).status_code == 200
    client.post("/__mock/reset", json={})


@pytest.mark.parametrize("name", list(CONTROL_JUNK))
def test_state_import__junk_is_refused_within_its_bound(app: Flask, name: str) -> None:
    body, times = CONTROL_JUNK[name]
    statuses = []

    def send() -> None:
        response = app.test_client().put("/__mock/state", data=body, headers=JSON)
        statuses.append(response.status_code)

    assert peak_of(send) <= times * len(body)
    assert statuses == [400]
