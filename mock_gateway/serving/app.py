"""Build the app: services, the emulated API, the control plane, the pipeline, the renderer."""

from __future__ import annotations

from flask import Flask

from mock_gateway.api import api
from mock_gateway.api.render import OfferJsonCache, PageCache
from mock_gateway.clock import ControlledClock
from mock_gateway.config import Settings, load_settings
from mock_gateway.contract.errors import register_error_handlers
from mock_gateway.control import control
from mock_gateway.serving import pipeline
from mock_gateway.serving.assembly import build_services
from mock_gateway.serving.delivery import BodyDrain
from mock_gateway.serving.fastlane import FastLane
from mock_gateway.serving.routing import PathNormalizer, StoreBound


def create_app(
    settings: Settings | None = None,
    clock: ControlledClock | None = None,
    *,
    fast_lane: bool = True,
) -> Flask:
    """Create a fresh app with its own state (every test gets its own).

    `fast_lane=False` answers everything through Flask: the differential test compares the two.
    """
    settings = settings or load_settings()
    services = build_services(settings, clock)
    app = Flask("mock_gateway")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    # OPTIONS gets the 405 with Allow that ASP.NET gives (no CORS here), in the envelope, never
    # Flask's empty text/html answer; and `/v1_1//offers` is a 404, not an HTML redirect
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.url_map.merge_slashes = False
    app.extensions["mock_gateway"] = services
    services.offer_json = OfferJsonCache()
    services.offer_pages = PageCache()

    pipeline.install(app)
    app.register_blueprint(api)
    if settings.control_plane:
        app.register_blueprint(control)
    register_error_handlers(app)
    inner = FastLane(app.wsgi_app, services) if fast_lane else app.wsgi_app
    app.wsgi_app = BodyDrain(PathNormalizer(StoreBound(inner, services)))  # type: ignore[method-assign]
    services.ready = True
    return app
