"""The control plane against the operator's own browser (mock_gateway/control/guard.py), and
the access log against forged lines."""

from __future__ import annotations

import pytest
from flask import Flask

from mock_gateway import create_app
from mock_gateway.config import Settings

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"


@pytest.fixture
def app(settings: Settings) -> Flask:
    return create_app(settings.with_overrides(allowed_hosts=("devbox",)))


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:9999"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Origin": "null"},
        {"User-Agent": BROWSER, "Origin": "http://evil.test"},
    ],
)
def test_cross_site_write__refused(app: Flask, headers: dict[str, str]) -> None:
    response = app.test_client().post("/__mock/clock/freeze", headers=headers)
    assert response.status_code == 403
    assert "another site" in response.get_json()["messages"][0]["content"]
    assert app.extensions["mock_gateway"].clock.frozen is True  # as it was: frozen at noon


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, an SDK
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},  # the dashboard
        {"Sec-Fetch-Site": "none", "User-Agent": BROWSER},  # typed into the address bar
        {"Origin": "http://localhost", "User-Agent": BROWSER},  # same origin, older browser
    ],
)
def test_same_site_or_non_browser_write__allowed(app: Flask, headers: dict[str, str]) -> None:
    response = app.test_client().post("/__mock/clock/resume", headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["mock-gateway:8080", "crossdock", "10.1.2.3:8080"])
def test_non_browser_clients__any_host_works(app: Flask, host: str) -> None:
    """Compose service names and `docker run -p` from another machine."""
    assert app.test_client().get("/__mock/ready", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["rebound.test", "rebound.test:8080", "10.1.2.3", "[::2]"])
@pytest.mark.parametrize("path", ["/__mock/ui/", "/__mock/state", "/__mock/journal"])
def test_browser_under_another_name__refused(app: Flask, host: str, path: str) -> None:
    response = app.test_client().get(path, headers={"Host": host, "User-Agent": BROWSER})
    assert response.status_code == 403
    assert "MOCK_GATEWAY_ALLOWED_HOSTS" in response.get_json()["messages"][0]["content"]


@pytest.mark.parametrize(
    "host", ["localhost:8080", "127.0.0.1", "127.8.9.1:80", "[::1]:8080", "a.localhost", "devbox"]
)
def test_browser_at_loopback_or_an_allowed_name__served(app: Flask, host: str) -> None:
    response = app.test_client().get("/__mock/ui/", headers={"Host": host, "User-Agent": BROWSER})
    response.close()
    assert response.status_code == 200


def test_dashboard__cannot_be_framed_or_sniffed(app: Flask) -> None:
    response = app.test_client().get("/__mock/ui/")
    response.close()
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_access_log__control_bytes_in_a_path_forge_no_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings.with_overrides(log_format="plain"))
    app.test_client().get("/b2bbuyergateway/v1_1/offers%0AGET%20/fake%20200%1B[2J")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "\\n" in lines[0] and "\\x1b" in lines[0]
