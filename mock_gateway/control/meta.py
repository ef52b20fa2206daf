"""Readiness and the OpenAPI documents."""

from __future__ import annotations

from flask import Response

from mock_gateway.control import control, done
from mock_gateway.services import services


@control.get("/ready")
def ready() -> Response:
    """Ready only once the data is loaded; a flag read, cheap enough to poll every 100 ms."""
    svc = services()
    if not svc.ready:
        return done({"ready": False}, 503)
    return done({"ready": True, "offers": len(svc.gateway.catalog.offers)})


@control.get("/openapi.json")
def openapi() -> Response:
    from mock_gateway.openapi import build_api_document

    return done(build_api_document(services().schemas))


@control.get("/control-openapi.json")
def control_openapi() -> Response:
    from mock_gateway.openapi import build_control_document

    return done(build_control_document(services().schemas))
