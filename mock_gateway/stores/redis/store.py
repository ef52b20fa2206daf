"""The state shared through Redis, by any number of workers and replicas.

Redis holds the state as a log of changes: a base (the start-up data, or the last reset) and
every change since, each a command of mock_gateway.state.commands with its arguments and the
time it was made. Changes are appended by a server-side script, which also publishes them and
answers with what the caller had not applied yet, its own changes included: the order of the
log is the order of the changes, and no position is checked or retried. Every process keeps a
copy of the state at some point of the log and applies the log in order, running the very
functions the memory store runs with the clock pinned to the logged time, so each copy passes
through the same states in the same order. Hence: one implementation of the rules; no lock but
Redis's own atomicity; a cut-off, a fault rule's last count or a reservation happens once in
the whole fleet, at one point of the log; and a change is confirmed to the client only once it
is in Redis, so a replica killed at any moment loses nothing another replica can see.

Before a request reads, `sync()` applies the news the listener has received (no round trip;
Redis is asked only when the news may be incomplete); a cut-off that has come due is itself
logged as a change. A process's concurrent changes travel together, one script call a group.
The static catalog is built from the same seed or fixtures in every process and never crosses
the network.

All keys share one hash tag, `{prefix}`, so the scripts also run on Redis Cluster (the link
follows MOVED to the node holding it).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import os
import threading
import uuid
from collections import deque
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mock_gateway.clock import Clock, LogClock
from mock_gateway.config import Settings
from mock_gateway.state.commands import COMMANDS, REBASING
from mock_gateway.state.journal import Journal
from mock_gateway.state.store import StoreError, StoreUnavailable
from mock_gateway.stores.redis.journal import RedisJournal
from mock_gateway.stores.redis.link import LinkError, NewsListener, RedisLink

if TYPE_CHECKING:
    from mock_gateway.state.commands import Command
    from mock_gateway.state.services import Services

# What a caller missed since `pos`: everything from the base when the log was started afresh
# (a reset, or Redis lost its data and a replica started it again), else the new entries; at
# most `limit` entries when `limit` > 0.
_NEWS = """
local function news(meta, log, epoch, pos, limit)
  local m = redis.call('HMGET', meta, 'epoch', 'start')
  if not m[1] then return {'lost'} end
  local start = tonumber(m[2])
  local from, base = pos - start, false
  if m[1] ~= epoch or pos < start then
    from, base = 0, redis.call('HGET', meta, 'base')
  end
  local last = -1
  if limit > 0 then last = from + limit - 1 end
  return {base and 'reload' or 'news', m[1], start, base, start + from,
          redis.call('LRANGE', log, from, last)}
end
"""
# A page at a time (SYNC_PAGE): a replica that starts late, on a log of a million changes, asks
# for it in pages of a few milliseconds each rather than one reply of hundreds of megabytes that
# would hold Redis, and every other replica's requests, for as long as it takes to build.
SYNC = _NEWS + "return news(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]))"
SYNC_PAGE = 10_000
# Append changes at the end of the log and answer with what the caller has not applied yet (up
# to and including the changes). No check of the caller's position: the order of the log is the
# order of the changes, and every process applies them in that order, so the caller learns the
# outcome of its changes by applying the log up to them. The changes are published in one
# message, separated by newlines (JSON text has none). A rebasing change (a reset) comes alone
# and starts the log afresh with itself as the base: nothing before it matters any more.
# Changes sent again after a lost answer (`check`) are looked for by the first one's id, and
# answered as made instead of made twice: a reset in the base (made twice, it would undo what
# other replicas changed in between), other changes in the log from where the lost attempt
# asked (or from its start, when a reset came first). The answer is not paged: it must reach the
# caller's changes, and a caller is never far behind (it reads the news before every request).
APPEND = (
    _NEWS
    + """
local epoch, from, rebase, channel, token, check =
  ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local m = redis.call('HMGET', KEYS[1], 'epoch', 'start')
