"""The fast check never calls valid what jsonschema calls invalid (fuzzed, seeded)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from mock_gateway.contract.fastcheck import compile_check
from mock_gateway.contract.schemas import Schemas
from mock_gateway.data.generate import generate_catalog

SCHEMAS = Schemas.load()
ATOMS: list[Any] = [
    0, 1, -1, 2.0, 2.5, True, False, None, "", "x", "2026-11-30T09:00:00.000Z", "asc",
    "single", "y" * 300, [], {}, 10**9, 100001, 20, 21, "٣",
]  # fmt: skip


def mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.15 or depth > 4:
        return rng.choice(ATOMS)
    if isinstance(value, dict):
        copy = {k: mutate(v, rng, depth + 1) if rng.random() < 0.4 else v for k, v in value.items()}
        if copy and rng.random() < 0.2:
            copy.pop(rng.choice(list(copy)))
        if rng.random() < 0.1:
            copy["unexpected"] = rng.choice(ATOMS)
        return copy
    if isinstance(value, list):
        copy = [mutate(v, rng, depth + 1) if rng.random() < 0.4 else v for v in value]
        if rng.random() < 0.2:
            copy.append(rng.choice(ATOMS if not copy else [copy[0], *ATOMS]))
        return copy
    return value


SEEDS: dict[str, Any] = {
    "purchase-request": [{"barcode": "8680000000001", "requestedQuantity": 2}],
    "cancel-request": {"barcode": "8680000000001", "quantity": 1},
    "offers-query": {
        "Page": 2,
        "PageSize": 20,
        "Order": "asc",
        "OrderBy": "price",
        "Barcodes": ["1"],
    },
    "stock-status-query": {"barcodeList": ["1", "2"]},
    "purchase-query": {"packageType": "single", "vendorRef": "A"},
    "control-fault": {"method": "GET", "path": "/x", "effect": {"type": "latency", "ms": 5}},
    "control-offer": {"stockQuantity": 3, "price": 1.5},
}
catalog = generate_catalog(30, 1)
SEEDS["fixture-offers"] = catalog["offers"]
SEEDS["fixture-ratings"] = catalog["ratings"]
SEEDS["fixture-buyers"] = [
    {"buyerCode": "DEMO01", "addressTitles": ["Main Warehouse", "Returns Hub"]},
    {"buyerCode": "DEMO02", "addressTitles": ["Depot"]},
]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_fast_check__implies_jsonschema_validity(name: str) -> None:
    rng = random.Random(name)
    validator = SCHEMAS._validator(name)
    fast = SCHEMAS._fast[name]
    assert fast(SEEDS[name]), "the fast path should accept the plain valid document"
    for _ in range(1500):
        value = json.loads(json.dumps(mutate(SEEDS[name], rng)))
        if fast(value):
            assert validator.is_valid(value), (name, value)


@pytest.mark.parametrize(
    "titles, valid",
    [
        (["A", "B"], True),
        (["A", "A"], False),
        ([], True),
        (["A", 1], False),  # not a string: the schema's type refuses it
    ],
)
def test_fast_check__unique_items_as_jsonschema_says(titles: list[Any], valid: bool) -> None:
    document = [{"buyerCode": "DEMO01", "addressTitles": titles}]
    assert SCHEMAS._validator("fixture-buyers").is_valid(document) is valid
    assert SCHEMAS._fast["fixture-buyers"](document) is valid


def test_fast_check__unique_items_of_numbers_defer_to_jsonschema() -> None:
    """1 and 1.0 are one JSON value, True and 1 are two: the fast check does not decide."""
    check = compile_check({"type": "array", "uniqueItems": True}, lambda ref: {})
    assert check(["a", "b"]) is True
    assert check([1, 2]) is False
    assert check([True, 1]) is False
