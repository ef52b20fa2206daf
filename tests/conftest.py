from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_gateway import create_app
from mock_gateway.config import Settings
from mock_gateway.state.services import Services
from tests.contract_check import check_response
from tests.redis_server import RedisServer

# 12:00 in Istanbul: four hours before the default 16:00 cut-off
NOON_ISTANBUL = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BUYER = ("DEMO01", "demo-pass")
OTHER = ("OTHER02", "other-pass")


class ApiClient:
    """The Flask test client with Basic auth by default and a contract check on every response."""

    def __init__(self, client: FlaskClient, app: Flask) -> None:
        self.client = client
        self.app = app

    @property
    def services(self) -> Services:
        found: Services = self.app.extensions["mock_gateway"]
        return found

    def request(
        self,
        method: str,
        path: str,
        *,
        auth: tuple[str, str] | None = BUYER,
        json_body: Any = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        query: Any = None,
        environ: dict[str, Any] | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {"headers": dict(headers or {}), "query_string": query}
        if environ:  # what the test client cannot build from a URL (raw bytes in PATH_INFO)
            kwargs["environ_overrides"] = environ
        if auth is not None:
            kwargs["auth"] = auth
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body)
            kwargs["headers"].setdefault("Content-Type", "application/json")
        elif data is not None:
            kwargs["data"] = data
        response = self.client.open(path, method=method, **kwargs)
        check_response(
            method, path, response.status_code, response.content_type or "", response.data
        )
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        clock_start=NOON_ISTANBUL,
        buyers={BUYER[0]: BUYER[1], OTHER[0]: OTHER[1]},
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server for the session (the Redis store's tests)."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


_prefixes = itertools.count(1)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The store settings: every behavioural test runs against both stores."""
    if request.param == "memory":
        return {"store": "memory"}
    # a fresh key space per test: tests share the server, never a state
    return {"store": request.getfixturevalue("redis_url"), "store_prefix": f"t{next(_prefixes)}"}


@pytest.fixture
def app(settings: Settings, store: dict[str, Any]) -> Iterator[Flask]:
    built = create_app(settings.with_overrides(**store))
    yield built
    svc: Services = built.extensions["mock_gateway"]
    svc.store.close()
    if svc.store.shared:  # after closing: a closing store sends its journal entries
        keys = svc.store.link.command("KEYS", svc.store.tag + ":*")
        if keys:
            svc.store.link.command("DEL", *keys)
        svc.store.link.close()


@pytest.fixture
def api(app: Flask) -> ApiClient:
    return ApiClient(app.test_client(), app)
