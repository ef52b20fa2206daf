"""The control plane under /__mock/: clock, state, faults, journal, readiness, OpenAPI.

Kept apart from the emulated routes; JSON in and out; errors in the gateway's envelope. With
MOCK_GATEWAY_ADMIN_TOKEN set, every route here requires `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, request

from mock_gateway.api.body import json_body, request_bytes
from mock_gateway.contract.errors import ApiError, BadRequest, json_response
from mock_gateway.control.guard import check_browser_request
from mock_gateway.state.services import services

control = Blueprint("control", __name__, url_prefix="/__mock")


class AdminUnauthorized(ApiError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "The control plane needs Authorization: Bearer <MOCK_GATEWAY_ADMIN_TOKEN>",
            headers={"WWW-Authenticate": 'Bearer realm="mock-gateway control plane"'},
        )


@control.before_request
def _require_token() -> None:
    settings = services().settings
    check_browser_request(request.environ, settings)  # before anything: even the dashboard
    if request.method == "GET" and (
        request.path == "/__mock/" or request.path.startswith("/__mock/ui")
    ):
        return  # the dashboard's files and the way to them hold no data; the page asks for it
    # state documents are large: the control plane's body limit is its own setting
    request.max_content_length = settings.control_max_body_bytes
    token = settings.admin_token
    if token is None:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "surrogatepass"), token.encode()
    ):
        raise AdminUnauthorized()


def body_of(schema: str) -> dict[str, Any]:
    """The request's JSON object, valid against `schema`; an empty body counts as {}."""
    if not request_bytes():
        found: dict[str, Any] = {}
        problems = services().schemas.errors(schema, found)
        if problems:
            raise BadRequest(*problems)
        return found
    result: dict[str, Any] = json_body(schema, strict=True, control_plane=True)
    return result


def done(data: Any, status: int = 200) -> Response:
    return json_response(data, status)


from mock_gateway.control import dashboard, meta, state, timing, traffic, views  # noqa: E402,F401
