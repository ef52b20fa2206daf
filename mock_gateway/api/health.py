"""GET /healthcheck: no auth (VERIFIED url); body per the contract (INFERRED)."""

from __future__ import annotations

from flask import Response

from mock_gateway.api import api
from mock_gateway.errors import json_response


@api.get("/healthcheck")
def healthcheck() -> Response:
    return json_response({"hasError": False, "messages": []})
