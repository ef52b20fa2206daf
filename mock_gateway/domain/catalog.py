"""The catalog: offers, their indexes, ratings and warehouses. Not thread-safe by itself;
the Gateway guards it with its lock."""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mock_gateway.domain.models import NO_RATING, OFFER_FIELDS, Offer, Rating, Warehouse

# Offer field names (as the API spells them) that OrderBy accepts, with their sort keys.
# Every key ends in the barcode so the order is total and therefore deterministic. The offer
# shape has no warehouseId or imageCount; imageUrl orders by the image count behind it.
_STATIC_FIELDS = {
    **{k: v for k, v in OFFER_FIELDS.items() if k not in ("warehouseId", "imageCount")},
    "imageUrl": "image_count",
}
# Fields whose order changes with every purchase or cancel.
LIVE_FIELDS = ("stockQuantity", "lastModifiedDate")
# `id` is the catalog's own stable order (the order offers were loaded or added in): the docs'
# example URL pages with orderBy=id.
ORDERABLE_FIELDS = ("barcode", *_STATIC_FIELDS, *LIVE_FIELDS, "id")


@dataclass
class Catalog:
    warehouses: dict[int, Warehouse]
    offers: dict[str, Offer] = field(default_factory=dict)
    stock: dict[str, int] = field(default_factory=dict)
    modified: dict[str, datetime] = field(default_factory=dict)
    ratings: dict[str, Rating] = field(default_factory=dict)
    sorted_barcodes: list[str] = field(default_factory=list)
    models: dict[str, list[str]] = field(default_factory=dict)
    # bumped by any change to static fields / to stock or dates: keys of the sort caches
    static_version: int = 0
    live_version: int = 0
    _order_cache: dict[str, tuple[int, int, list[str]]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        warehouses: Iterable[Warehouse],
        offers: Iterable[tuple[Offer, int, datetime]],
        ratings: dict[str, Rating],
    ) -> Catalog:
        """Build a catalog and its indexes in one pass."""
        catalog = cls(warehouses={w.id: w for w in warehouses})
        for offer, stock, modified in offers:
            catalog.offers[offer.barcode] = offer
            catalog.stock[offer.barcode] = stock
            catalog.modified[offer.barcode] = modified
            catalog.models.setdefault(offer.model_no, []).append(offer.barcode)
        catalog.sorted_barcodes = sorted(catalog.offers)
        for barcodes in catalog.models.values():
            barcodes.sort()
        catalog.ratings = {b: r for b, r in ratings.items() if b in catalog.offers}
        return catalog

    def rating(self, barcode: str) -> Rating:
        return self.ratings.get(barcode, NO_RATING)

    def add_or_replace(self, offer: Offer, stock: int, modified: datetime) -> None:
        """Put an offer in the catalog, keeping every index right."""
        old = self.offers.get(offer.barcode)
        if old is None:
            insort(self.sorted_barcodes, offer.barcode)
        elif old.model_no != offer.model_no:
            self._unlink_model(old)
        if old is None or old.model_no != offer.model_no:
            insort(self.models.setdefault(offer.model_no, []), offer.barcode)
        self.offers[offer.barcode] = offer
        self.set_stock(offer.barcode, stock, modified)
        self.static_version += 1

    def remove(self, barcode: str) -> None:
        """Take an offer out of the catalog, with its stock, date, rating and index entries."""
        offer = self.offers.pop(barcode)
        del self.stock[barcode], self.modified[barcode]
        self.ratings.pop(barcode, None)
        self.sorted_barcodes.remove(barcode)
        self._unlink_model(offer)
        self.static_version += 1
        self.live_version += 1

    def _unlink_model(self, offer: Offer) -> None:
        members = self.models[offer.model_no]
        members.remove(offer.barcode)
        if not members:
            del self.models[offer.model_no]

    def set_stock(self, barcode: str, stock: int, modified: datetime) -> None:
        self.stock[barcode] = stock
        self.modified[barcode] = modified
        self.live_version += 1

    def ordered(self, order_by: str) -> list[str]:
        """Every barcode, ascending by `order_by` then barcode; cached until a change."""
        if order_by == "barcode":
            return self.sorted_barcodes
        cached = self._order_cache.get(order_by)
        versions = (self.static_version, self.live_version if order_by in LIVE_FIELDS else 0)
        if cached and cached[:2] == versions:
            return cached[2]
        key = self._sort_key(order_by)
        ordered = sorted(self.sorted_barcodes, key=key)
        self._order_cache[order_by] = (*versions, ordered)
        return ordered

    def _sort_key(self, order_by: str) -> Callable[[str], Any]:
        if order_by == "id":
            rank = {barcode: index for index, barcode in enumerate(self.offers)}
            return rank.__getitem__
        if order_by == "stockQuantity":
            return lambda b: (self.stock[b], b)
        if order_by == "lastModifiedDate":
            return lambda b: (self.modified[b], b)
        attr = _STATIC_FIELDS[order_by]
        return lambda b: (getattr(self.offers[b], attr), b)
