"""The emulated API: one blueprint for the seven endpoints, the health check and the images.

Auth, faults and rate limits run before routing, in mock_gateway.serving.pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint


class _ApiBlueprint(Blueprint):
    """No automatic OPTIONS answers: like every method a route lacks, OPTIONS gets the 405
    envelope with `Allow`, as the gateway would, instead of Flask's empty 200."""

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options=False, **options)


api = _ApiBlueprint("api", __name__)

# the resource modules add their routes to `api`
from mock_gateway.api import catalog, health, media, orders  # noqa: E402,F401
