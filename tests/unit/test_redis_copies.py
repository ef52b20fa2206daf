"""Two copies of the gateway on one Redis, in one process: the news of a burst of changes, and
the fleet's journal (entries kept by each copy, gathered when somebody reads)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from mock_gateway import create_app
from mock_gateway.clock import ControlledClock, format_instant
from mock_gateway.config import Settings
from mock_gateway.state.commands import COMMANDS
from mock_gateway.state.services import Services
from mock_gateway.state.store import StoreUnavailable
from mock_gateway.stores.redis.link import LinkError
from tests.conftest import BUYER

_prefixes = itertools.count(1)
PURCHASE = "/b2bbuyergateway/v2/offers/DEMO01/items"


class StandingWall:
    """A wall clock that stands where a test puts it: the copies' time never depends on the
    day the suite runs."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def wall() -> StandingWall:
    return StandingWall(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))


@pytest.fixture
def fleet(settings: Settings, redis_url: str, wall: StandingWall) -> Iterator[list[Flask]]:
    """Two copies of the gateway on one Redis key space, as two replicas would be, both
    reading the same standing wall clock."""
    shared = settings.with_overrides(
        store=redis_url, store_prefix=f"journal{next(_prefixes)}", journal_size=3
    )
    apps = [
        create_app(shared, ControlledClock(frozen_at=shared.clock_start, source=wall))
        for _ in range(2)
    ]
    yield apps
    for app in apps:
        app.extensions["mock_gateway"].store.close()
    store = apps[0].extensions["mock_gateway"].store
    keys = store.link.command("KEYS", store.tag + ":*")
    if keys:
        store.link.command("DEL", *keys)
    store.link.close()


def offers(app: Flask, page: int) -> None:
    response = app.test_client().get(f"/b2bbuyergateway/v1_1/offers?Page={page}", auth=BUYER)
    assert response.status_code == 200


def journal(app: Flask) -> list[dict[str, object]]:
    response = app.test_client().get("/__mock/journal")
    assert response.status_code == 200
    found: list[dict[str, object]] = response.get_json()
    return found


def available(app: Flask, barcode: str) -> int:
    """The barcode's stock as the API shows it on that copy."""
    response = app.test_client().get(
        f"/b2bbuyergateway/v2/offers/DEMO01/stock-status?barcodeList={barcode}", auth=BUYER
    )
    assert response.status_code == 200
    quantity: int = response.get_json()[0]["availableQuantity"]
    return quantity


def test_redis_news__a_burst_of_changes_is_read_whole_before_the_next_read(
    fleet: list[Flask],
) -> None:
    a, b = fleet
    client = a.test_client()
    barcodes = sorted(a.extensions["mock_gateway"].gateway.catalog.stock)[:50]
    for barcode in barcodes:
        client.patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 1000})
    offers(b, 1)  # B listens from here on
    for i in range(600):  # some 150 kB of news: more than one read of the socket
        line = {"barcode": barcodes[i % 50], "requestedQuantity": 1}
        assert client.post(PURCHASE, json=[line], auth=BUYER).status_code == 200
    response = b.test_client().get(
        "/b2bbuyergateway/v2/offers/DEMO01/stock-status",
        query_string=[("barcodeList", code) for code in barcodes],
        auth=BUYER,
    )
    assert {row["availableQuantity"] for row in response.get_json()} == {1000 - 12}


def test_redis_store__threads_buying_together_never_oversell(fleet: list[Flask]) -> None:
    """Concurrent changes of one process travel to Redis in groups: each thread still gets its
    own outcome, and the stock is never oversold."""
    a, b = fleet
    barcode = sorted(a.extensions["mock_gateway"].gateway.catalog.stock)[0]
    a.test_client().patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 50})

    def buy(_: int) -> tuple[int, str | None]:
        answer = a.test_client().post(
            PURCHASE, json=[{"barcode": barcode, "requestedQuantity": 1}], auth=BUYER
        )
        body = answer.get_json()
        reserved = body["items"][0]["availableQuantity"] if answer.status_code == 200 else 0
        return reserved, body.get("requestNumber") if reserved else None

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(buy, range(120)))
    numbers = [number for reserved, number in answers if reserved]
    assert len(numbers) == 50 and len(set(numbers)) == 50
    assert available(b, barcode) == 0