if not m[1] then return {'lost'} end
local start = tonumber(m[2])
local pos = start + redis.call('LLEN', KEYS[2])
if check == '1' and m[1] == epoch then  -- made already?
  local id = '"i":"' .. token .. '"'
  if rebase == '1' then
    if string.find(redis.call('HGET', KEYS[1], 'base'), id, 1, true) then
      return {'rebased', m[1], start - 1}
    end
  else
    for _, made in ipairs(redis.call('LRANGE', KEYS[2], math.max(from, start) - start, -1)) do
      if string.find(made, id, 1, true) then return news(KEYS[1], KEYS[2], epoch, from, 0) end
    end
  end
end
if rebase == '1' then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'base', ARGV[7], 'start', pos + 1)
  redis.call('PUBLISH', channel, m[1] .. ':' .. pos .. ':' .. ARGV[7])
  return {'rebased', m[1], pos}
end
local entries = {unpack(ARGV, 7)}
redis.call('RPUSH', KEYS[2], unpack(entries))
redis.call('PUBLISH', channel, m[1] .. ':' .. pos .. ':' .. table.concat(entries, '\\n'))
return news(KEYS[1], KEYS[2], epoch, from, 0)
"""
)
# Start the fleet's log, unless it exists; answer its epoch and the settings that made it.
INIT = """
if redis.call('HEXISTS', KEYS[1], 'epoch') == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'start', 1, 'base', ARGV[2],
             'fingerprint', ARGV[3])
end
return redis.call('HMGET', KEYS[1], 'epoch', 'fingerprint')
"""

GROUP_MAX = 64  # changes sent in one call, at most
BOOT = json.dumps({"c": "boot", "a": {}, "w": None})
# after Redis lost the fleet's data: how far past its last ids the restarted log begins
LOST_DATA_ID_GAP = 100_000


def fingerprint(settings: Settings) -> str:
    """The settings every replica of one fleet must share (they decide data and rules)."""
    shared = [
        settings.seed,
        settings.catalog_size,
        str(settings.fixtures_dir),
        sorted(settings.buyers.items()),
        str(settings.clock_start),
        settings.clock_shift.total_seconds(),
        str(settings.cutoff_time),
        settings.cutoff_timezone,
        settings.cutoff_quantity,
        settings.packing_delay.total_seconds(),
        settings.unknown_barcodes_as_zero,
        settings.empty_purchase_is_error,
        repr(settings.rate_limit),
    ]
    return hashlib.sha256(json.dumps(shared).encode()).hexdigest()[:16]


def redacted(url: str) -> str:
    """The URL without its password, for messages and the banner."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.partition(":")[0]
    return f"{scheme}{sep}{user + ':' if user else ''}***@{host}"


