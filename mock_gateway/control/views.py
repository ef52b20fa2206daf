"""Read models for people (the dashboard): purchase requests with their state, packages, a
searchable catalog page. Read under the gateway's lock, due cut-offs applied first, like the
state export; nothing here changes state."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from mock_gateway.api.query import query_pairs, read_query
from mock_gateway.contract.errors import BadRequest, NotFound
from mock_gateway.control import body_of, control, done
from mock_gateway.domain.errors import DomainError
from mock_gateway.state import commands
from mock_gateway.state.services import services
from mock_gateway.state.snapshot import package_document, request_document


@control.get("/requests")
def list_requests() -> Response:
    """Every purchase request, newest first, with its state; filter by buyer and state."""
    query = read_query(services().schemas, "control-requests-query", query_pairs())
    buyer, wanted = query.get("buyerCode"), query.get("state")
    gateway = services().gateway
    rows = []
    with gateway.reading():
        batches = gateway.book.batches
        for r in reversed(gateway.requests.values()):
            batch = batches.get(r.batch_id)
            state = _state(batch)
            if (buyer is None or r.buyer == buyer) and (wanted is None or state == wanted):
                b2b_ids = gateway.book.packages_by_request.get(r.number, [])
                rows.append({**request_document(r), "state": state, "b2BIds": list(b2b_ids)})
    return done(rows)


def _state(batch: Any) -> str:
    if batch is None or batch.closed_at is None:
        return "open"
    return "packed" if batch.packed_at is not None else "closed"


@control.post("/requests/<number>/cancel")
def cancel_request_line(number: str) -> Response:
    """Cancel units of one line of a request, as its buyer would (the dashboard's button)."""
    body = body_of("cancel-request")
    gateway = services().gateway
    owner = gateway.requests.get(number)
    if owner is None:
        raise NotFound(f"purchase request {number!r} was not found")
    try:
        outcome = services().store.run(
            commands.cancel,
            buyer=owner.buyer,
            number=number,
            barcode=body["barcode"],
            quantity=int(body["quantity"]),
        )
    except DomainError as error:
        raise BadRequest(error.message) from None
    from mock_gateway.api import render

    return done(render.cancel(outcome, body["barcode"]))


@control.get("/packages")
def list_packages() -> Response:
    """B2B packages, newest first, with their warehouse's name."""
    limit = read_query(services().schemas, "control-packages-query", query_pairs()).get(
        "limit", 1000
    )
    gateway = services().gateway
    with gateway.reading():
        warehouses = gateway.catalog.warehouses
        packages = list(gateway.book.packages.values())[-limit:]
        rows = [
            {
                **package_document(p),
                "warehouseName": warehouses[p.warehouse_id].name
                if p.warehouse_id in warehouses
                else None,
            }
            for p in reversed(packages)
        ]
    return done(rows)


@control.get("/offers")
def search_offers() -> Response:
    """A page of offers as the API renders them, matching `q` in barcode, model or name."""
    from mock_gateway.api import render

    svc = services()
    values = read_query(svc.schemas, "control-offers-query", query_pairs())
    query = values.get("q", "").strip().lower()
    page, size = values.get("page", 1), values.get("pageSize", 24)
    gateway = svc.gateway
    with gateway.reading():
        catalog = gateway.catalog
        barcodes = [
            b
            for b in catalog.sorted_barcodes
            if not query
            or query in b.lower()
            or query in catalog.offers[b].model_no.lower()
            or query in catalog.offers[b].name.lower()
        ]
        chosen = barcodes[(page - 1) * size : page * size]
        snapshots = [gateway.snapshot(b) for b in chosen]
    base = svc.settings.public_base_url or f"{request.scheme}://{request.host}"
    return done(
        {
            "total": len(barcodes),
            "page": page,
            "pageSize": size,
            "offers": [render.offer(s, base) for s in snapshots],
        }
    )
