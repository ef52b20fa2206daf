"""The control plane and the dashboard against the developer's own browser.

The mock runs on a developer's machine, usually with no admin token. Any page that machine's
browser opens could then reach it: a cross-site form POST or a no-cors fetch (DNS rebinding
aside, these need no answer to do harm), or a page whose name is rebound to 127.0.0.1 and reads
the answers too. Two rules, both about browsers, so that curl, SDKs, compose service names and
`docker run -p` keep working as before:

- a change (any method but GET, HEAD and OPTIONS) coming from another site is refused: the
  browser says where a request comes from in `Sec-Fetch-Site` (every current browser) or, for
  cross-origin writes, in `Origin`;
- a browser request whose `Host` is not loopback (localhost, 127.0.0.0/8, [::1]), the host of
  MOCK_GATEWAY_PUBLIC_BASE_URL or one of MOCK_GATEWAY_ALLOWED_HOSTS is refused: a rebound name.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from mock_gateway.config import Settings
from mock_gateway.contract.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# headers only browsers send (Sec-Fetch-* only to https and loopback origins, so not to a
# rebound name), and the User-Agent every browser starts with (curl, SDKs and HTTP libraries
# name themselves)
BROWSER_HEADERS = ("HTTP_SEC_FETCH_SITE", "HTTP_SEC_FETCH_MODE", "HTTP_ORIGIN")
BROWSER_AGENT = "Mozilla/"


class CrossSiteRefused(ApiError):
    status = 403


def check_browser_request(environ: Mapping[str, str], settings: Settings) -> None:
    """Refuse a cross-site change or a browser's request under a name not allowed."""
    if not environ.get("HTTP_USER_AGENT", "").startswith(BROWSER_AGENT) and not any(
        name in environ for name in BROWSER_HEADERS
    ):
        return
    host = environ.get("HTTP_HOST", "")
    if not host_allowed(host, settings):
        raise CrossSiteRefused(
            f"The control plane answers browsers only at loopback addresses and the names in "
            f"MOCK_GATEWAY_ALLOWED_HOSTS, not at {host[:100]!r}"
        )
    if environ.get("REQUEST_METHOD", "GET") in SAFE_METHODS:
        return
    site = environ.get("HTTP_SEC_FETCH_SITE")
    origin = environ.get("HTTP_ORIGIN")
    if site is not None:
        if site in ("same-origin", "none"):  # the dashboard itself, or typed by the user
            return
    elif origin is None or _same_origin(origin, host, environ):
        return
    raise CrossSiteRefused(
        "A change to the mock from another site's page is refused: use the dashboard, or a "
        "client that is not a browser"
    )


def host_allowed(host: str, settings: Settings) -> bool:
    """Whether a Host header names the mock by a loopback address or an allowed name."""
    name = _hostname(host)
    if name is None:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        if ipaddress.ip_address(name).is_loopback:
            return True
    except ValueError:
        pass
    allowed = set(settings.allowed_hosts)
    if settings.public_base_url:
        allowed.add(urlsplit(settings.public_base_url).hostname or "")
    return name in allowed


def _hostname(host: str) -> str | None:
    """The name of a Host header, lower case, without port or IPv6 brackets."""
    try:
        parsed = urlsplit("//" + host)
        return parsed.hostname  # lower-cased; None for an empty host
    except ValueError:  # a malformed port or bracket
        return None


def _same_origin(origin: str, host: str, environ: Mapping[str, str]) -> bool:
    scheme = environ.get("wsgi.url_scheme", "http")
    return origin.lower() == f"{scheme}://{host}".lower()
