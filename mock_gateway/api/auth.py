"""Who may call: HTTP Basic (the username is the buyer code, VERIFIED), the optional
User-Agent requirement, and a `buyerCode` query naming the caller. The fast lane runs the same
checks (mock_gateway.serving.fastlane) through the functions below."""

from __future__ import annotations

from typing import Any

from flask import g, request

from mock_gateway.contract.errors import Forbidden, Unauthorized
from mock_gateway.contract.inputs import basic_credentials, parse_query_string
from mock_gateway.state.services import Services, services


def authenticate() -> str:
    """Return the authenticated buyer code of the Flask request, or raise Unauthorized."""
    svc = services()
    buyer = caller(svc, request.environ)
    if buyer is None:
        raise Unauthorized(svc.settings.unauthorized_style, int(svc.clock.now().timestamp() * 1000))
    g.buyer = buyer
    return buyer


def caller(svc: Services, environ: dict[str, Any]) -> str | None:
    """The buyer whose valid Basic credentials the request carries (constant-time check)."""
    credentials = basic_credentials(environ.get("HTTP_AUTHORIZATION"))
    if credentials is None or not svc.credentials.verify(*credentials):
        return None
    return credentials[0]


def check_user_agent(svc: Services, environ: dict[str, Any]) -> None:
    """With MOCK_GATEWAY_REQUIRE_USER_AGENT on, a request without one is a 403."""
    if svc.settings.require_user_agent and not environ.get("HTTP_USER_AGENT", "").strip():
        raise Forbidden("A User-Agent header is required (MOCK_GATEWAY_REQUIRE_USER_AGENT is on)")


def check_query_buyer(buyer: str, query_string: str) -> None:
    """Every non-empty `buyerCode` query value (any case of the name) must be the caller's."""
    if "%" not in query_string and "buyercode" not in query_string.lower():
        return  # the common case, without parsing the query (offers pages hit a cache)
    for key, value in parse_query_string(query_string):
        if value and value != buyer and key.lower() == "buyercode":
            raise foreign_buyer(value, "buyerCode")


def foreign_buyer(code: str, where: str) -> Forbidden:
    """The 403 for a buyer code (in the path or the query) that is not the caller's."""
    return Forbidden(
        f"{where} {code!r} does not match the authenticated buyer; "
        "a buyer may only act on its own buyer code"
    )
