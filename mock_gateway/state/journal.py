"""The journal: every request to the emulated API, and every change made through the control
plane (clock moves, cut-offs forced, resets, imports, faults, stock edits), bounded, newest
last, in one order, so a test's story reads top to bottom. No credentials: headers are not
recorded at all, only the buyer code, and bodies that could hold a password are left out.

Readers choose the plane (`plane=api`, the default, as before; `control`; `all`): a control
entry is one whose path is under /__mock/."""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_gateway.clock import format_instant
from mock_gateway.contract.inputs import BadJson, NotAnInteger, load_json

MAX_BODY_CHARS = 64 * 1024
CONTROL_PREFIX = "/__mock/"
PLANES = ("api", "control", "all")


# slots, not frozen: a frozen dataclass sets each of its ten fields through
# object.__setattr__, which made the entry cost a third of recording a request. Nothing
# changes an entry once made.
@dataclass(slots=True)
class Entry:
    id: int
    time: datetime
    buyer: str | None
    method: str
    path: str
    query: str
    body: bytes  # kept as received and sent; decoded only when the journal is read
    status: int
    response: bytes | str
    duration_ms: float
    fault: str | None = None  # what a fault rule did to this request, in words

    @property
    def plane(self) -> str:
        return "control" if self.path.startswith(CONTROL_PREFIX) else "api"

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": format_instant(self.time),
            "buyerCode": self.buyer,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": _content(self.body),
            "status": self.status,
            "response": _content(self.response),
            "durationMs": round(self.duration_ms, 3),
            "plane": self.plane,
            "fault": self.fault,
        }


class Journal:
    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._entries: deque[Entry] = deque(maxlen=size)
        self._next_id = 0
        self.enabled = size > 0

    def record(self, **fields: Any) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._next_id += 1
            self._entries.append(kept_entry(self._next_id, fields))

    def entries(self, **filters: Any) -> list[Entry]:
        with self._lock:
            found = list(self._entries)
        return matching(found, **filters)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def kept_entry(entry_id: int, fields: dict[str, Any]) -> Entry:
    """A request as a journal keeps it: its bodies bounded, the rest as recorded (`fields` is
    the recorder's own keyword dictionary: bounded in place)."""
    fields["body"], fields["response"] = bounded(fields["body"]), bounded(fields["response"])
    return Entry(id=entry_id, **fields)


def bounded(value: Any) -> Any:
    """A body as the journal keeps it: one byte past the limit marks a cut."""
    return value[: MAX_BODY_CHARS + 1] if len(value) > MAX_BODY_CHARS else value


def matching(
    entries: list[Entry],
    method: str | None = None,
    path: str | None = None,
    buyer: str | None = None,
    status: int | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    plane: str = "api",
) -> list[Entry]:
    """The entries a journal query selects, oldest first (the newest `limit` of them)."""
    found = [
        e
        for e in entries
        if (plane == "all" or e.plane == plane)
        and (method is None or e.method == method)
        and (path is None or path.lower() in e.path.lower())
        and (buyer is None or e.buyer == buyer)
        and (status is None or e.status == status)
        and (since is None or e.time >= since)
    ]
    return found[-limit:] if limit else found


def _content(value: bytes | str) -> Any:
    """A body as the JSON value it holds (an object, an array…), else as text ("" for none).

    Decoded only when the journal is read, so recording stays cheap on the hot path.
    """
    if isinstance(value, bytes) and value and len(value) <= MAX_BODY_CHARS:
        try:
            parsed = load_json(value)
        except BadJson:
            return _text(value)
        if _serializable(parsed):
            return parsed
    return _text(value)


def _serializable(value: Any) -> bool:
    """Whether a parsed body dumps back to JSON (no huge integers, no infinite floats)."""
    if isinstance(value, dict):
        return all(_serializable(v) for v in value.values())
    if isinstance(value, list):
        return all(_serializable(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return not isinstance(value, NotAnInteger)


def _text(value: bytes | str) -> str:
    if isinstance(value, str):
        return value
    text = value[:MAX_BODY_CHARS].decode("utf-8", "replace")
    return text + "…(truncated)" if len(value) > MAX_BODY_CHARS else text
