"""Two replicas on one Redis (replica A with two workers, B with one) answer as one gateway.

FLEET_ROUNDS (default 3) sets how many rounds the oversell test runs; the figure quoted in
docs/scaling.md comes from FLEET_ROUNDS=20.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_gateway.testing import MockGateway
from tests.live.fleet import AUTH, Replica, views
from tests.live.server import wait_until_answering
from tests.redis_server import RedisServer

BARCODE = "8685298053581"
NOON = "2026-11-30T09:00:00Z"  # 12:00 in Istanbul, four hours before the cut-off
ROUNDS = int(os.environ.get("FLEET_ROUNDS", "3"))
PURCHASE = "/b2bbuyergatewayapi/v2/offers/DEMO01/items"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(Path(tmp_path_factory.mktemp("fleet-redis"))).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replicas(redis_server: RedisServer) -> Iterator[list[Replica]]:
    started: list[Replica] = []
    try:
        started.append(Replica(redis_server.url, workers=2))
        started.append(Replica(redis_server.url))
        yield started
    finally:
        for replica in started:
            replica.stop()


@pytest.fixture
def fleet(replicas: list[Replica]) -> tuple[MockGateway, MockGateway]:
    """The two replicas' control clients, the fleet reset through A, the clock frozen at noon."""
    a, b = (MockGateway(r.base) for r in replicas)
    a.reset()
    a.freeze(NOON)
    return a, b


def purchase(session: requests.Session, base: str, quantity: int = 1) -> requests.Response:
    return session.post(
        base + PURCHASE,
        json=[{"barcode": BARCODE, "requestedQuantity": quantity}],
        auth=AUTH,
        timeout=30,
    )


def stock(gateway: MockGateway) -> int:
    status, body = gateway.call("GET", f"/v2/offers/DEMO01/stock-status?barcodeList={BARCODE}")
    assert status == 200
    return int(body[0]["availableQuantity"])


def test_fleet__concurrent_purchases_never_oversell(
    fleet: tuple[MockGateway, MockGateway],
) -> None:
    a, b = fleet
    local = threading.local()

    def one(index: int) -> Any:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        response = purchase(session, (a, b)[index % 2].base_url)
        assert response.status_code == 200, response.text
        return response.json()

    for _ in range(ROUNDS):
        a.reset()
        a.freeze(NOON)
        b.set_stock(BARCODE, 150)
        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(one, range(400)))
        reserved = sum(item["availableQuantity"] for answer in answers for item in answer["items"])
        numbers = [answer["requestNumber"] for answer in answers]
        assert reserved == 150  # every unit sold once, none twice
        assert len(set(numbers)) == 400
        assert stock(a) == stock(b) == 0
        requests_a = {r["requestNumber"] for r in a.control("GET", "/requests")}
        assert (
            requests_a
            == set(numbers)
            == {r["requestNumber"] for r in b.control("GET", "/requests")}
        )


def test_fleet__lifecycle_across_replicas(fleet: tuple[MockGateway, MockGateway]) -> None:
    a, b = fleet
    before = stock(b)
    status, reservation = a.call(
        "POST", "/v2/offers/DEMO01/items", [{"barcode": BARCODE, "requestedQuantity": 3}]
    )
    assert status == 200
    number = reservation["requestNumber"]
    assert stock(b) == before - 3  # in B's stock at once
    status, cancelled = b.call(
        "POST", f"/v2/offers/{number}/cancel-items", {"barcode": BARCODE, "quantity": 1}
    )
    assert status == 200 and cancelled["cancelledQuantity"] == 1
    assert stock(a) == before - 2
    assert b.call("GET", f"/v2/offers/{number}/B2Bs") == (200, [])
    a.advance("5h")  # past 16:00 Istanbul on A: the batch closes and packs for B as well
    status, packages = b.call("GET", f"/v2/offers/{number}/B2Bs")
    assert status == 200 and len(packages) >= 1
    assert a.call("GET", f"/v2/offers/{number}/B2Bs") == (status, packages)
    status, refused = a.call(
        "POST", f"/v2/offers/{number}/cancel-items", {"barcode": BARCODE, "quantity": 1}
    )
    assert status == 400 and "can no longer be cancelled" in refused[0]["content"]
    ids = [p["b2BId"] for p in b.control("GET", "/packages")]
    assert len(ids) == len(set(ids)) and ids == [p["b2BId"] for p in a.control("GET", "/packages")]


def test_fleet__faults_journal_and_reset_are_fleet_wide(
    fleet: tuple[MockGateway, MockGateway],
) -> None:
    a, b = fleet
    a.fail("GET", "/v1_1/offers", 503, times=1)
    statuses = [g.call("GET", "/v1_1/offers?PageSize=1")[0] for g in (b, a, b, a)]
    assert statuses == [503, 200, 200, 200]  # one fault, fired once in the whole fleet
    journal_a = a.journal(path="/v1_1/offers")
    assert [e["status"] for e in journal_a] == statuses
    assert b.journal(path="/v1_1/offers") == journal_a
    ids = [e["id"] for e in journal_a]
    assert ids == sorted(set(ids))
    before = stock(a)
    b.call("POST", "/v2/offers/DEMO01/items", [{"barcode": BARCODE, "requestedQuantity": 2}])
    assert stock(a) == before - 2
    a.reset()
    assert b.journal() == [] and b.control("GET", "/requests") == [] and stock(b) == before
    assert b.control("GET", "/faults") == []


