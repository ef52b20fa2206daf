"""The journal of a fleet: one capped Redis stream, filled when somebody reads it.

Each process keeps its own newest entries in memory, as the memory store does (bounded by
MOCK_GATEWAY_JOURNAL_SIZE), so answering a request costs no Redis work for the journal: sending
every entry as it was made cost more Redis and worker time than the request itself. The entries
travel when they are wanted:

- A reader publishes an ask on `{prefix}:journal-asks`. Every process that has recorded
  anything listens there (a thread per process, subscribed before its first entry, so no
  answered request can be missed); each sends its entries to a staging set, scored by the
  instant they were recorded, and acknowledges. The reader waits for as many acknowledgements
  as PUBLISH counted listeners (never longer than MOCK_GATEWAY_STORE_TIMEOUT), then one script
  merges the staging set into the stream in time order, numbering the entries from the fleet's
  counter. Ids are therefore unique and ordered fleet-wide, and count every request, as the
  memory journal's do (entries pushed out by newer ones still take their number).
- Each process also sends what it has every five seconds without being asked (at most its
  newest MOCK_GATEWAY_JOURNAL_SIZE entries: a few hundred a second, not every request), and
  when it stops, so a replica killed outright takes at most its last five seconds of journal
  with it. Its state changes are in the log already: only the journal can lose them.

Reading filters the stream client-side: it holds at most MOCK_GATEWAY_JOURNAL_SIZE entries.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mock_gateway.state.journal import Entry, kept_entry, matching
from mock_gateway.state.store import StoreUnavailable
from mock_gateway.stores.redis.link import FAILURES, LinkError, RedisLink, Wire

# KEYS: meta, staging, acks. ARGV: size, entries pushed out locally, ack token ('' for none),
# then (score, entry) pairs. The staging set keeps the newest `size`; the rest are counted.
SHIP = """
local size, dropped, token = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
if #ARGV > 3 then
  redis.call('ZADD', KEYS[2], unpack(ARGV, 4))
  local over = redis.call('ZCARD', KEYS[2]) - size
  if over > 0 then
    redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
    dropped = dropped + over
  end
end
if dropped > 0 then redis.call('HINCRBY', KEYS[1], 'jdropped', dropped) end
if token ~= '' then
  redis.call('RPUSH', KEYS[3], 1)
  redis.call('EXPIRE', KEYS[3], 30)
