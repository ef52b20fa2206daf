"""The control plane's read models for people (the dashboard uses them): requests with their
state, packages, offer search, cancelling a line as its buyer would, the clock in its zone."""

from __future__ import annotations

import pytest

from mock_gateway.testing import ControlError, MockGateway
from tests.live.conftest import LiveClient

ITEMS = "/v2/offers/DEMO01/items"


def buy(client: LiveClient, barcode: str = "8685298053581", quantity: int = 2) -> str:
    line = [{"barcode": barcode, "requestedQuantity": quantity}]
    number: str = client.post(ITEMS + "?vendorRef=SO-7", json=line).json()["requestNumber"]
    return number


def test_requests__state_moves_from_open_to_packed(gw: MockGateway, client: LiveClient) -> None:
    number = buy(client)
    [row] = gw.control("GET", "requests")
    assert (row["requestNumber"], row["state"], row["vendorRef"], row["b2BIds"]) == (
        number,
        "open",
        "SO-7",
        [],
    )
    assert row["lines"] == [
        {"barcode": "8685298053581", "requestedQuantity": 2, "reservedQuantity": 2,
         "cancelledQuantity": 0}
    ]  # fmt: skip
    gw.advance("4h")
    [packed] = gw.control("GET", "requests?state=packed")
    assert packed["state"] == "packed" and packed["b2BIds"]
    assert gw.control("GET", "requests?state=open") == []
    assert gw.control("GET", "requests?buyerCode=OTHER") == []


def test_packages__newest_first_with_warehouse_names(gw: MockGateway, client: LiveClient) -> None:
    number = buy(client)
    gw.advance("4h")
    [package] = gw.control("GET", "packages")
    [b2b] = client.get(f"/v2/offers/{number}/B2Bs").json()
    assert package["b2BId"] == b2b["b2BId"]
    assert package["warehouseName"] == b2b["warehouseName"]
    assert package["items"] == [
        {"requestNumber": number, "barcode": "8685298053581", "quantity": 2}
    ]


def test_offers__search_and_pages(gw: MockGateway) -> None:
    found = gw.control("GET", "offers?q=twaw24mn00001&pageSize=2")
    assert found["total"] >= 2 and len(found["offers"]) == 2
    assert all(o["modelNo"] == "TWAW24MN00001" for o in found["offers"])
    assert gw.control("GET", "offers?page=2&pageSize=100")["page"] == 2
    with pytest.raises(ControlError) as error:
        gw.control("GET", "offers?pageSize=1000")
    assert error.value.status == 400


def test_cancel_line__as_the_buyer_would(gw: MockGateway, client: LiveClient) -> None:
    number = buy(client, quantity=3)
    answer = gw.control(
        "POST", f"requests/{number}/cancel", {"barcode": "8685298053581", "quantity": 1}
    )
    assert answer == {"requestedQuantity": 1, "cancelledQuantity": 1, "hasError": False,
                      "messages": []}  # fmt: skip
    with pytest.raises(ControlError) as missing:
        gw.control("POST", "requests/999/cancel", {"barcode": "x", "quantity": 1})
    assert missing.value.status == 404
    gw.advance("4h")
    with pytest.raises(ControlError) as late:
        gw.control("POST", f"requests/{number}/cancel", {"barcode": "8685298053581", "quantity": 1})
    assert late.value.status == 400


def test_clock__shows_the_cutoff_zone_and_next_cutoff(gw: MockGateway) -> None:
    clock = gw.clock()
    assert clock["zone"] == "Europe/Istanbul"
    assert clock["nowInZone"] == "2026-11-30T12:00:00.000+03:00"
    assert clock["nextCutoff"] == "2026-11-30T13:00:00.000Z"
