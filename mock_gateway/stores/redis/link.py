"""The wire to Redis: a connection per thread, scripts by their SHA, and news of the log.

redis-py's client takes a connection from a locked pool and wraps every command in retry and
bookkeeping; its connection's own reads and writes cost more again. On the hot path that cost
more than the command itself (a script call took about 140 µs of CPU, against 57 µs for a
bare socket round trip). Here redis-py only opens a connection (address, TLS, AUTH, SELECT,
all as the URL says); each thread then keeps its own and talks over the socket directly,
commands packed and replies parsed by hiredis.

The news listener is one subscribed connection per process. Every change appended to the log
is published, whole, by the same script that appends it, so Redis queues it to every listener
before the writer even has its answer. Before a request reads, a glance at that socket (a
poll, no round trip) brings the changes made elsewhere; the store asks Redis only when they may
be incomplete: when the listener is down (Redis restarted, say), freshly subscribed, or quiet
for a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import select
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import hiredis
import redis

# without news, the log is still checked this often: a Redis that lost its data says nothing
QUIET_CHECK_S = 1.0
READ_CHUNK = 65536
# Redis writes a lagging subscriber at most 64 KiB per turn of its event loop, and the kernel
# holds only so much for a reader that has not read: news read in a lump this large (or cut
# mid-message) may have more behind it that Redis has not written yet, though the changes it
# names were confirmed to their makers already. Such a poll asks Redis for the rest.
NEWS_LUMP_BYTES = 16384


class LinkError(Exception):
    """Redis did not answer (down, hung past the timeout, or refusing)."""


class Refused(Exception):
    """Redis answered with an error."""


class Wire:
    """One connection to Redis, spoken to directly: packed commands out, parsed replies in."""

    def __init__(self, connection: Any) -> None:
        connection.connect()  # redis-py's handshake: TLS, AUTH, SELECT as the URL says
        self.connection = connection
        self.sock = connection._sock
        self.reader = hiredis.Reader()
        self.poller = select.poll()
        self.poller.register(self.sock, select.POLLIN)
        self.closed = False
        self.received = 0  # bytes read by the last call of replies()

    def exchange(self, packed: bytes, count: int) -> list[Any]:
        """Send `packed` (one or more commands) and read `count` replies, in order."""
        self.sock.sendall(packed)
        reader = self.reader
        replies: list[Any] = []
        while len(replies) < count:
            reply = reader.gets()
            if reply is False:  # not all there yet
                self._receive()
            else:
                replies.append(reply)
        return replies

    def replies(self, wait_s: float) -> list[Any]:
        """The complete replies (a subscription's messages) that arrive within `wait_s`, and
        all that has arrived with them: the socket is read until it has nothing more."""
        found = []
        wait_ms = wait_s * 1000
        self.received = 0
        while self.poller.poll(wait_ms):
            self.received += self._receive()
            while (reply := self.reader.gets()) is not False:
                found.append(reply)
            wait_ms = 0
        return found

    def lagging(self) -> bool:
        """Whether the last replies() may have left news that Redis has yet to write: it read
        a lump of NEWS_LUMP_BYTES or more, or stopped in the middle of a message."""
        return self.received >= NEWS_LUMP_BYTES or self.reader.has_data()

    def _receive(self) -> int:
        data = self.sock.recv(READ_CHUNK)
        if not data:
            raise ConnectionError("Redis closed the connection")
        self.reader.feed(data)
        size = len(data)
        pending = getattr(self.sock, "pending", None)  # TLS: bytes decrypted, not yet read
        while pending is not None and pending():
            data = self.sock.recv(READ_CHUNK)
            self.reader.feed(data)
            size += len(data)
        return size

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(redis.RedisError, OSError):
            self.connection.disconnect()


def checked(reply: Any) -> Any:
    if isinstance(reply, hiredis.ReplyError):
        raise Refused(str(reply))
    return reply


FAILURES = (redis.RedisError, OSError, Refused, hiredis.ProtocolError)


class RedisLink:
    def __init__(self, url: str, timeout: float) -> None:
        # RESP2: plain replies, and a subscription's messages read like any reply
        # no CLIENT SETINFO at connect (driver_info=None): a round trip more to a hung Redis,
        # inside a request's bound
        self.pool = redis.ConnectionPool.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            protocol=2,
            driver_info=None,
        )
        # a URL redis-py cannot use (an unknown option, say) fails here, not at first use
        self.pool.connection_class(**self.pool.connection_kwargs)
        self.timeout = timeout
        self.scripts: dict[str, str] = {}
        self._local = threading.local()
        self._wires: weakref.WeakSet[Wire] = weakref.WeakSet()  # every thread's, for close()

    @contextlib.contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        """Every call this thread makes meanwhile ends within `seconds` of now, all together:
        each waits on Redis only for what is left (a request's bound, not each call's)."""
        if getattr(self._local, "deadline", None) is not None:
            yield  # inside a bound already: that one holds
            return
        self._local.deadline = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.deadline = None

    def remaining(self) -> float | None:
        """Seconds left of this thread's bound (None: no bound); LinkError when none is left."""
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return None
        left: float = deadline - time.monotonic()
        if left <= 0:
            raise LinkError("the store timeout passed")
        return left

    def _bound(self, wire: Wire) -> None:
        """Wait on this connection no longer than the store timeout, nor this thread's bound."""
        left = self.remaining()
        wire.sock.settimeout(self.timeout if left is None else min(self.timeout, left))

    def script(self, source: str) -> str:
        """Register a script; call it by the returned SHA."""
        sha = hashlib.sha1(source.encode()).hexdigest()
        self.scripts[sha] = source
        return sha

    def call(self, sha: str, keys: list[str], args: list[Any], *, retry: bool = True) -> Any:
        """Run a script and return its answer. With `retry`, a call that fails on a connection
        kept from before (Redis restarted) is sent once more on a new one."""

        def run(wire: Wire) -> Any:
            (reply,) = wire.exchange(_script_call("EVALSHA", sha, keys, args), 1)
            if _no_script(reply):  # the scripts were flushed: send the text
                source = self.scripts[sha]
                (reply,) = wire.exchange(_script_call("EVAL", source, keys, args), 1)
            return checked(reply)

        return self._use(run, retry)

    def command(self, *args: Any) -> Any:
        """Run one plain command and return its answer."""
        return self._use(lambda wire: checked(wire.exchange(pack(*args), 1)[0]))

    def call_many(self, sha: str, keys: list[str], batch: list[list[Any]]) -> list[Any]:
        """Run a script once per argument list, pipelined: one write, then the answers. A
        refused call's answer is its Refused error."""

        def run(wire: Wire) -> list[Any]:
            packed = b"".join(_script_call("EVALSHA", sha, keys, args) for args in batch)
            replies = wire.exchange(packed, len(batch))
            if replies and _moved_to(replies[0]) is not None:  # the whole batch went elsewhere
                raise Refused(str(replies[0]))
            return [
                Refused(str(reply)) if isinstance(reply, hiredis.ReplyError) else reply
                for reply in replies
            ]

        result: list[Any] = self._use(run, retry=False)
        return result

    def _use(self, action: Callable[[Wire], Any], retry: bool = True) -> Any:
        """Run `action` on this thread's connection. A broken connection is dropped (the next
        call makes a new one) and the failure is a LinkError."""
        local = self._local
        for attempt in (1, 2):
            fresh = False
            try:
                wire = getattr(local, "wire", None)
                if wire is None or wire.closed or local.pid != os.getpid():  # new thread, fork
                    local.wire, fresh = None, True
                    wire = self._connect()
                    local.wire, local.pid = wire, os.getpid()
                self._bound(wire)
                return action(wire)
            except FAILURES as error:
                broken = getattr(local, "wire", None)
                if broken is not None:
                    broken.close()
                    local.wire = None
                # Redis Cluster: another node holds the keys' slot, and ran nothing here
                moved = _moved_to(error)
                if moved is not None and attempt == 1:
                    self._redirect(*moved)
                    continue
                # a connection kept from before Redis restarted fails once: try a new one
                # (a change sent twice is recognised by its id: RedisStore.run)
                timed_out = isinstance(error, TimeoutError | redis.TimeoutError)
                if fresh or attempt == 2 or not retry or timed_out:
                    raise LinkError(f"{type(error).__name__}: {error}") from None
        raise AssertionError("not reached")

    def _redirect(self, host: str, port: int) -> None:
        """Talk to the Cluster node that holds the fleet's keys from now on (every key shares
        one hash tag, so one node holds them all). Threads still connected elsewhere are
        redirected on their next call."""
        self.pool.connection_kwargs.update(host=host, port=port)

    def new_wire(self) -> Wire:
        """A connection of its own (it closes when dropped); connecting, and redis-py's
        handshake, wait no longer than the store timeout nor this thread's bound."""
        left = self.remaining()
        wait = self.timeout if left is None else min(self.timeout, left)
        kwargs = {**self.pool.connection_kwargs, "socket_timeout": wait}
        kwargs["socket_connect_timeout"] = wait
        return Wire(self.pool.connection_class(**kwargs))

    def subscribed(self, channel: str, blocking: bool = False) -> Wire:
        """A connection of its own, subscribed to `channel` (a listener's). Subscribing waits
        no longer than the store timeout (a hung Redis must not hold the caller); a `blocking`
        one then waits on reads as long as it takes (its listener polls it first)."""
        wire = self.new_wire()
        self._bound(wire)
        checked(wire.exchange(pack("SUBSCRIBE", channel), 1)[0])
        if blocking:
            wire.sock.settimeout(None)
        return wire

    def _connect(self) -> Wire:
        wire = self.new_wire()
        self._wires.add(wire)
        # a Redis that restarted has forgotten the scripts: load them with each new connection
        if self.scripts:
            packed = b"".join(pack("SCRIPT", "LOAD", source) for source in self.scripts.values())
            for reply in wire.exchange(packed, len(self.scripts)):
                checked(reply)
        return wire

    def close(self) -> None:
        """Close every thread's connection (a thread that calls again opens a new one)."""
        for wire in list(self._wires):
            wire.close()


def pack(*args: Any) -> bytes:
    """One command as Redis reads it (RESP)."""
    packed: bytes = hiredis.pack_command(args)
    return packed


def _script_call(verb: str, script: str, keys: list[str], args: list[Any]) -> bytes:
    return pack(verb, script, len(keys), *keys, *args)


def _moved_to(error: object) -> tuple[str, int] | None:
    """The node a Redis Cluster redirection names ("MOVED 1234 10.0.0.2:6379"), if it is one.
    (ASK, during a slot's migration, is not followed: that call fails with a 503.)"""
    if not isinstance(error, Refused | hiredis.ReplyError):
        return None
    parts = str(error).split()
    if len(parts) != 3 or parts[0] != "MOVED":
        return None
    host, _, port = parts[2].rpartition(":")
    return (host.strip("[]"), int(port)) if host and port.isdigit() else None


def _no_script(reply: Any) -> bool:
    return isinstance(reply, hiredis.ReplyError) and str(reply).startswith("NOSCRIPT")


class NewsListener:
    """The changes appended to the shared log, as Redis publishes them: no round trip."""

    def __init__(self, link: RedisLink, channel: str) -> None:
        self.link = link
        self.channel = channel
        self._lock = threading.Lock()
        self._wire: Wire | None = None
        self._forgotten = False  # forget() came while another thread held the lock
        self._pid = 0
        self._last_check = 0.0

    def poll(self, inbox: deque[tuple[str, int, bytes]]) -> bool:
        """Add the changes published since the last poll to `inbox`, as (epoch, position,
        entry), oldest first. True ("must ask") when they may not be all there is: no
        listener, a fresh subscription, a lump of news with more perhaps behind it, or a quiet
        second (the only sign of a Redis that lost its data)."""
        now = time.monotonic()
        try:  # another thread may be subscribing to a hung Redis: wait within the bound only
            left = self.link.remaining()
        except LinkError:
            return True
        if not self._lock.acquire(timeout=-1 if left is None else left):
            return True
        try:
            must_ask = self._read(inbox, now)
            if self._forgotten:  # Redis failed another thread meanwhile: trust nothing
                self._forgotten = False
                self._close()
                must_ask = True
            return must_ask
        finally:
            self._lock.release()

    def _read(self, inbox: deque[tuple[str, int, bytes]], now: float) -> bool:
        """poll()'s work, under the lock."""
        wire = self._listen()
        if wire is None or now - self._last_check > QUIET_CHECK_S:
            self._last_check = now
            return True
        try:
            for message in wire.replies(0):  # nothing arrived: a poll, no reading
                if isinstance(message, list) and message[0] == b"message":
                    # "epoch:position:entry[\nentry...]", one message per append
                    epoch, position, entries = message[2].split(b":", 2)
                    first, label = int(position), epoch.decode()
                    for index, entry in enumerate(entries.split(b"\n")):
                        inbox.append((label, first + index, entry))
        except (*FAILURES, ValueError):
            self._close()
            return True
        return wire.lagging()

    def forget(self) -> None:
        """Stop listening: until a subscription succeeds again, every poll says "must ask".
        Never waits on a thread that is subscribing to a hung Redis: that one closes it."""
        if self._lock.acquire(blocking=False):
            try:
                self._close()
            finally:
                self._lock.release()
        else:
            self._forgotten = True  # the thread holding the lock closes it on its way out

    def _listen(self) -> Wire | None:
        """The subscribed connection, subscribing first if need be; None when that has just
        been done (news may have been missed before) or Redis cannot be reached."""
        if self._wire is not None and self._pid == os.getpid():
            return self._wire
        try:
            wire = self.link.subscribed(self.channel)
        except (*FAILURES, LinkError):
            return None
        self._wire, self._pid = wire, os.getpid()
        return None

    def _close(self) -> None:
        if self._wire is not None:
            self._wire.close()
        self._wire = None
