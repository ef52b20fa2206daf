"""The emulated API: one blueprint for the seven endpoints and the health check."""

from __future__ import annotations

from flask import Blueprint, request

from mock_gateway.api.auth import authenticate

api = Blueprint("api", __name__)

# endpoints anyone may call: the health check, and the product images partners download
PUBLIC_ENDPOINTS = frozenset({"api.healthcheck", "api.media"})


@api.before_app_request
def _authenticate() -> None:
    """Auth comes before routing: an unauthenticated caller learns nothing about routes."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    if request.path.startswith("/__mock"):
        return  # the control plane has its own (optional) bearer token
    authenticate()


# the resource modules add their routes to `api`
from mock_gateway.api import catalog, health, media, orders  # noqa: E402,F401
