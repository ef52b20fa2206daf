"""Redis round trips and commands per request, by endpoint, for docs/scaling.md.

    .venv/bin/python bench/store_calls.py

Starts redis-server on a free loopback port, serves the app in this process on a Redis store
(two copies of the state, as two replicas would be, so that changes travel), sends each kind of
request many times and reports, per request: the round trips this process made (each call to
Redis that waited for an answer) and the commands Redis ran (INFO commandstats, script-internal
commands included). Then the cost of one journal read with both copies holding entries.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AUTH = ("DEMO01", "demo-pass")
N = 200


def main() -> int:
    from bench.run import redis_server
    from mock_gateway import create_app
    from mock_gateway.config import Settings
    from mock_gateway.stores.redis import journal as redis_journal
    from mock_gateway.stores.redis.link import RedisLink

    trips: Counter[str] = Counter()
    for name in ("call", "command", "call_many"):
        original = getattr(RedisLink, name)

        def counted(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            trips["now"] += 1
            return _original(self, *args, **kwargs)

        setattr(RedisLink, name, counted)

    rows = []
    with redis_server() as url:
        settings = Settings(store=url, log_format="off", buyers={"DEMO01": "demo-pass"})
        here, there = create_app(settings), create_app(settings)
        client, other = here.test_client(), there.test_client()
        svc = here.extensions["mock_gateway"]
        link = svc.store.link
        # journal entries travel only when the journal is read (and every few seconds, which
        # this script turns off: the table is about requests)
        redis_journal.SHIP_PERIOD_S = 3600.0
        barcodes = sorted(svc.gateway.catalog.stock)[:N]

        def commands() -> int:
            """The commands Redis ran since the last RESETSTAT (but those of this script)."""
            stats = link.command("INFO", "commandstats").decode()
            return sum(
                int(part.split("=")[1])
                for line in stats.splitlines()
                if line.startswith("cmdstat_")
                and not line.startswith(("cmdstat_config", "cmdstat_info"))
                for part in line.split(":")[1].split(",")
                if part.startswith("calls=")
            )

        numbers: list[str] = []

        def purchase(i: int) -> Any:
            body = [{"barcode": barcodes[i], "requestedQuantity": 1}]
            answer = client.post("/v2/offers/DEMO01/items", json=body, auth=AUTH)
            numbers.append(answer.get_json()["requestNumber"])
            return answer

        kinds = {
            "offers page (no change elsewhere)": lambda i: client.get(
                f"/v1_1/offers?Page={i % 10 + 1}&PageSize=20", auth=AUTH
            ),
            "stock status, 20 barcodes": lambda i: client.get(
                "/v2/offers/DEMO01/stock-status?"
                + "&".join(f"barcodeList={b}" for b in barcodes[i % 10 : i % 10 + 20]),
                auth=AUTH,
            ),
            "purchase, 1 line": purchase,
            "cancel, 1 unit": lambda i: client.post(
                f"/v2/offers/{numbers[i]}/cancel-items",
                json={"barcode": barcodes[i], "quantity": 1},
                auth=AUTH,
            ),
            "B2Bs of a request": lambda i: client.get(f"/v2/offers/{numbers[i]}/B2Bs", auth=AUTH),
            "offers page after a change on the other replica": None,
        }
        for kind, send in kinds.items():
            if send is None:  # each read follows a purchase made through the other copy

                def send(i: int) -> Any:
                    body = [{"barcode": barcodes[i], "requestedQuantity": 1}]
                    other.post("/v2/offers/DEMO01/items", json=body, auth=AUTH)
                    time.sleep(0.002)  # the news reaches this process's listener
                    trips["now"] = 0
                    link.command("CONFIG", "RESETSTAT")
                    trips["now"] = 0
                    return client.get("/v1_1/offers?PageSize=20", auth=AUTH)

            total_trips, total_commands = 0, 0
            for i in range(N):
                link.command("CONFIG", "RESETSTAT")
                trips["now"] = 0
                answer = send(i)
                assert answer.status_code == 200, answer.data
                total_trips += trips["now"]
                total_commands += commands()
            rows.append((kind, total_trips / N, total_commands / N))
        # a journal read: every copy sends what it kept (up to MOCK_GATEWAY_JOURNAL_SIZE)
        link.command("CONFIG", "RESETSTAT")
        trips["now"] = 0
        answer = client.get("/__mock/journal?limit=1")
        assert answer.status_code == 200, answer.data
        rows.append(("journal read (both copies holding entries)", trips["now"], commands()))
    print("| request | round trips | Redis commands |")
    print("|---|---|---|")
    for kind, trips_per, commands_per in rows:
        print(f"| {kind} | {trips_per:.2f} | {commands_per:.1f} |")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
