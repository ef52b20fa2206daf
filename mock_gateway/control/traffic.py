"""Faults, rate-limit emulation and the journal."""

from __future__ import annotations

from flask import Response

from mock_gateway.api.query import instant, query_pairs, read_query
from mock_gateway.contract.errors import BadRequest, NotFound
from mock_gateway.control import body_of, control, done
from mock_gateway.state import commands
from mock_gateway.state.services import services


@control.get("/faults")
def list_faults() -> Response:
    return done([rule.describe() for rule in services().faults.rules()])


@control.post("/faults")
def add_fault() -> Response:
    body = body_of("control-fault")
    effect = body["effect"]
    kind = effect["type"]
    spec: dict[str, object] = {
        "method": body.get("method", "*"),
        "path": body.get("path", "/*"),
        "buyer": body.get("buyerCode"),
        "effect": kind,
        "times": body.get("times"),
        "probability": body.get("probability"),
    }
    if kind == "latency":
        if "ms" in effect:
            spec["latency_ms"] = (effect["ms"], effect["ms"])
        elif "minMs" in effect and "maxMs" in effect and effect["minMs"] <= effect["maxMs"]:
            spec["latency_ms"] = (effect["minMs"], effect["maxMs"])
        else:
            raise BadRequest("effect.ms, or effect.minMs <= effect.maxMs, is required for latency")
    elif kind == "status":
        if "status" not in effect:
            raise BadRequest("effect.status is required for a status fault")
        spec["status"] = effect["status"]
        default_retry = 1 if effect["status"] in (429, 503) else None
        spec["retry_after"] = effect.get("retryAfter", default_retry)
    rule = services().store.run(commands.add_fault, spec=spec)
    return done(rule.describe(), 201)


@control.delete("/faults/<int:rule_id>")
def delete_fault(rule_id: int) -> Response:
    if not services().store.run(commands.remove_fault, rule_id=rule_id):
        raise NotFound(f"fault rule {rule_id} does not exist")
    return done({"deleted": rule_id})


@control.delete("/faults")
def clear_faults() -> Response:
    services().store.run(commands.clear_faults)
    return done({"deleted": "all"})


def _rate_limit_view() -> dict[str, object]:
    limit = services().rate_limiter.limit
    if limit is None:
        return {"enabled": False}
    return {"enabled": True, "requests": limit.requests, "windowSeconds": limit.window_seconds}


@control.get("/rate-limit")
def read_rate_limit() -> Response:
    return done(_rate_limit_view())


@control.put("/rate-limit")
def set_rate_limit() -> Response:
    body = body_of("control-rate-limit")
    requests, window = None, None
    if body["enabled"]:
        requests, window = int(body.get("requests", 50)), float(body.get("windowSeconds", 10))
    services().store.run(commands.set_rate_limit, requests=requests, window_seconds=window)
    return done(_rate_limit_view())


@control.get("/journal")
def read_journal() -> Response:
    svc = services()
    query = read_query(svc.schemas, "control-journal-query", query_pairs())
    entries = svc.journal.entries(
        method=query.get("method", "").upper() or None,
        path=query.get("path"),
        buyer=query.get("buyerCode"),
        status=query.get("status"),
        since=instant(query, "since"),
        limit=query.get("limit"),
        plane=query.get("plane", "api"),
    )
    return done([entry.describe() for entry in entries])


@control.delete("/journal")
def clear_journal() -> Response:
    services().journal.clear()
    return done({"cleared": True})
