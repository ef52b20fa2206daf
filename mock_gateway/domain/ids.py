"""Deterministic identifiers: the same seed gives the same request numbers, b2BIds and trace ids."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass


@dataclass
class IdSequence:
    """Counters from seed-derived starting points; the counters are the whole state."""

    seed: int
    requests: int = 0
    packages: int = 0
    batches: int = 0
    traces: int = 0

    def __post_init__(self) -> None:
        rng = random.Random(f"mock-gateway-ids:{self.seed}")
        self._request_base = rng.randrange(10**9, 8 * 10**9)
        self._request_stride = rng.choice((7, 11, 13, 17, 19, 23))
        self._package_base = rng.randrange(80_000, 90_000)

    def next_request_number(self) -> str:
        self.requests += 1
        return str(self._request_base + self.requests * self._request_stride)

    def next_b2b_id(self) -> int:
        self.packages += 1
        return self._package_base + self.packages

    def next_batch_id(self) -> int:
        self.batches += 1
        return self.batches

    def next_trace_id(self) -> str:
        """A W3C trace-context id, as ASP.NET puts in problem details."""
        self.traces += 1
        digest = hashlib.sha256(f"{self.seed}:{self.traces}".encode()).hexdigest()
        return f"00-{digest[:32]}-{digest[32:48]}-00"

    def request_index(self, number: str) -> int | None:
        """Which call of next_request_number gives `number` (None: none ever does)."""
        if not number.isdigit() or len(number) > 20:
            return None
        index, rest = divmod(int(number) - self._request_base, self._request_stride)
        return index if rest == 0 and index > 0 else None

    def package_index(self, b2b_id: int) -> int | None:
        """Which call of next_b2b_id gives `b2b_id` (None: none ever does)."""
        index = b2b_id - self._package_base
        return index if index > 0 else None

    def counters(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "packages": self.packages,
            "batches": self.batches,
            "traces": self.traces,
        }
