"""The order lifecycle in the domain, with a manual clock: no HTTP, no sleeping."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mock_gateway.clock import ControlledClock
from mock_gateway.domain.errors import (
    BarcodeNotOnRequest,
    CutoffPassed,
    InvalidRequest,
    UnknownRequest,
)
from mock_gateway.domain.gateway import Gateway
from mock_gateway.domain.models import PackageType
from tests.unit.conftest import CUTOFF, T0, make_gateway

MS = timedelta(milliseconds=1)


def test_reserve__partial_fill_reserves_what_is_available(gateway: Gateway) -> None:
    result = gateway.reserve("B1", [("A", 3), ("B", 8), ("C", 1)])
    assert [(x.barcode, x.requested, x.reserved) for x in result.lines] == [
        ("A", 3, 3),
        ("B", 8, 5),
        ("C", 1, 0),
    ]
    assert dict(gateway.stock_status(["A", "B", "C"])) == {"A": 7, "B": 0, "C": 0}
    assert result.created_at == T0


def test_reserve__bumps_last_modified_of_changed_offers_only(
    gateway: Gateway, clock: ControlledClock
) -> None:
    before = gateway.catalog.modified["D"]
    clock.advance(timedelta(minutes=5))
    gateway.reserve("B1", [("A", 1)])
    assert gateway.catalog.modified["A"] == T0 + timedelta(minutes=5)
    assert gateway.catalog.modified["D"] == before


@pytest.mark.parametrize(
    ("lines", "address", "message"),
    [
        ([("A", 1), ("A", 2)], None, "[1].barcode 'A' appears more than once"),
        ([("A", 1), ("ZZZ", 1)], None, "[1].barcode 'ZZZ' is not in the catalog"),
        ([("A", 1)], "Nowhere", "addressTitle 'Nowhere' is not a registered address"),
    ],
)
def test_reserve__rejected_changes_nothing(
    gateway: Gateway, lines: list[tuple[str, int]], address: str | None, message: str
) -> None:
    before = gateway.stock_status(None)
    with pytest.raises(InvalidRequest, match=message.replace("[", r"\[").replace("]", r"\]")):
        gateway.reserve("B1", lines, address_title=address)
    assert gateway.stock_status(None) == before
    assert gateway.requests == {}


def test_reserve__known_address_and_buyer_without_addresses_accepted(gateway: Gateway) -> None:
    gateway.reserve("B1", [("A", 1)], address_title="Returns")
    gateway.reserve("B2", [("A", 1)], address_title="Anything")
    assert dict(gateway.stock_status(["A"]))["A"] == 8


def test_cancel__one_millisecond_before_cutoff_succeeds(
    gateway: Gateway, clock: ControlledClock
) -> None:
    number = gateway.reserve("B1", [("A", 2)]).number
    clock.set(CUTOFF - MS)
    outcome = gateway.cancel("B1", number, "A", 1)
    assert (outcome.requested, outcome.cancelled) == (1, 1)
    assert dict(gateway.stock_status(["A"]))["A"] == 9


def test_cancel__at_the_cutoff_is_refused(gateway: Gateway, clock: ControlledClock) -> None:
    number = gateway.reserve("B1", [("A", 2)]).number
    clock.set(CUTOFF)
    with pytest.raises(CutoffPassed, match=re.escape("cut-off at 2026-11-30T13:00:00.000Z")):
        gateway.cancel("B1", number, "A", 1)
    assert dict(gateway.stock_status(["A"]))["A"] == 8


def test_reserve__at_the_cutoff_opens_the_next_batch(
    gateway: Gateway, clock: ControlledClock
) -> None:
    first = gateway.reserve("B1", [("A", 1)]).number
    clock.set(CUTOFF)
    second = gateway.reserve("B1", [("A", 1)]).number
    assert gateway.requests[first].batch_id != gateway.requests[second].batch_id
    gateway.cancel("B1", second, "A", 1)  # the new batch is still open


def test_cancel__partial_and_over_cancel(gateway: Gateway) -> None:
    number = gateway.reserve("B1", [("A", 3)]).number
    assert gateway.cancel("B1", number, "A", 2).cancelled == 2
    over = gateway.cancel("B1", number, "A", 5)
    assert (over.requested, over.cancelled, over.remaining_before) == (5, 1, 1)
    assert gateway.cancel("B1", number, "A", 1).cancelled == 0
    assert dict(gateway.stock_status(["A"]))["A"] == 10


def test_cancel__barcode_not_on_request(gateway: Gateway) -> None:
    number = gateway.reserve("B1", [("A", 1)]).number
    with pytest.raises(BarcodeNotOnRequest):
        gateway.cancel("B1", number, "D", 1)


def test_cancel__another_buyers_request_is_unknown(gateway: Gateway) -> None:
    number = gateway.reserve("B1", [("A", 1)]).number
    with pytest.raises(UnknownRequest) as other:
        gateway.cancel("B2", number, "A", 1)
    with pytest.raises(UnknownRequest) as unknown:
        gateway.cancel("B2", "999", "A", 1)
    assert str(other.value).replace(number, "N") == str(unknown.value).replace("999", "N")
    with pytest.raises(UnknownRequest):
        gateway.packages_for("B2", number)
    assert dict(gateway.stock_status(["A"]))["A"] == 9


def test_packages__empty_before_cutoff_then_one_per_warehouse(
    gateway: Gateway, clock: ControlledClock
) -> None:
    first = gateway.reserve("B1", [("A", 1), ("B", 1)]).number
    second = gateway.reserve("B1", [("A", 1)]).number
    assert gateway.packages_for("B1", first) == []
    clock.set(CUTOFF)
    packages = gateway.packages_for("B1", first)
    assert sorted(w.id for _, w in packages) == [3, 7]
    shared = [p.b2b_id for p, w in packages if w.id == 3]
    assert [p.b2b_id for p, _ in gateway.packages_for("B1", second)] == shared
    assert all(p.created_at == CUTOFF for p, _ in packages)


def test_packages__single_requests_get_their_own(gateway: Gateway, clock: ControlledClock) -> None:
    shared_a = gateway.reserve("B1", [("A", 1), ("B", 1)]).number
    shared_b = gateway.reserve("B1", [("A", 1)]).number
    single = gateway.reserve("B1", [("A", 1), ("D", 1)], package_type=PackageType.SINGLE).number
    clock.set(CUTOFF)
    ids = {
        n: {p.b2b_id for p, _ in gateway.packages_for("B1", n)}
        for n in (shared_a, shared_b, single)
    }
    assert ids[shared_b] < ids[shared_a]
    assert len(ids[single]) == 2 and not ids[single] & ids[shared_a]
    by_warehouse = {w.id for _, w in gateway.packages_for("B1", single)}
    assert by_warehouse == {3, 7}


def test_packages__lines_cancelled_to_zero_are_not_packed(
    gateway: Gateway, clock: ControlledClock
) -> None:
    number = gateway.reserve("B1", [("A", 1), ("B", 1)]).number
    empty = gateway.reserve("B1", [("D", 2)], package_type=PackageType.SINGLE).number
    gateway.cancel("B1", number, "B", 1)
    gateway.cancel("B1", empty, "D", 2)
    clock.set(CUTOFF)
    assert [w.id for _, w in gateway.packages_for("B1", number)] == [3]
    assert gateway.packages_for("B1", empty) == []


def test_quantity_cutoff__closes_when_reached(clock: ControlledClock) -> None:
    gateway = make_gateway(clock, quantity=5)
    first = gateway.reserve("B1", [("A", 3)]).number
    second = gateway.reserve("B1", [("D", 2)]).number
    with pytest.raises(CutoffPassed):
        gateway.cancel("B1", first, "A", 1)
    # packed at once (no delay): one shared package per warehouse of the batch
    [(p1, w1)] = gateway.packages_for("B1", first)
    [(p2, w2)] = gateway.packages_for("B1", second)
    assert (w1.id, w2.id) == (3, 7) and p1.b2b_id != p2.b2b_id
    third = gateway.reserve("B1", [("A", 1)]).number
    assert gateway.cancel("B1", third, "A", 1).cancelled == 1


def test_quantity_cutoff__other_buyers_batches_are_apart(clock: ControlledClock) -> None:
    gateway = make_gateway(clock, quantity=5)
    mine = gateway.reserve("B1", [("A", 4)]).number
    gateway.reserve("B2", [("D", 4)])
    assert gateway.cancel("B1", mine, "A", 1).cancelled == 1


def test_packing_delay__packages_appear_after_it(clock: ControlledClock) -> None:
    gateway = make_gateway(clock, delay=timedelta(hours=2))
    number = gateway.reserve("B1", [("A", 1)]).number
    clock.set(CUTOFF + timedelta(hours=2) - MS)
    assert gateway.packages_for("B1", number) == []
    with pytest.raises(CutoffPassed):
        gateway.cancel("B1", number, "A", 1)
    clock.set(CUTOFF + timedelta(hours=2))
    [(package, _)] = gateway.packages_for("B1", number)
    assert package.created_at == CUTOFF + timedelta(hours=2)


def test_two_days__two_batches_in_order_each_with_packages(
    gateway: Gateway, clock: ControlledClock
) -> None:
    day1 = gateway.reserve("B1", [("A", 1)]).number
    clock.advance(timedelta(days=1))
    day2 = gateway.reserve("B1", [("A", 1)]).number
    clock.advance(timedelta(days=2))
    [(p1, _)] = gateway.packages_for("B1", day1)
    [(p2, _)] = gateway.packages_for("B1", day2)
    assert p1.b2b_id < p2.b2b_id
    assert p1.created_at == CUTOFF
    assert p2.created_at == CUTOFF + timedelta(days=1)
    batches = sorted(gateway.book.batches.values(), key=lambda b: b.id)
    assert [b.closed_at for b in batches] == [CUTOFF, CUTOFF + timedelta(days=1)]


def test_ids__same_seed_same_numbers(clock: ControlledClock) -> None:
    def run(seed: int) -> list[object]:
        gw = make_gateway(ControlledClock(frozen_at=T0), seed=seed)
        numbers: list[object] = [gw.reserve("B1", [("A", 1)]).number for _ in range(3)]
        gw.clock.set(CUTOFF)  # type: ignore[attr-defined]
        return numbers + [p.b2b_id for p, _ in gw.packages_for("B1", str(numbers[0]))]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert all(str(n).isdigit() for n in run(7)[:3])


def test_manual_close_and_pack(clock: ControlledClock) -> None:
    gateway = make_gateway(clock, delay=timedelta(hours=5))
    number = gateway.reserve("B1", [("A", 1)]).number
    assert gateway.close_batches("B2") == []
    assert len(gateway.close_batches("B1")) == 1
    assert gateway.packages_for("B1", number) == []
    assert gateway.pack_now() == 1
    assert len(gateway.packages_for("B1", number)) == 1


def test_time_cutoff_off__batches_stay_open(clock: ControlledClock) -> None:
    gateway = make_gateway(clock, cutoff=None)
    number = gateway.reserve("B1", [("A", 1)]).number
    clock.advance(timedelta(days=10))
    assert gateway.cancel("B1", number, "A", 1).cancelled == 1
