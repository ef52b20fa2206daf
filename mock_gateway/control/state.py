"""State: reset, export, import; edit an offer or a rating; add or remove a buyer."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from mock_gateway.api.body import json_body
from mock_gateway.clock import parse_instant
from mock_gateway.contract.errors import BadRequest, NotFound
from mock_gateway.control import body_of, control, done
from mock_gateway.domain.edits import consistent_prices
from mock_gateway.domain.errors import DomainError, UnknownProduct
from mock_gateway.domain.models import OFFER_FIELDS, Offer, Rating
from mock_gateway.state import commands
from mock_gateway.state.services import make_verifier, services
from mock_gateway.state.snapshot import StateError, export_state


@control.post("/reset")
def reset() -> Response:
    body = body_of("control-reset")
    svc = services()
    svc.store.run(commands.reset, seed=body.get("seed"), catalog_size=body.get("catalogSize"))
    svc.journal.clear()
    return done(
        {"reset": True, "offers": len(svc.gateway.catalog.offers), "seed": svc.settings.seed}
    )


@control.get("/state")
def export() -> Response:
    svc = services()
    return done(export_state(svc.gateway, svc.clock))


@control.put("/state")
def import_() -> Response:
    document = json_body("state", control_plane=True)
    try:
        services().store.run(commands.import_state, document=document)
    except StateError as error:
        raise BadRequest(f"state not imported: {error}") from None
    return done({"imported": True})


@control.patch("/offers/<barcode>")
def edit_offer(barcode: str) -> Response:
    body = body_of("control-offer")
    changes: dict[str, Any] = {OFFER_FIELDS[k]: v for k, v in body.items() if k in OFFER_FIELDS}
    try:
        snapshot = services().store.run(
            commands.edit_offer,
            barcode=barcode,
            changes=changes,
            stock=body.get("stockQuantity"),
            modified=_modified(body),
        )
    except UnknownProduct as error:
        raise NotFound(error.message) from None
    except DomainError as error:
        raise BadRequest(error.message) from None
    return done(_rendered(snapshot))


@control.post("/offers")
def add_offer() -> Response:
    body = body_of("control-new-offer")
    offer = Offer(
        barcode=body["barcode"],
        model_no=body["modelNo"],
        name=body["name"],
        description=body.get("description", ""),
        brand=body.get("brand", "Trendyol Collection"),
        sub_category=body.get("subCategory", ""),
        color=body.get("color", ""),
        size=body.get("size", ""),
        gender=body.get("gender", ""),
        age_group=body.get("ageGroup", ""),
        price=body["price"],
        original_sales_price=body.get("originalSalesPrice", body["price"]),
        discount_rate=body.get("discountRate", 0),
        warehouse_id=body["warehouseId"],
        image_count=body.get("imageCount", 1),
    )
    # the prices a body leaves out are derived from those it gives (price alone: no discount)
    given = {"price": offer.price}
    if "discountRate" in body:
        given["discount_rate"] = body["discountRate"]
    if "originalSalesPrice" in body:
        given["original_sales_price"] = body["originalSalesPrice"]
    changes = consistent_prices(offer, given)
    try:
        snapshot = services().store.run(
            commands.add_offer,
            offer=offer._replace(**changes)._asdict(),
            stock=body["stockQuantity"],
            modified=_modified(body),
        )
    except DomainError as error:
        raise BadRequest(error.message) from None
    return done(_rendered(snapshot), 201)


@control.delete("/offers/<barcode>")
def remove_offer(barcode: str) -> Response:
    try:
        services().store.run(commands.remove_offer, barcode=barcode)
    except UnknownProduct as error:
        raise NotFound(error.message) from None
    except DomainError as error:
        raise BadRequest(error.message) from None
    return done({"deleted": barcode})


def _modified(body: dict[str, Any]) -> str | None:
    if "lastModifiedDate" not in body:
        return None
    try:
        return parse_instant(body["lastModifiedDate"]).isoformat()
    except ValueError:
        raise BadRequest("lastModifiedDate must be an ISO-8601 instant") from None


def _rendered(snapshot: Any) -> Any:
    from mock_gateway.api import render

    svc = services()
    base = svc.settings.public_base_url or f"{request.scheme}://{request.host}"
    return render.offer(snapshot, base)


@control.put("/ratings/<barcode>")
def set_rating(barcode: str) -> Response:
    body = body_of("control-rating")
    counts = [0] * 5
    for entry in body["ratingCounts"]:
        counts[entry["rate"] - 1] += entry["count"]
    if body["totalCommentCount"] > sum(counts):
        raise BadRequest("totalCommentCount must not exceed the number of ratings")
    rating = Rating(
        (counts[0], counts[1], counts[2], counts[3], counts[4]), body["totalCommentCount"]
    )
    try:
        services().store.run(
            commands.set_rating, barcode=barcode, counts=counts, comments=rating.comment_count
        )
    except UnknownProduct as error:
        raise NotFound(error.message) from None
    from mock_gateway.api import render

    return done(render.rating(rating))


@control.get("/buyers")
def list_buyers() -> Response:
    svc = services()
    profiles = svc.gateway.buyers
    return done(
        [
            {
                "buyerCode": code,
                "addressTitles": list(profiles[code].address_titles) if code in profiles else [],
            }
            for code in svc.credentials.codes()
        ]
    )


@control.put("/buyers/<code>")
def put_buyer(code: str) -> Response:
    if not code or len(code) > 64 or any(c in code for c in ":, ") or not code.isprintable():
        raise BadRequest(
            "buyerCode must be 1 to 64 printable characters without ':', ',' or spaces"
        )
    body = body_of("control-buyer")
    svc = services()
    titles = list(body.get("addressTitles", ()))
    verifier = make_verifier(body["password"])
    svc.store.run(commands.put_buyer, code=code, verifier=verifier, address_titles=titles)
    return done({"buyerCode": code, "addressTitles": list(titles)})


@control.delete("/buyers/<code>")
def delete_buyer(code: str) -> Response:
    svc = services()
    if not svc.store.run(commands.delete_buyer, code=code):
        raise NotFound(f"buyer {code!r} is not configured")
    return done({"deleted": code})
