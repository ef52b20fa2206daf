"""Connections as hostile clients make them, against the real server (gunicorn)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import requests

from mock_gateway.contract.openapi import CONTROL_OPERATIONS
from tests.live.conftest import LiveClient
from tests.live.server import served

AUTH = ("DEMO01", "demo-pass")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as url:
        yield url


def connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def test_idle_connections__do_not_starve_ordinary_requests(base: str) -> None:
    idle = [connect(base) for _ in range(50)]
    slow = connect(base)
    slow.sendall(b"GET /v1_1/offers HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    try:
        api = LiveClient(base)
        for _ in range(20):  # answered although 51 connections hang around
            assert api.get("/v1_1/offers?PageSize=1", timeout=5).status_code == 200
    finally:
        for sock in [*idle, slow]:
            sock.close()


def stock(base: str, barcode: str) -> int:
    rows = requests.get(
        f"{base}/v2/offers/DEMO01/stock-status?barcodeList={barcode}", auth=AUTH, timeout=10
    ).json()
    return int(rows[0]["availableQuantity"])


def raw_purchase(barcode: str, quantity: int) -> tuple[bytes, bytes]:
    body = json.dumps([{"barcode": barcode, "requestedQuantity": quantity}]).encode()
    head = (
        f"POST /v2/offers/DEMO01/items HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Basic REVNTzAxOmRlbW8tcGFzcw==\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


def test_disconnect_mid_body__reserves_nothing(base: str) -> None:
    barcode = next(
        r["barcode"]
        for r in requests.get(f"{base}/v2/offers/DEMO01/stock-status", auth=AUTH, timeout=10).json()
        if r["availableQuantity"] >= 5
    )
    before = stock(base, barcode)
    head, body = raw_purchase(barcode, 2)
    sock = connect(base)
    sock.sendall(head + body[: len(body) // 2])
    sock.close()
    journal_before = requests.get(f"{base}/__mock/journal", timeout=10).json()
    assert stock(base, barcode) == before
    assert not [e for e in journal_before if e["method"] == "POST" and e["status"] == 200]


def test_disconnect_before_the_answer__all_or_nothing(base: str) -> None:
    rows = requests.get(f"{base}/v2/offers/DEMO01/stock-status", auth=AUTH, timeout=10).json()
    barcode = next(r["barcode"] for r in rows if r["availableQuantity"] >= 10)
    before = stock(base, barcode)
    requests_before = len(requests.get(f"{base}/__mock/state", timeout=10).json()["requests"])
    for _ in range(5):
        head, body = raw_purchase(barcode, 1)
        sock = connect(base)
        sock.sendall(head + body)
        sock.close()  # gone before reading the answer
    LiveClient(base).get("/healthcheck")
    document = requests.get(f"{base}/__mock/state", timeout=10).json()
    made = len(document["requests"]) - requests_before
    # every request that was made reserved its unit; none is half-applied
    assert stock(base, barcode) == before - made
    assert all(
        line["reservedQuantity"] == 1
        for r in document["requests"][requests_before:]
        for line in r["lines"]
    )


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    with served(
        {"MOCK_GATEWAY_ADMIN_TOKEN": "t0p-s3cret", "MOCK_GATEWAY_LOG_FORMAT": "off"}
    ) as url:
        yield url


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, *_ in CONTROL_OPERATIONS])
def test_admin_token__every_control_route_requires_it(guarded: str, method: str, path: str) -> None:
    url = guarded + path.replace("{barcode}", "x").replace("{buyerCode}", "X").replace("{id}", "1")
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic REVNTzAxOmRlbW8tcGFzcw=="},
    ):
        response = requests.request(method, url, headers=headers, json={}, timeout=10)
        assert response.status_code == 401, (method, path, headers)
        assert response.json()["hasError"] is True
        assert "t0p-s3cret" not in response.text
    allowed = requests.request(
        method, url, headers={"Authorization": "Bearer t0p-s3cret"}, json={}, timeout=10
    )
    assert allowed.status_code != 401


def test_credentials__in_no_journal_entry_or_export(guarded: str) -> None:
    requests.get(f"{guarded}/v1_1/offers", auth=AUTH, timeout=10)
    requests.get(f"{guarded}/v1_1/offers", auth=("DEMO01", "wrong-guess"), timeout=10)
    admin = {"Authorization": "Bearer t0p-s3cret"}
    for path in ("/__mock/journal", "/__mock/state", "/__mock/buyers"):
        text = requests.get(guarded + path, headers=admin, timeout=10).text
        for secret in ("demo-pass", "wrong-guess", "t0p-s3cret", "REVNTzAx"):
            assert secret not in text, (path, secret)