def test_fleet__the_activity_timeline_is_the_same_on_every_replica(
    fleet: tuple[MockGateway, MockGateway],
) -> None:
    """The dashboard's timeline reads the journal (plane=all) and the batches: control steps
    made on one replica, and faults fired on the other, are on both."""
    a, b = fleet
    b.call("POST", "/v2/offers/DEMO01/items", [{"barcode": BARCODE, "requestedQuantity": 1}])
    a.fail("GET", "/v1_1/offers", 503, times=1)
    assert b.call("GET", "/v1_1/offers?PageSize=1")[0] == 503
    a.advance("4h")
    story_a, story_b = (g.journal(plane="all") for g in (a, b))
    assert story_a == story_b
    steps = [(e["plane"], e["path"], e["fault"]) for e in story_a]
    assert steps[-3:] == [
        ("control", "/__mock/faults", None),
        ("api", "/v1_1/offers", "answered 503 by fault rule 1"),
        ("control", "/__mock/clock/advance", None),
    ]
    # the batches are state: B reads A's cut-off once its news arrives (bounded wait)
    deadline = time.monotonic() + 5
    while a.control("GET", "batches") != b.control("GET", "batches"):
        assert time.monotonic() < deadline, "the replicas' batches differ"
        time.sleep(0.05)
    assert b.control("GET", "batches")[0]["closeReason"] == "time"


