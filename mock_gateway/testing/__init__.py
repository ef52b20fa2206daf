"""Test helpers: a real mock-gateway on a free port in a background thread, and a client for
its control plane. Standard library only, so they add nothing to a project's dependencies.

    from mock_gateway.testing import running_gateway

    with running_gateway() as gateway:
        gateway.freeze("2026-11-30T12:00:00Z")
        ...  # point your client at gateway.base_url, auth gateway.auth
        gateway.advance("4h")  # past the 16:00 Istanbul cut-off
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from mock_gateway.config import (
    PREFIX,
    TEXT_FIELDS,
    VARIABLE_OF_FIELD,
    Settings,
    SettingsError,
    load_settings,
)
from mock_gateway.serving.app import create_app


class _Handler(WSGIRequestHandler):
    """Quiet, and hands the socket to the app so a fault rule can drop the connection."""

    def make_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().make_environ()
        environ["mock_gateway.socket"] = self.connection
        return environ

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def settings_from(value: Settings | Mapping[str, Any] | None) -> Settings:
    """Settings from a Settings, or a plain dict: field names with Python values, or
    MOCK_GATEWAY_* variable names with text (parsed as the environment would be)."""
    if value is None:
        return load_settings().with_overrides(log_format="off")
    if isinstance(value, Settings):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"settings must be a Settings or a dict, not {type(value).__name__}")
    variables = {k: str(v) for k, v in value.items() if k.startswith(PREFIX)}
    fields = {k: v for k, v in value.items() if not k.startswith(PREFIX)}
    base = load_settings({"MOCK_GATEWAY_LOG_FORMAT": "off", **variables})
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise SettingsError(
            f"{unknown[0]!r} is not a setting; use a Settings field name "
            f"({', '.join(sorted(known))}) or a {PREFIX}* variable"
        )
    return base.with_overrides(**{k: _field_value(k, v) for k, v in fields.items()})


def _field_value(name: str, value: Any) -> Any:
    """Text for a field that is not text (a natural guess: "off", "2h") is parsed as the
    environment variable of that field would be."""
    if not isinstance(value, str) or name in TEXT_FIELDS:
        return value
    variable = VARIABLE_OF_FIELD[name]
    return getattr(load_settings({variable: value}), name)


class GatewayServer:
    """The app served on 127.0.0.1 by a threaded server in a daemon thread."""

    def __init__(self, settings: Settings | Mapping[str, Any] | None = None) -> None:
        self.settings = settings_from(settings)
        self.app = create_app(self.settings)
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=_Handler
        )
        self.port = self._server.server_port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        # a shared store's connections (its news listener, its journal's) close with it
        self.app.extensions["mock_gateway"].store.close()


class ControlError(RuntimeError):
    """The control plane answered with an error."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"control plane answered {status}: {body}")
        self.status = status
        self.body = body


