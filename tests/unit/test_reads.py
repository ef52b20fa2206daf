"""The catalog side of the domain, without HTTP: paging, filters, order, stock, images, ratings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mock_gateway.domain.errors import UnknownModel, UnknownProduct
from mock_gateway.domain.gateway import Gateway
from mock_gateway.domain.queries import GatewayOptions, OfferQuery
from tests.unit.conftest import T0


def barcodes(gateway: Gateway, **query: object) -> list[str]:
    return [s.offer.barcode for s in gateway.offers_page(OfferQuery(**query)).items]  # type: ignore[arg-type]


def test_offers_page__pages_from_one_and_past_the_end_is_empty(gateway: Gateway) -> None:
    assert barcodes(gateway, page=1, page_size=3) == ["A", "B", "C"]
    assert barcodes(gateway, page=2, page_size=3) == ["D"]
    page = gateway.offers_page(OfferQuery(page=3, page_size=3))
    assert page.items == [] and page.total == 4


def test_offers_page__descending_pages_walk_backwards(gateway: Gateway) -> None:
    assert barcodes(gateway, page=1, page_size=3, descending=True) == ["D", "C", "B"]
    assert barcodes(gateway, page=2, page_size=3, descending=True) == ["A"]


def test_offers_page__order_by_a_live_field_follows_stock(gateway: Gateway) -> None:
    assert barcodes(gateway, order_by="stockQuantity") == ["C", "B", "A", "D"]
    gateway.reserve("B1", [("D", 49)])
    assert barcodes(gateway, order_by="stockQuantity") == ["C", "D", "B", "A"]


def test_offers_page__filters(gateway: Gateway) -> None:
    assert barcodes(gateway, barcodes=("D", "nope", "A", "D")) == ["A", "D"]
    assert barcodes(gateway, model_no="M2") == ["C", "D"]
    assert barcodes(gateway, model_no="none") == []
    low, high = T0 - timedelta(days=3), T0 - timedelta(days=2)
    assert barcodes(gateway, modified_from=low, modified_to=high) == ["B", "C"]


def test_stock_status__named_unknown_and_all(gateway: Gateway) -> None:
    assert gateway.stock_status(["D", "x", "A"]) == [("D", 50), ("A", 10)]
    assert gateway.stock_status(None) == [("A", 10), ("B", 5), ("C", 0), ("D", 50)]
    gateway.options = GatewayOptions(unknown_barcodes_as_zero=True)
    assert gateway.stock_status(["x"]) == [("x", 0)]


def test_model_images__one_set_per_colour(gateway: Gateway) -> None:
    assert gateway.model_images("M1", ()) == [("Black", 1), ("Black", 2), ("Red", 1), ("Red", 2)]
    assert gateway.model_images("M1", ("B",)) == [("Red", 1), ("Red", 2)]
    with pytest.raises(UnknownModel):
        gateway.model_images("M9", ())
    assert gateway.has_image("M1", "Red", 2) and not gateway.has_image("M1", "Red", 3)


def test_rating__known_unrated_and_unknown(gateway: Gateway) -> None:
    rating = gateway.rating("A")
    assert (rating.total, rating.average, rating.comment_count) == (
        4,
        3.8,
        2,
    )  # (1 + 4 + 5 + 5) / 4 = 3.75
    assert gateway.rating("D").total == 0
    with pytest.raises(UnknownProduct):
        gateway.rating("nope")
