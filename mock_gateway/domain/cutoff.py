"""When a batch closes: the daily time cut-off, read in the cut-off's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def next_cutoff(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """Return the first instant strictly after `after` whose local time in `zone` is `at`.

    A request made exactly at the cut-off belongs to the next batch, so "strictly after".
    """
    local_day = after.astimezone(zone).date()
    for offset in range(0, 3):
        day = local_day + timedelta(days=offset)
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
    raise AssertionError("a daily cut-off always falls within three days")
