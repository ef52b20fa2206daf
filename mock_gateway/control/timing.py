"""Clock and batches: move time across cut-offs, close and pack batches on demand."""

from __future__ import annotations

from typing import Any

from flask import Response

from mock_gateway.clock import ClockRangeError, format_instant, parse_instant
from mock_gateway.config import parse_duration
from mock_gateway.contract.errors import BadRequest
from mock_gateway.control import body_of, control, done
from mock_gateway.state import commands
from mock_gateway.state.commands import Command
from mock_gateway.state.services import services
from mock_gateway.state.snapshot import batch_document


def clock_view() -> dict[str, Any]:
    svc = services()
    # advancing past a cut-off closes and packs as time would have (under a shared store the
    # request's sync has logged that already, and this finds nothing left to do)
    svc.gateway.catch_up()
    next_event = svc.gateway.book.next_event
    now = svc.clock.now()
    policy = svc.gateway.book.policy
    cutoff = policy.cutoff_for(now)
    return {
        "now": format_instant(now),
        "mode": "frozen" if svc.clock.frozen else "real",
        "nextEvent": format_instant(next_event) if next_event else None,
        # for people: the daily cut-off in its zone (null when the time cut-off is off)
        "zone": policy.zone.key,
        "nowInZone": now.astimezone(policy.zone).isoformat(timespec="milliseconds"),
        "nextCutoff": format_instant(cutoff) if cutoff else None,
    }


def _instant(body: dict[str, Any], required: bool) -> Any:
    if "at" not in body:
        if required:
            raise BadRequest("at is required")
        return None
    try:
        return parse_instant(body["at"])
    except ValueError:
        raise BadRequest("at must be an ISO-8601 instant such as 2026-11-30T13:00:00Z") from None


@control.get("/clock")
def read_clock() -> Response:
    return done(clock_view())


@control.post("/clock/freeze")
def freeze_clock() -> Response:
    at = _instant(body_of("control-clock"), required=False)
    _move(commands.clock_freeze, at=at.isoformat() if at is not None else None)
    return done(clock_view())


@control.post("/clock/set")
def set_clock() -> Response:
    at = _instant(body_of("control-clock"), required=True)
    _move(commands.clock_set, at=at.isoformat())
    return done(clock_view())


def _move(change: Command, **args: Any) -> None:
    """Move the clock, or answer 400 when the target is outside the clock's range."""
    try:
        services().store.run(change, **args)
    except ClockRangeError as exc:
        raise BadRequest(str(exc)) from None


@control.post("/clock/advance")
def advance_clock() -> Response:
    raw = body_of("control-advance")["by"]
    try:
        by = parse_duration(str(raw))
    except ValueError:
        raise BadRequest(
            "by must be a duration: seconds, or text such as 90s, 15m, 2h, 1d, PT1H30M"
        ) from None
    _move(commands.clock_advance, seconds=by.total_seconds())
    return done(clock_view())


@control.post("/clock/resume")
def resume_clock() -> Response:
    services().store.run(commands.clock_resume)
    return done(clock_view())


@control.post("/batches/close")
def close_batches() -> Response:
    buyer = body_of("control-batches").get("buyerCode")
    return done({"closed": services().store.run(commands.close_batches, buyer=buyer)})


@control.post("/batches/pack")
def pack_batches() -> Response:
    buyer = body_of("control-batches").get("buyerCode")
    return done({"packed": services().store.run(commands.pack_now, buyer=buyer)})


@control.get("/batches")
def list_batches() -> Response:
    gateway = services().gateway
    with gateway.reading():
        batches = [batch_document(b) for b in gateway.book.batches.values()]
    return done(batches)
