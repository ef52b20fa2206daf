"""Putting the parts together: data set, gateway and the services one app owns.

Used at start-up and by the control plane's reset and import, so both build state the same way.
"""

from __future__ import annotations

import gc
from typing import Any

from mock_gateway.clock import Clock, ControlledClock, SystemClock
from mock_gateway.config import Settings
from mock_gateway.contract.schemas import Schemas
from mock_gateway.data.fixtures import DataSet, build_data_set, load_fixtures
from mock_gateway.data.generate import generate_data_set
from mock_gateway.domain.batches import CutoffPolicy
from mock_gateway.domain.gateway import Gateway
from mock_gateway.domain.ids import IdSequence
from mock_gateway.domain.queries import GatewayOptions
from mock_gateway.resources import data_dir
from mock_gateway.state.faults import FaultBook, RateLimiter
from mock_gateway.state.services import Credentials, Services
from mock_gateway.state.snapshot import import_state, restore_clock
from mock_gateway.state.store import Store
from mock_gateway.stores.memory import MemoryStore


def load_data_set(settings: Settings, schemas: Schemas) -> DataSet:
    """The catalog to serve: generated from seed and size, or read from the fixtures."""
    # Building a catalog allocates hundreds of thousands of objects and no garbage cycles; the
    # cyclic collector would run hundreds of times for nothing (a third of the build time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_data_set(settings, schemas)
    finally:
        if enabled:
            gc.enable()


def _load_data_set(settings: Settings, schemas: Schemas) -> DataSet:
    if settings.catalog_size:
        # built straight into the domain; a test shows it equals the generated documents
        return generate_data_set(settings.catalog_size, settings.seed)
    directory = settings.fixtures_dir or data_dir("fixtures")
    return build_data_set(load_fixtures(directory, schemas), source=f"{directory}/")


def cutoff_policy(settings: Settings) -> CutoffPolicy:
    return CutoffPolicy(
        time=settings.cutoff_time,
        zone=settings.zone,
        quantity=settings.cutoff_quantity,
        packing_delay=settings.packing_delay,
    )


def gateway_options(settings: Settings) -> GatewayOptions:
    return GatewayOptions(
        unknown_barcodes_as_zero=settings.unknown_barcodes_as_zero,
        empty_purchase_is_error=settings.empty_purchase_is_error,
    )


def build_gateway(settings: Settings, data: DataSet, clock: Clock) -> Gateway:
    return Gateway(
        data.catalog,
        data.buyers,
        clock,
        cutoff_policy(settings),
        IdSequence(settings.seed),
        gateway_options(settings),
    )


def open_store(settings: Settings) -> Store:
    """The store the settings name; a Redis store is connected and checked here."""
    if not settings.shared_store:
        return MemoryStore()
    from mock_gateway.stores.redis.store import RedisStore

    return RedisStore(settings)


def build_services(settings: Settings, clock: ControlledClock | None = None) -> Services:
    schemas = Schemas.load()
    clock = clock or ControlledClock(
        frozen_at=settings.clock_start, source=SystemClock(settings.clock_shift)
    )
    store = open_store(settings)
    data = load_data_set(settings, schemas)
    gateway = build_gateway(settings, data, store.gateway_clock(clock))
    svc = Services(
        settings=settings,
        schemas=schemas,
        clock=clock,
        gateway=gateway,
        credentials=Credentials(dict(settings.buyers)),
        faults=FaultBook(settings.seed),
        rate_limiter=RateLimiter(settings.rate_limit),
        journal=store.new_journal(settings.journal_size),
        store=store,
        rebuild=reset,
        import_document=import_document,
    )
    store.attach(svc)  # a shared store brings the fleet's state here
    if settings.state_file is not None:
        from mock_gateway.stores.durable import StateSaver, load_state_file

        load_state_file(svc, settings.state_file)
        svc.saver = StateSaver(svc, settings.state_file, settings.state_save_interval)
    return svc


def reset(svc: Services, seed: int | None = None, catalog_size: int | None = None) -> None:
    """Everything as at start-up (optionally with another seed or catalog size); the journal,
    kept apart from the state, is cleared by the caller."""
    changes: dict[str, Any] = {}
    if seed is not None:
        changes["seed"] = seed
    if catalog_size is not None:
        changes["catalog_size"] = catalog_size
    startup = svc.startup_settings or svc.settings
    settings = startup.with_overrides(**changes) if changes else startup
    data = load_data_set(settings, svc.schemas)
    gateway = build_gateway(settings, data, svc.store.gateway_clock(svc.clock))
    if settings.clock_start is not None:
        svc.clock.freeze(settings.clock_start)
    else:
        svc.clock.to_real_time()
    svc.settings = settings
    svc.gateway = gateway
    svc.credentials.replace_all(dict(settings.buyers))
    svc.faults.clear()
    svc.rate_limiter.configure(settings.rate_limit)


def import_document(svc: Services, document: Any) -> None:
    """Replace the state with an exported document, or raise StateError and change nothing."""
    gateway = import_state(
        document,
        svc.schemas,
        svc.store.gateway_clock(svc.clock),
        cutoff_policy(svc.settings),
        gateway_options(svc.settings),
    )
    restore_clock(document, svc.clock)
    svc.gateway = gateway
