"""Text UTF-8 cannot encode (half of a surrogate pair, `"\\ud800"`) is refused at the door on
both planes, wherever it stands, and nothing is stored: every reader stays readable after."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest

from mock_gateway.contract.errors import BAD_BODY
from tests.api.test_orders import state
from tests.conftest import ApiClient

LONE = "\\ud800"  # as a JSON escape: the text holds one lone surrogate
JSON = {"Content-Type": "application/json"}
READERS = [
    "/v1_1/offers",
    "/v2/offers/DEMO01/stock-status",
    "/__mock/journal",
    "/__mock/state",
    "/__mock/offers",
    "/__mock/buyers",
    "/__mock/requests",
]


def barcode(api: ApiClient) -> str:
    return str(sorted(api.services.gateway.catalog.stock)[0])


def readable(api: ApiClient) -> None:
    for path in READERS:
        response = api.get(path)
        assert response.status_code == 200, path
        json.loads(response.data.decode("utf-8"))  # strict UTF-8, as System.Text.Json reads


@pytest.mark.parametrize(
    "body",
    [
        '[{"barcode":"B","requestedQuantity":1,"x":"' + LONE + '"}]',
        '[{"barcode":"' + LONE + '","requestedQuantity":1}]',
        '[{"b' + LONE + '":1,"barcode":"B","requestedQuantity":1}]',
    ],
    ids=["extra value", "barcode", "name"],
)
def test_purchase__unencodable_text_is_the_bad_body_400(api: ApiClient, body: str) -> None:
    before = state(api)
    response = api.post(
        "/v2/offers/DEMO01/items", data=body.replace('"B"', f'"{barcode(api)}"'), headers=JSON
    )
    assert response.status_code == 400
    assert response.get_json()["messages"][0]["content"] == BAD_BODY
    assert state(api) == before
    readable(api)


def test_cancel__unencodable_text_is_refused(api: ApiClient) -> None:
    before = state(api)
    body = '{"barcode":"' + LONE + '","quantity":1}'
    response = api.post("/v2/offers/1/cancel-items", data=body, headers=JSON)
    assert response.status_code == 400
    assert state(api) == before
    readable(api)


def control_cases(code: str) -> list[tuple[str, str, str, str]]:
    """(method, path, body, the field named) for every control route that stores text."""
    new_offer = {
        "barcode": "NEW-1",
        "modelNo": "M-1",
        "name": "N",
        "price": 10,
        "stockQuantity": 1,
        "warehouseId": 1,
    }
    return [
        ("PATCH", f"/__mock/offers/{code}", '{"name":"x' + LONE + '"}', "name"),
        (
            "POST",
            "/__mock/offers",
            json.dumps(new_offer)[:-1] + ',"description":"' + LONE + '"}',
            "description",
        ),
        ("PUT", "/__mock/buyers/NEW01", '{"password":"p","addressTitles":["' + LONE + '"]}',
         "addressTitles[0]"),
    ]  # fmt: skip


@pytest.mark.parametrize("case", [0, 1, 2], ids=["edit offer", "add offer", "put buyer"])
def test_control__unencodable_text_is_refused_naming_the_field(api: ApiClient, case: int) -> None:
    method, path, body, field = control_cases(barcode(api))[case]
    before = state(api)
    buyers_before = api.get("/__mock/buyers").get_json()
    response = api.request(method, path, data=body, headers=JSON)
    assert response.status_code == 400
    message: str = response.get_json()["messages"][0]["content"]
    assert message.startswith(f"{field}: ") and "UTF-8" in message
    assert state(api) == before
    assert api.get("/__mock/buyers").get_json() == buyers_before
    readable(api)


def test_state_import__unencodable_text_is_refused_naming_the_field(api: ApiClient) -> None:
    document: dict[str, Any] = api.get("/__mock/state").get_json()
    text = json.dumps(document)
    first = document["offers"][0]["name"]
    poisoned = text.replace(json.dumps(first), json.dumps(first)[:-1] + LONE + '"', 1)
    response = api.request("PUT", "/__mock/state", data=poisoned, headers=JSON)
    assert response.status_code == 400
    assert response.get_json()["messages"][0]["content"].startswith("offers[0].name: ")
    readable(api)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/v1_1/offers?ModelNumber=%FF", "The query parameter 'ModelNumber'"),
        ("/v1_1/offers?ModelNumber=%ED%A0%80", "The query parameter 'ModelNumber'"),
        ("/v1_1/offers?%C3=1", "A query parameter's name"),
        ("/v2/offers/DEMO01/stock-status?barcodeList=%FE%FF", "The query parameter 'barcodeList'"),
        ("/v2/products/M%FF/images", "The path"),
        ("/__mock/offers/%ED%A0%80", "The path"),
        ("/__mock/journal?path=%80", "The query parameter 'path'"),
    ],
)
def test_path_and_query__bytes_that_are_not_utf8_are_a_400_naming_the_part(
    api: ApiClient, path: str, named: str
) -> None:
    before = state(api)
    # PATH_INFO as a server hands it: percent-decoded bytes as latin-1 code points (the test
    # client would decode them as UTF-8 with U+FFFD first)
    raw_path = unquote_to_bytes(path.partition("?")[0]).decode("latin-1")
    for method in ("GET", "POST", "PATCH"):
        response = api.request(
            method, path, data="{}", headers=JSON, environ={"PATH_INFO": raw_path}
        )
        assert response.status_code == 400, (method, path)
        assert response.get_json() == {
            "hasError": True,
            "messages": [{"type": "error", "content": f"{named} is not UTF-8 text"}],
        }
    assert state(api) == before
    readable(api)


def test_path_and_query__utf8_text_still_passes(api: ApiClient) -> None:
    assert api.get("/v1_1/offers?ModelNumber=%C3%A7ay+%E2%82%AC").status_code == 200
    assert api.get("/v2/products/%C3%A7ay/images").status_code == 404  # unknown, not refused
