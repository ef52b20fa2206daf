"""Time for the whole gateway comes from one injected clock, never from datetime.now()."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock, shifted by a fixed duration when one is given (MOCK_GATEWAY_CLOCK_SHIFT:
    a day in another year, in real time; CI runs the served suites five years ahead with it)."""

    def __init__(self, shift: timedelta = timedelta(0)) -> None:
        self.shift = shift

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift


# The mock's time stays within these bounds, so that every derived instant (the next cut-off,
# a packing delay, a date rendered in another zone) is one Python can represent.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class LogClock:
    """The gateway's clock under a shared store: between changes it stands at the instant of
    the last change applied from the log, so a read never applies a cut-off the other replicas
    did not (a due cut-off is logged as a change of its own). While a change is applied, the
    applying thread reads the mock clock itself, pinned to the logged time."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self._live: Clock | None = None
        self._owner = 0

    def now(self) -> datetime:
        live = self._live
        if live is not None and threading.get_ident() == self._owner:
            return live.now()
        return self.at

    def follow(self, clock: Clock) -> None:
        self._owner = threading.get_ident()
        self._live = clock

    def stop_following(self, at: datetime) -> None:
        self.at = at
        self._live = None


class ClockRangeError(ValueError):
    """An instant outside EARLIEST..LATEST for the mock's clock."""

    def __init__(self) -> None:
        low, high = format_instant(EARLIEST), format_instant(LATEST)
        super().__init__(f"the mock's clock stays between {low} and {high}")


def _in_range(at: datetime) -> datetime:
    if not EARLIEST <= at <= LATEST:
        raise ClockRangeError()
    return at


class ControlledClock:
    """A clock that runs in real time or stands frozen, and can be moved either way.

    In real mode it returns wall-clock time plus an offset, so advancing it keeps it running;
    in frozen mode it returns a fixed instant until moved. The control plane drives it.
    """

    def __init__(self, frozen_at: datetime | None = None, source: Clock | None = None) -> None:
        self._source = source or SystemClock()
        self._pinned: datetime | None = None  # the source's time while a logged change replays
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen_at = _in_range(_utc(frozen_at)) if frozen_at else None

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> datetime:
        frozen_at = self._frozen_at
        if frozen_at is not None:
            return frozen_at
        return self.source_now() + self._offset

    def source_now(self) -> datetime:
        """The underlying clock's time (the wall clock's, unless a test injected another)."""
        pinned = self._pinned
        return pinned if pinned is not None else self._source.now()

    @contextmanager
    def pinned(self, source_time: datetime) -> Iterator[None]:
        """Read the source as `source_time` meanwhile: a change replayed from a shared store's
        log then moves this clock exactly as it moved the clock of the replica that made it."""
        self._pinned = source_time
        try:
            yield
        finally:
            self._pinned = None

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at `at` (default: the current instant)."""
        with self._lock:
            self._frozen_at = _in_range(_utc(at)) if at else self.now()
            return self._frozen_at

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward, keeping its mode."""
        if by < timedelta(0):
            raise ValueError("a clock only moves forward")
        with self._lock:
            try:
                target = _in_range(self.now() + by)
            except OverflowError:
                raise ClockRangeError() from None
            if self._frozen_at is not None:
                self._frozen_at = target
                return target
            self._offset += by
            return self.now()

    def set(self, at: datetime) -> datetime:
        """Move the clock to `at`, keeping its mode."""
        with self._lock:
            at = _in_range(_utc(at))
            if self._frozen_at is not None:
                self._frozen_at = at
            else:
                self._offset = at - self.source_now()
            return at

    def resume(self) -> datetime:
        """Run in real time again, continuing from the current mock time (never a jump)."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self.source_now()
                self._frozen_at = None
            return self.now()

    def to_real_time(self) -> datetime:
        """Run at the wall clock's time, with no offset (the state at a plain start-up)."""
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta(0)
            return self.now()


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_instant(value: datetime) -> str:
    """Render an instant as the API does: UTC, milliseconds, 'Z'."""
    # isoformat is C code and several times faster than strftime on this hot path
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


# ISO-8601 extended form only: a date, optionally a time (fractions up to .NET's 7 digits) and
# an offset. Bare numbers (epoch seconds or milliseconds) and the basic form are refused:
# Python's fromisoformat would read "1700000000000" as a date in the year 1700.
_ISO_INSTANT = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[Tt ]([0-9]{2}:[0-9]{2}(?::[0-9]{2})?)(?:[.,]([0-9]{1,7}))?)?"
    r"([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?",
    re.ASCII,
)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 date-time, with or without fractions or offset (naive means UTC).

    Raises ValueError for anything else, including an instant that has no UTC equivalent
    Python can represent (year 9999 with a negative offset, year 1 with a positive one).
    """
    match = _ISO_INSTANT.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    day, clock_time, fraction, offset = match.groups()
    normalized = day
    if clock_time:
        normalized += "T" + clock_time + (f".{(fraction + '00000')[:6]}" if fraction else "")
    if offset:
        normalized += "+00:00" if offset in "Zz" else offset
    try:
        return _utc(datetime.fromisoformat(normalized))
    except (ValueError, OverflowError):
        raise ValueError(text) from None
