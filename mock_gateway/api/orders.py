"""The order lifecycle: purchase (3.4), B2B packages (3.5), cancel items (3.6)."""

from __future__ import annotations

from typing import Any

from flask import Response

from mock_gateway.api import api, render
from mock_gateway.api.body import json_body
from mock_gateway.api.call import Call, from_flask
from mock_gateway.api.query import read_query
from mock_gateway.contract.errors import BadRequest, CancelRejected, NotFound
from mock_gateway.domain.errors import DomainError, UnknownRequest
from mock_gateway.domain.models import PackageType
from mock_gateway.state import commands


@api.post("/v2/offers/<buyer_code>/items")
def purchase(buyer_code: str) -> Response:
    call = from_flask()
    call.check_buyer(call.param, "buyerCode")
    body = json_body("purchase-request")
    response = render.raw_ok(purchase_answer(call, call.param, body), {})
    response.status_code = purchase_status(call.svc)
    return response


def purchase_status(svc: Any) -> int:
    """A confirmed purchase's status, on both request paths: 200 (the default), or 201 with
    MOCK_GATEWAY_PURCHASE_STATUS (INFERRED: no public source shows which)."""
    status: int = svc.settings.purchase_status
    return status


def purchase_answer(call: Call, buyer_code: str, body: Any) -> bytes:
    """Reserve the lines of a (parsed, valid) purchase body; raises ApiError for bad input."""
    svc = call.svc
    call.check_buyer(buyer_code, "buyerCode")
    query = read_query(svc.schemas, "purchase-query", call.pairs)
    lines = [(line["barcode"], int(line["requestedQuantity"])) for line in body]
    try:
        reservation = svc.store.run(
            commands.reserve,
            buyer=call.buyer,
            lines=lines,
            vendor_ref=query.get("vendorRef"),
            address_title=query.get("addressTitle"),
            package_type=PackageType(query.get("packageType", "multiple")).value,
        )
    except DomainError as exc:
        raise BadRequest(exc.message) from None
    return render.json_bytes(svc, render.reservation(reservation))


@api.get("/v2/offers/<request_number>/B2Bs")
def b2bs(request_number: str) -> Response:
    call = from_flask()
    return render.raw_ok(b2bs_answer(call, call.param), {})


def b2bs_answer(call: Call, request_number: str) -> bytes:
    """The packages holding a request's items; an unknown (or another buyer's) number is 400,
    or 404 with MOCK_GATEWAY_UNKNOWN_REQUEST_STATUS=404 (INFERRED), in the envelope."""
    try:
        found = call.svc.gateway.packages_for(call.buyer, request_number)
    except UnknownRequest as exc:
        if call.svc.settings.unknown_request_status == 404:
            raise NotFound(exc.message) from None
        raise BadRequest(exc.message) from None
    return render.json_bytes(call.svc, [render.package(p, w) for p, w in found])


@api.post("/v2/offers/<request_number>/cancel-items")
def cancel_items(request_number: str) -> Response:
    body = json_body("cancel-request", error=CancelRejected)
    call = from_flask()
    return render.raw_ok(cancel_answer(call, call.param, body), {})


def cancel_answer(call: Call, request_number: str, body: Any) -> bytes:
    """Cancel units of one barcode (body parsed and valid); refusals are the bare-array 400."""
    barcode, quantity = body["barcode"], int(body["quantity"])
    try:
        outcome = call.svc.store.run(
            commands.cancel,
            buyer=call.buyer,
            number=request_number,
            barcode=barcode,
            quantity=quantity,
        )
    except DomainError as exc:
        raise CancelRejected(exc.message) from None
    return render.json_bytes(call.svc, render.cancel(outcome, barcode))