def test_fleet__sigkill_of_a_replica_under_load_loses_no_confirmed_reservation(
    redis_server: RedisServer, fleet: tuple[MockGateway, MockGateway]
) -> None:
    a, _ = fleet
    a.set_stock(BARCODE, 100_000)
    victim = Replica(redis_server.url, workers=2)
    confirmed: list[str] = []
    stop = threading.Event()

    def load(base: str) -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                response = purchase(session, base)
            except requests.RequestException:
                continue  # the victim is gone: its client sees a failure, nothing confirmed
            if response.status_code == 200:
                confirmed.append(response.json()["requestNumber"])

    threads = [
        threading.Thread(target=load, args=(base,)) for base in [victim.base] * 6 + [a.base_url] * 2
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    victim.kill()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    known = {r["requestNumber"]: r for r in a.control("GET", "/requests")}
    assert confirmed and set(confirmed) <= set(known)
    units = sum(line["reservedQuantity"] for r in known.values() for line in r["lines"])
    assert stock(a) == 100_000 - units  # every logged reservation, and only those, took stock


def test_fleet__buyers_clock_and_rate_limit_are_shared(
    fleet: tuple[MockGateway, MockGateway],
) -> None:
    a, b = fleet
    a.control("PUT", "/buyers/NEW03", {"password": "new-pass"})
    newcomer = MockGateway(b.base_url, buyer=("NEW03", "new-pass"))
    assert newcomer.call("GET", "/v1_1/offers?PageSize=1")[0] == 200  # known on B at once
    assert a.advance("90m")["now"] == b.clock()["now"] == "2026-11-30T10:30:00.000Z"
    b.control("PUT", "/rate-limit", {"enabled": True, "requests": 3, "windowSeconds": 60})
    statuses = [g.call("GET", "/v1_1/offers?PageSize=1")[0] for g in (a, b, a, b)]
    assert statuses == [200, 200, 200, 429]  # one window for the fleet
    a.control("PUT", "/rate-limit", {"enabled": False})


OVERTAKEN = "The gateway was reset while this change was being made, which undid it; retry"


def test_fleet__changes_and_resets_at_once_leave_every_worker_with_one_state(
    fleet: tuple[MockGateway, MockGateway],
) -> None:
    """Purchases, cancels, stock edits, fault rules (with a probability, and fired by reads),
    buyers, clock moves, cut-offs and resets from many clients over both replicas at once: the
    only refusals are the contract's, the rules' and the reset's own 503; then every worker of
    both replicas holds the very same state, rules and buyers."""
    a, b = fleet
    bases = [a.base_url, b.base_url]
    barcodes = [offer["barcode"] for offer in a.call("GET", "/v1_1/offers?PageSize=20")[1]]
    made: list[tuple[str, str]] = []
    answered: list[tuple[float, int, str]] = []  # (when it was asked, status, 503's words)
    resets_done: list[float] = []
    calm = time.monotonic() + 4
    stop = calm + 3

    def change(rng: random.Random, session: requests.Session, base: str) -> requests.Response:
        roll = rng.random()
        if roll < 0.6:
            codes = rng.sample(barcodes, rng.randint(1, 3))
            lines = [{"barcode": code, "requestedQuantity": rng.randint(1, 3)} for code in codes]
            response = session.post(base + PURCHASE, json=lines, auth=AUTH, timeout=60)
            if response.status_code == 200:
                made.append((response.json()["requestNumber"], codes[0]))
            return response
        if roll < 0.78 and made:
            number, code = rng.choice(made[-30:])  # recent: still open to cancel
            cancel = f"/b2bbuyergatewayapi/v2/offers/{number}/cancel-items"
            line = {"barcode": code, "quantity": 1}
            return session.post(base + cancel, json=line, auth=AUTH, timeout=60)
        if roll < 0.81:
            edit = {"stockQuantity": rng.randint(0, 40)}
            return session.patch(
                f"{base}/__mock/offers/{rng.choice(barcodes)}", json=edit, timeout=60
            )
        if roll < 0.83:
            rule = {"method": "GET", "path": "/v1_1/offers", "times": rng.randint(1, 2),
                    "probability": 0.5, "effect": {"type": "status", "status": 429}}  # fmt: skip
            return session.post(base + "/__mock/faults", json=rule, timeout=60)
        if roll < 0.88:
            return session.get(base + "/v1_1/offers?PageSize=1", auth=AUTH, timeout=60)
        if roll < 0.89:
            buyer = {"password": f"p{rng.randint(1, 9)}", "addressTitles": ["Main"]}
            return session.put(
                f"{base}/__mock/buyers/NEW{rng.randint(1, 3)}", json=buyer, timeout=60
            )
        if roll < 0.92:
            by = {"by": rng.choice(["10m", "1h"])}
            return session.post(base + "/__mock/clock/advance", json=by, timeout=60)
        if roll < 0.93:  # the clock runs from here (the times of changes then matter)
            return session.post(base + "/__mock/clock/resume", json={}, timeout=60)
        if roll < 0.97 or time.monotonic() > calm:  # no resets at the end: the last seconds'
            # changes must agree everywhere, not just be reset away
            return session.post(base + "/__mock/batches/close", json={}, timeout=60)
        response = session.post(base + "/__mock/reset", json={}, timeout=60)
        resets_done.append(time.monotonic())
        if response.status_code == 200:
            session.post(base + "/__mock/clock/freeze", json={"at": NOON}, timeout=60)
        return response

    def client(index: int) -> None:
        rng = random.Random(index)
        session = requests.Session()
        while (started := time.monotonic()) < stop:
            response = change(rng, session, rng.choice(bases))
            said = response.json()["messages"][0]["content"] if response.status_code >= 500 else ""
            answered.append((started, response.status_code, said))

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(client, range(16)))
    # asked once every reset had been answered: nothing can be undone by one any more
    last_reset = max(resets_done, default=0.0)
    seen = Counter((status, said, started > last_reset) for started, status, said in answered)
    assert {status for status, _, _ in seen} <= {200, 201, 400, 404, 429, 503}, seen
    assert {said for status, said, _ in seen if status == 503} <= {OVERTAKEN}, seen
    assert not any(status == 503 for status, _, after in seen if after), seen
    assert seen[(200, "", False)] > 20 and seen[(200, "", True)] > 20
    b.control("POST", "/clock/freeze", {})  # a running clock reads differently every time
    assert len(views([a, b], ("/state", "/faults", "/buyers"))) == 1


def workers_of(replica: Replica, count: int) -> list[int]:
    """The worker processes of a replica (children of its gunicorn master), once `count` run."""
    deadline = time.monotonic() + 30
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == replica.process.pid:
                    found.append(int(entry.name))
        if len(found) == count or time.monotonic() > deadline:
            return sorted(found)
        time.sleep(0.05)


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs two CPUs to spread workers over",
)
def test_fleet__each_worker_keeps_to_a_cpu_of_its_own_and_a_new_one_takes_the_freed_cpu(
    redis_server: RedisServer,
) -> None:
    usable = sorted(os.sched_getaffinity(0))[:2]  # two workers on two CPUs: they are pinned
    spread = Replica(redis_server.url, workers=2, cpus=set(usable))
    free = Replica(redis_server.url, workers=2, cpus=set(usable), MOCK_GATEWAY_CPU_AFFINITY="off")
    try:
        workers = workers_of(spread, 2)
        cpus = [os.sched_getaffinity(pid) for pid in workers]
        assert sorted(cpus, key=min) == [{usable[0]}, {usable[1]}]
        assert all(os.sched_getaffinity(pid) == set(usable) for pid in workers_of(free, 2))

        # a worker killed outright is started again by gunicorn, on the CPU it left
        lost = workers[0]
        os.kill(lost, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while lost in (now := workers_of(spread, 2)) or len(now) < 2:
            assert time.monotonic() < deadline, "the worker was not started again"
            time.sleep(0.05)
        assert sorted((os.sched_getaffinity(pid) for pid in now), key=min) == sorted(cpus, key=min)
        wait_until_answering(spread.process, spread.base + "/__mock/ready", 30)
    finally:
        spread.stop()
        free.stop()
