"""The wire to Redis: a connection per thread, scripts by their SHA, and news of the log.

redis-py's client takes a connection from a locked pool and wraps every command in retry and
bookkeeping; on the hot path that cost more than the command itself. Here each thread keeps its
own connection and sends script calls directly.

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
from collections import deque
from collections.abc import Callable
from typing import Any

import redis
from redis.exceptions import NoScriptError

# without news, the log is still checked this often: a Redis that lost its data says nothing
QUIET_CHECK_S = 1.0


class LinkError(Exception):
    """Redis did not answer (down, hung past the timeout, or refusing)."""


class RedisLink:
    def __init__(self, url: str, timeout: float) -> None:
        # RESP2: plain replies, and a subscription's messages read like any reply
        self.pool = redis.ConnectionPool.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, protocol=2
        )
        self.scripts: dict[str, str] = {}
        self._local = threading.local()

    def script(self, source: str) -> str:
        """Register a script; call it by the returned SHA."""
        sha = hashlib.sha1(source.encode()).hexdigest()
        self.scripts[sha] = source
        return sha

    def call(self, sha: str, keys: list[str], args: list[Any], *, retry: bool = True) -> Any:
        """Run a script and return its answer. With `retry`, a call that fails on a connection
        kept from before (Redis restarted) is sent once more on a new one."""

        def run(connection: Any) -> Any:
            connection.send_command("EVALSHA", sha, len(keys), *keys, *args)
            try:
                return connection.read_response()
            except NoScriptError:  # the scripts were flushed: send the text
                connection.send_command("EVAL", self.scripts[sha], len(keys), *keys, *args)
                return connection.read_response()

        return self._use(run, retry)

    def command(self, *args: Any) -> Any:
        """Run one plain command and return its answer."""

        def run(connection: Any) -> Any:
            connection.send_command(*args)
            return connection.read_response()

        return self._use(run)

    def call_many(self, sha: str, keys: list[str], batch: list[list[Any]]) -> list[Any]:
        """Run a script once per argument list, pipelined: one write, then the answers."""

        def run(connection: Any) -> list[Any]:
            connection.send_packed_command(
                connection.pack_commands(
                    [("EVALSHA", sha, len(keys), *keys, *args) for args in batch]
                )
            )
            answers = []
            for _ in batch:
                try:
                    answers.append(connection.read_response())
                except NoScriptError as error:  # scripts flushed: this batch is lost
                    answers.append(error)
            return answers

        result: list[Any] = self._use(run, retry=False)
        return result

    def _use(self, action: Callable[[Any], Any], retry: bool = True) -> Any:
        """Run `action` on this thread's connection. A broken connection is dropped (the next
        call makes a new one) and the failure is a LinkError."""
        local = self._local
        for attempt in (1, 2):
            fresh = False
            try:
                connection = getattr(local, "connection", None)
                if connection is None or local.pid != os.getpid():  # a new thread, or a fork
                    local.connection, fresh = None, True
                    connection = self._connect()
                    local.connection, local.pid = connection, os.getpid()
                return action(connection)
            except (redis.RedisError, OSError) as error:
                broken = getattr(local, "connection", None)
                if broken is not None:
                    with contextlib.suppress(redis.RedisError, OSError):
                        broken.disconnect()
                    local.connection = None
                # a connection kept from before Redis restarted fails once: try a new one
                # (a change sent twice is recognised by its id: RedisStore.run)
                if fresh or attempt == 2 or not retry or isinstance(error, redis.TimeoutError):
                    raise LinkError(f"{type(error).__name__}: {error}") from None
        raise AssertionError("not reached")

    def new_connection(self, blocking: bool = False) -> Any:
        """A connection of its own, outside the pool's count (it closes when dropped); a
        `blocking` one waits on reads as long as it takes (a listener polls it first)."""
        kwargs = dict(self.pool.connection_kwargs)
        if blocking:
            kwargs["socket_timeout"] = None
        return self.pool.connection_class(**kwargs)

    def _connect(self) -> Any:
        connection = self.new_connection()
        # a Redis that restarted has forgotten the scripts: load them with each new connection
        for source in self.scripts.values():
            connection.send_command("SCRIPT", "LOAD", source)
        for _ in self.scripts:
            connection.read_response()
        return connection

    def close(self) -> None:
        self.pool.disconnect()


class NewsListener:
    """The changes appended to the shared log, as Redis publishes them: no round trip."""

    def __init__(self, link: RedisLink, channel: str) -> None:
        self.link = link
        self.channel = channel
        self._lock = threading.Lock()
        self._connection: Any = None
        self._pid = 0
        self._last_check = 0.0
        self._poller = select.poll()

    def poll(self, inbox: deque[tuple[str, int, bytes]]) -> bool:
        """Add the changes published since the last poll to `inbox`, as (epoch, position,
        entry), oldest first. True ("must ask") when they may not be all there is: no
        listener, a fresh subscription, or a quiet second (the only sign of a Redis that lost
        its data)."""
        now = time.monotonic()
        with self._lock:
            if self._listen() != "listening" or now - self._last_check > QUIET_CHECK_S:
                self._last_check = now
                return True
            if not self._poller.poll(0):  # nothing arrived: no news (a poll, no reading)
                return False
            try:
                connection = self._connection
                while connection.can_read(timeout=0):
                    message = connection.read_response()
                    if isinstance(message, list) and message[0] == b"message":
                        epoch, position, entry = message[2].split(b":", 2)
                        inbox.append((epoch.decode(), int(position), entry))
            except (redis.RedisError, OSError, ValueError):
                self._close()
                return True
            return False

    def forget(self) -> None:
        """Stop listening: until a subscription succeeds again, every call says "moved"."""
        with self._lock:
            self._close()

    def _listen(self) -> str:
        """Subscribe if not subscribed: "listening", "fresh" (news may have been missed
        before) or "down" (Redis cannot be reached)."""
        if self._connection is not None and self._pid == os.getpid():
            return "listening"
        try:
            connection = self.link.new_connection()
            connection.send_command("SUBSCRIBE", self.channel)
            connection.read_response()
        except redis.RedisError:
            return "down"
        self._connection, self._pid = connection, os.getpid()
        self._poller = select.poll()
        self._poller.register(connection._sock, select.POLLIN)
        return "fresh"

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(redis.RedisError):
                self._connection.disconnect()
        self._connection = None
