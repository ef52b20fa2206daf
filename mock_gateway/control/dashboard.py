"""The dashboard at /__mock/ui/: static files from the package, a client of the control plane.

The files hold no data (everything comes from the /__mock/ JSON API, which asks for the admin
token when one is set), so they are served without the token; the page asks for it.
"""

from __future__ import annotations

from flask import Response, redirect, request, send_from_directory

from mock_gateway.contract.errors import NotFound
from mock_gateway.control import control
from mock_gateway.resources import package_dir

ASSETS = package_dir("dashboard")


@control.get("/")
def control_root() -> Response:
    """A browser at /__mock/ goes to the dashboard; an API client gets the 404 it always got."""
    if wants_html():
        return redirect(request.script_root + "/__mock/ui/", code=302)  # type: ignore[return-value]
    raise NotFound("No such route: check the path and the base path")


@control.get("/ui")
def ui_root() -> Response:
    return redirect(request.script_root + "/__mock/ui/", code=308)  # type: ignore[return-value]


@control.get("/ui/")
def ui_index() -> Response:
    return _asset("index.html")


@control.get("/ui/<path:name>")
def ui_asset(name: str) -> Response:
    return _asset(name)


def _asset(name: str) -> Response:
    response = send_from_directory(ASSETS, name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    response.headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    return response


def wants_html() -> bool:
    """A browser asking for a page (not an API client sending */*)."""
    return "text/html" in request.headers.get("Accept", "")
