"""Contract choices marked INFERRED, switched away from their defaults: the same answer on both
request paths (the fast lane and Flask) and both stores."""

from __future__ import annotations

import json

import pytest

from mock_gateway.config import Settings, load_settings
from tests.api.test_fastlane import exchange, first_barcodes
from tests.conftest import BUYER, NOON_ISTANBUL, OTHER, ApiClient


@pytest.fixture
def settings() -> Settings:
    return Settings(
        clock_start=NOON_ISTANBUL,
        buyers={BUYER[0]: BUYER[1], OTHER[0]: OTHER[1]},
        purchase_status=201,
        paging_headers=False,
        health_results=True,
        unknown_request_status=404,
    )


def test_purchase_status__201_on_both_paths(api: ApiClient) -> None:
    [barcode] = first_barcodes(api, 1)
    line = [{"barcode": barcode, "requestedQuantity": 1}]
    answers = [
        exchange(api, flask_only, "POST", "/v2/offers/DEMO01/items", json_body=line)
        for flask_only in (False, True)
    ]
    assert answers[0] == answers[1]
    status, _, body, entry = answers[0]
    assert status == 201 and entry["status"] == 201
    assert json.loads(body)["items"][0]["availableQuantity"] == 1
    # a refusal keeps its own status
    assert api.post("/v2/offers/DEMO01/items", json_body=[{"barcode": 1}]).status_code == 400


def test_paging_headers__off_leaves_out_x_paging_and_link_on_both_paths(api: ApiClient) -> None:
    answers = [
        exchange(api, flask_only, "GET", "/v1_1/offers?page=2&pageSize=5")
        for flask_only in (False, True)
    ]
    assert answers[0] == answers[1]
    _, headers, body, _ = answers[0]
    names = {name.lower() for name, _ in headers}
    assert not any(name.startswith("x-paging-") for name in names) and "link" not in names
    assert len(json.loads(body)) == 5


def test_health_results__an_empty_results_array(api: ApiClient) -> None:
    response = api.get("/healthcheck", auth=None)
    assert response.get_json() == {"hasError": False, "messages": [], "results": []}


def test_defaults__200_paging_headers_and_no_results() -> None:
    defaults = load_settings({})
    assert (defaults.purchase_status, defaults.paging_headers, defaults.health_results) == (
        200,
        True,
        False,
    )
    assert defaults.unknown_request_status == 400
    chosen = load_settings(
        {
            "MOCK_GATEWAY_PURCHASE_STATUS": "201",
            "MOCK_GATEWAY_PAGING_HEADERS": "false",
            "MOCK_GATEWAY_HEALTH_RESULTS": "true",
        }
    )
    assert (chosen.purchase_status, chosen.paging_headers, chosen.health_results) == (
        201,
        False,
        True,
    )


def test_unknown_request_status__404_in_the_envelope_on_both_paths(api: ApiClient) -> None:
    answers = [
        exchange(api, flask_only, "GET", "/v2/offers/999999/B2Bs") for flask_only in (False, True)
    ]
    assert answers[0] == answers[1]
    status, _, body, _ = answers[0]
    assert status == 404
    assert json.loads(body)["hasError"] is True
