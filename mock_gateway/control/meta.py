"""Readiness and the OpenAPI documents."""

from __future__ import annotations

import os

from flask import Response

from mock_gateway.control import control, done
from mock_gateway.state.services import services


@control.get("/ready")
def ready() -> Response:
    """Ready only once the data is loaded; a flag read, cheap enough to poll every 100 ms."""
    svc = services()
    if not svc.ready:
        return done({"ready": False}, 503)
    report: dict[str, object] = {"ready": True, "offers": len(svc.gateway.catalog.offers)}
    if svc.restart is not None:  # this worker replaced one that died (serving/recovery.py)
        report["workerRestart"] = svc.restart.document()
    response = done(report)
    # which process answers: `mock-gateway wait --pid` must not take another server's answer
    # on the same port for its own (the serving worker, and its parent: gunicorn's arbiter)
    response.headers["X-Mock-Gateway-Pid"] = f"{os.getpid()} {os.getppid()}"
    return response


@control.get("/openapi.json")
def openapi() -> Response:
    from mock_gateway.contract.openapi import build_api_document

    return done(build_api_document(services().schemas))


@control.get("/control-openapi.json")
def control_openapi() -> Response:
    from mock_gateway.contract.openapi import build_control_document

    return done(build_control_document(services().schemas))
