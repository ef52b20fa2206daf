"""GET /v1_1/offers: filters, paging from 1, PageSize 1..20, order, delta sync, headers."""

from __future__ import annotations

import pytest

from mock_gateway.clock import parse_instant
from tests.conftest import ApiClient


def all_offers(api: ApiClient, **query: object) -> list[dict[str, object]]:
    offers: list[dict[str, object]] = []
    page = 1
    while True:
        batch = api.get("/v1_1/offers", query={**query, "page": page}).get_json()
        if not batch:
            return offers
        offers.extend(batch)
        page += 1


def test_offers__first_page_has_twenty(api: ApiClient) -> None:
    response = api.get("/b2bbuyergateway/v1_1/offers?page=1&pageSize=20")
    assert response.status_code == 200
    assert len(response.get_json()) == 20


def test_offers__defaults_to_page_1_of_20_ordered_by_barcode(api: ApiClient) -> None:
    body = api.get("/v1_1/offers").get_json()
    barcodes = [o["barcode"] for o in body]
    assert barcodes == sorted(api.services.gateway.catalog.sorted_barcodes)[:20]


def test_offers__paging_until_empty_yields_every_offer_once(api: ApiClient) -> None:
    offers = all_offers(api, PageSize=17)
    assert len(offers) == len(api.services.gateway.catalog.offers)
    assert len({o["barcode"] for o in offers}) == len(offers)


def test_offers__last_page_and_page_past_the_end(api: ApiClient) -> None:
    total = len(api.services.gateway.catalog.offers)
    last = (total + 19) // 20
    response = api.get(f"/v1_1/offers?Page={last}")
    assert len(response.get_json()) == total - (last - 1) * 20
    assert response.headers["X-Paging-HasNextPage"] == "false"
    past = api.get(f"/v1_1/offers?Page={last + 1}")
    assert past.status_code == 200 and past.get_json() == []


