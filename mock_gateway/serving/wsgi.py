"""The WSGI entry point for gunicorn: build the app, or stop with one clear line."""

from __future__ import annotations

import gc
import sys

from mock_gateway.config import SettingsError
from mock_gateway.contract.schemas import SchemaLoadError
from mock_gateway.data.fixtures import FixtureError
from mock_gateway.serving.app import create_app
from mock_gateway.state.store import StoreError
from mock_gateway.stores.durable import StateFileError

try:
    application = create_app()
except (SettingsError, FixtureError, SchemaLoadError, StateFileError, StoreError) as error:
    sys.stderr.write(f"mock-gateway: {error}\n")
    sys.exit(2)

# The loaded catalog lives as long as the server: move it out of the cyclic collector's sight,
# so full collections do not walk 100 000 offers mid-request (they showed as p99 spikes), and
# the forked worker shares those pages with the master instead of copying them.
gc.freeze()
