"""HTTP Basic auth for the Flask path: the username is the buyer code (VERIFIED); 401 here,
the 403 for another buyer's code in api.call.Call.check_buyer."""

from __future__ import annotations

from flask import g, request

from mock_gateway.errors import Unauthorized
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
