"""The journal of a fleet: one capped Redis stream that every replica appends to.

Entries are numbered by one counter in Redis, so ids are unique and ordered fleet-wide. Bodies
are kept byte for byte (as latin-1 text inside the entry's JSON). Reading filters the stream
client-side: it is bounded by MOCK_GATEWAY_JOURNAL_SIZE and read only by the control plane.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import redis

from mock_gateway.state.journal import MAX_BODY_CHARS, Entry, matching

# one id from the fleet's counter, then the entry, trimmed to the journal's size
APPEND = """
local id = redis.call('HINCRBY', KEYS[1], 'jseq', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], '*', 'id', id, 'e', ARGV[2])
return id
"""


class RedisJournal:
    def __init__(self, client: redis.Redis, key: str, size: int) -> None:
        self.client = client
        self.key = key
        self.meta_key = key.rsplit(":", 1)[0] + ":meta"
        self.size = size
        self.enabled = size > 0
        self._append = client.register_script(APPEND)
        self._warned = False

    def record(self, **fields: Any) -> None:
        if not self.enabled:
            return
        body, response = fields["body"], fields["response"]
        document = {
            "t": fields["time"].isoformat(),
            "u": fields["buyer"],
            "m": fields["method"],
            "p": fields["path"],
            "q": fields["query"],
            "b": body[: MAX_BODY_CHARS + 1].decode("latin-1"),
            "s": fields["status"],
            # a response is bytes, or a str describing a non-JSON one
            "r": response[: MAX_BODY_CHARS + 1].decode("latin-1")
            if isinstance(response, bytes)
            else None,
            "rs": response if isinstance(response, str) else None,
            "d": fields["duration_ms"],
        }
        try:
            self._append(keys=[self.meta_key, self.key], args=[self.size, json.dumps(document)])
        except redis.RedisError as error:
            # the request itself was answered; an entry lost while Redis is away is said once
            if not self._warned:
                self._warned = True
                sys.stderr.write(f"mock-gateway: journal entry not recorded: {error}\n")
            return
        self._warned = False

    def entries(self, **filters: Any) -> list[Entry]:
        from mock_gateway.state.store import StoreUnavailable

        try:
            raw: list[Any] = self.client.xrange(self.key)  # type: ignore[assignment]
        except redis.RedisError as error:
            raise StoreUnavailable(f"The journal is unreachable: {error}") from None
        return matching([_entry(fields) for _, fields in raw], **filters)

    def clear(self) -> None:
        from mock_gateway.state.store import StoreUnavailable

        try:
            self.client.delete(self.key)
        except redis.RedisError as error:
            raise StoreUnavailable(f"The journal is unreachable: {error}") from None


def _entry(fields: dict[bytes, bytes]) -> Entry:
    document = json.loads(fields[b"e"])
    response: bytes | str = (
        document["rs"] if document["rs"] is not None else document["r"].encode("latin-1")
    )
    return Entry(
        id=int(fields[b"id"]),
        time=datetime.fromisoformat(document["t"]),
        buyer=document["u"],
        method=document["m"],
        path=document["p"],
        query=document["q"],
        body=document["b"].encode("latin-1"),
        status=document["s"],
        response=response,
        duration_ms=document["d"],
    )
