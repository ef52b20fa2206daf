"""The journal of a fleet: one capped Redis stream that every replica appends to.

Entries are numbered by one counter in Redis, so ids are unique and ordered fleet-wide. Bodies
are stored byte for byte, as stream fields. An entry is sent without waiting for Redis's answer
(mock_gateway.state.redis_link), so recording costs a request no round trip. Reading filters
the stream client-side: it is bounded by MOCK_GATEWAY_JOURNAL_SIZE and read only by the
control plane.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from mock_gateway.state.journal import MAX_BODY_CHARS, Entry, matching
from mock_gateway.state.redis_link import LinkError, RedisLink

# one id from the fleet's counter, then the entry (field, value pairs), trimmed to the size
APPEND = """
local id = redis.call('HINCRBY', KEYS[1], 'jseq', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], '*', 'id', id, unpack(ARGV, 2))
return id
"""


class RedisJournal:
    def __init__(self, link: RedisLink, meta_key: str, key: str, size: int) -> None:
        self.link = link
        self.keys = [meta_key, key]
        self.size = size
        self.enabled = size > 0
        self._append = link.script(APPEND)
        self._warned = False

    def record(self, **fields: Any) -> None:
        if not self.enabled:
            return
        response = fields["response"]
        described = isinstance(response, str)  # a str describes a response that is not JSON
        args = [
            self.size,
            *("t", fields["time"].isoformat()),
            *("u", fields["buyer"] or ""),
            *("m", fields["method"]),
            *("p", fields["path"]),
            *("q", fields["query"]),
            *("b", fields["body"][: MAX_BODY_CHARS + 1]),
            *("s", fields["status"]),
            *("r", response if described else response[: MAX_BODY_CHARS + 1]),
            *("k", "text" if described else "bytes"),
            *("d", repr(float(fields["duration_ms"]))),
        ]
        try:
            self.link.send(self._append, self.keys, args)
        except LinkError as error:
            # the request itself was answered; entries lost while Redis is away are said once
            if not self._warned:
                self._warned = True
                sys.stderr.write(f"mock-gateway: journal entry not recorded: {error}\n")
            return
        self._warned = False

    def entries(self, **filters: Any) -> list[Entry]:
        from mock_gateway.state.store import StoreUnavailable

        try:
            raw = self.link.command("XRANGE", self.keys[1], "-", "+")
        except LinkError as error:
            raise StoreUnavailable(f"The journal is unreachable: {error}") from None
        return matching([_entry(fields) for _, fields in raw], **filters)

    def clear(self) -> None:
        from mock_gateway.state.store import StoreUnavailable

        try:
            self.link.command("DEL", self.keys[1])
        except LinkError as error:
            raise StoreUnavailable(f"The journal is unreachable: {error}") from None


def _entry(flat: list[bytes]) -> Entry:
    fields = dict(zip(flat[::2], flat[1::2], strict=True))
    response: bytes | str = fields[b"r"]
    if fields[b"k"] == b"text":
        response = fields[b"r"].decode()
    return Entry(
        id=int(fields[b"id"]),
        time=datetime.fromisoformat(fields[b"t"].decode()),
        buyer=fields[b"u"].decode() or None,
        method=fields[b"m"].decode(),
        path=fields[b"p"].decode(),
        query=fields[b"q"].decode(),
        body=fields[b"b"],
        status=int(fields[b"s"]),
        response=response,
        duration_ms=float(fields[b"d"]),
    )
