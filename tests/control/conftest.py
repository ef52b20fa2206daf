from __future__ import annotations

import pytest

from mock_gateway.testing import MockGateway
from tests.live.conftest import LiveClient

NOON = "2026-11-30T09:00:00Z"  # 12:00 in Istanbul


@pytest.fixture
def gw(mock_gateway: MockGateway) -> MockGateway:
    """The plugin's live server, reset, with the clock frozen at noon Istanbul."""
    mock_gateway.freeze(NOON)
    return mock_gateway


@pytest.fixture
def client(gw: MockGateway) -> LiveClient:
    return LiveClient(gw.base_url)
