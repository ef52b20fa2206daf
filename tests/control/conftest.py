"""The control-plane suite, the project's live suite.

It runs against the pytest plugin's server by default, or against an already running mock
(a container, say) when GATEWAY_TEST_URL is set (GATEWAY_TEST_ADMIN_TOKEN if it has a token).
That server must serve the default data set with the default buyer.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from mock_gateway.testing import MockGateway
from tests.live.conftest import LiveClient

NOON = "2026-11-30T09:00:00Z"  # 12:00 in Istanbul
LIVE_URL = os.environ.get("GATEWAY_TEST_URL")


# the plugin's server on each store in turn (one server per store for the whole suite); a
# running mock (GATEWAY_TEST_URL) is tested once, on whatever store it has
STORES = ["served"] if LIVE_URL else ["memory", "redis"]


@pytest.fixture(params=STORES)
def mock_gateway_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "redis":
        redis_url = request.getfixturevalue("redis_url")
        return {"log_format": "off", "store": redis_url, "store_prefix": "control-suite"}
    return {"log_format": "off"}


@pytest.fixture
def gw(request: pytest.FixtureRequest, mock_gateway_settings: dict[str, Any]) -> MockGateway:
    """A reset mock with the clock frozen at noon Istanbul."""
    if LIVE_URL:
        gateway = MockGateway(LIVE_URL, admin_token=os.environ.get("GATEWAY_TEST_ADMIN_TOKEN"))
        gateway.reset()
    else:
        gateway = request.getfixturevalue("mock_gateway")
    gateway.freeze(NOON)
    return gateway


@pytest.fixture
def client(gw: MockGateway) -> LiveClient:
    return LiveClient(gw.base_url)
