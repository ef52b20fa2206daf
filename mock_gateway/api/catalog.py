"""The catalog side: offers (3.1), stock status (3.2), images (3.3), rating (3.7)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response

from mock_gateway.api import api, render
from mock_gateway.api.call import Call, from_flask
from mock_gateway.api.query import instant, query_pairs, read_query
from mock_gateway.contract.errors import ModelNotFound, ProductNotFound
from mock_gateway.domain.errors import UnknownModel, UnknownProduct
from mock_gateway.domain.queries import OfferQuery
from mock_gateway.state import commands
from mock_gateway.state.services import services

MAX_PAGE_SIZE = 20  # VERIFIED
CACHED_QUERY_LENGTH = 2048  # longer queries are answered but not cached (bounded memory)


@api.get("/v1_1/offers")
def offers() -> Response:
    body, headers = offers_answer(from_flask())
    return render.raw_ok(body, headers)


def offers_answer(call: Call) -> tuple[bytes, dict[str, str]]:
    """The body and paging headers of an offers page; raises ApiError for bad input."""
    svc = call.svc
    catalog = svc.gateway.catalog
    # the same query from the same buyer at the same address: the same page until a change
    key = (call.buyer, call.host, call.script_root, call.query_string)
    stamp = (catalog, catalog.static_version, catalog.live_version)
    cached: tuple[bytes, dict[str, str]] | None = svc.offer_pages.get(key, stamp)
    if cached is not None:
        return cached
    pairs = call.pairs
    if svc.settings.clamp_page_size:
        pairs = _clamp_page_size(pairs)
    query = read_query(svc.schemas, "offers-query", pairs)
    page, size = query.get("Page", 1), query.get("PageSize", MAX_PAGE_SIZE)
    result = svc.gateway.offers_page(
        OfferQuery(
            barcodes=tuple(query.get("Barcodes", ())),
            model_no=query.get("ModelNumber"),
            modified_from=instant(query, "LastModifiedDateFrom"),
            modified_to=instant(query, "LastModifiedDateTo"),
            page=page,
            page_size=size,
            order_by=query.get("OrderBy", "barcode"),
            descending=query.get("Order") == "desc",
        )
    )
    body = render.offers_body(svc, result.items, call.public_base)
    paging = call.svc.settings.paging_headers
    headers = _paging_headers(call, pairs, page, size, result.total) if paging else {}
    if len(call.query_string) <= CACHED_QUERY_LENGTH:
        svc.offer_pages.put(key, stamp, body, headers)
    return body, headers


def _clamp_page_size(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """With clamping on, an out-of-range PageSize is brought into 1..20 instead of a 400."""
    clamped = []
    for key, value in pairs:
        text = value.strip()
        if key.lower() == "pagesize" and text.lstrip("+-").isdigit() and len(text) < 19:
            value = str(min(MAX_PAGE_SIZE, max(1, int(text))))
        clamped.append((key, value))
    return clamped


def _paging_headers(
    call: Call, pairs: list[tuple[str, str]], page: int, size: int, total: int
) -> dict[str, str]:
    """X-Paging-* and Link headers, as the .NET framework sets them (INFERRED)."""
    pages = (total + size - 1) // size
    headers = {
        "X-Paging-Index": str(page),
        "X-Paging-Size": str(size),
        "X-Paging-TotalCount": str(total),
        "X-Paging-TotalPages": str(pages),
        "X-Paging-HasPreviousPage": _flag(page > 1),
        "X-Paging-HasNextPage": _flag(page < pages),
    }
    links = {"first": 1, "last": max(pages, 1)}
    if page > 1:
        links["prev"] = min(page - 1, max(pages, 1))
    if page < pages:
        links["next"] = page + 1
    order = ("first", "prev", "next", "last")
    url = _page_url_prefix(call, pairs)
    headers["Link"] = ", ".join(
        f'<{url}Page={links[rel]}>; rel="{rel}"' for rel in order if rel in links
    )
    return headers


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _page_url_prefix(call: Call, pairs: list[tuple[str, str]]) -> str:
    """This request's URL with every query parameter but Page, ready for `Page=N`."""
    query = urlencode([(k, v) for k, v in pairs if k.lower() != "page"])
    return f"{call.url}?{query}&" if query else f"{call.url}?"


@api.get("/v2/offers/<buyer_code>/stock-status")
def stock_status(buyer_code: str) -> Response:
    call = from_flask()
    return render.raw_ok(stock_answer(call, call.param), {})


def stock_answer(call: Call, buyer_code: str) -> bytes:
    """The stock-status body; raises ApiError for bad input."""
    call.check_buyer(buyer_code, "buyerCode")
    query = read_query(call.svc.schemas, "stock-status-query", call.pairs)
    rows = call.svc.gateway.stock_status(query.get("barcodeList"))
    return render.stock_body(call.svc, rows)


@api.get("/v2/products/<model_no>/images")
def images(model_no: str) -> Response:
    svc = services()
    query = read_query(svc.schemas, "images-query", query_pairs())
    try:
        found = svc.gateway.model_images(model_no, query.get("barcode", ()))
    except UnknownModel:
        raise ModelNotFound() from None
    base = from_flask().public_base
    return render.ok([{"imageUrl": render.image_url(base, model_no, c, i)} for c, i in found])


@api.get("/v2/products/<barcode>/rating")
def rating(barcode: str) -> Response:
    svc = services()
    try:
        found = svc.gateway.rating(barcode)
    except UnknownProduct:
        raise ProductNotFound(svc.store.run(commands.trace_id)) from None
    return render.ok(render.rating(found))
