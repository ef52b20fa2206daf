"""Edits from the control plane: offers, ratings and buyers' addresses, under the gateway's lock.

A mixin of Gateway, kept apart because partners never reach these operations.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from mock_gateway.clock import Clock
from mock_gateway.domain.catalog import Catalog
from mock_gateway.domain.errors import InvalidRequest, UnknownProduct
from mock_gateway.domain.models import BuyerProfile, Offer, OfferSnapshot, PurchaseRequest, Rating


class ControlEdits:
    # provided by Gateway; declared here so the edits are type-checked against them
    lock: threading.Lock
    catalog: Catalog
    buyers: dict[str, BuyerProfile]
    requests: dict[str, PurchaseRequest]
    clock: Clock
    revision: int

    def _catch_up(self) -> None:  # Gateway's, which overrides this
        raise NotImplementedError

    def _snapshot(self, barcode: str) -> OfferSnapshot:
        raise NotImplementedError

    def edit_offer(
        self, barcode: str, changes: dict[str, Any], stock: int | None, modified: datetime | None
    ) -> OfferSnapshot:
        """Change fields of an offer; its last-modified date moves to now unless given."""
        with self.lock:
            self._catch_up()
            offer = self.catalog.offers.get(barcode)
            if offer is None:
                raise UnknownProduct(f"barcode {barcode!r} is not in the catalog")
            warehouse = changes.get("warehouse_id", offer.warehouse_id)
            if warehouse not in self.catalog.warehouses:
                raise InvalidRequest(f"warehouseId {warehouse} is not a known warehouse")
            updated = offer._replace(**consistent_prices(offer, changes))
            self.catalog.add_or_replace(
                updated,
                self.catalog.stock[barcode] if stock is None else stock,
                modified or self.clock.now(),
            )
            self.revision += 1
            return self._snapshot(barcode)

    def add_offer(self, offer: Offer, stock: int, modified: datetime | None) -> OfferSnapshot:
        """Put a new offer in the catalog; a barcode already there is refused."""
        with self.lock:
            self._catch_up()
            if offer.barcode in self.catalog.offers:
                raise InvalidRequest(f"barcode {offer.barcode!r} is already in the catalog")
            if offer.warehouse_id not in self.catalog.warehouses:
                raise InvalidRequest(f"warehouseId {offer.warehouse_id} is not a known warehouse")
            self.catalog.add_or_replace(offer, stock, modified or self.clock.now())
            self.revision += 1
            return self._snapshot(offer.barcode)

    def remove_offer(self, barcode: str) -> None:
        """Take an offer out of the catalog, unless a purchase request holds it (its lines,
        packages and the state export refer to it)."""
        with self.lock:
            self._catch_up()
            if barcode not in self.catalog.offers:
                raise UnknownProduct(f"barcode {barcode!r} is not in the catalog")
            holder = next(
                (r.number for r in self.requests.values() if r.line(barcode) is not None), None
            )
            if holder is not None:
                raise InvalidRequest(
                    f"barcode {barcode!r} is on purchase request {holder}: an offer that a "
                    "request holds cannot be removed (reset, or import a state without it)"
                )
            self.catalog.remove(barcode)
            self.revision += 1

    def set_rating(self, barcode: str, rating: Rating) -> None:
        with self.lock:
            if barcode not in self.catalog.offers:
                raise UnknownProduct(f"barcode {barcode!r} is not in the catalog")
            self.catalog.ratings[barcode] = rating
            self.revision += 1

    def set_buyer_profile(self, profile: BuyerProfile) -> None:
        with self.lock:
            self.buyers[profile.code] = profile
            self.revision += 1

    def remove_buyer_profile(self, code: str) -> None:
        with self.lock:
            self.buyers.pop(code, None)
            self.revision += 1


def consistent_prices(offer: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Complete a price edit so that price = originalSalesPrice x (1 - discountRate/100) holds.

    The fields an edit names are kept; the one it leaves out is derived: a new price keeps the
    list price and recomputes the discount (a price above the list price raises the list price,
    discount 0); a new discount or list price recomputes the price; a new price and discount
    recompute the list price. An edit naming all three is taken as it is.
    """
    named = {"price", "original_sales_price", "discount_rate"} & set(changes)
    if not named or len(named) == 3:
        return changes
    result = dict(changes)
    original = result.get("original_sales_price", offer.original_sales_price)
    if "price" in named and "discount_rate" not in named:
        price = result["price"]
        if price > original or original <= 0:
            result["original_sales_price"], result["discount_rate"] = price, 0
        else:
            result["discount_rate"] = min(99, max(0, round((1 - price / original) * 100)))
    elif "price" not in named:
        rate = result.get("discount_rate", offer.discount_rate)
        result["price"] = round(original * (1 - rate / 100), 2)
    elif result["discount_rate"] < 100:  # price and discount named: derive the list price
        result["original_sales_price"] = round(
            result["price"] / (1 - result["discount_rate"] / 100), 2
        )
    return result
