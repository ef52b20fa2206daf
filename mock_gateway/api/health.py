"""GET /healthcheck: no auth (VERIFIED url); body per the contract (INFERRED)."""

from __future__ import annotations

from flask import Response

from mock_gateway.api import api, render


@api.get("/healthcheck")
def healthcheck() -> Response:
    # through the one renderer, so MOCK_GATEWAY_OMIT_DEFAULTS drops hasError here too
    return render.ok({"hasError": False, "messages": []})
