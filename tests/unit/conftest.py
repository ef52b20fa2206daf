from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mock_gateway.clock import ControlledClock
from mock_gateway.domain.batches import CutoffPolicy
from mock_gateway.domain.catalog import Catalog
from mock_gateway.domain.gateway import Gateway
from mock_gateway.domain.ids import IdSequence
from mock_gateway.domain.models import BuyerProfile, Offer, Rating, Warehouse

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 12:00 Istanbul
CUTOFF = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # 16:00 Istanbul
WAREHOUSES = [Warehouse(3, "Tuzla"), Warehouse(7, "Sincan")]


def make_offer(barcode: str, model: str = "M1", warehouse: int = 3, color: str = "Black") -> Offer:
    return Offer(
        barcode=barcode,
        model_no=model,
        name=f"Item {barcode}",
        description="A test item",
        brand="Trendyol Collection",
        sub_category="T-Shirt",
        color=color,
        size="M",
        gender="Women",
        age_group="Adult",
        price=9.0,
        original_sales_price=10.0,
        discount_rate=10,
        warehouse_id=warehouse,
        image_count=2,
    )


def make_gateway(
    clock: ControlledClock,
    *,
    quantity: int = 0,
    delay: timedelta = timedelta(0),
    cutoff: time | None = time(16, 0),
    seed: int = 1,
) -> Gateway:
    stocked = [
        (make_offer("A", warehouse=3), 10, T0 - timedelta(days=1)),
        (make_offer("B", warehouse=7, color="Red"), 5, T0 - timedelta(days=2)),
        (make_offer("C", model="M2", warehouse=3), 0, T0 - timedelta(days=3)),
        (make_offer("D", model="M2", warehouse=7), 50, T0 - timedelta(days=4)),
    ]
    catalog = Catalog.build(WAREHOUSES, stocked, {"A": Rating((1, 0, 0, 1, 2), 2)})
    policy = CutoffPolicy(
        time=cutoff, zone=ZoneInfo("Europe/Istanbul"), quantity=quantity, packing_delay=delay
    )
    buyers = {"B1": BuyerProfile("B1", ("Main", "Returns"))}
    return Gateway(catalog, buyers, clock, policy, IdSequence(seed))


@pytest.fixture
def clock() -> ControlledClock:
    return ControlledClock(frozen_at=T0)


@pytest.fixture
def gateway(clock: ControlledClock) -> Gateway:
    return make_gateway(clock)
