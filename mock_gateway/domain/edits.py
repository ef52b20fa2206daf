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
from mock_gateway.domain.models import BuyerProfile, OfferSnapshot, Rating


class ControlEdits:
    # provided by Gateway; declared here so the edits are type-checked against them
    lock: threading.Lock
    catalog: Catalog
    buyers: dict[str, BuyerProfile]
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
            updated = offer._replace(**changes)
            self.catalog.add_or_replace(
                updated,
                self.catalog.stock[barcode] if stock is None else stock,
                modified or self.clock.now(),
            )
            self.revision += 1
            return self._snapshot(barcode)

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
