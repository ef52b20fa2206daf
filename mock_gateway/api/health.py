"""GET /healthcheck: no auth (VERIFIED url); body per the contract (INFERRED)."""

from __future__ import annotations

from typing import Any

from flask import Response

from mock_gateway.api import api, render
from mock_gateway.state.services import services


@api.get("/healthcheck")
def healthcheck() -> Response:
    # through the one renderer, so MOCK_GATEWAY_OMIT_DEFAULTS drops hasError here too
    body: dict[str, Any] = {"hasError": False, "messages": []}
    if services().settings.health_results:  # MOCK_GATEWAY_HEALTH_RESULTS: each check's result
        body["results"] = []
    return render.ok(body)