class RedisStore:
    shared = True

    def __init__(self, settings: Settings) -> None:
        self.url = settings.store
        self.settings = settings
        tag = "{" + settings.store_prefix + "}"
        self.keys = [f"{tag}:meta", f"{tag}:log"]
        self.tag = tag  # every key of the fleet starts with it
        self.channel = f"{tag}:news"
        try:
            self.link = RedisLink(settings.store, settings.store_timeout)
        except (ValueError, TypeError) as error:  # redis-py's word on a URL it cannot use
            raise StoreError(
                f"MOCK_GATEWAY_STORE={redacted(settings.store)} is not a Redis URL this mock "
                f"can use: {error}"
            ) from None
        self.news = NewsListener(self.link, self.channel)
        self._sync = self.link.script(SYNC)
        self._append = self.link.script(APPEND)
        self._init = self.link.script(INIT)
        self.fingerprint = fingerprint(settings)
        # one change applied at a time in this process, in log order
        self.lock = threading.RLock()
        self.epoch = ""
        self.past_epochs: set[str] = set()  # the log's earlier starts, never current again
        self.position = 0
        self.fresh = True  # this copy is the start-up state, not yet moved along the log
        self.last_source: datetime | None = None
        self.waiting: set[str] = set()  # ids of changes this process sent and awaits
        self.inbox: deque[tuple[str, int, bytes]] = deque()  # news read, not yet applied
        self.pending: deque[tuple[str, str]] = deque()  # changes waiting to be sent: (entry, id)
        self.sending = threading.Lock()  # held by the thread sending a group of changes
        self._tokens = itertools.count(1)
        self._token_pid, self._token_prefix = 0, ""
        self.outcomes: dict[str, tuple[Any, BaseException | None]] = {}
        self.log_clock: LogClock | None = None
        self.svc: Services | None = None
        self.journal: RedisJournal | None = None
        self._replaying_seconds: float | None = None

    def describe(self) -> str:
        return f"redis {redacted(self.url)} (shared, keys {{{self.settings.store_prefix}}}:*)"

    def request_scope(self) -> AbstractContextManager[None]:
        """A request waits on Redis MOCK_GATEWAY_STORE_TIMEOUT at most, all calls together."""
        return self.link.within(self.settings.store_timeout)

    # -- joining ----------------------------------------------------------------------------

    def attach(self, svc: Services) -> None:
        self.svc = svc
        try:
            epoch, found = self._call(self._init, uuid.uuid4().hex, BOOT, self.fingerprint)
        except StoreUnavailable as error:
            raise StoreError(
                f"cannot reach the store at {redacted(self.url)}: {error.link_said or error}"
            ) from None
        if found is not None and found.decode() != self.fingerprint:
            raise StoreError(
                f"the store at {redacted(self.url)} holds the state of a gateway started with "
                "other settings (seed, catalog, fixtures, buyers, clock or cut-off): start every "
                "replica with the same settings, or give this one another database or "
                "MOCK_GATEWAY_STORE_PREFIX"
            )
        self.epoch = epoch.decode()
        self.sync()
        # gunicorn builds the app once and forks its workers: each worker subscribes on its
        # first request; a subscription left here would queue news nobody reads
        self.news.forget()

    def _restart_log(self) -> None:
        """Redis lost the fleet's data (restarted empty): start the log again from the start-up
        data, but with every id counter LOST_DATA_ID_GAP past where this copy had it, so that
        no request number, b2BId or batch id issued before is issued again, even one a copy a
        few changes ahead of this one issued. The first copy to restart the log sets the base;
        the others find the log started and follow it."""
        svc = self.svc
        assert svc is not None
        ahead = {
            name: count + LOST_DATA_ID_GAP
            for name, count in svc.gateway.ids.counters().items()
            if name != "traces"
        }
        base = json.dumps({"c": "boot", "a": {"ids_at": ahead}, "w": None})
        self._call(self._init, uuid.uuid4().hex, base, self.fingerprint)

    # -- reading ----------------------------------------------------------------------------

    def sync(self) -> None:
        # the socket is read outside the store's lock (a thread waiting for the GIL after a
        # system call must not hold up the others), into the inbox, in order
        must_ask = self.news.poll(self.inbox)
        with self.lock:
            inbox = self.inbox
            while inbox:
                epoch, position, text = inbox.popleft()
                if epoch != self.epoch or position > self.position:  # missed some: ask
                    must_ask = True
                    inbox.clear()
                    break
                self._follow(position, text)
        if must_ask:
            self._ask()
        svc = self.svc
        assert svc is not None
        due = svc.gateway.book.next_event
        if due is not None and due <= svc.clock.now():
            self.run(COMMANDS["catch_up"])

    def _ask(self) -> None:
        """Ask Redis for what this copy has missed, and apply it, a page at a time."""
        while True:
            try:
                reply = self._call(self._sync, self.epoch, self.position, SYNC_PAGE)
            except StoreUnavailable:
                # Redis is away: stop trusting the listener's silence, so that every request
                # asks (and gets its 503) until Redis answers again
                self.news.forget()
                raise
            if reply[0] != b"news" or reply[5]:
                with self.lock:
                    self._absorb(reply)
            if reply[0] != b"lost" and len(reply[5]) < SYNC_PAGE:
                return  # the last page (after a lost log: ask again, from the new start)

    def _absorb(self, reply: list[Any]) -> None:
        """Apply what the log holds beyond this copy (under the lock)."""
        kind = reply[0]
        if kind == b"lost":
            self._restart_log()  # the caller asks again, from the new start
            return
        epoch, start, base, first, entries = reply[1:6]
        label = epoch.decode()
        if label in self.past_epochs or (kind == b"news" and label != self.epoch):
            return  # from a log Redis lost, which this copy has left since: nothing to apply
        # a reset this copy has applied already (positions only grow in a log) is not applied
        # again, but the changes after it still are: they may be the caller's own, appended
        # after the reset by a thread that asked from before it
        if kind == b"reload" and not (label == self.epoch and start <= self.position):
            self._move_to(label)
            entry = json.loads(base)
            if entry["c"] != "boot" or entry["a"] or not self.fresh:  # a plain boot: as built
                self._outcome(entry, self._apply(entry))
            self.position = start
        self.fresh = False
        for index, raw in enumerate(entries, first):
            self._follow(index, raw)

    def _follow(self, position: int, text: bytes) -> None:
        """Apply the log's entry at `position` if it is the next for this copy (under the
        lock); one already applied is passed over."""
        if position == self.position:
            entry = json.loads(text)
            self._outcome(entry, self._apply(entry))
            self.position += 1
            self.fresh = False

    def _move_to(self, epoch: str) -> None:
        """Follow the log to a new start (a reset, or Redis restarted empty): an answer from
        any earlier one, arriving late, is then recognised as stale and left alone."""
        if epoch != self.epoch:
            self.past_epochs.add(self.epoch)
            self.epoch = epoch

    def _outcome(self, entry: dict[str, Any], outcome: tuple[Any, BaseException | None]) -> None:
        """Keep the outcome of a change a thread of this process waits for."""
        token = entry.get("i")
        if token in self.waiting:
            self.outcomes[token] = outcome

    # -- changing ---------------------------------------------------------------------------

    def run(self, command: Command, /, **args: Any) -> Any:
        name = command.__name__
        svc = self.svc
        assert svc is not None
        token = self._next_token()  # finds this change's outcome, whoever applies it here
        text = json.dumps(
            {"c": name, "a": args, "w": svc.clock.source_now().isoformat(), "i": token},
            separators=(",", ":"),
        )
        self.waiting.add(token)
        try:
            if name in REBASING:
                outcome = self._rebase(text, token)
            else:
                outcome = self._append_grouped(text, token)
        finally:
            self.waiting.discard(token)
            self.outcomes.pop(token, None)
        result, error = outcome
        if error is not None:
            raise error
        return result

    def _append_grouped(self, text: str, token: str) -> tuple[Any, BaseException | None]:
        """Append a change with the others this process's threads are making: the thread that
        gets to send takes every change waiting (its own among them) to Redis in one call, and
        applies the log up to them, outcomes included. A round trip per group, not per change:
        under load, most of a change's cost was its round trip."""
        self.pending.append((text, token))
        if not self._take_turn(token):
            return None, StoreUnavailable.unreachable("no turn to send within the store timeout")
        try:
            while token not in self.outcomes:
                group: list[tuple[str, str]] = []
                while self.pending and len(group) < GROUP_MAX:
                    group.append(self.pending.popleft())
                try:
                    reply = self._append_once([entry for entry, _ in group], group[0][1], "0")
                except StoreUnavailable as error:
                    for _, waiting in group:  # each waiting thread raises its own copy
                        self.outcomes[waiting] = (None, copy.copy(error))
                    continue
                try:
                    with self.lock:
                        self._absorb(reply)
                finally:
                    for _, sent in group:  # unapplied here: a reset overtook them (see below)
                        self.outcomes.setdefault(sent, (None, self._overtaken()))
            return self.outcomes.pop(token)
        finally:
            self.sending.release()

    def _take_turn(self, token: str) -> bool:
        """Wait for the turn to send, no longer than the request's bound. A change still
        waiting when the bound passes is withdrawn (never sent); one a sender took meanwhile
        may still be made: its caller gets the 503 the README describes for that case."""
        try:
            left = self.link.remaining()
        except LinkError:
            left = 0.0
        if self.sending.acquire(timeout=-1 if left is None else left):
            return True
        for item in list(self.pending):
            if item[1] == token:
                with contextlib.suppress(ValueError):  # a sender took it meanwhile
                    self.pending.remove(item)
        return False

    def _rebase(self, text: str, token: str) -> tuple[Any, BaseException | None]:
        reply = self._append_once([text], token, "1")
        with self.lock:
            if reply[0] == b"rebased" and self.position <= reply[2]:
                # the log starts afresh at this change: nothing before it matters
                outcome = self._apply(json.loads(text))
                self._move_to(reply[1].decode())
                self.position, self.fresh = reply[2] + 1, False
            else:  # another thread here applied it already, or it comes with the news
                if reply[0] != b"rebased":
                    self._absorb(reply)
                outcome = self.outcomes.pop(token, (None, self._overtaken()))
        return outcome

    @staticmethod
    def _overtaken() -> StoreUnavailable:
        """The outcome of a change this copy never applied: another reset came right after it
        and this copy moved straight to that reset's state, so the change has no effect left."""
        return StoreUnavailable(
            "The gateway was reset while this change was being made, which undid it; retry"
        )

    def _next_token(self) -> str:
        """An id unique in the fleet: a random prefix per process, then a counter."""
        if self._token_pid != os.getpid():  # a forked worker takes a prefix of its own
            self._token_pid, self._token_prefix = os.getpid(), uuid.uuid4().hex[:16]
        return f"{self._token_prefix}{next(self._tokens)}"

    def _append_once(self, texts: list[str], token: str, rebase: str) -> Any:
        """Append the changes; if the answer was lost, ask again without appending twice."""
        lost_from: tuple[str, int] | None = None
        for check in ("0", "1", "1"):
            # after a lost answer, from where that attempt asked: meanwhile another thread may
            # have applied the change (from the news), and a search from this copy's position
            # now would miss it, and make it again
            epoch, position = lost_from or (self.epoch, self.position)
            args = [epoch, position, rebase, self.channel, token, check, *texts]
            try:
                reply = self.link.call(self._append, self.keys, args, retry=False)
            except LinkError as error:
                self.news.forget()
                if check == "1":
                    raise StoreUnavailable.unreachable(error) from None
                lost_from = (epoch, position)
                continue
            if reply[0] != b"lost":
                return reply
            lost_from = None
            with self.lock:  # Redis lost the fleet's data: start the log again, then append
                self._absorb(reply)
        raise StoreUnavailable("The gateway's state store keeps losing its data; retry shortly")

    def _apply(self, entry: dict[str, Any]) -> tuple[Any, BaseException | None]:
        svc = self.svc
        assert svc is not None and self.log_clock is not None
        name = entry["c"]
        if entry["w"] is None:  # the boot base: the start-up state
            name, when = "reset", svc.clock.source_now()
        else:
            when = datetime.fromisoformat(entry["w"])
            # The log's time never runs backwards, but starts again at a base (a reset): what
            # came before must not hold it, because copies differ in what they applied before a
            # base (one followed every change, another jumped straight to it), and each would
            # move the changes after it to a different instant.
            held = None if name in REBASING else self.last_source
            if held is not None and when < held:
                when = held
        log_clock = self.log_clock
        with svc.clock.pinned(when):
            self._replaying_seconds = when.timestamp()
            log_clock.follow(svc.clock)
            try:
                svc.gateway.catch_up()
                result, error = COMMANDS[name](svc, **entry["a"]), None
            except Exception as exc:  # a refusal, made before any change: the same everywhere
                result, error = None, exc
            finally:
                log_clock.stop_following(svc.clock.now())
                self._replaying_seconds = None
        # the boot base runs at this copy's own time: nothing after it is held to that
        self.last_source = when if entry["w"] is not None else None
        return result, error

    def seconds(self) -> float:
        seconds = self._replaying_seconds
        assert seconds is not None, "rate windows are counted by a logged change"
        return seconds

    def gateway_clock(self, clock: Clock) -> Clock:
        if self.log_clock is None:
            self.log_clock = LogClock(clock.now())
        return self.log_clock

    def new_journal(self, size: int) -> Journal:
        self.journal = RedisJournal(self.link, self.tag, size, self.settings.store_timeout)
        return self.journal  # type: ignore[return-value]

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
        self.news.forget()
        self.link.close()

    def _call(self, script: str, *args: Any) -> Any:
        try:
            return self.link.call(script, self.keys, list(args))
        except LinkError as error:
            raise StoreUnavailable.unreachable(error) from None
