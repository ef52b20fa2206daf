"""Domain values to the contract's JSON shapes (field names and formats VERIFIED)."""

from __future__ import annotations

import contextlib
from json.encoder import encode_basestring
from typing import Any
from urllib.parse import quote

from flask import Response

from mock_gateway.clock import format_instant
from mock_gateway.contract.errors import JSON_TYPE, dump
from mock_gateway.domain.models import CancelOutcome, OfferSnapshot, Package, Rating, Warehouse
from mock_gateway.domain.queries import Reservation
from mock_gateway.state.services import Services, services


def ok(data: Any, headers: dict[str, str] | None = None) -> Response:
    """A 200 with a contract body; with OMIT_DEFAULTS, 0/false/null fields are dropped."""
    return raw_ok(json_bytes(services(), data), headers or {})


def json_bytes(svc: Services, data: Any) -> bytes:
    """A contract body as bytes; with OMIT_DEFAULTS, 0/false/null fields are dropped."""
    return dump(_omit_defaults(data) if svc.settings.omit_defaults else data)


def stock_body(svc: Services, rows: list[tuple[str, int]]) -> bytes:
    """The stock-status array: the bytes `json_bytes` makes of its rows, written directly.

    A stock-status answer is twenty small objects; json.dumps walked them at about a microsecond
    each, a quarter of the request's time in the app. `encode_basestring` is the function
    json.dumps itself quotes strings with (ensure_ascii off), and an int prints as json prints it.
    """
    if svc.settings.omit_defaults:
        return json_bytes(svc, [{"barcode": b, "availableQuantity": q} for b, q in rows])
    text = ",".join(
        f'{{"barcode":{encode_basestring(b)},"availableQuantity":{q}}}' for b, q in rows
    )
    return f"[{text}]".encode()


def offers_body(svc: Services, snapshots: list[OfferSnapshot], base: str) -> bytes:
    """A bare array of offers, from serialized offers reused while unchanged."""
    fragments = svc.offer_json.fragments(snapshots, base, svc.settings.omit_defaults)
    return b"[" + b",".join(fragments) + b"]"


def raw_ok(body: bytes, headers: dict[str, str]) -> Response:
    return Response(body, headers=headers, content_type=JSON_TYPE)


class OfferJsonCache:
    """Each offer's JSON, kept until the offer, its stock, its date or the base URL changes.

    The check is by identity and equality of what the JSON is made of, so it can never serve a
    stale offer. A full cache drops its oldest entry (about 650 bytes an offer).
    """

    def __init__(self, limit: int = 120_000) -> None:
        self.limit = limit
        self._entries: dict[str, tuple[Any, int, Any, str, bytes]] = {}

    def fragments(self, snapshots: list[OfferSnapshot], base: str, omit: bool) -> list[bytes]:
        out = []
        entries = self._entries
        for snap in snapshots:
            entry = entries.get(snap.offer.barcode)
            if (
                entry is not None
                and entry[0] is snap.offer
                and entry[1] == snap.stock
                and entry[2] == snap.last_modified
                and entry[3] == base
            ):
                out.append(entry[4])
                continue
            data = offer(snap, base)
            raw = dump(_omit_defaults(data) if omit else data)
            if len(entries) >= self.limit:
                with contextlib.suppress(StopIteration, KeyError, RuntimeError):
                    entries.pop(next(iter(entries)))
            entries[snap.offer.barcode] = (snap.offer, snap.stock, snap.last_modified, base, raw)
            out.append(raw)
        return out


def _omit_defaults(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _omit_defaults(v)
            for k, v in value.items()
            if not (v is None or v is False or (type(v) in (int, float) and v == 0))
        }
    if isinstance(value, list):
        return [_omit_defaults(v) for v in value]
    return value


# the path segment of an offer with no colour (an empty segment would make `//`, a 404)
NO_COLOUR = "~"


def image_url(base: str, model_no: str, color: str, index: int) -> str:
    segment = quote(color, safe="") or NO_COLOUR
    return f"{base}/media/{quote(model_no, safe='')}/{segment}/{index}.png"


def offer(snapshot: OfferSnapshot, base: str) -> dict[str, Any]:
    o = snapshot.offer
    return {
        "modelNo": o.model_no,
        "barcode": o.barcode,
        "name": o.name,
        "description": o.description,
        "brand": o.brand,
        "subCategory": o.sub_category,
        "color": o.color,
        "size": o.size,
        "gender": o.gender,
        "ageGroup": o.age_group,
        "stockQuantity": snapshot.stock,
        "price": o.price,
        "originalSalesPrice": o.original_sales_price,
        "discountRate": o.discount_rate,
        "imageUrl": image_url(base, o.model_no, o.color, 1) if o.image_count else "",
        "lastModifiedDate": format_instant(snapshot.last_modified),
    }


def rating(value: Rating) -> dict[str, Any]:
    return {
        "averageRating": value.average,
        "totalRatingCount": value.total,
        "totalCommentCount": value.comment_count,
        "ratingCounts": [
            {"rate": rate, "count": value.counts[rate - 1]} for rate in range(5, 0, -1)
        ],
    }


def reservation(value: Reservation) -> dict[str, Any]:
    return {
        "createDateTime": format_instant(value.created_at),
        "requestNumber": value.number,
        "items": [
            {
                "barcode": line.barcode,
                "requestedQuantity": line.requested,
                "availableQuantity": line.reserved,
            }
            for line in value.lines
        ],
    }


def package(value: Package, warehouse: Warehouse) -> dict[str, Any]:
    return {
        "b2BId": value.b2b_id,
        "warehouseId": warehouse.id,
        "warehouseName": warehouse.name,
        "createDate": format_instant(value.created_at),
    }


def cancel(value: CancelOutcome, barcode: str) -> dict[str, Any]:
    partial = value.cancelled < value.requested
    notes = []
    if partial:
        notes.append(
            {
                "type": "error",
                "content": (
                    f"Only {value.cancelled} of {value.requested} units of barcode {barcode} "
                    f"could be cancelled: {value.remaining_before} remained reserved"
                ),
            }
        )
    return {
        "requestedQuantity": value.requested,
        "cancelledQuantity": value.cancelled,
        "hasError": partial,
        "messages": notes,
    }


class PageCache:
    """Whole offers pages (body and headers), kept while the catalog has not changed.

    The stamp is the catalog object and its version counters, read before the page is
    computed: a page stored under a stamp is never older than that stamp, so a hit is never
    stale. The catalog is compared by identity (a reset or import makes a new one). A full
    cache drops its oldest page; 8000 pages hold every page of a 100 000-offer catalog.
    """

    def __init__(self, limit: int = 8_000) -> None:
        self.limit = limit
        self._pages: dict[Any, tuple[Any, bytes, dict[str, str]]] = {}

    def get(self, key: Any, stamp: Any) -> tuple[bytes, dict[str, str]] | None:
        found = self._pages.get(key)
        if found is None or found[0][0] is not stamp[0] or found[0][1:] != stamp[1:]:
            return None
        return found[1], found[2]

    def put(self, key: Any, stamp: Any, body: bytes, headers: dict[str, str]) -> None:
        pages = self._pages
        if len(pages) >= self.limit:
            with contextlib.suppress(StopIteration, KeyError, RuntimeError):  # a racing thread
                pages.pop(next(iter(pages)))
        pages[key] = (stamp, body, headers)
