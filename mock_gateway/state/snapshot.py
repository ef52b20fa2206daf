"""The whole state as one JSON document: export it, and import it back atomically.

Import checks the document against schemas/state.json and against itself first, builds a new
Gateway from it, and only then swaps it in: a bad document changes nothing. Passwords are never
part of the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mock_gateway.clock import (
    EARLIEST,
    LATEST,
    Clock,
    ClockRangeError,
    ControlledClock,
    format_instant,
    parse_instant,
)
from mock_gateway.contract.schemas import Schemas
from mock_gateway.data.fixtures import FixtureError, build_data_set, offer_document
from mock_gateway.domain.batches import CutoffPolicy
from mock_gateway.domain.gateway import Gateway
from mock_gateway.domain.ids import IdSequence
from mock_gateway.domain.models import (
    Batch,
    Package,
    PackageItem,
    PackageType,
    PurchaseRequest,
    RequestLine,
)
from mock_gateway.domain.queries import GatewayOptions

FORMAT = "mock-gateway-state/1"


class StateError(ValueError):
    """The document cannot be imported; the message says where."""


def _iso(value: Any) -> Any:
    return format_instant(value) if value is not None else None


def export_state(gateway: Gateway, clock: ControlledClock) -> dict[str, Any]:
    """Everything the gateway holds, as of the clock's now (due cut-offs applied first)."""
    with gateway.reading():
        catalog = gateway.catalog
        return {
            "format": FORMAT,
            "seed": gateway.ids.seed,
            "clock": {"now": format_instant(clock.now()), "frozen": clock.frozen},
            "ids": gateway.ids.counters(),
            "warehouses": [{"id": w.id, "name": w.name} for w in catalog.warehouses.values()],
            "buyers": [
                {"buyerCode": p.code, "addressTitles": list(p.address_titles)}
                for p in sorted(gateway.buyers.values(), key=lambda p: p.code)
            ],
            "offers": [
                offer_document(catalog.offers[b], catalog.stock[b], catalog.modified[b])
                for b in catalog.sorted_barcodes
            ],
            "ratings": [
                {
                    "barcode": barcode,
                    "ratingCounts": [
                        {"rate": r, "count": rating.counts[r - 1]} for r in range(5, 0, -1)
                    ],
                    "totalCommentCount": rating.comment_count,
                }
                for barcode, rating in sorted(catalog.ratings.items())
            ],
            "requests": [request_document(r) for r in gateway.requests.values()],
            "batches": [batch_document(b) for b in gateway.book.batches.values()],
            "packages": [package_document(p) for p in gateway.book.packages.values()],
        }


def request_document(r: PurchaseRequest) -> dict[str, Any]:
    return {
        "requestNumber": r.number,
        "buyerCode": r.buyer,
        "vendorRef": r.vendor_ref,
        "addressTitle": r.address_title,
        "packageType": r.package_type.value,
        "createDateTime": format_instant(r.created_at),
        "batchId": r.batch_id,
        "lines": [
            {
                "barcode": x.barcode,
                "requestedQuantity": x.requested,
                "reservedQuantity": x.reserved,
                "cancelledQuantity": x.cancelled,
            }
            for x in r.lines
        ],
    }


def batch_document(b: Batch) -> dict[str, Any]:
    return {
        "id": b.id,
        "buyerCode": b.buyer,
        "openedAt": _iso(b.opened_at),
        "cutoffAt": _iso(b.cutoff_at),
        "closedAt": _iso(b.closed_at),
        "closeReason": b.close_reason,
        "packAt": _iso(b.pack_at),
        "packedAt": _iso(b.packed_at),
        "requestNumbers": list(b.request_numbers),
        "reservedUnits": b.reserved_units,
    }


def package_document(p: Package) -> dict[str, Any]:
    return {
        "b2BId": p.b2b_id,
        "batchId": p.batch_id,
        "warehouseId": p.warehouse_id,
        "createDate": format_instant(p.created_at),
        "items": [
            {"requestNumber": i.request_number, "barcode": i.barcode, "quantity": i.quantity}
            for i in p.items
        ],
    }