def test_redis_journal__merges_every_process_in_order_and_numbers_every_request(
    fleet: list[Flask],
) -> None:
    a, b = fleet
    for app, page in ((a, 1), (b, 2), (a, 3), (b, 4), (b, 5)):
        offers(app, page)
    seen = journal(a)
    # the newest three of five, in the order they were answered, numbered as the 3rd-5th
    assert [e["query"] for e in seen] == ["Page=3", "Page=4", "Page=5"]
    assert [e["id"] for e in seen] == [3, 4, 5]
    assert journal(b) == seen
    offers(a, 6)
    assert [e["id"] for e in journal(b)] == [4, 5, 6]


def test_redis_journal__clear_empties_it_everywhere_and_ids_go_on(fleet: list[Flask]) -> None:
    a, b = fleet
    offers(a, 1)
    offers(b, 2)
    assert a.test_client().delete("/__mock/journal").status_code == 200
    assert journal(a) == [] and journal(b) == []
    offers(b, 3)
    assert [(e["id"], e["query"]) for e in journal(a)] == [(3, "Page=3")]


def test_redis_journal__a_stopping_process_hands_its_entries_over(fleet: list[Flask]) -> None:
    a, b = fleet
    offers(b, 7)
    svc: Services = b.extensions["mock_gateway"]
    svc.store.close()  # a graceful stop: the entries it kept go to Redis
    assert [e["query"] for e in journal(a)] == ["Page=7"]


def test_redis_journal__entries_a_failed_send_took_are_kept_for_the_next(
    fleet: list[Flask],
) -> None:
    a, b = fleet
    offers(b, 8)
    journal_b = b.extensions["mock_gateway"].journal
    failing = pytest.MonkeyPatch()

    def unreachable(*args: object, **kwargs: object) -> None:
        raise LinkError("ConnectionError: Redis is away")

    failing.setattr(journal_b.link, "call_many", unreachable)
    journal_b.send()  # Redis away: nothing sent, nothing lost
    failing.undo()
    offers(b, 9)
    assert [e["query"] for e in journal(a)] == ["Page=8", "Page=9"]
    assert [e["id"] for e in journal(a)] == [1, 2]


def test_redis_journal__keeps_bodies_byte_for_byte(fleet: list[Flask]) -> None:
    a, b = fleet
    body = b'[{"barcode":"\xff not utf-8","requestedQuantity":1}]'
    b.test_client().post(
        PURCHASE,
        data=body,
        auth=BUYER,
        headers={"Content-Type": "application/json"},
    )
    (entry,) = a.extensions["mock_gateway"].journal.entries()
    assert entry.body == body and entry.status == 400
    assert entry.response.startswith(b"{") and entry.method == "POST"


