"""Differential test: the app with the fast lane and the app without it answer every request alike.

Hypothesis generates short sessions of requests (methods, base paths and route case, odd path
bytes, query names and values that are huge, negative, non-ASCII, repeated or empty,
Authorization variants, bodies with big numbers, numbers as strings, names in other cases,
duplicate keys, wrong types, broken JSON). Each request goes to both apps, which start from the
same seed and a frozen clock; the status, headers, body and journal entry must be equal, and so
must the whole state (the export) after it. Seeded, so a run is reproducible.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from mock_gateway import create_app
from mock_gateway.config import Settings
from mock_gateway.state.snapshot import export_state
from tests.conftest import BUYER, NOON_ISTANBUL, OTHER

EXAMPLES = 2000

# stocked barcodes of the default data set, from the committed fixtures
STOCKED = ("8680018570317", "8685298053581", "8680018576074")


def _basic(text: bytes) -> str:
    return "Basic " + base64.b64encode(text).decode()


AUTHORIZATION = st.sampled_from(
    [
        _basic(f"{BUYER[0]}:{BUYER[1]}".encode()),
        _basic(f"{BUYER[0]}:{BUYER[1]}".encode()),
        _basic(f"{BUYER[0]}:{BUYER[1]}".encode()),
        _basic(f"{OTHER[0]}:{OTHER[1]}".encode()),
        _basic(b"DEMO01:wrong"),
        _basic("DÉMO01:pässword".encode()),
        _basic(b"DEMO01"),
        _basic(b":demo-pass"),
        _basic(b"\xff\xfe:\x80"),
        "Basic \xe9\xe9\xff",
        "basic " + base64.b64encode(b"DEMO01:demo-pass").decode(),
        "Bearer abc",
        "Basic",
        "Basic !!!",
        "",
    ]
)

LONG = "x" * 300
PARAMS = st.sampled_from(
    [*STOCKED, "DEMO01", "DEMO01", "OTHER02", "demo01", "{req}", "{req}", "999", "é", "%FF", LONG]
)

ROUTES = st.sampled_from(
    [
        ("GET", "v1_1/offers"),
        ("GET", "v1_1/offers"),
        ("GET", "v2/offers/{p}/stock-status"),
        ("GET", "v2/offers/{p}/stock-status"),
        ("POST", "v2/offers/{p}/items"),
        ("POST", "v2/offers/{p}/items"),
        ("POST", "v2/offers/{p}/items"),
        ("GET", "v2/offers/{p}/B2Bs"),
        ("POST", "v2/offers/{p}/cancel-items"),
        ("POST", "v2/offers/{p}/cancel-items"),
        ("GET", "v2/products/{p}/images"),
        ("GET", "v2/products/{p}/rating"),
        ("GET", "healthcheck"),
    ]
)

QUERY_NAMES = st.sampled_from(
    [
        "page", "Page", "PAGE", "pageSize", "PageSize", "Barcodes", "barcodes", "barcodeList",
        "BarcodeList", "ModelNumber", "buyerCode", "BuyerCode", "OrderBy", "orderBy", "Order",
        "LastModifiedDateFrom", "lastModifiedDateTo", "vendorRef", "addressTitle",
        "packageType", "barcode", "junk",
    ]
)  # fmt: skip

QUERY_VALUES = st.one_of(
    st.sampled_from(
        [
            "1", "2", "3", "20", "21", "0", "-1", "+2", " 2 ", "2147483647", "2147483648",
            "-2147483648", "9" * 40, "1.5", "1e3", "٣", "２", "", "asc", "DESC", "id", "price",
            "Barcode", "nope", "DEMO01", "OTHER02", "single", "Multiple", "Returns Hub",
            "2026-11-29T08:41:33.662Z", "2026-11-29", "1700000000000", "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+01:00", "2026-13-45", "%FF", "%E2%82%AC", "a+b", "x" * 200,
            *STOCKED,
        ]
    ),
    st.text(max_size=8),
)  # fmt: skip

NUMBERS = st.one_of(
    st.sampled_from(
        [
            "1", "2", "5", "0", "-1", "2147483647", "2147483648", "9" * 5000, "1.0", "2.5",
            "1e2", '"2"', '" 3 "', '"٣"', '"x"', "true", "null", "NaN", "Infinity", "[1]", "{}",
        ]
    ),
    st.integers(-(2**40), 2**40).map(str),
)  # fmt: skip
BARCODES = st.sampled_from([*STOCKED, "0000000000000", "", "x" * 500, "é"]).map(json.dumps)
BARCODES = st.one_of(BARCODES, st.sampled_from(["5", "null", "[]"]))
NAME_CASE = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])


@st.composite
def json_line(draw: Any, number_key: str) -> str:
    """One JSON object as text: names in any case, maybe repeated, values odd or fine."""
    fields = [("barcode", draw(BARCODES)), (number_key, draw(NUMBERS))]
    if draw(st.booleans()):
        fields = [(draw(NAME_CASE)(k) if k == number_key else k, v) for k, v in fields]
        fields = [(k[0].upper() + k[1:], v) for k, v in fields] if draw(st.booleans()) else fields
    if draw(st.integers(0, 5)) == 0:
        fields.append((number_key, draw(NUMBERS)))  # a repeated property: the last wins
    if draw(st.integers(0, 5)) == 0:
        fields = fields[:1]
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in fields) + "}"


@st.composite
def body(draw: Any, route: str) -> bytes:
    if route.endswith("items"):
        lines = draw(st.lists(json_line("requestedQuantity"), min_size=0, max_size=3))
        text = "[" + ",".join(lines) + "]"
    else:
        text = draw(json_line("quantity"))
    odd = draw(st.integers(0, 12))
    if odd == 0:
        text = text[: len(text) // 2]  # broken JSON
    elif odd == 1:
        text = draw(st.sampled_from(["", "null", "{}", "[]", '"x"', "[[[[[]]]]]", "\ufeff[]"]))
    return text.encode("utf-8", "surrogatepass")


@st.composite
def request(draw: Any) -> dict[str, Any]:
    method, template = draw(ROUTES)
    if draw(st.integers(0, 15)) == 0:
        method = draw(st.sampled_from(["PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "GET", "POST"]))
    segments = template.format(p=draw(PARAMS)).split("/")
    if draw(st.booleans()):
        segments = [draw(NAME_CASE)(s) if not s.startswith("{") else s for s in segments]
    base = draw(
        st.sampled_from(["", "/b2bbuyergateway", "/B2BBuyerGatewayApi", "/b2bbuyergatewayapi"])
    )
    query = draw(st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES), max_size=4))
    headers = {}
    auth = draw(AUTHORIZATION)
    if auth:
        headers["Authorization"] = auth
    data = b""
    if method == "POST":
        data = draw(body(template))
        headers["Content-Type"] = draw(
            st.sampled_from(
                ["application/json", "application/json; charset=utf-8", "text/plain", "", "x+json"]
            )
        )
    return {
        "method": method,
        "path": base + "/" + "/".join(segments),
        "query": "&".join(f"{k}={v}" for k, v in query),
        "headers": headers,
        "data": data,
    }


def _exchange(app: Flask, call: dict[str, Any], request_number: str) -> tuple[Any, ...]:
    path = call["path"].replace("{req}", request_number)
    response = app.test_client().open(
        path,
        method=call["method"],
        query_string=call["query"].replace("{req}", request_number),
        headers=call["headers"],
        data=call["data"],
    )
    svc = app.extensions["mock_gateway"]
    entries = svc.journal.entries()
    entry = entries[-1].describe() if entries else {}
    entry.pop("id", None)
    entry.pop("durationMs", None)
    headers = sorted((k, v) for k, v in response.headers.items() if k != "Date")
    return response.status_code, headers, response.data, entry


def _state(app: Flask) -> Any:
    svc = app.extensions["mock_gateway"]
    return export_state(svc.gateway, svc.clock), len(svc.journal.entries())


@pytest.fixture(scope="module")
def apps() -> tuple[Flask, Flask]:
    config = Settings(clock_start=NOON_ISTANBUL, buyers=dict([BUYER, OTHER]), log_format="off")
    return create_app(config), create_app(config, fast_lane=False)


@seed(20261129)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(session=st.lists(request(), min_size=1, max_size=3))
def test_fast_lane_and_flask__answer_and_change_state_alike(
    apps: tuple[Flask, Flask], session: list[dict[str, Any]]
) -> None:
    fast, flask_only = apps
    for call in session:
        numbers = fast.extensions["mock_gateway"].gateway.requests
        request_number = next(reversed(numbers), "3352795890") if numbers else "3352795890"
        expected = _exchange(flask_only, call, request_number)
        assert _exchange(fast, call, request_number) == expected, call
    assert _state(fast) == _state(flask_only)
