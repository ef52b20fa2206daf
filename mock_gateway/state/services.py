"""What one app instance owns: settings, schemas, the gateway, credentials. No module globals."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g

from mock_gateway.clock import ControlledClock
from mock_gateway.config import Settings
from mock_gateway.contract.schemas import Schemas
from mock_gateway.domain.gateway import Gateway
from mock_gateway.state.faults import FaultBook, RateLimiter
from mock_gateway.state.journal import Journal
from mock_gateway.state.store import Store


def make_verifier(password: str) -> str:
    """What a buyer added at run time is kept as: a salted SHA-256 digest of its password, so
    the password is never kept in plain text, in this process or in the shared store's log."""
    salt = secrets.token_hex(16)
    return f"sha256${salt}${_digest(salt, password)}"


def _digest(salt: str, password: str) -> str:
    return hashlib.sha256(
        f"{salt}:".encode() + password.encode("utf-8", "surrogatepass")
    ).hexdigest()


@dataclass
class Credentials:
    """Buyer code -> password (the settings' buyers, given in the environment) or verifier (a
    buyer added at run time: make_verifier). Checked in constant time; never logged, journaled
    or exported."""

    passwords: dict[str, str]
    verifiers: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # compared against when the user is unknown, so unknown and known users take as long
    _dummy: bytes = b"\x00" * 32

    def verify(self, username: str, password: str) -> bool:
        verifier = self.verifiers.get(username)
        if verifier is not None:
            _, salt, digest = verifier.split("$")
            return hmac.compare_digest(digest, _digest(salt, password))
        expected = self.passwords.get(username)
        reference = expected.encode() if expected is not None else self._dummy
        matches = hmac.compare_digest(reference, password.encode("utf-8", "surrogatepass"))
        return matches and expected is not None

    def set_verifier(self, code: str, verifier: str) -> None:
        with self._lock:
            self.passwords = {k: v for k, v in self.passwords.items() if k != code}
            self.verifiers = {**self.verifiers, code: verifier}

    def remove(self, code: str) -> bool:
        with self._lock:
            if code not in self.passwords and code not in self.verifiers:
                return False
            self.passwords = {k: v for k, v in self.passwords.items() if k != code}
            self.verifiers = {k: v for k, v in self.verifiers.items() if k != code}
            return True

    def replace_all(self, passwords: dict[str, str]) -> None:
        with self._lock:
            self.passwords = dict(passwords)
            self.verifiers = {}

    def codes(self) -> list[str]:
        return sorted({*self.passwords, *self.verifiers})


@dataclass
class Services:
    settings: Settings
    schemas: Schemas
    clock: ControlledClock
    gateway: Gateway
    credentials: Credentials
    faults: FaultBook
    rate_limiter: RateLimiter
    journal: Journal
    store: Store  # where the state lives (mock_gateway.stores)
    offer_json: Any = None  # api.render.OfferJsonCache, made by the app
    offer_pages: Any = None  # api.render.PageCache, made by the app
    saver: Any = None  # durable.StateSaver when MOCK_GATEWAY_STATE_FILE is set
    ready: bool = False
    startup_settings: Settings | None = None  # what a plain reset returns to
    restart: Any = None  # serving.recovery.Restart: this worker replaced one that died
    # the assembly's own reset and import, handed down so that the commands reach them
    # without an import that climbs back up (serving/assembly.py sets both)
    rebuild: Callable[..., None] | None = None
    import_document: Callable[[Services, Any], None] | None = None

    def __post_init__(self) -> None:
        if self.startup_settings is None:
            self.startup_settings = self.settings


def services() -> Services:
    """The current app's services (kept on `g` by the pipeline for the request's duration)."""
    found: Services | None = g.get("svc")
    if found is None:
        found = current_app.extensions["mock_gateway"]
        g.svc = found
    return found
