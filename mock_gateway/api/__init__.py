"""The emulated API: one blueprint for the seven endpoints, the health check and the images.

Auth, faults and rate limits run before routing, in mock_gateway.pipeline.
"""

from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__)

# the resource modules add their routes to `api`
from mock_gateway.api import catalog, health, media, orders  # noqa: E402,F401
