"""Auth on every route, the base paths, case-insensitive routes and unknown routes."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import ApiClient

UNAUTHORIZED = {"hasError": True, "messages": [{"type": "error", "content": "Unauthorized"}]}
ROUTES = [
    ("GET", "/v1_1/offers"),
    ("GET", "/v2/offers/DEMO01/stock-status"),
    ("GET", "/v2/products/X/images"),
    ("POST", "/v2/offers/DEMO01/items"),
    ("GET", "/v2/offers/123/B2Bs"),
    ("POST", "/v2/offers/123/cancel-items"),
    ("GET", "/v2/products/123/rating"),
    ("GET", "/no/such/route"),
]
BASES = ["", "/b2bbuyergateway", "/b2bbuyergatewayapi"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "auth",
    [None, ("DEMO01", "wrong"), ("NOBODY", "demo-pass"), ("DEMO01", "")],
    ids=["missing", "wrong-password", "unknown-user", "empty-password"],
)
def test_every_route__needs_basic_auth(
    api: ApiClient, method: str, path: str, auth: tuple[str, str] | None
) -> None:
    response = api.request(method, path, auth=auth)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="b2bbuyergateway"'
    assert response.get_json() == UNAUTHORIZED


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic !!!notbase64", "Basic " + base64.b64encode(b"nocolon").decode()]
)
def test_auth__malformed_header_is_401(api: ApiClient, header: str) -> None:
    response = api.get("/v1_1/offers", auth=None, headers={"Authorization": header})
    assert response.status_code == 401


@pytest.mark.parametrize("base", BASES)
def test_healthcheck__without_auth_under_every_base(api: ApiClient, base: str) -> None:
    response = api.get(f"{base}/healthcheck", auth=None)
    assert response.status_code == 200
    assert response.get_json() == {"hasError": False, "messages": []}


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(
    "path",
    [
        "/v1_1/offers",
        "/v2/offers/DEMO01/stock-status",
        "/v2/products/{model}/images",
        "/v2/products/{barcode}/rating",
    ],
)
def test_read_endpoints__answer_under_every_base_path(api: ApiClient, base: str, path: str) -> None:
    offer = next(iter(api.services.gateway.catalog.offers.values()))
    response = api.get(base + path.format(model=offer.model_no, barcode=offer.barcode))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/V1_1/Offers", "/b2bbuyergateway/v2/OFFERS/DEMO01/Stock-Status", "/v1_1/offers/"],
)
def test_routes__are_case_insensitive(api: ApiClient, path: str) -> None:
    assert api.get(path).status_code == 200


def test_path_parameters__keep_their_case(api: ApiClient) -> None:
    response = api.get("/v2/offers/demo01/stock-status")
    assert response.status_code == 403


def test_unknown_route__is_404_in_the_envelope(api: ApiClient) -> None:
    response = api.get("/v3/offers")
    assert response.status_code == 404
    assert response.get_json()["hasError"] is True


def test_wrong_method__is_405_with_allow(api: ApiClient) -> None:
    response = api.request("DELETE", "/v1_1/offers")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["hasError"] is True


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/v1_1/offers?buyerCode=OTHER02", "buyerCode 'OTHER02'"),
        ("/v2/offers/OTHER02/stock-status", "buyerCode 'OTHER02'"),
    ],
)
def test_buyer_code__of_another_buyer_is_403(api: ApiClient, path: str, where: str) -> None:
    response = api.get(path)
    assert response.status_code == 403
    [message] = response.get_json()["messages"]
    assert message["type"] == "error" and message["content"].startswith(where)


def test_buyer_code__purchase_for_another_buyer_is_403_and_changes_nothing(
    api: ApiClient,
) -> None:
    barcode = api.services.gateway.catalog.sorted_barcodes[0]
    before = api.get("/v2/offers/DEMO01/stock-status").get_json()
    response = api.post(
        "/v2/offers/OTHER02/items", json_body=[{"barcode": barcode, "requestedQuantity": 1}]
    )
    assert response.status_code == 403
    assert api.get("/v2/offers/DEMO01/stock-status").get_json() == before


def test_options__is_405_with_allow_like_any_missing_method(api: ApiClient) -> None:
    response = api.request("OPTIONS", "/v1_1/offers")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["hasError"] is True
