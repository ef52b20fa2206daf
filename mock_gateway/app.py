"""Build the app: settings, schemas, data, gateway, blueprints, the error renderer."""

from __future__ import annotations

from flask import Flask

from mock_gateway.clock import Clock, ControlledClock
from mock_gateway.config import Settings, load_settings
from mock_gateway.data.fixtures import DataSet, build_data_set, load_fixtures
from mock_gateway.data.generate import generate_catalog
from mock_gateway.domain.batches import CutoffPolicy
from mock_gateway.domain.gateway import Gateway, GatewayOptions
from mock_gateway.domain.ids import IdSequence
from mock_gateway.errors import register_error_handlers
from mock_gateway.resources import data_dir
from mock_gateway.routing import PathNormalizer
from mock_gateway.schemas import Schemas
from mock_gateway.services import Credentials, Services


def load_data_set(settings: Settings, schemas: Schemas) -> DataSet:
    """The catalog to serve: generated from seed and size, or read from the fixtures."""
    if settings.catalog_size:
        # generated data is not schema-checked per start (a test checks the generator's output)
        documents = generate_catalog(settings.catalog_size, settings.seed)
        return build_data_set(documents, source="generated ")
    directory = settings.fixtures_dir or data_dir("fixtures")
    return build_data_set(load_fixtures(directory, schemas), source=f"{directory}/")


def build_gateway(settings: Settings, data: DataSet, clock: Clock) -> Gateway:
    policy = CutoffPolicy(
        time=settings.cutoff_time,
        zone=settings.zone,
        quantity=settings.cutoff_quantity,
        packing_delay=settings.packing_delay,
    )
    options = GatewayOptions(
        unknown_barcodes_as_zero=settings.unknown_barcodes_as_zero,
        empty_purchase_is_error=settings.empty_purchase_is_error,
    )
    return Gateway(data.catalog, data.buyers, clock, policy, IdSequence(settings.seed), options)


def create_app(settings: Settings | None = None, clock: ControlledClock | None = None) -> Flask:
    """Create a fresh app with its own state (every test gets its own)."""
    settings = settings or load_settings()
    schemas = Schemas.load()
    clock = clock or ControlledClock(frozen_at=settings.clock_start)
    gateway = build_gateway(settings, load_data_set(settings, schemas), clock)
    app = Flask("mock_gateway")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["mock_gateway"] = Services(
        settings, schemas, clock, gateway, Credentials(dict(settings.buyers))
    )
    from mock_gateway.api import api

    app.register_blueprint(api)
    register_error_handlers(app)
    app.wsgi_app = PathNormalizer(app.wsgi_app)  # type: ignore[method-assign]
    return app
