"""Domain benchmark: close and pack one batch of 10 000 purchase requests (no HTTP)."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime

from mock_gateway.clock import ControlledClock
from mock_gateway.config import Settings
from mock_gateway.contract.schemas import Schemas
from mock_gateway.domain.models import PackageType
from mock_gateway.serving.assembly import build_gateway, load_data_set

REQUESTS = 10_000


def close_and_pack_seconds(seed: int) -> float:
    settings = Settings(catalog_size=10_000, seed=seed, cutoff_time=None)
    clock = ControlledClock(frozen_at=datetime(2026, 11, 30, 9, tzinfo=UTC))
    gateway = build_gateway(settings, load_data_set(settings, Schemas.load()), clock)
    for barcode in gateway.catalog.sorted_barcodes:
        gateway.catalog.stock[barcode] = 1_000_000
    rng = random.Random(seed)
    barcodes = gateway.catalog.sorted_barcodes
    for i in range(REQUESTS):
        lines = [(b, rng.randint(1, 3)) for b in rng.sample(barcodes, rng.randint(1, 3))]
        kind = PackageType.SINGLE if i % 10 == 0 else PackageType.MULTIPLE
        gateway.reserve("DEMO01", lines, package_type=kind)
    start = time.perf_counter()
    gateway.close_batches()  # no packing delay: closing packs at once
    elapsed = time.perf_counter() - start
    assert len(gateway.book.packages) > 0
    return elapsed


def main() -> dict[str, float]:
    samples = [close_and_pack_seconds(seed) for seed in (1, 2, 3)]
    return {"median_s": statistics.median(samples), "samples": samples}  # type: ignore[dict-item]


if __name__ == "__main__":
    print(main())
