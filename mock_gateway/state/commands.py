"""Every change of state, as a named function of the services and JSON values.

Views never change state themselves: they call `svc.store.run(command, **args)`. The memory store
runs the function at once; the Redis store first appends (name, arguments, time) to the shared
log, atomically, and every replica then runs the very same function at that point of the log.
So the business rules stay in the domain, written once, and a change made on one replica is the
same change on all of them. Arguments are JSON values (the log stores them); results are not
logged, they go back to the caller only.

Each function must depend on nothing but the state, its arguments and the clock (which the Redis
store pins to the logged time while it replays): no randomness, no wall-clock reads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from mock_gateway.clock import parse_instant
from mock_gateway.config import RateLimit
from mock_gateway.domain.models import BuyerProfile, CancelOutcome, Offer, PackageType, Rating
from mock_gateway.domain.queries import Reservation

if TYPE_CHECKING:
    from mock_gateway.state.faults import Decision
    from mock_gateway.state.services import Services

Command = Callable[..., Any]
COMMANDS: dict[str, Command] = {}
# commands after which nothing earlier matters: the Redis store starts its log afresh there
REBASING = frozenset({"reset"})


def command(function: Command) -> Command:
    """Register a change of state under its function's name (the name the log records)."""
    COMMANDS[function.__name__] = function
    return function


# -- the order lifecycle -----------------------------------------------------------------------


@command
def reserve(
    svc: Services,
    *,
    buyer: str,
    lines: list[list[Any]],
    vendor_ref: str | None,
    address_title: str | None,
    package_type: str,
) -> Reservation:
    return svc.gateway.reserve(
        buyer,
        [(barcode, quantity) for barcode, quantity in lines],
        vendor_ref=vendor_ref,
        address_title=address_title,
        package_type=PackageType(package_type),
    )


@command
def cancel(svc: Services, *, buyer: str, number: str, barcode: str, quantity: int) -> CancelOutcome:
    return svc.gateway.cancel(buyer, number, barcode, quantity)


@command
def catch_up(svc: Services) -> None:
    svc.gateway.catch_up()


@command
def close_batches(svc: Services, *, buyer: str | None) -> list[int]:
    return svc.gateway.close_batches(buyer)


@command
def pack_now(svc: Services, *, buyer: str | None) -> int:
    return svc.gateway.pack_now(buyer)


@command
def trace_id(svc: Services) -> str:
    return svc.gateway.next_trace_id()


# -- the clock ---------------------------------------------------------------------------------


@command
def clock_freeze(svc: Services, *, at: str | None) -> None:
    svc.clock.freeze(parse_instant(at) if at is not None else None)
    svc.gateway.catch_up()


@command
def clock_set(svc: Services, *, at: str) -> None:
    svc.clock.set(parse_instant(at))
    svc.gateway.catch_up()


@command
def clock_advance(svc: Services, *, seconds: float) -> None:
    svc.clock.advance(timedelta(seconds=seconds))
    svc.gateway.catch_up()


@command
def clock_resume(svc: Services) -> None:
    svc.clock.resume()


# -- catalog, buyers, whole state ----------------------------------------------------------------


@command
def edit_offer(
    svc: Services,
    *,
    barcode: str,
    changes: dict[str, Any],
    stock: int | None,
    modified: str | None,
) -> Any:
    return svc.gateway.edit_offer(barcode, changes, stock, _instant(modified))


@command
def add_offer(svc: Services, *, offer: dict[str, Any], stock: int, modified: str | None) -> Any:
    return svc.gateway.add_offer(Offer(**offer), stock, _instant(modified))


@command
def remove_offer(svc: Services, *, barcode: str) -> None:
    svc.gateway.remove_offer(barcode)


@command
def set_rating(svc: Services, *, barcode: str, counts: list[int], comments: int) -> None:
    svc.gateway.set_rating(
        barcode, Rating((counts[0], counts[1], counts[2], counts[3], counts[4]), comments)
    )


@command
def put_buyer(svc: Services, *, code: str, verifier: str, address_titles: list[str]) -> None:
    """`verifier`: services.make_verifier of the password (never the password itself: this
    command's arguments are what a shared store's log keeps)."""
    svc.credentials.set_verifier(code, verifier)
    svc.gateway.set_buyer_profile(BuyerProfile(code, tuple(address_titles)))


@command
def delete_buyer(svc: Services, *, code: str) -> bool:
    if not svc.credentials.remove(code):
        return False
    svc.gateway.remove_buyer_profile(code)
    return True


@command
def reset(
    svc: Services,
    *,
    seed: int | None = None,
    catalog_size: int | None = None,
    ids_at: dict[str, int] | None = None,
) -> None:
    """`ids_at`: id counters to start from (a log restarted after Redis lost its data)."""
    assert svc.rebuild is not None
    svc.rebuild(svc, seed=seed, catalog_size=catalog_size)
    ids = svc.gateway.ids
    for counter, value in (ids_at or {}).items():
        setattr(ids, counter, max(getattr(ids, counter), value))


@command
def import_state(svc: Services, *, document: Any) -> None:
    assert svc.import_document is not None
    svc.import_document(svc, document)


# -- traffic: faults and the rate limit ---------------------------------------------------------


@command
def add_fault(svc: Services, *, spec: dict[str, Any]) -> Any:
    latency = spec.get("latency_ms")
    return svc.faults.add(**{**spec, "latency_ms": tuple(latency) if latency else None})


@command
def remove_fault(svc: Services, *, rule_id: int) -> bool:
    return svc.faults.remove(rule_id)


@command
def clear_faults(svc: Services) -> None:
    svc.faults.clear()


@command
def decide_faults(svc: Services, *, method: str, path: str, buyer: str | None) -> Decision:
    return svc.faults.decide(method, path, buyer)


@command
def set_rate_limit(svc: Services, *, requests: int | None, window_seconds: float | None) -> None:
    limit = None if requests is None else RateLimit(requests, window_seconds or 0.0)
    svc.rate_limiter.configure(limit)


@command
def check_rate(svc: Services, *, buyer: str, endpoint: str) -> int | None:
    return svc.rate_limiter.check(buyer, endpoint, svc.store.seconds())


def _instant(value: str | None) -> Any:
    return parse_instant(value) if value is not None else None