def import_state(
    document: Any,
    schemas: Schemas,
    clock: Clock,
    policy: CutoffPolicy,
    options: GatewayOptions,
) -> Gateway:
    """Build a Gateway from a document; raise StateError naming the first problem."""
    problems = schemas.errors("state", document, root="(root)")
    if problems:
        raise StateError(problems[0])
    try:
        data = build_data_set(document, source="state ")
    except FixtureError as error:
        raise StateError(str(error)) from None
    counters = document["ids"]
    ids = IdSequence(document["seed"], **counters)
    gateway = Gateway(data.catalog, data.buyers, clock, policy, ids, options)
    offers = data.catalog.offers
    for raw in document["requests"]:
        number = raw["requestNumber"]
        for line in raw["lines"]:
            if line["barcode"] not in offers:
                raise StateError(f"request {number}: barcode {line['barcode']!r} is not an offer")
            if line["cancelledQuantity"] > line["reservedQuantity"]:
                raise StateError(f"request {number}: more cancelled than reserved")
        if number in gateway.requests:
            raise StateError(f"request {number} appears twice")
        gateway.requests[number] = PurchaseRequest(
            number=number,
            buyer=raw["buyerCode"],
            vendor_ref=raw["vendorRef"],
            address_title=raw["addressTitle"],
            package_type=PackageType(raw["packageType"]),
            created_at=parse_instant(raw["createDateTime"]),
            batch_id=raw["batchId"],
            lines=[
                RequestLine(
                    x["barcode"],
                    x["requestedQuantity"],
                    x["reservedQuantity"],
                    x["cancelledQuantity"],
                )
                for x in raw["lines"]
            ],
        )
    book = gateway.book
    for raw in document["batches"]:
        batch = Batch(
            id=raw["id"],
            buyer=raw["buyerCode"],
            opened_at=parse_instant(raw["openedAt"]),
            cutoff_at=_instant(raw["cutoffAt"]),
            request_numbers=list(raw["requestNumbers"]),
            reserved_units=raw["reservedUnits"],
            closed_at=_instant(raw["closedAt"]),
            close_reason=raw["closeReason"],
            pack_at=_instant(raw["packAt"]),
            packed_at=_instant(raw["packedAt"]),
        )
        if batch.id in book.batches:
            raise StateError(f"batch {batch.id} appears twice")
        book.batches[batch.id] = batch
        for number in batch.request_numbers:
            if number not in gateway.requests:
                raise StateError(f"batch {batch.id}: request {number} is unknown")
        if batch.is_open:
            if batch.buyer in book.open_by_buyer:
                raise StateError(f"buyer {batch.buyer} has two open batches")
            book.open_by_buyer[batch.buyer] = batch.id
    for number, request in gateway.requests.items():
        batch_of = book.batches.get(request.batch_id)
        if batch_of is None or number not in batch_of.request_numbers:
            raise StateError(f"request {number}: batch {request.batch_id} does not hold it")
    for raw in document["packages"]:
        items = tuple(
            PackageItem(i["requestNumber"], i["barcode"], i["quantity"]) for i in raw["items"]
        )
        package = Package(
            raw["b2BId"],
            raw["batchId"],
            raw["warehouseId"],
            parse_instant(raw["createDate"]),
            items,
        )
        if package.b2b_id in book.packages:
            raise StateError(f"package {package.b2b_id} appears twice")
        if package.batch_id not in book.batches:
            raise StateError(f"package {package.b2b_id}: batch {package.batch_id} is unknown")
        book.packages[package.b2b_id] = package
        for item in items:
            if item.barcode not in offers:
                raise StateError(
                    f"package {package.b2b_id}: barcode {item.barcode!r} is not an offer"
                )
        for number in package.request_numbers:
            if number not in gateway.requests:
                raise StateError(f"package {package.b2b_id}: request {number} is unknown")
            book.packages_by_request.setdefault(number, []).append(package.b2b_id)
    _check_counters(ids, gateway.requests, book.batches, book.packages)
    book._recompute_next_event()
    return gateway


def _check_counters(
    ids: IdSequence, requests: Iterable[str], batches: Iterable[int], packages: Iterable[int]
) -> None:
    """Every id counter must stand at or past each id in use that its sequence gives, or the
    next purchase, cut-off or packing would issue an id in use again (and replace an order)."""
    in_use = (
        ("requests", "request", [(n, ids.request_index(n)) for n in requests]),
        ("batches", "batch", [(b, b if b > 0 else None) for b in batches]),
        ("packages", "package", [(p, ids.package_index(p)) for p in packages]),
    )
    counters = ids.counters()
    for counter, kind, found in in_use:
        for name, index in found:
            if index is not None and index > counters[counter]:
                raise StateError(
                    f"ids.{counter} is {counters[counter]}, but {kind} {name} is the one its "
                    f"sequence issues at {index}: the next would be issued again; set "
                    f"ids.{counter} to at least {max(i or 0 for _, i in found)}"
                )


def _instant(value: str | None) -> Any:
    return parse_instant(value) if value is not None else None


def restore_clock(document: dict[str, Any], clock: ControlledClock) -> None:
    """Put the clock where the exported state had it, in the same mode."""
    at = parse_instant(document["clock"]["now"])
    if not EARLIEST <= at <= LATEST:
        raise StateError(f"clock.now: {ClockRangeError()}")
    if document["clock"]["frozen"]:
        clock.freeze(at)
    else:
        clock.to_real_time()
        clock.set(at)
