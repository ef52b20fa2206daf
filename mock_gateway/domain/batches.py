"""Batches and packages: cut-offs close a buyer's open batch; packing turns it into packages.

Cut-offs are derived from the clock when the gateway is next touched, not by a timer, so moving
the clock two days ahead closes and packs exactly what two real days would have, in order.
Callers hold the gateway's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from mock_gateway.domain.cutoff import next_cutoff
from mock_gateway.domain.ids import IdSequence
from mock_gateway.domain.models import (
    Batch,
    Offer,
    Package,
    PackageItem,
    PackageType,
    PurchaseRequest,
)


@dataclass(frozen=True)
class CutoffPolicy:
    """When batches close and how soon they are packed (contract §4; all settings)."""

    time: time | None = time(16, 0)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Istanbul"))
    quantity: int = 0  # 0 = off
    packing_delay: timedelta = timedelta(0)

    def cutoff_for(self, opened_at: datetime) -> datetime | None:
        return next_cutoff(opened_at, self.time, self.zone) if self.time else None


@dataclass
class BatchBook:
    policy: CutoffPolicy
    ids: IdSequence
    batches: dict[int, Batch] = field(default_factory=dict)
    open_by_buyer: dict[str, int] = field(default_factory=dict)
    packages: dict[int, Package] = field(default_factory=dict)
    packages_by_request: dict[str, list[int]] = field(default_factory=dict)
    next_event: datetime | None = None

    def open_batch(self, buyer: str, now: datetime) -> Batch:
        """Return the buyer's open batch, opening one if there is none."""
        batch_id = self.open_by_buyer.get(buyer)
        if batch_id is not None:
            return self.batches[batch_id]
        batch = Batch(self.ids.next_batch_id(), buyer, now, self.policy.cutoff_for(now))
        self.batches[batch.id] = batch
        self.open_by_buyer[buyer] = batch.id
        self._schedule(batch.cutoff_at)
        return batch

    def add_units(self, batch: Batch, units: int, now: datetime) -> bool:
        """Count reserved units; close the batch when the quantity cut-off is reached."""
        batch.reserved_units += units
        if self.policy.quantity and batch.reserved_units >= self.policy.quantity:
            self.close(batch, now, "quantity")
            return True
        return False

    def close(self, batch: Batch, at: datetime, reason: str) -> None:
        if not batch.is_open:
            return
        batch.closed_at = at
        batch.close_reason = reason
        batch.pack_at = at + self.policy.packing_delay
        if self.open_by_buyer.get(batch.buyer) == batch.id:
            del self.open_by_buyer[batch.buyer]
        self._schedule(batch.pack_at)

    def catch_up(
        self,
        now: datetime,
        requests: dict[str, PurchaseRequest],
        offers: Callable[[str], Offer],
    ) -> None:
        """Close and pack every batch whose moment has come, in the order time would have."""
        if self.next_event is None or now < self.next_event:
            return
        open_batches = [self.batches[i] for i in self.open_by_buyer.values()]
        for batch in sorted(open_batches, key=lambda b: (b.cutoff_at or now, b.id)):
            if batch.cutoff_at is not None and batch.cutoff_at <= now:
                self.close(batch, batch.cutoff_at, "time")
        self.pack_due(now, requests, offers)
        self._recompute_next_event()

    def pack_due(
        self,
        now: datetime,
        requests: dict[str, PurchaseRequest],
        offers: Callable[[str], Offer],
        force: bool = False,
        buyer: str | None = None,
    ) -> int:
        """Pack closed batches whose packing time has come (all closed ones when forced)."""
        waiting = [
            b
            for b in self.batches.values()
            if b.closed_at is not None
            and b.packed_at is None
            and (buyer is None or b.buyer == buyer)
            and (force or (b.pack_at is not None and b.pack_at <= now))
        ]
        waiting.sort(key=lambda b: (b.pack_at if not force else now, b.id))
        for batch in waiting:
            at = now if force else (batch.pack_at or now)
            self._pack(batch, at, requests, offers)
        if force:
            self._recompute_next_event()
        return len(waiting)

    def _pack(
        self,
        batch: Batch,
        at: datetime,
        requests: dict[str, PurchaseRequest],
        offers: Callable[[str], Offer],
    ) -> None:
        """One package per (batch, warehouse) for `multiple` requests, per (request, warehouse)
        for `single` ones; lines cancelled to zero are left out."""
        groups: dict[tuple[str, int], list[PackageItem]] = {}
        for number in batch.request_numbers:
            request = requests[number]
            owner = number if request.package_type is PackageType.SINGLE else ""
            for line in request.lines:
                if line.remaining > 0:
                    warehouse = offers(line.barcode).warehouse_id
                    item = PackageItem(number, line.barcode, line.remaining)
                    groups.setdefault((owner, warehouse), []).append(item)
        # shared packages first (by warehouse), then each single request's, in request order
        order = {number: i for i, number in enumerate(batch.request_numbers)}
        for owner, warehouse in sorted(
            groups, key=lambda k: (k[0] != "", order.get(k[0], -1), k[1])
        ):
            package = Package(
                self.ids.next_b2b_id(), batch.id, warehouse, at, tuple(groups[(owner, warehouse)])
            )
            self.packages[package.b2b_id] = package
            for number in package.request_numbers:
                self.packages_by_request.setdefault(number, []).append(package.b2b_id)
        batch.packed_at = at

    def _schedule(self, at: datetime | None) -> None:
        if at is not None and (self.next_event is None or at < self.next_event):
            self.next_event = at

    def _recompute_next_event(self) -> None:
        moments = [b.cutoff_at for b in (self.batches[i] for i in self.open_by_buyer.values())] + [
            b.pack_at for b in self.batches.values() if b.closed_at and b.packed_at is None
        ]
        pending = [m for m in moments if m is not None]
        self.next_event = min(pending) if pending else None
