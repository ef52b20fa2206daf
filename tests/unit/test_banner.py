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