def test_offers__paging_headers_and_links(api: ApiClient) -> None:
    total = len(api.services.gateway.catalog.offers)
    response = api.get("/b2bbuyergatewayapi/v1_1/offers?page=2&pageSize=10&order=asc")
    headers = response.headers
    assert headers["X-Paging-Index"] == "2"
    assert headers["X-Paging-Size"] == "10"
    assert headers["X-Paging-TotalCount"] == str(total)
    assert headers["X-Paging-TotalPages"] == str((total + 9) // 10)
    assert headers["X-Paging-HasPreviousPage"] == "true"
    assert headers["X-Paging-HasNextPage"] == "true"
    link = headers["Link"]
    for rel, page in (("first", 1), ("prev", 1), ("next", 3), ("last", (total + 9) // 10)):
        assert (
            f'/b2bbuyergatewayapi/v1_1/offers?pageSize=10&order=asc&Page={page}>; rel="{rel}"'
            in link
        )


def test_offers__query_names_are_case_insensitive(api: ApiClient) -> None:
    upper = api.get("/v1_1/offers?PAGE=2&PAGESIZE=5").get_json()
    lower = api.get("/v1_1/offers?page=2&pagesize=5").get_json()
    assert upper == lower and len(upper) == 5


def test_offers__filter_by_barcodes_repeated_keys(api: ApiClient) -> None:
    wanted = api.services.gateway.catalog.sorted_barcodes[5:8]
    query = "&".join(f"Barcodes={b}" for b in reversed(wanted)) + "&barcodes=unknown"
    body = api.get(f"/v1_1/offers?{query}").get_json()
    assert [o["barcode"] for o in body] == wanted


def test_offers__filter_by_model_number(api: ApiClient) -> None:
    catalog = api.services.gateway.catalog
    model = max(catalog.models, key=lambda m: len(catalog.models[m]))
    body = all_offers(api, ModelNumber=model)
    assert {o["barcode"] for o in body} == set(catalog.models[model])
    assert all(o["modelNo"] == model for o in body)


def test_offers__model_number_and_barcodes_give_their_intersection(api: ApiClient) -> None:
    catalog = api.services.gateway.catalog
    model = max(catalog.models, key=lambda m: len(catalog.models[m]))
    inside = sorted(catalog.models[model])[:2]
    outside = next(b for b in sorted(catalog.offers) if catalog.offers[b].model_no != model)
    query = [("ModelNumber", model)] + [("Barcodes", b) for b in [*inside, outside]]
    body = api.get("/v1_1/offers", query=query).get_json()
    assert sorted(o["barcode"] for o in body) == inside


def test_offers__delta_sync_bounds_are_inclusive(api: ApiClient) -> None:
    catalog = api.services.gateway.catalog
    dates = sorted(catalog.modified.values())
    low, high = dates[10], dates[30]
    body = all_offers(
        api,
        LastModifiedDateFrom=low.isoformat(),
        LastModifiedDateTo=high.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
    )
    got = sorted(parse_instant(str(o["lastModifiedDate"])) for o in body)
    assert got == [d for d in dates if low <= d <= high]


@pytest.mark.parametrize("field", ["price", "stockQuantity", "name", "lastModifiedDate"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_offers__order_by_field(api: ApiClient, field: str, order: str) -> None:
    body = all_offers(api, OrderBy=field, Order=order)
    keys = [(o[field], o["barcode"]) for o in body]
    assert keys == sorted(keys, reverse=order == "desc")  # type: ignore[type-var]


def test_offers__order_by_is_case_insensitive(api: ApiClient) -> None:
    assert api.get("/v1_1/offers?orderBy=PRICE&order=DESC").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("Page=abc", "Page must be an integer from 1 to 2147483647"),
        ("Page=0", "Page must be an integer from 1 to 2147483647"),
        ("Page=-3", "Page must be an integer from 1 to 2147483647"),
        ("PageSize=0", "PageSize must be an integer from 1 to 20"),
        ("PageSize=21", "PageSize must be an integer from 1 to 20"),
        ("pagesize=1.5", "PageSize must be an integer from 1 to 20"),
        ("Order=up", "Order must be 'asc' or 'desc'"),
        ("LastModifiedDateFrom=yesterday", "LastModifiedDateFrom must be an ISO-8601 date-time"),
        ("lastModifiedDateTo=2026-13-45", "LastModifiedDateTo must be an ISO-8601 date-time"),
        ("LastModifiedDateTo=", "LastModifiedDateTo must be an ISO-8601 date-time"),
    ],
)
def test_offers__bad_query_is_400_naming_the_parameter(
    api: ApiClient, query: str, message: str
) -> None:
    response = api.get(f"/v1_1/offers?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["hasError"] is True
    [only] = body["messages"]
    assert only["type"] == "error" and only["content"].startswith(message)


def test_offers__unknown_order_by_lists_the_allowed_fields(api: ApiClient) -> None:
    response = api.get("/v1_1/offers?OrderBy=colour")
    assert response.status_code == 400
    content = response.get_json()["messages"][0]["content"]
    assert content.startswith("OrderBy must be one of barcode, modelNo")
    assert "stockQuantity" in content


def test_offers__every_problem_is_listed(api: ApiClient) -> None:
    response = api.get("/v1_1/offers?Page=x&PageSize=99&OrderBy=nope")
    assert len(response.get_json()["messages"]) == 3


def test_offers__own_buyer_code_is_accepted(api: ApiClient) -> None:
    assert api.get("/v1_1/offers?buyerCode=DEMO01").status_code == 200


def test_offers__image_urls_point_at_the_mock(api: ApiClient) -> None:
    [offer] = api.get("/v1_1/offers?PageSize=1").get_json()
    assert offer["imageUrl"].startswith("http://localhost/media/")
    image = api.get(offer["imageUrl"].removeprefix("http://localhost"), auth=None)
    assert image.status_code == 200 and image.content_type == "image/png"


def test_offers__discount_invariant_holds(api: ApiClient) -> None:
    for offer in all_offers(api):
        expected = offer["originalSalesPrice"] * (1 - offer["discountRate"] / 100)  # type: ignore[operator]
        assert abs(offer["price"] - expected) <= 0.011  # type: ignore[operator]
