"""Faults, rate limits, the journal, readiness and the OpenAPI documents, over HTTP."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from openapi_spec_validator import validate

from mock_gateway.testing import ControlError, MockGateway
from tests.live.conftest import LiveClient

ROOT = Path(__file__).resolve().parents[2]
ITEMS = "/v2/offers/DEMO01/items"


def a_barcode(gw: MockGateway) -> str:
    return next(o["barcode"] for o in gw.export_state()["offers"] if o["stockQuantity"] >= 20)


def test_fault__503_for_the_next_two_purchases_then_through(
    gw: MockGateway, client: LiveClient
) -> None:
    barcode = a_barcode(gw)
    gw.fail("POST", "/v2/offers/*/items", 503, times=2)
    body = [{"barcode": barcode, "requestedQuantity": 1}]
    statuses = [client.post(ITEMS, json=body).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert client.get("/v1_1/offers?PageSize=1").status_code == 200  # other routes untouched
    assert gw.control("GET", "faults") == []  # spent rules are gone
    stock = client.get(f"/v2/offers/DEMO01/stock-status?barcodeList={barcode}").json()
    before = next(o for o in gw.export_state()["offers"] if o["barcode"] == barcode)
    assert stock[0]["availableQuantity"] == before["stockQuantity"]


def test_fault__status_bodies_follow_the_contract(gw: MockGateway, client: LiveClient) -> None:
    gw.fail("GET", "/v1_1/offers", 500, times=1)
    gw.fail("GET", "/v1_1/offers", 429, times=1, retry_after=7)
    first = client.get("/b2bbuyergateway/v1_1/offers")
    assert first.status_code == 500
    assert first.json() == {
        "errorCode": "InternalServerError",
        "hasError": True,
        "messages": [
            {"type": "error", "content": "There was a problem while processing your request."}
        ],
    }
    second = client.get("/v1_1/offers")
    assert second.status_code == 429 and second.headers["Retry-After"] == "7"


def test_fault__latency_is_applied(gw: MockGateway, client: LiveClient) -> None:
    gw.delay("GET", "/v1_1/offers", 300)
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        client.get("/v1_1/offers?PageSize=1")
        samples.append((time.perf_counter() - start) * 1000)
    # a lower bound only (the configured delay, less timer granularity): a slow machine can
    # only add to it, so this cannot fail for being slow
    assert min(samples) >= 295


def test_fault__keyed_to_a_buyer(gw: MockGateway, client: LiveClient) -> None:
    gw.control("PUT", "buyers/OTHER02", {"password": "pw"})
    gw.add_fault("*", "/*", {"type": "status", "status": 503}, buyer_code="OTHER02")
    assert client.get("/v1_1/offers?PageSize=1").status_code == 200
    other = LiveClient(gw.base_url, auth=("OTHER02", "pw"))
    assert other.get("/v1_1/offers?PageSize=1").status_code == 503


def test_fault__probability_is_reproducible(gw: MockGateway, client: LiveClient) -> None:
    def pattern() -> list[int]:
        gw.reset()
        gw.add_fault("GET", "/v1_1/offers", {"type": "status", "status": 503}, probability=0.5)
        return [client.get("/v1_1/offers?PageSize=1").status_code for _ in range(12)]

    first = pattern()
    assert first == pattern()
    assert {200, 503} == set(first)


def test_fault__dropped_connection(gw: MockGateway) -> None:
    gw.drop("GET", "/v1_1/offers", times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(gw.url("/v1_1/offers"), auth=gw.auth, timeout=10)
    assert requests.get(gw.url("/v1_1/offers"), auth=gw.auth, timeout=10).status_code == 200


@pytest.mark.parametrize(
    "rule",
    [
        {"effect": {"type": "status", "status": 418}},
        {"effect": {"type": "latency"}},
        {"effect": {"type": "explode"}},
        {"method": "get", "effect": {"type": "drop"}},
        {"path": "no-slash", "effect": {"type": "drop"}},
        {"probability": 0, "effect": {"type": "drop"}},
    ],
)
def test_fault__bad_rules_are_400(gw: MockGateway, rule: dict[str, Any]) -> None:
    with pytest.raises(ControlError) as error:
        gw.control("POST", "faults", rule)
    assert error.value.status == 400
    assert gw.control("GET", "faults") == []


def test_fault__list_and_delete(gw: MockGateway) -> None:
    rule = gw.delay("GET", "/v1_1/*", 1)
    assert [r["id"] for r in gw.control("GET", "faults")] == [rule["id"]]
    gw.control("DELETE", f"faults/{rule['id']}")
    assert gw.control("GET", "faults") == []
    with pytest.raises(ControlError):
        gw.control("DELETE", f"faults/{rule['id']}")


def test_rate_limit__429_with_retry_after_after_the_count(
    gw: MockGateway, client: LiveClient
) -> None:
    gw.control("PUT", "rate-limit", {"enabled": True, "requests": 3, "windowSeconds": 60})
    statuses = [client.get("/v1_1/offers?PageSize=1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/v1_1/offers?PageSize=1")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["hasError"] is True
    # counted per endpoint: another endpoint is not limited yet
    assert client.get("/v2/offers/DEMO01/stock-status?barcodeList=x").status_code == 200
    gw.control("PUT", "rate-limit", {"enabled": False})
    assert client.get("/v1_1/offers?PageSize=1").status_code == 200


def test_journal__records_requests_in_order_without_credentials(
    gw: MockGateway, client: LiveClient
) -> None:
    barcode = a_barcode(gw)
    client.get("/b2bbuyergateway/v1_1/offers?PageSize=1")
    client.post(ITEMS + "?vendorRef=SO-9", json=[{"barcode": barcode, "requestedQuantity": 1}])
    client.post(ITEMS, json=[])
    LiveClient(gw.base_url, auth=("DEMO01", "wrong")).get("/v1_1/offers")
    entries = gw.journal()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/b2bbuyergateway/v1_1/offers", 200),
        ("POST", "/v2/offers/DEMO01/items", 200),
        ("POST", "/v2/offers/DEMO01/items", 400),
        ("GET", "/v1_1/offers", 401),
    ]
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert entries[1]["body"] == [{"barcode": barcode, "requestedQuantity": 1}]
    assert entries[1]["query"] == "vendorRef=SO-9"
    assert entries[1]["response"]["items"][0]["availableQuantity"] == 1
    assert entries[3]["body"] == ""
    assert entries[0]["buyerCode"] == "DEMO01" and entries[3]["buyerCode"] is None
    text = json.dumps(entries)
    assert "demo-pass" not in text and "wrong" not in text
    assert "Authorization" not in text and "Basic " not in text


def test_journal__filters_narrow_it(gw: MockGateway, client: LiveClient) -> None:
    client.get("/v1_1/offers?PageSize=1")
    client.post(ITEMS, json=[])
    gw.advance("1h")
    client.get("/v2/offers/DEMO01/stock-status?barcodeList=x")
    assert len(gw.journal()) == 3
    assert [e["method"] for e in gw.journal(method="POST")] == ["POST"]
    assert [e["status"] for e in gw.journal(status=400)] == [400]
    assert len(gw.journal(path="stock-status")) == 1
    assert len(gw.journal(buyerCode="DEMO01")) == 3 and gw.journal(buyerCode="X") == []
    assert len(gw.journal(since="2026-11-30T09:30:00Z")) == 1
    assert len(gw.journal(limit=2)) == 2
    gw.clear_journal()
    assert gw.journal() == []


def test_journal__control_changes_join_the_story_in_order(
    gw: MockGateway, client: LiveClient
) -> None:
    """plane=all interleaves the control plane's changes (clock moves, cut-offs forced, faults,
    buyers) with the API's requests, in order; the default stays the API's requests alone."""
    gw.clear_journal()
    barcode = a_barcode(gw)
    gw.fail("GET", "/v1_1/offers", 503, times=1)
    client.get("/v1_1/offers?PageSize=1")
    client.post(ITEMS, json=[{"barcode": barcode, "requestedQuantity": 1}])
    gw.advance("4h")
    gw.cut_off()
    gw.control("PUT", "buyers/ACME01", {"password": "s3cret-acme", "addressTitles": ["Depot"]})
    gw.control("GET", "clock")  # reads are not steps
    story = [(e["plane"], e["method"], e["path"], e["status"]) for e in gw.journal(plane="all")]
    assert story == [
        ("control", "POST", "/__mock/faults", 201),
        ("api", "GET", "/v1_1/offers", 503),
        ("api", "POST", ITEMS, 200),
        ("control", "POST", "/__mock/clock/advance", 200),
        ("control", "POST", "/__mock/batches/close", 200),
        ("control", "POST", "/__mock/batches/pack", 200),
        ("control", "PUT", "/__mock/buyers/ACME01", 200),
    ]
    entries = gw.journal(plane="all")
    assert entries[1]["fault"] == "answered 503 by fault rule 1"
    assert entries[2]["fault"] is None
    assert entries[3]["body"] == {"by": "4h"}
    assert entries[3]["time"] == "2026-11-30T09:00:00.000Z"  # asked at 09:00, moved to 13:00
    assert entries[6]["body"] == ""  # a buyer's body holds its password
    assert "s3cret-acme" not in json.dumps(entries)
    assert [e["plane"] for e in gw.journal()] == ["api", "api"]
    assert [e["path"] for e in gw.journal(plane="control", limit=1)] == ["/__mock/buyers/ACME01"]
    with pytest.raises(ControlError) as refused:
        gw.journal(plane="everything")
    assert refused.value.status == 400 and "plane" in json.dumps(refused.value.body)


def test_journal__is_bounded() -> None:
    from mock_gateway.state.journal import Journal

    journal = Journal(3)
    for i in range(5):
        journal.record(
            time=None, buyer=None, method="GET", path=f"/{i}", query="", body="", status=200,
            response="", duration_ms=0.0,
        )  # fmt: skip
    assert [e.path for e in journal.entries()] == ["/2", "/3", "/4"]


def test_ready__reports_loaded_data(gw: MockGateway) -> None:
    assert gw.control("GET", "ready") == {"ready": True, "offers": 300}


def test_openapi__valid_3_1_with_all_seven_endpoints(gw: MockGateway) -> None:
    document = gw.control("GET", "openapi.json")
    validate(document)
    assert document["openapi"] == "3.1.0"
    operations = {
        (path, method): op
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    expected = {
        ("/v1_1/offers", "get"),
        ("/v2/offers/{buyerCode}/stock-status", "get"),
        ("/v2/products/{modelNo}/images", "get"),
        ("/v2/offers/{buyerCode}/items", "post"),
        ("/v2/offers/{requestNumber}/B2Bs", "get"),
        ("/v2/offers/{requestNumber}/cancel-items", "post"),
        ("/v2/products/{barcode}/rating", "get"),
    }
    assert expected <= set(operations)
    for key in expected:
        assert "$ref" in json.dumps(operations[key]["responses"]["200"])
    for key in (
        ("/v2/offers/{buyerCode}/items", "post"),
        ("/v2/offers/{requestNumber}/cancel-items", "post"),
    ):
        assert operations[key]["requestBody"]["content"]["application/json"]["schema"]["$ref"]


def test_openapi__control_document_is_valid(gw: MockGateway) -> None:
    validate(gw.control("GET", "control-openapi.json"))


@pytest.mark.parametrize("name", ["openapi.json", "control-openapi.json"])
def test_openapi__committed_copy_equals_the_generated_one(gw: MockGateway, name: str) -> None:
    committed = json.loads((ROOT / "docs" / name).read_text())
    assert committed == gw.control("GET", name), "run: mock-gateway openapi --write docs/"


def test_openapi__component_keys_are_class_names(gw: MockGateway) -> None:
    """Every generator (openapi-typescript keys types by component key) names types alike."""
    for name in ("openapi.json", "control-openapi.json"):
        schemas = gw.control("GET", name)["components"]["schemas"]
        for key, schema in schemas.items():
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", key) and schema["title"] == key, key
    api = gw.control("GET", "openapi.json")["components"]["schemas"]
    assert {"Offer", "StockStatus", "PurchaseLine", "B2BPackage", "ReservedLine"} <= set(api)
    assert api["StockStatusList"]["items"] == {"$ref": "#/components/schemas/StockStatus"}