end
return 0
"""
# KEYS: meta, staging, stream. ARGV: size, clear ('1': empty the stream instead of filling it).
# The staged entries join the stream in time order, numbered after every entry counted before.
MERGE = """
local size, clear = tonumber(ARGV[1]), ARGV[2]
local staged = redis.call('ZRANGE', KEYS[2], 0, -1)
local dropped = tonumber(redis.call('HGET', KEYS[1], 'jdropped') or '0')
if #staged == 0 and dropped == 0 and clear ~= '1' then return 0 end
local id = redis.call('HINCRBY', KEYS[1], 'jseq', #staged + dropped) - #staged
redis.call('HSET', KEYS[1], 'jdropped', 0)
redis.call('DEL', KEYS[2])
if clear == '1' then
  redis.call('DEL', KEYS[3])
  return 0
end
for i = 1, #staged do
  redis.call('XADD', KEYS[3], 'MAXLEN', size, '*', 'id', id + i, 'e', staged[i])
end
return #staged
"""
BATCH = 200  # entries per script call, at most
# a listener that lost Redis tries again this often: until it is back, journal reads miss this
# process's entries (they stay here and go with the next ask)
RESUBSCRIBE_S = 0.1
SHIP_PERIOD_S = 5.0  # unasked, a process sends its newest entries this often


class RedisJournal:
    def __init__(self, link: RedisLink, tag: str, size: int, timeout: float) -> None:
        self.link = link
        self.tag = tag
        self.meta_key, self.staging_key, self.stream_key = (
            f"{tag}:meta",
            f"{tag}:journal-staging",
            f"{tag}:journal",
        )
        self.asks = f"{tag}:journal-asks"
        self.size = size
        self.timeout = timeout
        self.enabled = size > 0
        self._ship = link.script(SHIP)
        self._merge = link.script(MERGE)
        # (wall-clock µs, entry), the entry's id counting this process's entries
        self._entries: deque[tuple[int, Entry]] = deque(maxlen=max(size, 1))
        self._recorded = 0  # entries recorded here, ever
        self._sent = 0  # of which sent or pushed out
        self._lock = threading.Lock()  # sending: one at a time, in order
        self._keep = threading.Lock()  # the kept entries and their counts (never held long)
        self._pid = 0
        self._prefix = ""
        self._listener: Wire | None = None
        self._closed = False
        self._warned = False

    def record(self, **fields: Any) -> None:
        if not self.enabled:
            return
        if self._pid != os.getpid():  # the first entry of this process (or of a fork)
            self._join()
        with self._keep:
            self._recorded += 1
            # the wall-clock instant orders the entries of all processes (the gateway clock
            # may stand still)
            self._entries.append((time.time_ns() // 1000, kept_entry(self._recorded, fields)))

    # -- sending ----------------------------------------------------------------------------

    def _join(self) -> None:
        """Listen for asks before the first entry is kept, so no reader can miss this process."""
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._prefix = os.getpid(), uuid.uuid4().hex[:12]
            with self._keep:
                self._entries.clear()
                self._recorded = self._sent = 0
            self._listener = self._subscribe()
            threading.Thread(target=self._listen_forever, name="journal", daemon=True).start()

    def _subscribe(self) -> Wire | None:
        try:
            return self.link.subscribed(self.asks, blocking=True)
        except (*FAILURES, LinkError):
            # Redis is away, or the request recording the first entry has no store time left
            # (LinkError: the store timeout passed): the listener thread tries again
            return None

    def _listen_forever(self) -> None:
        pid = os.getpid()
        while not self._closed and self._pid == pid:
            wire = self._listener
            if wire is None:
                time.sleep(RESUBSCRIBE_S)
                self._listener = self._subscribe()
                continue
            try:
                asks = [
                    message[2].decode()
                    for message in wire.replies(SHIP_PERIOD_S)
                    if isinstance(message, list) and message[0] == b"message"
                ]
            except (*FAILURES, ValueError):
                wire.close()
                self._listener = None
                continue
            self.send()  # the entries, once; then each ask its acknowledgement
            for token in asks:
                self.send(token)
        if self._listener is not None:
            self._listener.close()

    def send(self, token: str = "") -> None:
        """Send the entries kept here to the staging set; with a token, acknowledge the ask."""
        with self._lock:
            with self._keep:
                taken = list(self._entries)
                self._entries.clear()
                sent_before = self._sent
                pushed_out = self._recorded - sent_before - len(taken)
                self._sent = self._recorded
            if not taken and not pushed_out and not token:
                return
            keys = [self.meta_key, self.staging_key, f"{self.tag}:journal-ack:{token}"]
            parts = [taken[i : i + BATCH] for i in range(0, len(taken), BATCH)] or [[]]
            calls = [
                [
                    self.size,
                    pushed_out if index == 0 else 0,
                    token if index == len(parts) - 1 else "",
                    *(value for score, entry in part for value in (score, self._pack(entry))),
                ]
                for index, part in enumerate(parts)
            ]
            try:
                self.link.call_many(self._ship, keys, calls)
            except LinkError as error:
                # kept for the next try (the newest JOURNAL_SIZE of them, as ever); said once
                with self._keep:
                    kept = deque(taken + list(self._entries), maxlen=self._entries.maxlen)
                    self._entries, self._sent = kept, sent_before
                if not self._warned:
                    self._warned = True
                    sys.stderr.write(f"mock-gateway: journal entries not sent yet: {error}\n")
                return
            self._warned = False

    def _pack(self, entry: Entry) -> bytes:
        """One entry as a staging member, compressed (a fifth of the bytes for Redis to copy
        and keep): a JSON head (unique by this process's prefix and count), a newline, then
        the request body and the response, byte for byte."""
        response = entry.response
        if isinstance(response, str):  # a str describes a response that is not JSON
            response = response.encode()
        head = [
            f"{self._prefix}{entry.id}",
            entry.time.isoformat(),
            entry.buyer,
            entry.method,
            entry.path,
            entry.query,
            entry.status,
            isinstance(entry.response, str),
            float(entry.duration_ms),
            len(entry.body),
            entry.fault,
        ]
        packed = json.dumps(head, separators=(",", ":")).encode() + b"\n" + entry.body + response
        return zlib.compress(packed, 1)

    def close(self) -> None:
        """Send what is kept here and stop listening."""
        self._closed = True
        if self._pid == os.getpid():
            self.send()
        listener = self._listener
        if listener is not None:  # its thread stops at once
            listener.close()

    # -- reading ----------------------------------------------------------------------------

    def entries(self, **filters: Any) -> list[Entry]:
        self._gather(clear=False)
        raw = self._command("XRANGE", self.stream_key, "-", "+")
        return matching([_entry(fields) for _, fields in raw], **filters)

    def clear(self) -> None:
        self._gather(clear=True)

    def _gather(self, clear: bool) -> None:
        """Have every process send its entries (waiting for their acknowledgements), then
        merge them into the stream, or drop them all."""
        token = uuid.uuid4().hex
        listeners = self._command("PUBLISH", self.asks, token)
        deadline = time.monotonic() + self.timeout
        acks = f"{self.tag}:journal-ack:{token}"
        while listeners > 0:
            left = deadline - time.monotonic()
            if left <= 0.001:
                break  # a listener that does not answer (a stopped process) is not waited for
            # BLPOP blocks server-side: its timeout stays under the connection's own
            if self._command("BLPOP", acks, round(min(left, self.timeout / 2), 3)) is not None:
                listeners -= 1
        keys = [self.meta_key, self.staging_key, self.stream_key]
        self._command_script(self._merge, keys, [self.size, "1" if clear else "0"])

    def _command(self, *args: Any) -> Any:
        return self._reach(self.link.command, *args)

    def _command_script(self, sha: str, keys: list[str], args: list[Any]) -> Any:
        return self._reach(self.link.call, sha, keys, args)

    @staticmethod
    def _reach(call: Callable[..., Any], *args: Any) -> Any:
        """A call for a journal read: Redis away is the reader's 503."""
        try:
            return call(*args)
        except LinkError as error:
            unavailable = StoreUnavailable("The journal is unreachable; retry shortly")
            unavailable.detail = f"the journal's store is unreachable: {error}"
            raise unavailable from None


def _entry(flat: list[bytes]) -> Entry:
    fields = dict(zip(flat[::2], flat[1::2], strict=True))
    head, _, rest = zlib.decompress(fields[b"e"]).partition(b"\n")
    _, when, buyer, method, path, query, status, text, duration, body_length, *more = json.loads(
        head
    )  # more: the fault, from entries written since it was kept
    body, response = rest[:body_length], rest[body_length:]
    return Entry(
        id=int(fields[b"id"]),
        time=datetime.fromisoformat(when),
        buyer=buyer,
        method=method,
        path=path,
        query=query,
        body=body,
        status=status,
        response=response.decode() if text else response,
        duration_ms=duration,
        fault=more[0] if more else None,
    )
