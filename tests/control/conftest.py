"""The control-plane suite, the project's live suite.

It runs against the pytest plugin's server by default, or against an already running mock
(a container, say) when GATEWAY_TEST_URL is set (GATEWAY_TEST_ADMIN_TOKEN if it has a token).
That server must serve the default data set with the default buyer.
"""

from __future__ import annotations

import os

import pytest

from mock_gateway.testing import MockGateway
from tests.live.conftest import LiveClient

NOON = "2026-11-30T09:00:00Z"  # 12:00 in Istanbul
LIVE_URL = os.environ.get("GATEWAY_TEST_URL")


@pytest.fixture
def gw(request: pytest.FixtureRequest) -> MockGateway:
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