def test_redis_store__a_change_a_reset_overtook_answers_503_and_changes_nothing(
    fleet: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer to an append can arrive after this copy already moved on to a newer reset
    (another thread applied it): the changes it carries are from before that reset and must
    not be applied; their callers learn the reset undid them."""
    a, _ = fleet
    svc: Services = a.extensions["mock_gateway"]
    store = svc.store
    barcode = sorted(svc.gateway.catalog.stock)[0]
    before = svc.gateway.catalog.stock[barcode]
    stale = json.dumps(
        {"c": "edit_offer", "w": "2026-11-30T09:00:00+00:00", "i": "stale1",
         "a": {"barcode": barcode, "changes": {}, "stock": 5, "modified": None}}
    )  # fmt: skip
    position = store.position
    monkeypatch.setattr(
        store,
        "_append_once",
        lambda texts, token, rebase: [b"news", b"an-older-epoch", 1, False, position, [stale]],
    )
    with pytest.raises(StoreUnavailable, match="reset while this change was being made"):
        store.run(COMMANDS["edit_offer"], barcode=barcode, changes={}, stock=5, modified=None)
    assert svc.gateway.catalog.stock[barcode] == before and store.position == position


def test_redis_store__a_change_sent_from_before_a_reset_this_copy_applied_is_kept(
    fleet: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread sends its change asking from before a reset; by the time the answer (the
    reset's base and every change after it) arrives, another thread has applied the reset.
    The reset is not applied twice, and the changes after it, the caller's among them, are."""
    a, _ = fleet
    svc: Services = a.extensions["mock_gateway"]
    store = svc.store
    assert a.test_client().post("/__mock/reset").status_code == 200
    start, epoch = store.position, store.epoch.encode()
    first, mine = sorted(svc.gateway.catalog.stock)[:2]
    base = json.dumps({"c": "reset", "a": {}, "w": "2026-11-30T09:00:00+00:00", "i": "r1"})
    elsewhere = json.dumps(
        {"c": "edit_offer", "w": "2026-11-30T09:00:01+00:00", "i": "other1",
         "a": {"barcode": first, "changes": {}, "stock": 7, "modified": None}}
    )  # fmt: skip
    monkeypatch.setattr(
        store,
        "_append_once",
        lambda texts, token, rebase: [b"reload", epoch, start, base, start, [elsewhere, *texts]],
    )
    store.run(COMMANDS["edit_offer"], barcode=mine, changes={}, stock=5, modified=None)
    assert svc.gateway.catalog.stock[first] == 7 and svc.gateway.catalog.stock[mine] == 5
    assert store.position == start + 2


def test_redis_store__a_late_answer_from_before_a_reset_is_left_alone(fleet: list[Flask]) -> None:
    """Two resets in quick succession: an answer that would take this copy back to the first
    (it was asked for before the second arrived) is recognised and ignored."""
    a, _ = fleet
    svc: Services = a.extensions["mock_gateway"]
    store = svc.store
    client = a.test_client()
    assert client.post("/__mock/reset").status_code == 200
    first = store.position  # the first reset's start
    barcode = sorted(svc.gateway.catalog.stock)[0]
    client.patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 7})
    assert client.post("/__mock/reset").status_code == 200
    client.patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 9})
    epoch, position = store.epoch, store.position
    base = json.dumps({"c": "reset", "a": {}, "w": "2026-11-30T09:00:00+00:00", "i": "old"})
    with store.lock:
        store._absorb([b"reload", epoch.encode(), first, base.encode(), first, []])
        # and one from a log Redis lost (an epoch this copy has left)
        store.past_epochs.add("lost-epoch")
        store._absorb([b"reload", b"lost-epoch", 1, base.encode(), 1, []])
    assert (store.epoch, store.position) == (epoch, position)
    assert svc.gateway.catalog.stock[barcode] == 9


def test_redis_store__a_late_copy_reads_a_long_log_a_page_at_a_time(
    fleet: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica that starts after a reset and many changes gets the base and every change, in
    pages, and ends in the same state as the others."""
    from mock_gateway.stores.redis import store as redis_store

    monkeypatch.setattr(redis_store, "SYNC_PAGE", 4)
    a, _ = fleet
    client = a.test_client()
    assert client.post("/__mock/reset").status_code == 200
    barcodes = sorted(a.extensions["mock_gateway"].gateway.catalog.stock)[:5]
    for index, barcode in enumerate(barcodes):
        client.patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 100 + index})
    for i in range(13):
        line = {"barcode": barcodes[i % 5], "requestedQuantity": 1}
        assert client.post(PURCHASE, json=[line], auth=BUYER).status_code == 200

    store = a.extensions["mock_gateway"].store
    replies: list[int] = []
    call = store.link.call

    def counting(sha: str, keys: list[str], args: list[object], **options: object) -> object:
        reply = call(sha, keys, args, **options)
        if sha == store._sync:
            replies.append(len(reply[5]))
        return reply

    monkeypatch.setattr(redis_store.RedisLink, "call", lambda self, *a, **k: counting(*a, **k))
    late = create_app(a.extensions["mock_gateway"].settings)
    try:
        assert replies[:5] == [4, 4, 4, 4, 2]  # 18 changes after the reset: five pages
        stock = lambda app: app.extensions["mock_gateway"].gateway.catalog.stock  # noqa: E731
        assert {code: stock(late)[code] for code in barcodes} == {
            code: stock(a)[code] for code in barcodes
        }
        assert [stock(late)[code] for code in barcodes] == [97, 98, 99, 101, 102]
    finally:
        late.extensions["mock_gateway"].store.close()


def _losing_the_answer(
    monkeypatch: pytest.MonkeyPatch,
    store: object,
    command: str,
    before: Callable[[], object] = lambda: None,
    after: Callable[[], object] = lambda: None,
) -> list[bool]:
    """Redis makes the first change of `command` sent, then its answer is lost (a timeout);
    `before` and `after` run around Redis making it."""
    from mock_gateway.stores.redis import store as redis_store

    call = redis_store.RedisLink.call
    lost: list[bool] = []
    name = f'"c":"{command}"'

    def losing(self: object, sha: str, keys: list[str], args: list[Any], **k: Any) -> Any:
        ours = sha == store._append and any(name in str(a) for a in args[6:])  # type: ignore[attr-defined]
        if not ours or lost:
            return call(self, sha, keys, args, **k)  # type: ignore[arg-type]
        lost.append(True)
        before()
        call(self, sha, keys, args, **k)  # type: ignore[arg-type]
        after()
        raise LinkError("TimeoutError: Timeout reading from socket")

    monkeypatch.setattr(redis_store.RedisLink, "call", losing)
    return lost


def test_redis_store__a_reset_whose_answer_was_lost_is_not_made_twice(
    fleet: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer to a reset is lost (a timeout) after Redis made it, and another replica changes
    something before this one asks again: asking again finds the reset made, and does not make
    it a second time (which would undo the other replica's change)."""
    a, b = fleet
    store = a.extensions["mock_gateway"].store
    barcode = sorted(b.extensions["mock_gateway"].gateway.catalog.stock)[0]

    def change_elsewhere() -> None:
        patched = b.test_client().patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 7})
        assert patched.status_code == 200

    lost = _losing_the_answer(monkeypatch, store, "reset", after=change_elsewhere)
    assert a.test_client().post("/__mock/reset").status_code == 200
    assert lost
    monkeypatch.undo()
    assert available(a, barcode) == available(b, barcode) == 7


