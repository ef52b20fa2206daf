"""The start-up banner says where the mock answers, as whom and on what; never a password."""

from __future__ import annotations

from mock_gateway.config import Settings
from mock_gateway.serving.assembly import build_services
from mock_gateway.serving.banner import banner


def test_banner__urls_buyers_data_clock_and_no_password() -> None:
    settings = Settings(
        port=9090,
        buyers={"ACME01": "s3cret", "DEMO01": "demo-pass"},
        catalog_size=40,
        seed=7,
        cutoff_quantity=10,
        admin_token="tok",
    )
    text = banner(build_services(settings))
    for expected in (
        "http://127.0.0.1:9090/b2bbuyergatewayapi",
        "http://127.0.0.1:9090/b2bbuyergateway\n",
        "ACME01, DEMO01",
        "generated, 40 offers from seed 7",
        "real time; cut-off 16:00 Europe/Istanbul, and at 10 units",
        "http://127.0.0.1:9090/__mock/ (needs the admin token)",
        "dashboard  http://127.0.0.1:9090/__mock/ui/",
        "Ctrl-C",
    ):
        assert expected in text, expected
    assert (
        "s3cret" not in text and "demo-pass" not in text and "tok" not in text.replace("token", "")
    )


def test_banner__frozen_clock_and_fixtures() -> None:
    from datetime import UTC, datetime

    settings = Settings(clock_start=datetime(2026, 11, 30, 9, tzinfo=UTC), control_plane=False)
    text = banner(build_services(settings))
    assert "frozen at 2026-11-30T09:00:00.000Z" in text
    assert "fixtures, 300 offers" in text
    assert "__mock" not in text


def test_banner__a_public_base_url_replaces_the_listening_address() -> None:
    """In a container the mock listens on 8080 whatever `-p` maps: the banner names the URL
    clients use when MOCK_GATEWAY_PUBLIC_BASE_URL says it (the image URLs use it too)."""
    settings = Settings(port=8080, host="0.0.0.0", public_base_url="http://localhost:18080")
    services = build_services(settings)
    text = banner(services)
    assert "http://localhost:18080/b2bbuyergatewayapi" in text
    assert "dashboard  http://localhost:18080/__mock/ui/" in text
    assert ":8080" not in text
    from mock_gateway import create_app

    client = create_app(settings).test_client()
    auth = ("DEMO01", "demo-pass")
    offers = client.get("/b2bbuyergatewayapi/v1_1/offers?pageSize=1", auth=auth).get_json()
    images = client.get(f"/v2/products/{offers[0]['modelNo']}/images", auth=auth).get_json()
    for url in [offers[0]["imageUrl"]] + [image["imageUrl"] for image in images]:
        assert url.startswith("http://localhost:18080/media/"), url
