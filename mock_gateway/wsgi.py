"""The WSGI entry point for gunicorn: build the app, or stop with one clear line."""

from __future__ import annotations

import sys

from mock_gateway.app import create_app
from mock_gateway.config import SettingsError
from mock_gateway.data.fixtures import FixtureError
from mock_gateway.durable import StateFileError
from mock_gateway.schemas import SchemaLoadError

try:
    application = create_app()
except (SettingsError, FixtureError, SchemaLoadError, StateFileError) as error:
    sys.stderr.write(f"mock-gateway: {error}\n")
    sys.exit(2)