def test_redis_store__time_after_a_reset_does_not_depend_on_what_came_before_it(
    fleet: list[Flask], wall: StandingWall
) -> None:
    """Changes reach the log slightly out of the order of their instants, and a copy never
    lets its time run backwards. But before a reset, copies differ in what they applied: one
    followed every change, another jumped straight to the reset. After the reset, both must
    put every change at the same instant."""
    a, b = fleet
    follower, jumper = (app.extensions["mock_gateway"].store for app in (a, b))
    noon = "2026-11-30T09:00:00+00:00"
    late = {"c": "trace_id", "a": {}, "w": "2026-11-30T09:00:05+00:00", "i": "late"}
    reset = {"c": "reset", "a": {}, "w": noon, "i": "r"}
    resume = {"c": "clock_resume", "a": {}, "w": "2026-11-30T09:00:00.500000+00:00", "i": "go"}
    barcode = sorted(a.extensions["mock_gateway"].gateway.catalog.stock)[0]
    buy = {"c": "reserve", "w": "2026-11-30T09:00:01+00:00", "i": "buy",
           "a": {"buyer": BUYER[0], "lines": [[barcode, 1]], "vendor_ref": None,
                 "address_title": None, "package_type": "single"}}  # fmt: skip
    wall.at = datetime.fromisoformat(str(buy["w"]))  # the wall stands at the last change
    with follower.lock:  # every change, the reset as one of them
        first = follower.position
        for offset, entry in enumerate([late, reset, resume, buy]):
            follower._follow(first + offset, json.dumps(entry).encode())
    with jumper.lock:  # straight to the reset, then what followed it
        after = [json.dumps(e).encode() for e in (resume, buy)]
        jumper._absorb([b"reload", jumper.epoch.encode(), first + 2, json.dumps(reset), first + 2,
                        after])  # fmt: skip
    created = [
        app.test_client().get("/__mock/requests").get_json()[0]["createDateTime"] for app in (a, b)
    ]
    # the clock stood at its start until resumed half a second after the reset; the purchase
    # came half a second later again
    start = a.extensions["mock_gateway"].settings.clock_start
    assert created == [format_instant(start + timedelta(seconds=0.5))] * 2


