"""Fault injection and rate-limit emulation: decided per request, before the view runs.

A rule matches method + path pattern (+ optionally the buyer) and has one effect: latency
(fixed or a range), a status with the contract's error body (500, 503, 429 with Retry-After),
or a dropped connection. It applies to the next N matching requests, or to each with a
probability drawn from its own seeded generator, so a run is reproducible.
"""

from __future__ import annotations

import fnmatch
import math
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from mock_gateway.config import RateLimit


@dataclass
class FaultRule:
    id: int
    method: str  # "*" or an HTTP method
    path: str  # glob against the path without base path, e.g. /v2/offers/*/items
    buyer: str | None
    effect: str  # "latency" | "status" | "drop"
    status: int | None = None
    retry_after: int | None = None
    latency_ms: tuple[int, int] | None = None
    times: int | None = None  # remaining matches; None = unlimited
    probability: float | None = None
    seed: int = 0
    matched: int = 0
    applied: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"fault:{self.seed}:{self.id}")

    def matches(self, method: str, path: str, buyer: str | None) -> bool:
        return (
            (self.method == "*" or self.method == method)
            and fnmatch.fnmatchcase(path.lower(), self.path.lower())
            and (self.buyer is None or self.buyer == buyer)
        )

    def describe(self) -> dict[str, Any]:
        effect: dict[str, Any] = {"type": self.effect}
        if self.status is not None:
            effect["status"] = self.status
        if self.retry_after is not None:
            effect["retryAfter"] = self.retry_after
        if self.latency_ms is not None:
            effect["minMs"], effect["maxMs"] = self.latency_ms
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "buyerCode": self.buyer,
            "effect": effect,
            "times": self.times,
            "probability": self.probability,
            "matched": self.matched,
            "applied": self.applied,
        }


@dataclass(frozen=True)
class Decision:
    """What to do to one request: wait, then answer with a status, or drop it."""

    delay_s: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    rule_ids: tuple[int, ...] = ()


NO_FAULT = Decision()


class FaultBook:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 0

    def add(self, **spec: Any) -> FaultRule:
        with self._lock:
            self._next_id += 1
            rule = FaultRule(id=self._next_id, seed=self.seed, **spec)
            self._rules.append(rule)
            return rule

    @property
    def active(self) -> bool:
        """Whether any rule exists: the pipeline's one-attribute fast path."""
        return bool(self._rules)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            kept = [r for r in self._rules if r.id != rule_id]
            removed = len(kept) != len(self._rules)
            self._rules = kept
            return removed

    def clear(self) -> None:
        with self._lock:
            self._rules = []
            self._next_id = 0

    def any_match(self, method: str, path: str, buyer: str | None) -> bool:
        """Whether a live rule matches, without counting or consuming anything."""
        with self._lock:
            return any(
                rule.matches(method, path, buyer) and (rule.times is None or rule.times > 0)
                for rule in self._rules
            )

    def decide(self, method: str, path: str, buyer: str | None) -> Decision:
        """Apply the matching rules (in order of creation) to one request."""
        if not self._rules:  # the common case costs one attribute read
            return NO_FAULT
        delay, status, retry, drop, ids = 0.0, None, None, False, []
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path, buyer):
                    continue
                rule.matched += 1
                if rule.times is not None and rule.times <= 0:
                    continue
                answered = status is not None or drop
                if rule.effect != "latency" and answered:
                    continue  # one answer per request: later rules keep their turn
                if rule.probability is not None and rule._rng.random() >= rule.probability:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                rule.applied += 1
                ids.append(rule.id)
                if rule.effect == "latency" and rule.latency_ms:
                    low, high = rule.latency_ms
                    delay += (low if low == high else rule._rng.uniform(low, high)) / 1000
                elif rule.effect == "drop":
                    drop = True
                else:
                    status, retry = rule.status, rule.retry_after
            self._rules = [r for r in self._rules if r.times is None or r.times > 0]
        return Decision(delay, status, retry, drop, tuple(ids))


class RateLimiter:
    """Sliding-window request counts per (buyer, endpoint), in real time."""

    def __init__(self, limit: RateLimit | None) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def configure(self, limit: RateLimit | None) -> None:
        with self._lock:
            self.limit = limit
            self._hits.clear()

    def check(self, buyer: str, endpoint: str, now: float) -> int | None:
        """Count one request at `now` (seconds, from the store: monotonic in one process, the
        logged time under a shared store); return the Retry-After seconds when over the limit."""
        limit = self.limit
        if limit is None:
            return None
        with self._lock:
            hits = self._hits.setdefault((buyer, endpoint), deque())
            while hits and hits[0] <= now - limit.window_seconds:
                hits.popleft()
            if len(hits) >= limit.requests:
                return max(1, math.ceil(hits[0] + limit.window_seconds - now))
            hits.append(now)
            return None
