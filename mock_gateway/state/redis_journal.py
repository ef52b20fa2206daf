"""The journal of a fleet: one capped Redis stream that every replica appends to.

Entries are numbered by one counter in Redis, so ids are unique and ordered fleet-wide, and
bodies are stored byte for byte, as stream fields. Requests do not wait for Redis: each process
queues its entries and a writer thread sends what has queued every millisecond, many entries to
a write. Reading first sends this process's queue, then waits a few writer periods, so that
what other processes answered before the read began is in the stream too. Reading filters the
stream client-side: it is bounded by MOCK_GATEWAY_JOURNAL_SIZE and read by the control plane.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from datetime import datetime
from typing import Any

from mock_gateway.state.journal import Entry, bounded, matching
from mock_gateway.state.redis_link import LinkError, RedisLink

# a batch of entries, each its field count then its (field, value) pairs: ids from the fleet's
# counter, in order, each entry trimmed to the journal's size
APPEND = """
local size, count = ARGV[1], tonumber(ARGV[2])
local id = redis.call('HINCRBY', KEYS[1], 'jseq', count) - count
local i = 3
while i <= #ARGV do
  local fields = tonumber(ARGV[i])
  id = id + 1
  redis.call('XADD', KEYS[2], 'MAXLEN', size, '*', 'id', id, unpack(ARGV, i + 1, i + fields))
  i = i + fields + 1
end
return id
"""
BATCH = 200  # entries per script call, at most
WRITER_PERIOD_S = 0.001
# how long a read waits for the other processes' writers (many periods: a writer may be late)
READ_SETTLE_S = 0.02


class RedisJournal:
    def __init__(self, link: RedisLink, meta_key: str, key: str, size: int) -> None:
        self.link = link
        self.keys = [meta_key, key]
        self.size = size
        self.enabled = size > 0
        self._append = link.script(APPEND)
        self._queue: deque[list[Any]] = deque()
        self._flush_lock = threading.Lock()
        self._writer_pid = 0
        self._wake = threading.Event()
        self._closed = False
        self._warned = False

    def record(self, **fields: Any) -> None:
        if not self.enabled:
            return
        response = fields["response"]
        described = isinstance(response, str)  # a str describes a response that is not JSON
        self._queue.append(
            [
                20,
                *("t", fields["time"].isoformat()),
                *("u", fields["buyer"] or ""),
                *("m", fields["method"]),
                *("p", fields["path"]),
                *("q", fields["query"]),
                *("b", bounded(fields["body"])),
                *("s", fields["status"]),
                *("r", bounded(response)),
                *("k", "text" if described else "bytes"),
                *("d", repr(float(fields["duration_ms"]))),
            ]
        )
        if self._writer_pid != os.getpid():  # the first entry of this process (or fork)
            self._start_writer()
        self._wake.set()

    def _start_writer(self) -> None:
        with self._flush_lock:
            if self._writer_pid == os.getpid():
                return
            self._writer_pid = os.getpid()
            threading.Thread(target=self._write_forever, name="journal", daemon=True).start()

    def _write_forever(self) -> None:
        while not self._closed:
            self._wake.wait()
            self._wake.clear()
            time.sleep(WRITER_PERIOD_S)  # let a batch gather
            self.flush()

    def close(self) -> None:
        """Send what is queued and stop the writer."""
        self._closed = True
        self._wake.set()
        self.flush()

    def flush(self) -> None:
        """Send every queued entry (in order, pipelined) and wait for Redis to take them."""
        with self._flush_lock:
            batch = []
            while self._queue:
                batch.append(self._queue.popleft())
            if not batch:
                return
            calls = [
                [self.size, len(part), *(value for entry in part for value in entry)]
                for part in (batch[i : i + BATCH] for i in range(0, len(batch), BATCH))
            ]
            try:
                self.link.call_many(self._append, self.keys, calls)
            except LinkError as error:
                # the requests were answered; entries lost while Redis is away are said once
                if not self._warned:
                    self._warned = True
                    sys.stderr.write(f"mock-gateway: journal entries not recorded: {error}\n")
                return
            self._warned = False

    def entries(self, **filters: Any) -> list[Entry]:
        from mock_gateway.state.store import StoreUnavailable

        self.flush()
        time.sleep(READ_SETTLE_S)
        try:
            raw = self.link.command("XRANGE", self.keys[1], "-", "+")
        except LinkError as error:
            raise StoreUnavailable(f"The journal is unreachable: {error}") from None
        return matching([_entry(fields) for _, fields in raw], **filters)

    def clear(self) -> None:
        from mock_gateway.state.store import StoreUnavailable

        self.flush()
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
