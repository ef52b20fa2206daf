"""The order lifecycle: purchase (3.4), B2B packages (3.5), cancel items (3.6)."""

from __future__ import annotations

from flask import Response

from mock_gateway.api import api, render
from mock_gateway.api.auth import current_buyer, require_buyer
from mock_gateway.api.body import json_body
from mock_gateway.api.query import query_pairs, read_query
from mock_gateway.domain.errors import DomainError, UnknownRequest
from mock_gateway.domain.models import PackageType
from mock_gateway.errors import BadRequest, CancelRejected
from mock_gateway.services import services


@api.post("/v2/offers/<buyer_code>/items")
def purchase(buyer_code: str) -> Response:
    svc = services()
    require_buyer(buyer_code, "buyerCode")
    query = read_query(svc.schemas, "purchase-query", query_pairs())
    lines = [
        (line["barcode"], int(line["requestedQuantity"])) for line in json_body("purchase-request")
    ]
    try:
        reservation = svc.gateway.reserve(
            current_buyer(),
            lines,
            vendor_ref=query.get("vendorRef"),
            address_title=query.get("addressTitle"),
            package_type=PackageType(query.get("packageType", "multiple")),
        )
    except DomainError as exc:
        raise BadRequest(exc.message) from None
    return render.ok(render.reservation(reservation))


@api.get("/v2/offers/<request_number>/B2Bs")
def b2bs(request_number: str) -> Response:
    try:
        found = services().gateway.packages_for(current_buyer(), request_number)
    except UnknownRequest as exc:
        raise BadRequest(exc.message) from None
    return render.ok([render.package(p, w) for p, w in found])


@api.post("/v2/offers/<request_number>/cancel-items")
def cancel_items(request_number: str) -> Response:
    body = json_body("cancel-request", error=CancelRejected)
    barcode, quantity = body["barcode"], int(body["quantity"])
    try:
        outcome = services().gateway.cancel(current_buyer(), request_number, barcode, quantity)
    except DomainError as exc:
        raise CancelRejected(exc.message) from None
    return render.ok(render.cancel(outcome, barcode))