class MockGateway:
    """Drive a running mock-gateway: clock, cut-offs, state, faults, journal."""

    def __init__(
        self,
        base_url: str,
        buyer: tuple[str, str] = ("DEMO01", "demo-pass"),
        admin_token: str | None = None,
        buyers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = buyer
        self.admin_token = admin_token
        self.buyers = dict(buyers or {buyer[0]: buyer[1]})  # what as_buyer() can switch to

    def as_buyer(self, code: str, password: str | None = None) -> MockGateway:
        """The same mock, called as another buyer: one of the configured buyers (their
        passwords are known), or any buyer with its password (one added with put_buyer)."""
        if password is None:
            if code not in self.buyers:
                known = ", ".join(sorted(self.buyers))
                raise KeyError(f"buyer {code!r} is not configured ({known}): give its password")
            password = self.buyers[code]
        return MockGateway(self.base_url, (code, password), self.admin_token, self.buyers)

    @property
    def buyer_code(self) -> str:
        return self.auth[0]

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- plumbing ----------------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call /__mock/<path>; return the JSON answer or raise ControlError."""
        authorization = f"Bearer {self.admin_token}" if self.admin_token else None
        status, answer = _send(
            method, f"{self.base_url}/__mock/{path.lstrip('/')}", body, authorization
        )
        if status >= 400:
            raise ControlError(status, answer)
        return answer

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the emulated API as the buyer; return (status, JSON body)."""
        token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        return _send(method, self.base_url + path, body, f"Basic {token}")

    # -- readiness and state -----------------------------------------------------------------

    def ready(self) -> bool:
        try:
            return bool(self.control("GET", "ready")["ready"])
        except (ControlError, OSError):
            return False

    def reset(self, seed: int | None = None, catalog_size: int | None = None) -> Any:
        body: dict[str, Any] = {}
        if seed is not None:
            body["seed"] = seed
        if catalog_size is not None:
            body["catalogSize"] = catalog_size
        return self.control("POST", "reset", body)

    def export_state(self) -> Any:
        return self.control("GET", "state")

    def import_state(self, document: Any) -> Any:
        return self.control("PUT", "state", document)

    def edit_offer(self, barcode: str, **fields: Any) -> Any:
        return self.control("PATCH", f"offers/{barcode}", fields)

    def set_stock(self, barcode: str, quantity: int) -> Any:
        return self.edit_offer(barcode, stockQuantity=quantity)

    # -- time and cut-offs -------------------------------------------------------------------

    def clock(self) -> Any:
        return self.control("GET", "clock")

    def freeze(self, at: str | None = None) -> Any:
        return self.control("POST", "clock/freeze", {"at": at} if at else {})

    def set_clock(self, at: str) -> Any:
        return self.control("POST", "clock/set", {"at": at})

    def advance(self, by: str | float) -> Any:
        return self.control("POST", "clock/advance", {"by": by})

    def resume(self) -> Any:
        return self.control("POST", "clock/resume")

    def cut_off(self, buyer_code: str | None = None) -> Any:
        """Close the open batches now and pack them, as if the cut-off had come."""
        body = {"buyerCode": buyer_code} if buyer_code else {}
        closed = self.control("POST", "batches/close", body)
        self.control("POST", "batches/pack", body)
        return closed

    def advance_past_cutoff(self) -> Any:
        """Move the clock to the next cut-off or packing moment (if one is pending)."""
        pending = self.clock()["nextEvent"]
        return self.set_clock(pending) if pending else self.clock()

    # -- faults and journal ------------------------------------------------------------------

    def fail(
        self, method: str, path: str, status: int, times: int | None = None, **extra: Any
    ) -> Any:
        """Answer matching requests with `status` (and the contract's error body)."""
        effect: dict[str, Any] = {"type": "status", "status": status}
        if "retry_after" in extra:
            effect["retryAfter"] = extra.pop("retry_after")
        return self.add_fault(method, path, effect, times=times, **extra)

    def delay(self, method: str, path: str, ms: int, times: int | None = None) -> Any:
        return self.add_fault(method, path, {"type": "latency", "ms": ms}, times=times)

    def drop(self, method: str, path: str, times: int | None = None) -> Any:
        return self.add_fault(method, path, {"type": "drop"}, times=times)

    def add_fault(
        self,
        method: str,
        path: str,
        effect: dict[str, Any],
        times: int | None = None,
        probability: float | None = None,
        buyer_code: str | None = None,
    ) -> Any:
        rule: dict[str, Any] = {"method": method, "path": path, "effect": effect}
        if times is not None:
            rule["times"] = times
        if probability is not None:
            rule["probability"] = probability
        if buyer_code is not None:
            rule["buyerCode"] = buyer_code
        return self.control("POST", "faults", rule)

    def clear_faults(self) -> Any:
        return self.control("DELETE", "faults")

    def journal(self, **filters: Any) -> Any:
        query = urllib.parse.urlencode({k: v for k, v in filters.items() if v is not None})
        return self.control("GET", "journal" + (f"?{query}" if query else ""))

    def clear_journal(self) -> Any:
        return self.control("DELETE", "journal")


def _send(method: str, url: str, body: Any, authorization: str | None) -> tuple[int, Any]:
    """One JSON request; (status, parsed answer), errors included."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@contextmanager
def running_gateway(
    settings: Settings | Mapping[str, Any] | None = None,
) -> Iterator[MockGateway]:
    """Run a mock-gateway for the duration of a `with` block (code outside pytest)."""
    server = GatewayServer(settings)
    try:
        yield MockGateway(server.base_url, admin_token=server.settings.admin_token)
    finally:
        server.stop()
