"""The gateway's data: plain typed records, no behaviour beyond derived values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: int
    name: str


class Offer(NamedTuple):
    """A variant (SKU) on offer. Stock and last-modified date live in the Gateway (they move).

    A NamedTuple rather than a frozen dataclass: catalogs of 100 000 offers are built at
    start-up, and a tuple is several times cheaper to create.
    """

    barcode: str
    model_no: str
    name: str
    description: str
    brand: str
    sub_category: str
    color: str
    size: str
    gender: str
    age_group: str
    price: float
    original_sales_price: float
    discount_rate: int
    warehouse_id: int
    image_count: int


# The contract's and fixtures' names of an offer's own fields, with their Offer attributes
# (stockQuantity and lastModifiedDate live in the Gateway; barcode is the key).
OFFER_FIELDS = {
    "modelNo": "model_no",
    "name": "name",
    "description": "description",
    "brand": "brand",
    "subCategory": "sub_category",
    "color": "color",
    "size": "size",
    "gender": "gender",
    "ageGroup": "age_group",
    "price": "price",
    "originalSalesPrice": "original_sales_price",
    "discountRate": "discount_rate",
    "warehouseId": "warehouse_id",
    "imageCount": "image_count",
}


@dataclass(frozen=True, slots=True)
class OfferSnapshot:
    """An offer with its live stock and last-modified date, read under the gateway's lock."""

    offer: Offer
    stock: int
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class Rating:
    """Counts per star, index 0 = 1 star ... index 4 = 5 stars."""

    counts: tuple[int, int, int, int, int]
    comment_count: int

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float:
        if not self.total:
            return 0.0
        weighted = sum((rate + 1) * count for rate, count in enumerate(self.counts))
        return round(weighted / self.total, 1)


NO_RATING = Rating((0, 0, 0, 0, 0), 0)


@dataclass(frozen=True, slots=True)
class BuyerProfile:
    """What the fixtures say about a buyer beyond its credentials."""

    code: str
    address_titles: tuple[str, ...] = ()


class PackageType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"


@dataclass(slots=True)
class RequestLine:
    barcode: str
    requested: int
    reserved: int
    cancelled: int = 0

    @property
    def remaining(self) -> int:
        return self.reserved - self.cancelled


@dataclass(slots=True)
class PurchaseRequest:
    number: str
    buyer: str
    vendor_ref: str | None
    address_title: str | None
    package_type: PackageType
    created_at: datetime
    batch_id: int
    lines: list[RequestLine]

    def line(self, barcode: str) -> RequestLine | None:
        for line in self.lines:
            if line.barcode == barcode:
                return line
        return None


@dataclass(slots=True)
class Batch:
    """A buyer's collected requests between two cut-offs."""

    id: int
    buyer: str
    opened_at: datetime
    cutoff_at: datetime | None
    request_numbers: list[str] = field(default_factory=list)
    reserved_units: int = 0
    closed_at: datetime | None = None
    close_reason: str | None = None
    pack_at: datetime | None = None
    packed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class PackageItem:
    request_number: str
    barcode: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Package:
    b2b_id: int
    batch_id: int
    warehouse_id: int
    created_at: datetime
    items: tuple[PackageItem, ...]

    @property
    def request_numbers(self) -> frozenset[str]:
        return frozenset(item.request_number for item in self.items)


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    requested: int
    cancelled: int
    remaining_before: int
