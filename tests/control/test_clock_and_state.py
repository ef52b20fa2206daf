"""Clock, batches and state through the control plane, against a served app over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from mock_gateway.testing import ControlError, MockGateway
from tests.live.conftest import LiveClient

ITEMS = "/b2bbuyergateway/v2/offers/DEMO01/items"


def stocked(gw: MockGateway, count: int = 2) -> list[str]:
    offers = gw.export_state()["offers"]
    return [o["barcode"] for o in offers if o["stockQuantity"] >= 20][:count]


def buy(client: LiveClient, barcode: str, quantity: int = 1, query: str = "") -> str:
    response = client.post(
        ITEMS + query, json=[{"barcode": barcode, "requestedQuantity": quantity}]
    )
    assert response.status_code == 200, response.text
    number: str = response.json()["requestNumber"]
    return number


def test_clock__read_freeze_advance_resume(gw: MockGateway) -> None:
    assert gw.clock()["now"] == "2026-11-30T09:00:00.000Z"
    assert gw.clock()["mode"] == "frozen"
    assert gw.advance("90m")["now"] == "2026-11-30T10:30:00.000Z"
    assert gw.advance(30)["now"] == "2026-11-30T10:30:30.000Z"
    assert gw.set_clock("2026-12-01T00:00:00+03:00")["now"] == "2026-11-30T21:00:00.000Z"
    assert gw.resume()["mode"] == "real"


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("clock/advance", {"by": "soon"}, "by must be a duration"),
        ("clock/advance", {}, "by is required"),
        ("clock/freeze", {"at": "noon"}, "at must be an ISO-8601 instant"),
        ("clock/set", {}, "at is required"),
        ("reset", {"seed": -1}, "seed must be a non-negative integer"),
        ("clock/set", {"at": "9999-12-31T23:59:59Z"}, "the mock's clock stays between"),
        ("clock/set", {"at": "9999-12-31T23:59:59-05:00"}, "at must be an ISO-8601 instant"),
        ("clock/freeze", {"at": "0001-01-01T00:00:00Z"}, "the mock's clock stays between"),
        ("clock/freeze", {"at": "1700000000000"}, "at must be an ISO-8601 instant"),
        ("clock/advance", {"by": "999999999999d"}, "by must be a duration"),
        ("clock/advance", {"by": "2000000y"}, "by must be a duration"),
        ("clock/advance", {"by": 10**30}, "by must be a duration"),
        ("clock/advance", {"by": "3000000d"}, "the mock's clock stays between"),
    ],
)
def test_control__bad_input_is_400_and_changes_nothing(
    gw: MockGateway, path: str, body: Any, message: str
) -> None:
    before = gw.export_state()
    with pytest.raises(ControlError) as error:
        gw.control("POST", path, body)
    assert error.value.status == 400
    assert error.value.body["messages"][0]["content"].startswith(message)
    assert gw.export_state() == before


def test_partner_flow__crosses_the_cutoff_by_advancing_the_clock(
    gw: MockGateway, client: LiveClient
) -> None:
    barcode, other = stocked(gw)
    number = buy(client, barcode, 2)
    assert client.get(f"/b2bbuyergateway/v2/offers/{number}/B2Bs").json() == []
    assert gw.clock()["nextEvent"] == "2026-11-30T13:00:00.000Z"
    gw.advance("4h")  # 16:00 Istanbul
    refused = client.post(
        f"/b2bbuyergateway/v2/offers/{number}/cancel-items",
        json={"barcode": barcode, "quantity": 1},
    )
    assert refused.status_code == 400 and isinstance(refused.json(), list)
    first = client.get(f"/b2bbuyergateway/v2/offers/{number}/B2Bs").json()
    assert first and first[0]["createDate"] == "2026-11-30T13:00:00.000Z"
    day2 = buy(client, other)
    gw.advance("1d")
    day3 = buy(client, barcode)
    gw.advance("1d")
    second = client.get(f"/b2bbuyergateway/v2/offers/{day2}/B2Bs").json()
    third = client.get(f"/b2bbuyergateway/v2/offers/{day3}/B2Bs").json()
    assert [p["createDate"] for p in second + third] == [
        "2026-12-01T13:00:00.000Z",
        "2026-12-02T13:00:00.000Z",
    ]
    assert first[0]["b2BId"] < second[0]["b2BId"] < third[0]["b2BId"]
    batches = gw.control("GET", "batches")
    assert [b["closedAt"] for b in batches] == [
        "2026-11-30T13:00:00.000Z",
        "2026-12-01T13:00:00.000Z",
        "2026-12-02T13:00:00.000Z",
    ]


def test_batches__close_and_pack_now(gw: MockGateway, client: LiveClient) -> None:
    [barcode] = stocked(gw, 1)
    number = buy(client, barcode)
    assert len(gw.cut_off()["closed"]) == 1
    assert client.get(f"/v2/offers/{number}/B2Bs").json()
    assert gw.cut_off() == {"closed": []}


def answers(client: LiveClient, numbers: list[str], barcodes: list[str]) -> Any:
    query = "&".join(f"barcodeList={b}" for b in barcodes)
    return (
        client.get(f"/v2/offers/DEMO01/stock-status?{query}").json(),
        [client.get(f"/v2/offers/{n}/B2Bs").json() for n in numbers],
        client.get(f"/v1_1/offers?{query.replace('barcodeList', 'Barcodes')}").json(),
    )


def test_state__export_reset_import_is_identical(gw: MockGateway, client: LiveClient) -> None:
    barcodes = stocked(gw)
    numbers = [buy(client, barcodes[0], 3), buy(client, barcodes[1], 2, "?packageType=single")]
    client.post(
        f"/v2/offers/{numbers[0]}/cancel-items", json={"barcode": barcodes[0], "quantity": 1}
    )
    gw.advance("4h")
    numbers.append(buy(client, barcodes[0], 1))  # an open batch as well
    before = answers(client, numbers, barcodes)
    document = gw.export_state()
    gw.reset()
    assert answers(client, numbers, barcodes) != before
    gw.import_state(document)
    assert gw.export_state() == document
    assert answers(client, numbers, barcodes) == before
    assert "demo-pass" not in json.dumps(document)
    # the ids go on where they were: the next request number is new
    assert buy(client, barcodes[1]) not in numbers


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda d: d.pop("offers"),
        lambda d: d["offers"][0].update(stockQuantity=-5),
        lambda d: d["requests"][0]["lines"][0].update(barcode="nope"),
        lambda d: d["batches"].append(dict(d["batches"][0], id=99)),
        lambda d: d.update(format="something-else"),
    ],
    ids=["missing-offers", "negative-stock", "unknown-barcode", "two-open-batches", "format"],
)
def test_state__corrupted_import_is_rejected_and_changes_nothing(
    gw: MockGateway, client: LiveClient, corrupt: Any
) -> None:
    [barcode] = stocked(gw, 1)
    buy(client, barcode)
    document = gw.export_state()
    broken = json.loads(json.dumps(document))
    corrupt(broken)
    with pytest.raises(ControlError) as error:
        gw.import_state(broken)
    assert error.value.status == 400
    assert error.value.body["hasError"] is True
    assert gw.export_state() == document


def _rewind(counter: str) -> Any:
    return lambda d: d["ids"].update({counter: 0})


@pytest.mark.parametrize(
    ("corrupt", "named"),
    [
        (_rewind("requests"), "ids.requests is 0, but request "),
        (_rewind("batches"), "ids.batches is 0, but batch 1 "),
        (_rewind("packages"), "ids.packages is 0, but package "),
        (lambda d: d["batches"].append(dict(d["batches"][0])), "batch 1 appears twice"),
        (lambda d: d["packages"].append(dict(d["packages"][0])), "appears twice"),
        (lambda d: d["packages"][0].update(batchId=77), "batch 77 is unknown"),
        (lambda d: d["packages"][0]["items"][0].update(requestNumber="5"), "request 5 is unknown"),
        (lambda d: d["packages"][0]["items"][0].update(barcode="nope"), "'nope' is not an offer"),
        (lambda d: d["batches"][0]["requestNumbers"].append("5"), "request 5 is unknown"),
    ],
    ids=[
        "rewound-request-numbers",
        "rewound-batch-ids",
        "rewound-b2bids",
        "duplicate-batch",
        "duplicate-package",
        "package-of-no-batch",
        "package-of-no-request",
        "package-of-no-offer",
        "batch-of-no-request",
    ],
)
def test_state__inconsistent_import_is_refused_naming_the_problem(
    gw: MockGateway, client: LiveClient, corrupt: Any, named: str
) -> None:
    """Counters behind ids in use (the next purchase would replace an order), references that
    resolve nowhere, duplicates: 400 naming the problem, and nothing changes."""
    [barcode] = stocked(gw, 1)
    buy(client, barcode)
    gw.advance_past_cutoff()  # a closed batch and its package
    document = gw.export_state()
    assert document["packages"], "the cut-off packed the purchase"
    broken = json.loads(json.dumps(document))
    corrupt(broken)
    with pytest.raises(ControlError) as error:
        gw.import_state(broken)
    assert error.value.status == 400
    assert named in error.value.body["messages"][0]["content"]
    assert gw.export_state() == document


def test_state__import_of_unreadable_json(gw: MockGateway) -> None:
    before = gw.export_state()
    response = requests.put(
        gw.url("/__mock/state"),
        data="{not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert gw.export_state() == before


def test_reset__with_another_seed_and_size(gw: MockGateway, client: LiveClient) -> None:
    assert gw.reset(seed=7, catalog_size=50)["offers"] == 50
    first = client.get("/v1_1/offers?PageSize=5").json()
    gw.reset(seed=7, catalog_size=50)
    assert client.get("/v1_1/offers?PageSize=5").json() == first
    gw.reset()
    assert gw.control("GET", "ready")["offers"] == 300


def test_edit_offer__stock_price_and_any_field(gw: MockGateway, client: LiveClient) -> None:
    [barcode] = stocked(gw, 1)
    edited = gw.edit_offer(barcode, stockQuantity=3, price=9.99, name="Renamed")
    assert (edited["stockQuantity"], edited["price"], edited["name"]) == (3, 9.99, "Renamed")
    [offer] = client.get(f"/v1_1/offers?Barcodes={barcode}").json()
    assert offer["name"] == "Renamed" and offer["lastModifiedDate"] == "2026-11-30T09:00:00.000Z"
    stock = client.get(f"/v2/offers/DEMO01/stock-status?barcodeList={barcode}").json()
    assert stock == [{"barcode": barcode, "availableQuantity": 3}]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"stockQuantity": -1}, 400),
        ({}, 400),
        ({"colour": "red"}, 400),
        ({"warehouseId": 999}, 400),
    ],
)
def test_edit_offer__bad_input(gw: MockGateway, body: Any, status: int) -> None:
    [barcode] = stocked(gw, 1)
    before = gw.export_state()
    with pytest.raises(ControlError) as error:
        gw.control("PATCH", f"offers/{barcode}", body)
    assert error.value.status == status
    assert gw.export_state() == before


def test_edit_offer__unknown_is_404(gw: MockGateway) -> None:
    with pytest.raises(ControlError) as error:
        gw.edit_offer("nope", price=1)
    assert error.value.status == 404


def test_set_rating(gw: MockGateway, client: LiveClient) -> None:
    [barcode] = stocked(gw, 1)
    gw.control(
        "PUT",
        f"ratings/{barcode}",
        {
            "ratingCounts": [{"rate": 5, "count": 3}, {"rate": 1, "count": 1}],
            "totalCommentCount": 2,
        },
    )
    body = client.get(f"/v2/products/{barcode}/rating").json()
    assert (body["averageRating"], body["totalRatingCount"], body["totalCommentCount"]) == (
        4.0,
        4,
        2,
    )


def test_buyers__add_and_remove(gw: MockGateway) -> None:
    gw.control("PUT", "buyers/NEW01", {"password": "s3cret", "addressTitles": ["Depot"]})
    new = LiveClient(gw.base_url, auth=("NEW01", "s3cret"))
    assert new.get("/v2/offers/NEW01/stock-status?barcodeList=x").status_code == 200
    listed = gw.control("GET", "buyers")
    assert {"buyerCode": "NEW01", "addressTitles": ["Depot"]} in listed
    assert "s3cret" not in json.dumps(listed)
    gw.control("DELETE", "buyers/NEW01")
    assert new.get("/v2/offers/NEW01/stock-status").status_code == 401
