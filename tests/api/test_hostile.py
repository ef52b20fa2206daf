"""Hostile and malformed requests: each gets the contract's envelope and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_orders import state
from tests.conftest import ApiClient

ITEMS = "/v2/offers/DEMO01/items"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        (
            "POST",
            ITEMS,
            {
                "data": "[" * 600_000 + "]" * 600_000,
                "headers": {"Content-Type": "application/json"},
            },
            413,
        ),
        (
            "POST",
            ITEMS,
            {"data": "[" * 20_000 + "]" * 20_000, "headers": {"Content-Type": "application/json"}},
            400,
        ),
        (
            "POST",
            ITEMS,
            {
                "data": '{"a":' * 500 + "1" + "}" * 500,
                "headers": {"Content-Type": "application/json"},
            },
            400,
        ),
        (
            "POST",
            ITEMS,
            {"data": b"\xc3\x28", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", ITEMS, {"data": "[]", "headers": {"Content-Type": "application/xml"}}, 415),
        ("POST", ITEMS, {"data": "[]"}, 415),
        ("PUT", ITEMS, {}, 405),
        ("GET", "/v1_1/offers?" + "a=1&" * 9000, {}, 414),
        ("GET", "/v2/products/" + "x" * 5000 + "/images", {}, 414),
        ("GET", "/v2/products/..%2F..%2Fetc%2Fpasswd/images", {}, 404),
        ("GET", "/v2/products/%00%01%7F/rating", {}, 404),
        ("GET", "/media/..%2F..%2Fetc/passwd/1.png", {"auth": None}, 404),
        ("GET", "/../../etc/passwd", {}, 404),
        ("GET", "/v1_1/offers?Page=%FF%FE", {}, 400),
        ("GET", "/v1_1/offers?Page=99999999999999999999999", {}, 400),
    ],
)
def test_hostile_request__envelope_and_no_change(
    api: ApiClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    before = state(api)
    response = api.request(method, path, **kwargs)
    assert response.status_code == status
    body = response.get_json()  # its exact shape per route is checked by the contract check
    if status != 404:
        assert body["hasError"] is True and body["messages"][0]["content"]
    if status == 405:
        assert "POST" in response.headers["Allow"]
    assert state(api) == before


def test_error_messages__never_echo_credentials(api: ApiClient) -> None:
    response = api.get("/v1_1/offers", auth=("DEMO01", "s3cret-guess"))
    assert b"s3cret-guess" not in response.data
