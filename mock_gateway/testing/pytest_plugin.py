"""pytest plugin (entry point `pytest11`): a live mock-gateway for your tests.

Fixtures:
- `mock_gateway`: a MockGateway client for a real server on a free port, reset before each test
  (state, clock, faults and journal as at start-up).
- `mock_gateway_server`: the session's server (one per test session).
- `mock_gateway_settings`: override it (session scope) to start the server with other settings.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_gateway.config import Settings, load_settings
from mock_gateway.testing import GatewayServer, MockGateway


@pytest.fixture(scope="session")
def mock_gateway_settings() -> Settings:
    """Settings of the session's server: the environment's, with request logging off."""
    return load_settings().with_overrides(log_format="off")


@pytest.fixture(scope="session")
def mock_gateway_server(mock_gateway_settings: Settings) -> Iterator[GatewayServer]:
    server = GatewayServer(mock_gateway_settings)
    yield server
    server.stop()


@pytest.fixture
def mock_gateway(mock_gateway_server: GatewayServer) -> MockGateway:
    gateway = MockGateway(
        mock_gateway_server.base_url, admin_token=mock_gateway_server.settings.admin_token
    )
    gateway.reset()
    return gateway
