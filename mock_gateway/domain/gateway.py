"""The Gateway: all mutable state of the mock behind one lock, one method per operation.

Every public method takes the lock once for its whole body (check and change in one critical
section, so stock is never oversold) and reads time only from the injected clock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from mock_gateway.clock import Clock, format_instant
from mock_gateway.domain.batches import BatchBook, CutoffPolicy
from mock_gateway.domain.catalog import Catalog
from mock_gateway.domain.edits import ControlEdits
from mock_gateway.domain.errors import (
    BarcodeNotOnRequest,
    CutoffPassed,
    InvalidRequest,
    NothingReserved,
    UnknownModel,
    UnknownProduct,
    UnknownRequest,
)
from mock_gateway.domain.ids import IdSequence
from mock_gateway.domain.models import (
    BuyerProfile,
    CancelOutcome,
    OfferSnapshot,
    Package,
    PackageType,
    PurchaseRequest,
    Rating,
    RequestLine,
    Warehouse,
)
from mock_gateway.domain.queries import (
    GatewayOptions,
    OfferPage,
    OfferQuery,
    Reservation,
    ReservedLine,
)


class Gateway(ControlEdits):
    def __init__(
        self,
        catalog: Catalog,
        buyers: dict[str, BuyerProfile],
        clock: Clock,
        policy: CutoffPolicy,
        ids: IdSequence,
        options: GatewayOptions | None = None,
    ) -> None:
        self.lock = threading.Lock()
        self.catalog = catalog
        self.buyers = buyers
        self.clock = clock
        self.ids = ids
        self.options = options or GatewayOptions()
        self.book = BatchBook(policy, ids)
        self.requests: dict[str, PurchaseRequest] = {}
        # bumped by every change of state, so a saver knows when there is something to save
        self.revision = 0

    # -- reads -------------------------------------------------------------------------

    def offers_page(self, query: OfferQuery) -> OfferPage:
        """Filter, order and page the offers."""
        with self.lock:
            self._catch_up()
            catalog = self.catalog
            if query.barcodes:  # every filter narrows: with ModelNumber, both must hold
                model = query.model_no
                barcodes = [
                    b
                    for b in dict.fromkeys(query.barcodes)
                    if b in catalog.offers
                    and (model is None or catalog.offers[b].model_no == model)
                ]
            elif query.model_no is not None:
                barcodes = list(catalog.models.get(query.model_no, ()))
            else:
                barcodes = catalog.ordered(query.order_by)
            if query.barcodes or query.model_no is not None:
                barcodes = self._sorted(barcodes, query.order_by)
            if query.modified_from or query.modified_to:
                low, high = query.modified_from, query.modified_to
                barcodes = [
                    b
                    for b in barcodes
                    if (low is None or catalog.modified[b] >= low)
                    and (high is None or catalog.modified[b] <= high)
                ]
            total = len(barcodes)
            start = (query.page - 1) * query.page_size
            if start >= total:
                return OfferPage([], total)
            if query.descending:
                stop = total - start
                chosen = barcodes[max(0, stop - query.page_size) : stop][::-1]
            else:
                chosen = barcodes[start : start + query.page_size]
            return OfferPage([self._snapshot(b) for b in chosen], total)

    @contextmanager
    def reading(self) -> Iterator[Gateway]:
        """Hold the lock, due cut-offs applied, while a read model takes several parts at once
        (the control plane's views, the state export)."""
        with self.lock:
            self._catch_up()
            yield self

    def snapshot(self, barcode: str) -> OfferSnapshot:
        """One offer as it stands (call within `reading()`)."""
        return self._snapshot(barcode)

    def _sorted(self, barcodes: list[str], order_by: str) -> list[str]:
        rank = {b: i for i, b in enumerate(self.catalog.ordered(order_by))} if barcodes else {}
        return sorted(barcodes, key=rank.__getitem__)

    def _snapshot(self, barcode: str) -> OfferSnapshot:
        catalog = self.catalog
        return OfferSnapshot(
            catalog.offers[barcode], catalog.stock[barcode], catalog.modified[barcode]
        )

    def stock_status(self, barcodes: Sequence[str] | None) -> list[tuple[str, int]]:
        """Available quantity per barcode; every offered barcode when none are named."""
        with self.lock:
            self._catch_up()
            stock = self.catalog.stock
            if not barcodes:
                return [(b, stock[b]) for b in self.catalog.sorted_barcodes]
            wanted = dict.fromkeys(barcodes)
            if self.options.unknown_barcodes_as_zero:
                return [(b, stock.get(b, 0)) for b in wanted]
            return [(b, stock[b]) for b in wanted if b in stock]

    def model_images(self, model_no: str, barcodes: Sequence[str]) -> list[tuple[str, int]]:
        """(colour, image index) of a model's images, its main image first.

        Variants of one colour share their images, so each colour's images appear once.
        """
        with self.lock:
            members = self.catalog.models.get(model_no)
            if members is None:
                raise UnknownModel(f"model {model_no!r} is not in the catalog")
            wanted = set(barcodes)
            counts: dict[str, int] = {}
            for barcode in members:
                if not wanted or barcode in wanted:
                    offer = self.catalog.offers[barcode]
                    counts[offer.color] = max(counts.get(offer.color, 0), offer.image_count)
            return [(color, i) for color, count in counts.items() for i in range(1, count + 1)]

    def has_image(self, model_no: str, color: str, index: int) -> bool:
        """Whether the model has an image `index` in that colour, for the image server."""
        with self.lock:
            return any(
                offer.color == color and 1 <= index <= offer.image_count
                for offer in map(
                    self.catalog.offers.__getitem__, self.catalog.models.get(model_no, ())
                )
            )

    def rating(self, barcode: str) -> Rating:
        with self.lock:
            if barcode not in self.catalog.offers:
                raise UnknownProduct(f"barcode {barcode!r} is not in the catalog")
            return self.catalog.rating(barcode)

    def next_trace_id(self) -> str:
        with self.lock:
            return self.ids.next_trace_id()

    # -- the order lifecycle --------------------------------------------------------------

    def reserve(
        self,
        buyer: str,
        lines: Sequence[tuple[str, int]],
        *,
        vendor_ref: str | None = None,
        address_title: str | None = None,
        package_type: PackageType = PackageType.MULTIPLE,
    ) -> Reservation:
        """Reserve min(requested, available) of every line, all in one critical section."""
        with self.lock:
            self._catch_up()
            self._check_purchase(buyer, lines, address_title)
            stock = self.catalog.stock
            granted = [min(quantity, stock[barcode]) for barcode, quantity in lines]
            if self.options.empty_purchase_is_error and not any(granted):
                raise NothingReserved("none of the requested items is in stock")
            now = self.clock.now()
            batch = self.book.open_batch(buyer, now)
            request = PurchaseRequest(
                number=self.ids.next_request_number(),
                buyer=buyer,
                vendor_ref=vendor_ref,
                address_title=address_title,
                package_type=PackageType(package_type),
                created_at=now,
                batch_id=batch.id,
                lines=[RequestLine(b, q, g) for (b, q), g in zip(lines, granted, strict=True)],
            )
            for (barcode, _), units in zip(lines, granted, strict=True):
                if units:
                    self.catalog.set_stock(barcode, stock[barcode] - units, now)
            self.requests[request.number] = request
            batch.request_numbers.append(request.number)
            if self.book.add_units(batch, sum(granted), now):
                self.book.pack_due(now, self.requests, self.catalog.offers.__getitem__)
            self.revision += 1
            return Reservation(
                request.number,
                now,
                tuple(ReservedLine(x.barcode, x.requested, x.reserved) for x in request.lines),
            )

    def _check_purchase(
        self, buyer: str, lines: Sequence[tuple[str, int]], address_title: str | None
    ) -> None:
        seen: dict[str, int] = {}
        for index, (barcode, _) in enumerate(lines):
            if barcode in seen:
                raise InvalidRequest(
                    f"[{index}].barcode {barcode!r} appears more than once "
                    f"(first at [{seen[barcode]}]); send one line per barcode"
                )
            seen[barcode] = index
            if barcode not in self.catalog.offers:
                raise InvalidRequest(f"[{index}].barcode {barcode!r} is not in the catalog")
        profile = self.buyers.get(buyer)
        titles = profile.address_titles if profile else ()
        if titles and address_title is not None and address_title not in titles:
            raise InvalidRequest(
                f"addressTitle {address_title!r} is not a registered address of buyer "
                f"{buyer}; registered: {', '.join(titles)}"
            )

    def cancel(self, buyer: str, number: str, barcode: str, quantity: int) -> CancelOutcome:
        """Cancel up to `quantity` reserved units of one barcode, before the cut-off only."""
        with self.lock:
            self._catch_up()
            request = self._own_request(buyer, number)
            line = request.line(barcode)
            if line is None:
                raise BarcodeNotOnRequest(
                    f"barcode {barcode!r} is not on purchase request {number}"
                )
            batch = self.book.batches[request.batch_id]
            if not batch.is_open:
                raise CutoffPassed(
                    f"purchase request {number} can no longer be cancelled: its batch "
                    f"passed the cut-off at {_iso(batch.closed_at)}"
                )
            remaining = line.remaining
            cancelled = min(quantity, remaining)
            if cancelled:
                line.cancelled += cancelled
                batch.reserved_units -= cancelled
                now = self.clock.now()
                self.catalog.set_stock(barcode, self.catalog.stock[barcode] + cancelled, now)
                self.revision += 1
            return CancelOutcome(quantity, cancelled, remaining)

    def packages_for(self, buyer: str, number: str) -> list[tuple[Package, Warehouse]]:
        """The B2B packages holding a request's items; empty until its batch is packed."""
        with self.lock:
            self._catch_up()
            self._own_request(buyer, number)
            ids = self.book.packages_by_request.get(number, ())
            warehouses = self.catalog.warehouses
            result = []
            for b2b_id in ids:
                package = self.book.packages[b2b_id]
                warehouse = warehouses.get(package.warehouse_id)
                result.append(
                    (package, warehouse or Warehouse(package.warehouse_id, "Unknown warehouse"))
                )
            return result

    def _own_request(self, buyer: str, number: str) -> PurchaseRequest:
        request = self.requests.get(number)
        if request is None or request.buyer != buyer:
            raise UnknownRequest(f"purchase request {number!r} was not found")
        return request

    # -- time and batches -------------------------------------------------------------------

    def catch_up(self) -> None:
        """Apply every cut-off and packing whose moment has passed on the clock."""
        with self.lock:
            self._catch_up()

    def _catch_up(self) -> None:
        now = self.clock.now()
        due = self.book.next_event
        if due is not None and due <= now:
            self.book.catch_up(now, self.requests, self.catalog.offers.__getitem__)
            self.revision += 1

    def close_batches(self, buyer: str | None = None) -> list[int]:
        """Close the open batches now (all buyers, or one); they pack after the packing delay."""
        with self.lock:
            self._catch_up()
            now = self.clock.now()
            closing = [
                self.book.batches[batch_id]
                for code, batch_id in sorted(self.book.open_by_buyer.items())
                if buyer is None or code == buyer
            ]
            for batch in closing:
                self.book.close(batch, now, "manual")
            self.revision += 1
            self._catch_up()
            return [batch.id for batch in closing]

    def pack_now(self, buyer: str | None = None) -> int:
        """Pack every closed batch now, without waiting for the packing delay."""
        with self.lock:
            self._catch_up()
            self.revision += 1
            return self.book.pack_due(
                self.clock.now(),
                self.requests,
                self.catalog.offers.__getitem__,
                force=True,
                buyer=buyer,
            )


def _iso(value: datetime | None) -> str:
    return format_instant(value) if value else "unknown"
