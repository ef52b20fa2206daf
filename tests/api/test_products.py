"""Stock status (3.2), images (3.3), rating (3.7) and the image files themselves."""

from __future__ import annotations

import struct
import zlib

import pytest
from flask import Flask

from mock_gateway import create_app
from mock_gateway.config import Settings
from tests.conftest import ApiClient


def test_stock_status__without_list_is_every_offer(api: ApiClient) -> None:
    body = api.get("/v2/offers/DEMO01/stock-status").get_json()
    stock = api.services.gateway.catalog.stock
    assert {row["barcode"]: row["availableQuantity"] for row in body} == stock
    assert len(body) == len(stock)


def test_stock_status__repeated_keys_in_request_order_unknown_left_out(api: ApiClient) -> None:
    a, b = api.services.gateway.catalog.sorted_barcodes[3:5]
    body = api.get(
        f"/v2/offers/DEMO01/stock-status?barcodeList={b}&BarcodeList=nope&barcodeList={a}"
    ).get_json()
    assert [row["barcode"] for row in body] == [b, a]


def test_stock_status__unknown_as_zero_setting(settings: Settings) -> None:
    app = create_app(settings.with_overrides(unknown_barcodes_as_zero=True))
    api = ApiClient(app.test_client(), app)
    body = api.get("/v2/offers/DEMO01/stock-status?barcodeList=nope").get_json()
    assert body == [{"barcode": "nope", "availableQuantity": 0}]


def test_stock_status__matches_offers_stock_quantity(api: ApiClient) -> None:
    offers = api.get("/v1_1/offers?PageSize=20").get_json()
    query = "&".join(f"barcodeList={o['barcode']}" for o in offers)
    stock = api.get(f"/v2/offers/DEMO01/stock-status?{query}").get_json()
    assert [o["stockQuantity"] for o in offers] == [s["availableQuantity"] for s in stock]


def test_stock_status__includes_sold_out(api: ApiClient) -> None:
    body = api.get("/v2/offers/DEMO01/stock-status").get_json()
    assert any(row["availableQuantity"] == 0 for row in body)


def _model_with_colors(api: ApiClient) -> str:
    catalog = api.services.gateway.catalog
    return next(
        m for m, bs in catalog.models.items() if len({catalog.offers[b].color for b in bs}) > 1
    )


def test_images__main_image_first_one_set_per_colour(api: ApiClient) -> None:
    model = _model_with_colors(api)
    catalog = api.services.gateway.catalog
    first = catalog.offers[catalog.models[model][0]]
    body = api.get(f"/v2/products/{model}/images").get_json()
    urls = [row["imageUrl"] for row in body]
    assert len(urls) == len(set(urls))
    offer = api.get(f"/v1_1/offers?Barcodes={first.barcode}").get_json()[0]
    assert urls[0] == offer["imageUrl"]


def test_images__barcode_filter_keeps_that_variants_colour(api: ApiClient) -> None:
    model = _model_with_colors(api)
    catalog = api.services.gateway.catalog
    barcode = catalog.models[model][-1]
    color = catalog.offers[barcode].color
    body = api.get(f"/v2/products/{model}/images?barcode={barcode}").get_json()
    assert body and all(f"/{color}/" in row["imageUrl"] for row in body)


def test_images__unknown_model_is_404_empty_object(api: ApiClient) -> None:
    response = api.get("/v2/products/NOPE/images")
    assert response.status_code == 404
    assert response.data == b"{}"


def test_images__are_valid_pngs_in_the_variant_colour(api: ApiClient) -> None:
    model = _model_with_colors(api)
    [first, *_] = api.get(f"/v2/products/{model}/images").get_json()
    png = api.get(first["imageUrl"].removeprefix("http://localhost"), auth=None).data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    chunks, offset = {}, 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        assert struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])[0] == (
            zlib.crc32(kind + data) & 0xFFFFFFFF
        )
        chunks[kind] = data
        offset += 12 + length
    raw = zlib.decompress(chunks[b"IDAT"])
    assert len(raw) == height * (1 + 3 * width)
    assert set(chunks) == {b"IHDR", b"IDAT", b"IEND"}


