"""Input binds as the real (ASP.NET Core) gateway binds it: the contract's §2, §3.1 and §3.4 rows.

Every refusal here is a 4xx in the contract's shape and changes nothing; every acceptance is one
the real gateway would make too.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway import create_app
from mock_gateway.config import Settings
from mock_gateway.contract.inputs import basic_credentials, int32
from mock_gateway.state.snapshot import export_state
from tests.api.test_orders import ITEMS, buy, stocked
from tests.conftest import BUYER, ApiClient


def snapshot(api: ApiClient) -> Any:
    svc = api.services
    return export_state(svc.gateway, svc.clock)


def refused(api: ApiClient, status: int, method: str, path: str, **kwargs: Any) -> Any:
    """Send a request that must be refused with `status`, and check it changed nothing."""
    before = snapshot(api)
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.data
    assert snapshot(api) == before
    return response.get_json()


# -- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0), ("7", 7), ("+7", 7), ("-7", -7), (" 7 ", 7), ("\t7\n", 7), ("007", 7),
        ("2147483647", 2147483647), ("-2147483648", -2147483648), ("2147483648", None),
        ("-2147483649", None), ("9" * 5000, None), ("٣", None), ("２", None), ("1.0", None),
        ("1e3", None), ("", None), (" ", None), ("+", None), ("7 7", None), ("0x10", None),
    ],
)  # fmt: skip
def test_int32__binds_as_dotnet_int(text: str, value: int | None) -> None:
    assert int32(text) == value


@pytest.mark.parametrize(
    "query",
    ["Page=2147483648", "Page=%D9%A1", "Page=%EF%BC%92", "PageSize=99999999999999999999", "Page=0"],
)
def test_offers__numbers_outside_int32_or_not_ascii_are_400_naming_the_range(
    api: ApiClient, query: str
) -> None:
    body = refused(api, 400, "GET", f"/v1_1/offers?{query}")
    [message] = body["messages"]
    name = query.split("=")[0]
    assert message["content"].startswith(f"{name} must be an integer from 1 to ")


@pytest.mark.parametrize("page", ["10000001", "2147483647", " 99999 "])
def test_offers__any_int32_page_past_the_end_is_empty(api: ApiClient, page: str) -> None:
    response = api.get("/v1_1/offers", query={"Page": page})
    assert (response.status_code, response.get_json()) == (200, [])


def test_purchase__int32_max_quantity_reserves_what_there_is(api: ApiClient) -> None:
    [barcode] = stocked(api)
    available = api.services.gateway.catalog.stock[barcode]
    body = buy(api, [(barcode, 2147483647)])
    assert body["items"] == [
        {"barcode": barcode, "requestedQuantity": 2147483647, "availableQuantity": available}
    ]


@pytest.mark.parametrize(
    "quantity", ["9" * 5000, "2147483648", "2.0", "1e2", "-1", "0", '"1.5"', '"٣"', "true"]
)
def test_purchase__quantities_that_are_not_positive_int32_are_400(
    api: ApiClient, quantity: str
) -> None:
    [barcode] = stocked(api)
    raw = f'[{{"barcode":"{barcode}","requestedQuantity":{quantity}}}]'
    body = refused(api, 400, "POST", ITEMS, data=raw, headers={"Content-Type": "application/json"})
    assert body["messages"] == [
        {
            "type": "error",
            "content": "[0].requestedQuantity must be a positive integer (at most 2147483647)",
        }
    ]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_purchase__nan_and_infinity_are_not_json(api: ApiClient, literal: str) -> None:
    [barcode] = stocked(api)
    raw = f'[{{"barcode":"{barcode}","requestedQuantity":{literal}}}]'
    body = refused(api, 400, "POST", ITEMS, data=raw, headers={"Content-Type": "application/json"})
    assert body["messages"][0]["content"] == "Provided request body cannot be serialized."


def test_cancel__huge_quantity_is_the_bare_array_400(api: ApiClient) -> None:
    [barcode] = stocked(api)
    number = buy(api, [(barcode, 1)])["requestNumber"]
    raw = f'{{"barcode":"{barcode}","quantity":{"9" * 5000}}}'
    body = refused(
        api,
        400,
        "POST",
        f"/v2/offers/{number}/cancel-items",
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    assert body == [
        {"type": "error", "content": "quantity must be a positive integer (at most 2147483647)"}
    ]


def test_cancel__int32_max_quantity_cancels_what_is_reserved(api: ApiClient) -> None:
    [barcode] = stocked(api)
    number = buy(api, [(barcode, 2)])["requestNumber"]
    response = api.post(
        f"/v2/offers/{number}/cancel-items", json_body={"barcode": barcode, "quantity": 2147483647}
    )
    assert response.status_code == 200
    assert response.get_json()["cancelledQuantity"] == 2


# -- JSON bodies: ASP.NET Core's web defaults, or strict ------------------------------------


def test_purchase__property_names_in_any_case_and_numbers_as_strings_bind(api: ApiClient) -> None:
    [barcode] = stocked(api)
    response = api.post(ITEMS, json_body=[{"BARCODE": barcode, "RequestedQuantity": " 2 "}])
    assert response.status_code == 200
    assert response.get_json()["items"][0]["requestedQuantity"] == 2


def test_purchase__a_repeated_property_binds_its_last_value(api: ApiClient) -> None:
    [barcode] = stocked(api)
    raw = f'[{{"barcode":"{barcode}","requestedQuantity":5,"RequestedQuantity":1}}]'
    response = api.post(ITEMS, data=raw, headers={"Content-Type": "application/json"})
    assert response.get_json()["items"][0]["requestedQuantity"] == 1


def test_purchase__strict_binding_refuses_other_cases_and_strings(settings: Settings) -> None:
    app = create_app(settings.with_overrides(json_binding="strict"))
    api = ApiClient(app.test_client(), app)
    [barcode] = stocked(api)
    body = refused(
        api, 400, "POST", ITEMS, json_body=[{"barcode": barcode, "requestedQuantity": "2"}]
    )
    assert body["messages"][0]["content"].startswith("[0].requestedQuantity must be")
    body = refused(
        api, 400, "POST", ITEMS, json_body=[{"Barcode": barcode, "requestedQuantity": 2}]
    )
    assert body["messages"][0]["content"] == "[0].barcode is required"


def test_purchase__a_barcode_of_any_length_is_not_in_the_catalog(api: ApiClient) -> None:
    body = refused(
        api, 400, "POST", ITEMS, json_body=[{"barcode": "8" * 500, "requestedQuantity": 1}]
    )
    assert "not in the catalog" in body["messages"][0]["content"]


# -- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1700000000000",  # epoch milliseconds (Python's fromisoformat reads the year 1700)
        "1700000000",
        "20261129",
        "9999-12-31T23:59:59-05:00",  # no UTC equivalent in range
        "0001-01-01T00:00:00+01:00",
        "2026-11-29T25:00:00Z",
        "tomorrow",
    ],
)
def test_offers__dates_that_are_not_iso_or_not_representable_are_400(
    api: ApiClient, value: str
) -> None:
    body = refused(api, 400, "GET", "/v1_1/offers", query={"LastModifiedDateFrom": value})
    assert body["messages"][0]["content"].startswith("LastModifiedDateFrom must be an ISO-8601")


@pytest.mark.parametrize(
    "value",
    ["2026-11-29", "2026-11-29T08:41", "2026-11-29T11:41:33.1234567+03:00", "2026-11-29T08:41:33Z"],
)
def test_offers__iso_dates_in_every_form_bind(api: ApiClient, value: str) -> None:
    assert api.get("/v1_1/offers", query={"LastModifiedDateFrom": value}).status_code == 200


# -- filter values, OrderBy=id ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1_1/offers", {"Barcodes": "8" * 300}),
        ("/v1_1/offers", {"ModelNumber": "M" * 300}),
        ("/v2/offers/DEMO01/stock-status", {"barcodeList": "8" * 300}),
    ],
)
def test_filters__a_value_of_any_length_matches_nothing(
    api: ApiClient, path: str, query: dict[str, str]
) -> None:
    response = api.get(path, query=query)
    assert (response.status_code, response.get_json()) == (200, [])


def test_offers__order_by_id_is_the_catalogs_stable_order(api: ApiClient) -> None:
    loaded = list(api.services.gateway.catalog.offers)
    first = api.get("/v1_1/offers", query={"orderBy": "id", "pageSize": 20}).get_json()
    second = api.get("/v1_1/offers", query={"OrderBy": "ID", "Page": 2, "PageSize": 20}).get_json()
    assert [o["barcode"] for o in first + second] == loaded[:40]
    desc = api.get("/v1_1/offers", query={"orderBy": "id", "order": "desc"}).get_json()
    assert desc[0]["barcode"] == loaded[-1]


def test_offers__unknown_order_by_lists_the_allowed_names_with_id(api: ApiClient) -> None:
    body = refused(api, 400, "GET", "/v1_1/offers", query={"OrderBy": "nope"})
    assert body["messages"][0]["content"].endswith("stockQuantity, lastModifiedDate, id")


# -- buyerCode in the query, on every endpoint ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1_1/offers"),
        ("GET", "/v2/offers/DEMO01/stock-status"),
        ("POST", ITEMS),
        ("GET", "/v2/offers/3352795890/B2Bs"),
        ("POST", "/v2/offers/3352795890/cancel-items"),
        ("GET", "/v2/products/TWAW24MN00001/images"),
        ("GET", "/v2/products/8685298053581/rating"),
    ],
)
@pytest.mark.parametrize("name", ["buyerCode", "BUYERCODE"])
def test_every_endpoint__a_buyer_code_query_of_another_buyer_is_403(
    api: ApiClient, method: str, path: str, name: str
) -> None:
    [barcode] = stocked(api)
    body = [{"barcode": barcode, "requestedQuantity": 1}] if method == "POST" else None
    response = refused(api, 403, method, f"{path}?{name}=OTHER02", json_body=body)
    assert "OTHER02" in response["messages"][0]["content"]


def test_purchase__the_callers_own_buyer_code_query_is_accepted(api: ApiClient) -> None:
    [barcode] = stocked(api)
    assert buy(api, [(barcode, 1)], query="?buyerCode=DEMO01")["items"][0]["availableQuantity"] == 1


# -- credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Basic \xe9\xe9\xff",  # non-ASCII bytes in the header
        "Basic " + base64.b64encode(b"\xff\xfe:\x80").decode(),  # not UTF-8 inside
        "Basic " + base64.b64encode(b"DEMO01").decode(),  # no colon
        "Basic " + base64.b64encode(b":demo-pass").decode(),  # no user
        "Basic !!!!",
        "Basic",
        "Bearer x",
    ],
)
def test_credentials__anything_but_valid_basic_is_401(api: ApiClient, header: str) -> None:
    body = refused(api, 401, "GET", "/v1_1/offers", auth=None, headers={"Authorization": header})
    assert body == {"hasError": True, "messages": [{"type": "error", "content": "Unauthorized"}]}


def test_basic_credentials__password_may_hold_colons_and_utf8() -> None:
    header = "basic " + base64.b64encode("DEMO01:pä:ss".encode()).decode()
    assert basic_credentials(header) == ("DEMO01", "pä:ss")


def test_unauthorized__marketplace_style(settings: Settings) -> None:
    app = create_app(settings.with_overrides(unauthorized_style="marketplace"))
    response = app.test_client().get("/v1_1/offers")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="b2bbuyergateway"'
    body = response.get_json()
    assert body["exception"] == "ClientApiAuthenticationException"
    assert body["timestamp"] == int(settings.clock_start.timestamp() * 1000)  # type: ignore[union-attr]
    assert body["errors"][0]["key"] == "ClientApiAuthenticationException"


# -- User-Agent, health check with omitted defaults ------------------------------------------


def test_user_agent__required_by_setting_is_403_when_missing(settings: Settings) -> None:
    app = create_app(settings.with_overrides(require_user_agent=True))
    client = app.test_client()
    environ = {"HTTP_USER_AGENT": ""}
    missing = client.get("/v1_1/offers", auth=BUYER, environ_overrides=environ)
    assert missing.status_code == 403
    assert "User-Agent" in missing.get_json()["messages"][0]["content"]
    given = client.get("/v1_1/offers", auth=BUYER, headers={"User-Agent": "partner-sdk/1.0"})
    assert given.status_code == 200
    assert client.get("/healthcheck", environ_overrides=environ).status_code == 200


def test_user_agent__not_required_by_default(api: ApiClient) -> None:
    response = api.app.test_client().get(
        "/v1_1/offers", auth=BUYER, environ_overrides={"HTTP_USER_AGENT": ""}
    )
    assert response.status_code == 200


def test_health__omit_defaults_applies(settings: Settings) -> None:
    app = create_app(settings.with_overrides(omit_defaults=True))
    assert json.loads(app.test_client().get("/healthcheck").data) == {"messages": []}


# -- indexed collection keys ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("barcodeList[0]={0}&barcodeList[1]={1}", [0, 1]),  # PHP's http_build_query
        ("barcodeList[1]={1}&barcodeList[0]={0}", [0, 1]),  # in index order
        ("barcodeList[0]={0}&barcodeList[2]={2}", [0]),  # up to the first missing index
        ("barcodeList={2}&BarcodeList[0]={0}", [2, 0]),  # beside repeated keys, any case
        ("barcodeList[0]={0}&barcodeList[0]={1}", [0]),  # a repeated index: the first
    ],
)
def test_stock_status__indexed_keys_bind_as_asp_net_does(
    api: ApiClient, query: str, expected: list[int]
) -> None:
    codes = sorted(api.services.gateway.catalog.offers)[:3]
    path = "/v2/offers/DEMO01/stock-status?" + query.format(*codes)
    rows = api.get(path).get_json()
    assert [row["barcode"] for row in rows] == [codes[i] for i in expected]


def test_offers__indexed_barcodes_bind_too(api: ApiClient) -> None:
    codes = sorted(api.services.gateway.catalog.offers)[:2]
    body = api.get(f"/v1_1/offers?Barcodes[0]={codes[0]}&Barcodes[1]={codes[1]}").get_json()
    assert sorted(o["barcode"] for o in body) == codes


# -- content types --------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/json", "Text/JSON; charset=utf-8"])
def test_purchase__text_json_is_json(api: ApiClient, content_type: str) -> None:
    [barcode] = stocked(api, 1)
    body = json.dumps([{"barcode": barcode, "requestedQuantity": 1}])
    response = api.post(ITEMS, data=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"][0]["barcode"] == barcode