@pytest.mark.parametrize("meanwhile", ["applied here from the news", "after a reset"])
def test_redis_store__a_change_whose_answer_was_lost_is_made_once(
    fleet: list[Flask], monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    """Asking again after a lost answer finds the change made: whether another thread of this
    process applied it meanwhile (this copy has moved past it), or a reset came just before it
    (the change is in the new log, the caller asked from the old one)."""
    a, b = fleet
    store = a.extensions["mock_gateway"].store
    barcode = sorted(a.extensions["mock_gateway"].gateway.catalog.stock)[0]
    a.test_client().patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 10})
    if meanwhile == "after a reset":

        def reset_elsewhere() -> None:  # after this copy read its position, before Redis
            assert b.test_client().post("/__mock/reset").status_code == 200
            b.test_client().patch(f"/__mock/offers/{barcode}", json={"stockQuantity": 10})

        lost = _losing_the_answer(monkeypatch, store, "reserve", before=reset_elsewhere)
    else:
        lost = _losing_the_answer(monkeypatch, store, "reserve", after=store._ask)
    line = [{"barcode": barcode, "requestedQuantity": 1}]
    answer = a.test_client().post(PURCHASE, json=line, auth=BUYER)
    assert lost and answer.status_code == 200, answer.get_json()
    monkeypatch.undo()
    for app in (a, b):
        assert len(app.test_client().get("/__mock/requests").get_json()) == 1
        assert available(app, barcode) == 9


def redis_contents(store: Any) -> bytes:
    """Everything the fleet's keys hold, read type by type (DUMP may compress)."""
    found = []
    for key in store.link.command("KEYS", store.tag + ":*"):
        kind = store.link.command("TYPE", key)
        read = {
            b"string": ("GET", key),
            b"list": ("LRANGE", key, 0, -1),
            b"hash": ("HGETALL", key),
            b"set": ("SMEMBERS", key),
            b"zset": ("ZRANGE", key, 0, -1, "WITHSCORES"),
            b"stream": ("XRANGE", key, "-", "+"),
        }.get(kind)
        if read is not None:
            found.append(repr(store.link.command(*read)).encode())
    return b"\n".join(found)


def test_redis_store__a_buyer_added_at_run_time_is_not_kept_in_plain_text(
    fleet: list[Flask],
) -> None:
    a, b = fleet
    body = {"password": "pl41n-t3xt-s3cret", "addressTitles": ["Dock"]}
    assert a.test_client().put("/__mock/buyers/RUN01", json=body).status_code == 200
    for app in (a, b):  # both copies take the new buyer
        answer = app.test_client().get(
            "/b2bbuyergateway/v2/offers/RUN01/stock-status?barcodeList=x",
            auth=("RUN01", "pl41n-t3xt-s3cret"),
        )
        assert answer.status_code == 200
        wrong = app.test_client().get(
            "/b2bbuyergateway/v2/offers/RUN01/stock-status", auth=("RUN01", "guess")
        )
        assert wrong.status_code == 401
    contents = redis_contents(a.extensions["mock_gateway"].store)
    assert b"RUN01" in contents  # the change is in the log
    assert b"pl41n-t3xt-s3cret" not in contents


def test_redis_journal__a_first_entry_recorded_with_no_store_time_left_is_kept_not_a_500(
    fleet: list[Flask],
) -> None:
    """A process's first journal entry subscribes to the journal's asks within the request's
    store bound. When that bound is spent (a stalling Redis, a 30 ms timeout), the entry is
    kept and the listener subscribes later; the request is not failed."""
    import time

    svc: Services = fleet[0].extensions["mock_gateway"]
    journal = svc.store.journal
    journal._pid = 0  # as in a new process: the next entry joins
    with svc.store.link.within(0.001):
        time.sleep(0.01)  # the bound is spent
        journal.record(
            time=svc.clock.now(), buyer=None, method="POST", path="/__mock/clock/advance",
            query="", body=b"{}", status=200, response=b"{}", duration_ms=1.0,
        )  # fmt: skip
    # kept here, and read fleet-wide once the listener has subscribed again (0.1 s) or the
    # entries are shipped unasked (5 s)
    deadline = time.monotonic() + 8
    while not any(e["path"] == "/__mock/clock/advance" for e in journal_all(fleet[1])):
        assert time.monotonic() < deadline, "the entry never reached the fleet's journal"
        time.sleep(0.1)


def journal_all(app: Flask) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = app.test_client().get("/__mock/journal?plane=all").get_json()
    return answer
