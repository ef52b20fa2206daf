"""mock-gateway: a local, stateful mock of Trendyol's International Cross Dock B2B gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"
__all__ = ["create_app"]


def create_app(settings: Any = None, clock: Any = None, *, fast_lane: bool = True) -> Flask:
    """Create a fresh app with its own state (`mock_gateway:create_app()` for WSGI servers).

    Imported lazily so that `import mock_gateway` (the health check, the CLI) stays cheap.
    """
    from mock_gateway.serving.app import create_app as build

    return build(settings, clock, fast_lane=fast_lane)
