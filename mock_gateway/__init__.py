"""mock-gateway: a local, stateful mock of Trendyol's International Cross Dock B2B gateway."""

from __future__ import annotations

from mock_gateway.app import create_app

__all__ = ["create_app"]
__version__ = "0.1.0"
