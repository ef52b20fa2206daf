"""The gateway's query and result values: what callers pass in and get back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_gateway.domain.models import OfferSnapshot


@dataclass(frozen=True)
class OfferQuery:
    barcodes: tuple[str, ...] = ()
    model_no: str | None = None
    modified_from: datetime | None = None
    modified_to: datetime | None = None
    page: int = 1
    page_size: int = 20
    order_by: str = "barcode"
    descending: bool = False


@dataclass(frozen=True)
class OfferPage:
    items: list[OfferSnapshot]
    total: int


@dataclass(frozen=True)
class ReservedLine:
    barcode: str
    requested: int
    reserved: int


@dataclass(frozen=True)
class Reservation:
    number: str
    created_at: datetime
    lines: tuple[ReservedLine, ...]


@dataclass(frozen=True)
class GatewayOptions:
    """Contract choices marked INFERRED that the domain makes (settings, contract defaults)."""

    unknown_barcodes_as_zero: bool = False
    empty_purchase_is_error: bool = False
