"""Data that round-trips: large exports import back, offers can be added and removed, price
edits keep the price/discount invariant, the journal shows bodies as JSON, resume never jumps."""

from __future__ import annotations

from typing import Any

import pytest

from mock_gateway.testing import ControlError, MockGateway, running_gateway
from tests.live.conftest import LiveClient

NEW_OFFER = {
    "barcode": "8600000000017",
    "modelNo": "TWAW24MN99999",
    "name": "Linen Shirt",
    "price": 24.5,
    "originalSalesPrice": 35.0,
    "stockQuantity": 10,
    "warehouseId": 3,
}


def offer_of(client: LiveClient, barcode: str) -> Any:
    [offer] = client.get(f"/v1_1/offers?Barcodes={barcode}").json()
    return offer


def test_state__a_large_generated_catalog_exports_and_imports_back() -> None:
    with running_gateway({"catalog_size": 20000, "clock_start": "2026-11-30T09:00:00Z"}) as gw:
        document = gw.export_state()
        assert len(document["offers"]) == 20000
        gw.reset(catalog_size=10)
        gw.import_state(document)
        assert gw.export_state() == document


def test_state__every_413_names_the_limit_and_the_setting() -> None:
    settings = {"control_max_body_bytes": 1000, "max_body_bytes": 500}
    with running_gateway(settings) as gw:
        with pytest.raises(ControlError) as error:
            gw.import_state(gw.export_state())
        assert error.value.status == 413
        text = error.value.body["messages"][0]["content"]
        assert "1000 bytes" in text and "MOCK_GATEWAY_CONTROL_MAX_BODY_BYTES" in text
        status, body = gw.call("POST", "/v2/offers/DEMO01/items", [{"barcode": "x" * 600}])
        assert status == 413
        assert "500 bytes" in body["messages"][0]["content"]
        assert "MOCK_GATEWAY_MAX_BODY_BYTES" in body["messages"][0]["content"]


def test_offers__added_offer_is_served_then_removed(gw: MockGateway, client: LiveClient) -> None:
    added = gw.control("POST", "offers", NEW_OFFER)
    assert (added["barcode"], added["discountRate"], added["stockQuantity"]) == (
        "8600000000017",
        30,
        10,
    )
    assert offer_of(client, "8600000000017")["price"] == 24.5
    stock = client.get("/v2/offers/DEMO01/stock-status?barcodeList=8600000000017").json()
    assert stock == [{"barcode": "8600000000017", "availableQuantity": 10}]
    assert gw.control("DELETE", "offers/8600000000017") == {"deleted": "8600000000017"}
    assert client.get("/v1_1/offers?Barcodes=8600000000017").json() == []
    exported = gw.export_state()
    gw.import_state(exported)  # the state without it still round-trips


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({**NEW_OFFER, "barcode": "8685298053581"}, 400, "is already in the catalog"),
        ({**NEW_OFFER, "warehouseId": 99}, 400, "warehouseId 99 is not a known warehouse"),
        ({k: v for k, v in NEW_OFFER.items() if k != "price"}, 400, "price is required"),
        ({**NEW_OFFER, "price": 1e12}, 400, "price must be a number from 0 to 1000000000"),
    ],
)
def test_offers__bad_new_offer_is_refused_and_changes_nothing(
    gw: MockGateway, body: dict[str, Any], status: int, message: str
) -> None:
    before = gw.export_state()
    with pytest.raises(ControlError) as error:
        gw.control("POST", "offers", body)
    assert error.value.status == status
    assert error.value.body["messages"][0]["content"].startswith(message) or message in str(
        error.value.body
    )
    assert gw.export_state() == before


def test_offers__an_offer_a_request_holds_cannot_be_removed(
    gw: MockGateway, client: LiveClient
) -> None:
    barcode = "8685298053581"
    client.post("/v2/offers/DEMO01/items", json=[{"barcode": barcode, "requestedQuantity": 1}])
    with pytest.raises(ControlError) as error:
        gw.control("DELETE", f"offers/{barcode}")
    assert error.value.status == 400
    assert "cannot be removed" in error.value.body["messages"][0]["content"]
    with pytest.raises(ControlError) as missing:
        gw.control("DELETE", "offers/0000000000000")
    assert missing.value.status == 404


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({"price": 50.0}, {"price": 50.0, "originalSalesPrice": 100.0, "discountRate": 50}),
        ({"price": 150.0}, {"price": 150.0, "originalSalesPrice": 150.0, "discountRate": 0}),
        ({"discountRate": 25}, {"price": 75.0, "originalSalesPrice": 100.0, "discountRate": 25}),
        (
            {"originalSalesPrice": 200.0},
            {"price": 180.0, "originalSalesPrice": 200.0, "discountRate": 10},
        ),
        (
            {"price": 40.0, "discountRate": 20},
            {"price": 40.0, "originalSalesPrice": 50.0, "discountRate": 20},
        ),
    ],
)
def test_edit_offer__prices_stay_consistent(
    gw: MockGateway, edit: dict[str, Any], expected: dict[str, Any]
) -> None:
    barcode = "8685298053581"
    gw.edit_offer(barcode, price=90.0, originalSalesPrice=100.0, discountRate=10)
    edited = gw.edit_offer(barcode, **edit)
    assert {k: edited[k] for k in expected} == expected


def test_journal__bodies_are_json_values(gw: MockGateway, client: LiveClient) -> None:
    client.post(
        "/v2/offers/DEMO01/items", json=[{"barcode": "8685298053581", "requestedQuantity": 1}]
    )
    client.post(
        "/v2/offers/DEMO01/items", data=b"not json", headers={"Content-Type": "application/json"}
    )
    good, bad = gw.journal()
    assert good["body"] == [{"barcode": "8685298053581", "requestedQuantity": 1}]
    assert isinstance(good["response"], dict) and good["response"]["requestNumber"]
    assert bad["body"] == "not json"
    assert bad["response"]["hasError"] is True


def test_clock__resume_continues_from_the_mock_time(gw: MockGateway) -> None:
    gw.set_clock("2030-01-01T00:00:00Z")  # frozen (the fixture froze it), now in 2030
    resumed = gw.resume()
    assert resumed["mode"] == "real"
    assert resumed["now"].startswith("2030-01-01T00:00:0")
    gw.reset()
    assert gw.clock()["now"][:4] != "2030"
