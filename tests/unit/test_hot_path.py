"""The shortcuts of the request path give what the long way gives, and keep no unbounded cache."""

from __future__ import annotations

import base64
import json
import random
from types import SimpleNamespace
from typing import Any

import pytest

from mock_gateway.api.body import MAX_DEPTH, parse_body
from mock_gateway.api.render import json_bytes, stock_body
from mock_gateway.contract.errors import BadRequest
from mock_gateway.contract.inputs import (
    CACHED_HEADER_LENGTH,
    _decoded_credentials,
    basic_credentials,
)
from mock_gateway.contract.schemas import Schemas
from mock_gateway.serving.routing import (
    CACHED_PATH_LENGTH,
    canonical_path,
    fold,
    split_base_path,
)

BARCODES = [
    "8685298053581", "", 'a"b\\c/d', "ü€😀", "\x00\x1f\x7f", "\u2028\u2029", "<script>", "x" * 300,
]  # fmt: skip


@pytest.mark.parametrize("omit_defaults", [False, True])
def test_stock_body__the_bytes_json_dumps_makes(omit_defaults: bool) -> None:
    svc: Any = SimpleNamespace(settings=SimpleNamespace(omit_defaults=omit_defaults))
    rng = random.Random(7)
    for _ in range(200):
        rows = [(rng.choice(BARCODES), rng.choice([0, 1, 7, 2**31 - 1])) for _ in range(5)]
        as_dicts = [{"barcode": b, "availableQuantity": q} for b, q in rows]
        assert stock_body(svc, rows) == json_bytes(svc, as_dicts)
        assert json.loads(stock_body(svc, rows)) == json.loads(json_bytes(svc, as_dicts))
    assert stock_body(svc, []) == b"[]"


@pytest.mark.parametrize(
    "path",
    [
        "/b2bbuyergateway/v2/offers/DEMO01/stock-status",
        "/B2BBuyerGatewayApi/V2/Offers/x/b2bs",
        "/b2bbuyergateway",
        "/v1_1/OFFERS",
        "/__mock/ui/",
        "/",
        "/b2bbuyergatewayx/v1_1/offers",
    ],
)
def test_fold__what_folding_each_time_gives(path: str) -> None:
    base, rest = split_base_path(path)
    assert fold(path) == fold(path) == (base, canonical_path(rest))


def test_fold__long_paths_are_answered_but_not_kept() -> None:
    long_path = "/v2/offers/" + "x" * CACHED_PATH_LENGTH + "/stock-status"
    before = fold.cache_info().currsize
    assert fold(long_path) == ("", long_path)
    assert fold.cache_info().currsize == before


def basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "header, expected",
    [
        (basic("DEMO01:demo-pass"), ("DEMO01", "demo-pass")),
        (basic("DEMO01:"), ("DEMO01", "")),
        (basic(":pass"), None),
        (basic("no-colon"), None),
        ("Bearer abc", None),
        ("Basic !!!", None),
        ("", None),
        (basic("DEMO01:" + "p" * CACHED_HEADER_LENGTH), ("DEMO01", "p" * CACHED_HEADER_LENGTH)),
    ],
)
def test_basic_credentials__the_same_answer_each_time(
    header: str, expected: tuple[str, str] | None
) -> None:
    assert basic_credentials(header) == basic_credentials(header) == expected


def test_basic_credentials__long_headers_are_read_but_not_kept() -> None:
    before = _decoded_credentials.cache_info().currsize
    header = basic("DEMO01:" + "p" * CACHED_HEADER_LENGTH)
    assert basic_credentials(header) == ("DEMO01", "p" * CACHED_HEADER_LENGTH)
    assert _decoded_credentials.cache_info().currsize == before


def nested(levels: int) -> bytes:
    """A purchase body whose first line's quantity sits inside `levels` more arrays."""
    quantity = "[" * levels + "1" + "]" * levels
    return f'[{{"barcode":"1","requestedQuantity":{quantity}}}]'.encode()


@pytest.mark.parametrize("levels", [MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 5])
def test_parse_body__the_depth_limit_holds_at_its_edge(levels: int) -> None:
    """The body's own array and object are two levels: a value deeper than MAX_DEPTH is the
    depth error, one at MAX_DEPTH is left to the schema."""
    with pytest.raises(BadRequest) as refused:
        parse_body(nested(levels), "purchase-request", Schemas.load(), BadRequest, False)
    too_deep = f"body is nested deeper than {MAX_DEPTH} levels" in refused.value.texts
    assert too_deep == (levels + 2 > MAX_DEPTH)
