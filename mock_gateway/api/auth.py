"""HTTP Basic auth: the username is the buyer code (VERIFIED); 401 and 403 per the contract."""

from __future__ import annotations

from flask import g, request

from mock_gateway.errors import Forbidden, Unauthorized
from mock_gateway.services import services


def authenticate() -> str:
    """Return the authenticated buyer code, or raise Unauthorized."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
        raise Unauthorized()
    if not services().credentials.verify(auth.username, auth.password):
        raise Unauthorized()
    g.buyer = auth.username
    return auth.username


def require_buyer(code: str | None, where: str) -> None:
    """A buyerCode in the path or query must be the authenticated buyer's (else 403)."""
    buyer: str = g.buyer
    if code is not None and code != buyer:
        raise Forbidden(
            f"{where} {code!r} does not match the authenticated buyer; "
            "a buyer may only act on its own buyer code"
        )


def current_buyer() -> str:
    buyer: str = g.buyer
    return buyer
