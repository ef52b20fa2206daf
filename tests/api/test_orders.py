"""Purchase (3.4), B2Bs (3.5), cancel items (3.6) over the API, every error case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mock_gateway import create_app
from mock_gateway.config import Settings
from tests.conftest import ApiClient

ITEMS = "/v2/offers/DEMO01/items"


def state(api: ApiClient) -> tuple[Any, ...]:
    api.services.store.sync()  # what the clock already says has happened is not a change
    gateway = api.services.gateway
    gateway.catch_up()
    return (
        dict(gateway.catalog.stock),
        dict(gateway.catalog.modified),
        sorted(gateway.requests),
        # trace ids count problem answers (deterministically); they are not business state
        {k: v for k, v in gateway.ids.counters().items() if k != "traces"},
        len(gateway.book.batches),
    )


def stocked(api: ApiClient, minimum: int = 10, count: int = 1) -> list[str]:
    stock = api.services.gateway.catalog.stock
    return [b for b in sorted(stock) if stock[b] >= minimum][:count]


def buy(api: ApiClient, lines: list[tuple[str, int]], query: str = "") -> Any:
    body = [{"barcode": b, "requestedQuantity": q} for b, q in lines]
    response = api.post(ITEMS + query, json_body=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def stock_of(api: ApiClient, barcode: str) -> int:
    rows = api.get(f"/v2/offers/DEMO01/stock-status?barcodeList={barcode}").get_json()
    return int(rows[0]["availableQuantity"])


def test_purchase__reserves_and_lowers_stock_everywhere(api: ApiClient) -> None:
    [barcode] = stocked(api)
    before = stock_of(api, barcode)
    body = buy(
        api, [(barcode, 2)], "?vendorRef=ORDER-1&packageType=single&addressTitle=Main%20Warehouse"
    )
    assert body["items"] == [{"barcode": barcode, "requestedQuantity": 2, "availableQuantity": 2}]
    assert body["requestNumber"].isdigit()
    assert body["createDateTime"] == "2026-11-30T09:00:00.000Z"
    assert stock_of(api, barcode) == before - 2
    [offer] = api.get(f"/v1_1/offers?Barcodes={barcode}").get_json()
    assert offer["stockQuantity"] == before - 2
    assert offer["lastModifiedDate"] == "2026-11-30T09:00:00.000Z"


def test_purchase__partial_fill_and_sold_out(api: ApiClient) -> None:
    stock = api.services.gateway.catalog.stock
    low = next(b for b in sorted(stock) if 1 <= stock[b] <= 5)
    sold_out = next(b for b in sorted(stock) if stock[b] == 0)
    have = stock[low]
    body = buy(api, [(low, have + 3), (sold_out, 1)])
    assert [i["availableQuantity"] for i in body["items"]] == [have, 0]
    assert stock_of(api, low) == 0


def test_purchase__nothing_reserved_is_still_200(api: ApiClient) -> None:
    sold_out = next(b for b, q in sorted(api.services.gateway.catalog.stock.items()) if q == 0)
    assert buy(api, [(sold_out, 2)])["items"][0]["availableQuantity"] == 0


def test_purchase__nothing_reserved_setting_makes_it_400(settings: Settings) -> None:
    app = create_app(settings.with_overrides(empty_purchase_is_error=True))
    api = ApiClient(app.test_client(), app)
    sold_out = next(b for b, q in sorted(api.services.gateway.catalog.stock.items()) if q == 0)
    before = state(api)
    response = api.post(ITEMS, json_body=[{"barcode": sold_out, "requestedQuantity": 1}])
    assert response.status_code == 400
    assert state(api) == before


def test_purchase__request_numbers_are_unique(api: ApiClient) -> None:
    [barcode] = stocked(api, 20)
    numbers = {buy(api, [(barcode, 1)])["requestNumber"] for _ in range(10)}
    assert len(numbers) == 10


BAD_BODIES: list[tuple[Any, str]] = [
    ({"barcode": "X", "requestedQuantity": 1}, "body must be a non-empty JSON array"),
    ([], "body must be a non-empty JSON array"),
    ([{"requestedQuantity": 1}], "[0].barcode is required"),
    (
        [{"barcode": "{ok}", "requestedQuantity": 0}],
        "[0].requestedQuantity must be a positive integer",
    ),
    (
        [{"barcode": "{ok}", "requestedQuantity": -1}],
        "[0].requestedQuantity must be a positive integer",
    ),
    (
        [{"barcode": "{ok}", "requestedQuantity": 1.5}],
        "[0].requestedQuantity must be a positive integer",
    ),
    (
        [{"barcode": "{ok}", "requestedQuantity": "two"}],
        "[0].requestedQuantity must be a positive integer",
    ),
    (
        [{"barcode": "{ok}", "requestedQuantity": True}],
        "[0].requestedQuantity must be a positive integer",
    ),
    ([{"barcode": "{ok}"}], "[0].requestedQuantity is required"),
    ([{"barcode": 5, "requestedQuantity": 1}], "[0].barcode must be a non-empty string"),
    ([{"barcode": "", "requestedQuantity": 1}], "[0].barcode must be a non-empty string"),
    ([{"barcode": "{ok}", "requestedQuantity": 1}, 7], "[1] must be an object"),
    (
        [{"barcode": "{ok}", "requestedQuantity": 1}, {"barcode": "{ok}", "requestedQuantity": 2}],
        "[1].barcode '{ok}' appears more than once",
    ),
    (
        [{"barcode": "0000000000000", "requestedQuantity": 1}],
        "[0].barcode '0000000000000' is not in the catalog",
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
def test_purchase__bad_body_is_400_and_changes_nothing(
    api: ApiClient, body: Any, message: str
) -> None:
    [ok] = stocked(api)
    text = _fill(body, ok)
    before = state(api)
    response = api.post(ITEMS, json_body=text)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["hasError"] is True
    assert payload["messages"][0]["content"].startswith(message.replace("{ok}", ok))
    assert state(api) == before


def _fill(value: Any, barcode: str) -> Any:
    if isinstance(value, list):
        return [_fill(v, barcode) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, barcode) for k, v in value.items()}
    return value.replace("{ok}", barcode) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?packageType=box", "packageType must be 'single' or 'multiple'"),
        ("?addressTitle=Nowhere", "addressTitle 'Nowhere' is not a registered address"),
    ],
)
def test_purchase__bad_query_is_400_and_changes_nothing(
    api: ApiClient, query: str, message: str
) -> None:
    [ok] = stocked(api)
    before = state(api)
    response = api.post(ITEMS + query, json_body=[{"barcode": ok, "requestedQuantity": 1}])
    assert response.status_code == 400
    assert response.get_json()["messages"][0]["content"].startswith(message)
    assert state(api) == before


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("not json", "application/json", 400),
        ('[{"barcode": "1", ', "application/json", 400),
        (b"\xff\xfe[]", "application/json", 400),
        ("", "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),
        ('[{"barcode":"1","requestedQuantity":1}]', "text/plain", 415),
    ],
)
def test_purchase__unreadable_body(
    api: ApiClient, data: Any, content_type: str, status: int
) -> None:
    before = state(api)
    response = api.post(ITEMS, data=data, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert response.get_json()["hasError"] is True
    if status == 400:
        assert response.get_json()["messages"][0]["content"] in (
            "Provided request body cannot be serialized.",
            "body is nested deeper than 32 levels",
        )
    assert state(api) == before


def test_purchase__body_over_the_limit_is_413(settings: Settings) -> None:
    app = create_app(settings.with_overrides(max_body_bytes=100))
    api = ApiClient(app.test_client(), app)
    response = api.post(ITEMS, json_body=[{"barcode": "1" * 20, "requestedQuantity": 1}] * 5)
    assert response.status_code == 413


def test_b2bs__empty_before_cutoff_then_packages(api: ApiClient) -> None:
    [barcode] = stocked(api)
    number = buy(api, [(barcode, 1)])["requestNumber"]
    assert api.get(f"/v2/offers/{number}/B2Bs").get_json() == []
    api.services.clock.advance(timedelta(hours=4))  # 16:00 Istanbul
    [package] = api.get(f"/v2/offers/{number}/b2bs").get_json()
    warehouse = api.services.gateway.catalog.offers[barcode].warehouse_id
    assert package["warehouseId"] == warehouse
    assert package["warehouseName"] == api.services.gateway.catalog.warehouses[warehouse].name
    assert package["createDate"] == "2026-11-30T13:00:00.000Z"
    assert isinstance(package["b2BId"], int)


@pytest.mark.parametrize("number", ["999", "abc", "x" * 200])
def test_b2bs__unknown_request_is_400(api: ApiClient, number: str) -> None:
    response = api.get(f"/v2/offers/{number}/B2Bs")
    assert response.status_code == 400
    assert (
        response.get_json()["messages"][0]["content"]
        == f"purchase request {number!r} was not found"
    )


def test_b2bs__another_buyers_request_looks_unknown(api: ApiClient) -> None:
    [barcode] = stocked(api)
    number = buy(api, [(barcode, 1)])["requestNumber"]
    response = api.get(f"/v2/offers/{number}/B2Bs", auth=("OTHER02", "other-pass"))
    assert response.status_code == 400
    assert (
        response.get_json()["messages"][0]["content"]
        == f"purchase request {number!r} was not found"
    )


def cancel(api: ApiClient, number: str, body: Any, **kwargs: Any) -> Any:
    return api.post(f"/v2/offers/{number}/cancel-items", json_body=body, **kwargs)


def test_cancel__full_and_partial(api: ApiClient) -> None:
    [barcode] = stocked(api)
    before = stock_of(api, barcode)
    number = buy(api, [(barcode, 3)])["requestNumber"]
    ok = cancel(api, number, {"barcode": barcode, "quantity": 2})
    assert ok.get_json() == {
        "requestedQuantity": 2,
        "cancelledQuantity": 2,
        "hasError": False,
        "messages": [],
    }
    partial = cancel(api, number, {"barcode": barcode, "quantity": 5}).get_json()
    assert (partial["requestedQuantity"], partial["cancelledQuantity"]) == (5, 1)
    assert partial["hasError"] is True
    assert partial["messages"][0]["type"] == "error"
    assert "Only 1 of 5 units" in partial["messages"][0]["content"]
    assert stock_of(api, barcode) == before


def test_cancel__after_cutoff_is_bare_array_400(api: ApiClient) -> None:
    [barcode] = stocked(api)
    number = buy(api, [(barcode, 2)])["requestNumber"]
    api.services.clock.advance(timedelta(hours=4))
    before = state(api)
    response = cancel(api, number, {"barcode": barcode, "quantity": 1})
    assert response.status_code == 400
    body = response.get_json()
    assert isinstance(body, list) and body[0]["type"] == "error"
    assert "can no longer be cancelled" in body[0]["content"]
    assert state(api) == before


CANCEL_ERRORS: list[tuple[Any, str]] = [
    ([{"barcode": "{ok}", "quantity": 1}], "body must be a JSON object {barcode, quantity}"),
    ({"barcode": "{ok}", "quantity": 0}, "quantity must be a positive integer"),
    ({"barcode": "{ok}", "quantity": "1.0"}, "quantity must be a positive integer"),
    ({"barcode": "{ok}"}, "quantity is required"),
    ({"quantity": 1}, "barcode is required"),
    (
        {"barcode": "0000000000000", "quantity": 1},
        "barcode '0000000000000' is not on purchase request",
    ),
]


@pytest.mark.parametrize(("body", "message"), CANCEL_ERRORS)
def test_cancel__bad_input_is_bare_array_400_and_changes_nothing(
    api: ApiClient, body: Any, message: str
) -> None:
    [barcode] = stocked(api)
    number = buy(api, [(barcode, 2)])["requestNumber"]
    before = state(api)
    response = cancel(api, number, _fill(body, barcode))
    assert response.status_code == 400
    payload = response.get_json()
    assert isinstance(payload, list)
    assert payload[0]["content"].startswith(message.replace("{ok}", barcode))
    assert state(api) == before


def test_cancel__unreadable_body_is_bare_array_400(api: ApiClient) -> None:
    response = api.post(
        "/v2/offers/1/cancel-items", data="{oops", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json() == [
        {"type": "error", "content": "Provided request body cannot be serialized."}
    ]


@pytest.mark.parametrize("owner", ["unknown", "other"])
def test_cancel__unknown_or_other_buyers_request(api: ApiClient, owner: str) -> None:
    [barcode] = stocked(api)
    number = buy(api, [(barcode, 2)])["requestNumber"] if owner == "other" else "12345"
    before = state(api)
    response = cancel(
        api, number, {"barcode": barcode, "quantity": 1}, auth=("OTHER02", "other-pass")
    )
    assert response.status_code == 400
    assert response.get_json() == [
        {"type": "error", "content": f"purchase request {number!r} was not found"}
    ]
    assert state(api) == before