def test_images__unknown_image_is_404(api: ApiClient) -> None:
    assert api.get("/media/NOPE/Black/1.png", auth=None).status_code == 404


def test_images__public_base_url_setting(settings: Settings) -> None:
    app: Flask = create_app(settings.with_overrides(public_base_url="http://mock:9000"))
    api = ApiClient(app.test_client(), app)
    [offer] = api.get("/v1_1/offers?PageSize=1").get_json()
    assert offer["imageUrl"].startswith("http://mock:9000/media/")


def test_rating__counts_are_consistent(api: ApiClient) -> None:
    ratings = api.services.gateway.catalog.ratings
    barcode = next(iter(ratings))
    body = api.get(f"/v2/products/{barcode}/rating").get_json()
    counts = {row["rate"]: row["count"] for row in body["ratingCounts"]}
    assert sorted(counts) == [1, 2, 3, 4, 5]
    assert sum(counts.values()) == body["totalRatingCount"]
    mean = sum(r * c for r, c in counts.items()) / body["totalRatingCount"]
    assert body["averageRating"] == round(mean, 1)
    assert body["totalCommentCount"] <= body["totalRatingCount"]


def test_rating__product_without_ratings_is_zeros(api: ApiClient) -> None:
    catalog = api.services.gateway.catalog
    barcode = next(b for b in catalog.sorted_barcodes if b not in catalog.ratings)
    body = api.get(f"/v2/products/{barcode}/rating").get_json()
    assert body["averageRating"] == 0 and body["totalRatingCount"] == 0
    assert body["totalCommentCount"] == 0
    assert all(row["count"] == 0 for row in body["ratingCounts"])


@pytest.mark.parametrize("barcode", ["0000000000000", "%E2%9C%93", "x" * 300])
def test_rating__unknown_barcode_is_rfc7807(api: ApiClient, barcode: str) -> None:
    response = api.get(f"/v2/products/{barcode}/rating")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json; charset=utf-8"
    body = response.get_json()
    assert body["type"] == "https://tools.ietf.org/html/rfc7231#section-6.5.4"
    assert (body["title"], body["status"]) == ("Not Found", 404)
    assert body["traceId"].startswith("00-")


def test_omit_defaults__drops_zero_false_and_null(settings: Settings) -> None:
    app = create_app(settings.with_overrides(omit_defaults=True))
    catalog = app.extensions["mock_gateway"].gateway.catalog
    sold_out = next(b for b in catalog.sorted_barcodes if catalog.stock[b] == 0)
    client = app.test_client()
    body = client.get(
        f"/v2/offers/DEMO01/stock-status?barcodeList={sold_out}", auth=("DEMO01", "demo-pass")
    ).get_json()
    assert body == [{"barcode": sold_out}]


def test_images__an_offer_without_a_colour_has_urls_that_serve(api: ApiClient) -> None:
    new = {"barcode": "NOCOLOUR-1", "modelNo": "MNOCOLOUR", "name": "Plain", "price": 10,
           "stockQuantity": 3, "warehouseId": api.services.gateway.catalog.offers[
               sorted(api.services.gateway.catalog.offers)[0]].warehouse_id}  # fmt: skip
    assert api.post("/__mock/offers", json_body=new).status_code == 201
    urls = [row["imageUrl"] for row in api.get("/v2/products/MNOCOLOUR/images").get_json()]
    [offer] = api.get("/v1_1/offers?Barcodes=NOCOLOUR-1").get_json()
    assert urls and offer["imageUrl"] == urls[0]
    for url in urls:
        assert "//" not in url.removeprefix("http://")
        png = api.get(url.removeprefix("http://localhost"), auth=None)
        assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
