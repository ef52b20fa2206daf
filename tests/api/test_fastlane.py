"""The fast lane answers exactly as Flask does: same status, headers and bytes, same journal."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from mock_gateway.serving.assembly import reset
from mock_gateway.state.store import StoreUnavailable
from tests.conftest import ApiClient


def exchange(api: ApiClient, flask_only: bool, method: str, path: str, **kwargs: Any) -> Any:
    svc = api.services
    reset(svc)
    svc.clock.freeze(svc.settings.clock_start)
    if flask_only:  # a rule that matches (and does nothing) sends every request through Flask
        svc.faults.add(method="*", path="/*", buyer=None, effect="latency", latency_ms=(0, 0))
    response = api.request(method, path, **kwargs)
    entry = svc.journal.entries()[-1].describe()
    entry.pop("id")
    entry.pop("durationMs")
    entry.pop("fault")  # the Flask-only trick's rule is named there: it matched
    headers = sorted((k, v) for k, v in response.headers.items())
    return response.status_code, headers, response.data, entry


def first_barcodes(api: ApiClient, count: int) -> list[str]:
    stock = api.services.gateway.catalog.stock
    return [b for b in sorted(stock) if stock[b] >= 5][:count]


@pytest.mark.parametrize(
    "path",
    [
        "/v1_1/offers",
        "/b2bbuyergateway/v1_1/offers?page=3&pageSize=7&orderBy=price&order=desc",
        "/b2bbuyergatewayapi/V1_1/OFFERS?ModelNumber=TWAW24MN00001&buyerCode=DEMO01",
        "/v1_1/offers?Page=999",
        "/v2/offers/DEMO01/stock-status?barcodeList={0}&barcodeList=nope&barcodeList={1}",
        "/v2/offers/DEMO01/stock-status",
    ],
)
def test_fast_lane__reads_match_flask(api: ApiClient, path: str) -> None:
    path = path.format(*first_barcodes(api, 2))
    assert exchange(api, False, "GET", path) == exchange(api, True, "GET", path)


@pytest.mark.parametrize(
    "query", ["", "?packageType=single&vendorRef=SO-7&addressTitle=Returns+Hub"]
)
def test_fast_lane__purchase_matches_flask(api: ApiClient, query: str) -> None:
    a, b = first_barcodes(api, 2)
    body = [{"barcode": a, "requestedQuantity": 2}, {"barcode": b, "requestedQuantity": 999}]
    path = "/b2bbuyergateway/v2/offers/DEMO01/items" + query
    fast = exchange(api, False, "POST", path, json_body=body)
    assert fast == exchange(api, True, "POST", path, json_body=body)
    assert fast[0] == 200


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/v1_1/offers?PageSize=50", {}, 400),
        ("GET", "/v1_1/offers", {"auth": ("DEMO01", "nope")}, 401),
        ("GET", "/v2/offers/OTHER02/stock-status", {}, 403),
        ("POST", "/v2/offers/DEMO01/items", {"json_body": []}, 400),
        (
            "POST",
            "/v2/offers/DEMO01/items",
            {"data": "[]", "headers": {"Content-Type": "text/plain"}},
            415,
        ),
    ],
)
def test_fast_lane__refusals_are_flasks(
    api: ApiClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    fast = exchange(api, False, method, path, **kwargs)
    assert fast == exchange(api, True, method, path, **kwargs)
    assert fast[0] == status


def test_fast_lane__takes_the_hot_routes(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_gateway.serving import fastlane

    taken: list[str] = []
    original = fastlane.stock_answer
    monkeypatch.setattr(
        fastlane, "stock_answer", lambda call, code: taken.append(code) or original(call, code)
    )
    api.get("/v2/offers/DEMO01/stock-status?barcodeList=x")
    assert taken == ["DEMO01"]
    api.services.faults.add(method="DELETE", path="/never", buyer=None, effect="drop")
    api.get("/v2/offers/DEMO01/stock-status?barcodeList=x")
    assert taken == ["DEMO01", "DEMO01"]  # a rule that does not match keeps the fast lane
    api.services.faults.add(
        method="GET", path="/v2/*", buyer=None, effect="latency", latency_ms=(0, 0)
    )
    api.get("/v2/offers/DEMO01/stock-status?barcodeList=x")
    assert taken == ["DEMO01", "DEMO01"]  # a matching rule: the pipeline (Flask) answered


def test_fast_lane__cancel_and_b2bs_match_flask(api: ApiClient) -> None:
    [barcode] = first_barcodes(api, 1)

    def flow(flask_only: bool) -> Any:
        purchase = exchange(
            api, flask_only, "POST", "/v2/offers/DEMO01/items",
            json_body=[{"barcode": barcode, "requestedQuantity": 3}],
        )  # fmt: skip
        number = json.loads(purchase[2])["requestNumber"]
        if flask_only:
            api.services.faults.add(
                method="*", path="/*", buyer=None, effect="latency", latency_ms=(0, 0)
            )
        answers = []
        for body in ({"barcode": barcode, "quantity": 2}, {"barcode": barcode, "quantity": 5}):
            response = api.post(f"/v2/offers/{number}/cancel-items", json_body=body)
            answers.append((response.status_code, response.data))
        api.services.clock.advance(timedelta(hours=4))
        for path in (f"/v2/offers/{number}/B2Bs", f"/v2/offers/{number}/cancel-items"):
            kwargs = {"json_body": {"barcode": barcode, "quantity": 1}} if "cancel" in path else {}
            response = api.request("POST" if "cancel" in path else "GET", path, **kwargs)
            answers.append((response.status_code, response.data))
        return answers

    fast, slow = flow(False), flow(True)
    assert fast == slow
    assert [status for status, _ in fast] == [200, 200, 200, 400]


def test_fast_lane__a_store_failure_answers_as_flask_does(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change the store could not make is the same 503, in the same words, on both paths."""
    (barcode,) = first_barcodes(api, 1)
    body = [{"barcode": barcode, "requestedQuantity": 1}]
    path = "/v2/offers/DEMO01/items"
    said = "The gateway was reset while this change was being made, which undid it; retry"
    answers = []
    for flask_only in (False, True):
        reset(api.services)
        if flask_only:
            api.services.faults.add(
                method="*", path="/*", buyer=None, effect="latency", latency_ms=(0, 0)
            )

        def unavailable(*args: Any, **kwargs: Any) -> Any:
            raise StoreUnavailable(said)

        with monkeypatch.context() as patched:
            patched.setattr(api.services.store, "run", unavailable)
            response = api.post(path, json_body=body)
        answers.append((response.status_code, response.get_json()))
    assert answers[0] == answers[1] == (503, answers[0][1])
    assert answers[0][1]["messages"][0]["content"] == said
