"""What a view needs from a request, however the request arrived.

The Flask views build a Call from flask.request; the fast lane
(mock_gateway.serving.fastlane) builds it from the WSGI environ. Both then run the same answer
functions, so the two paths cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g, request
from werkzeug.sansio.utils import get_host

from mock_gateway.api.auth import foreign_buyer
from mock_gateway.contract.inputs import kept_for_short_values, parse_query_string, path_text
from mock_gateway.state.services import Services, services


@dataclass
class Call:
    svc: Services
    buyer: str
    scheme: str
    host: str
    script_root: str
    path: str
    query_string: str  # raw, as the WSGI environ holds it
    _pairs: list[tuple[str, str]] | None = field(default=None, repr=False)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = parse_query_string(self.query_string)
        return self._pairs

    @property
    def param(self) -> str:
        """The route's path parameter (buyer code, request number…): the third segment."""
        parts = self.path.split("/")
        return parts[3] if len(parts) > 3 else ""

    @property
    def public_base(self) -> str:
        """Where clients reach the mock: the setting, else the host the request came to."""
        return self.svc.settings.public_base_url or f"{self.scheme}://{self.host}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.script_root}{self.path}"

    def check_buyer(self, code: str | None, where: str) -> None:
        """A buyerCode in the path or query must be the authenticated buyer's (else 403)."""
        if code is not None and code != self.buyer:
            raise foreign_buyer(code, where)


def from_flask() -> Call:
    environ = request.environ
    return Call(
        svc=services(),
        buyer=g.buyer,
        scheme=request.scheme,
        host=request.host,
        script_root=request.script_root,
        path=path_text(environ.get("PATH_INFO", "")),
        query_string=environ.get("QUERY_STRING", ""),
    )


def from_environ(svc: Services, buyer: str, environ: dict[str, Any]) -> Call:
    """The same values werkzeug would compute, straight from the environ."""
    scheme = environ.get("wsgi.url_scheme", "http")
    server = (environ.get("SERVER_NAME", ""), int(environ.get("SERVER_PORT") or 0) or None)
    return Call(
        svc=svc,
        buyer=buyer,
        scheme=scheme,
        host=_host(scheme, environ.get("HTTP_HOST"), server),
        script_root=environ.get("SCRIPT_NAME", "").rstrip("/"),
        path=path_text(environ.get("PATH_INFO", "")),
        query_string=environ.get("QUERY_STRING", ""),
    )


# werkzeug's host, kept per (scheme, Host header, server): clients send one Host header on
# every request
_host = kept_for_short_values(get_host, 256, 64)
