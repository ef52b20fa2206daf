"""The seam between the state and where it lives: what a store does, and how it fails.

A store has two jobs. `sync()` brings this process's copy of the state up to date before a
request reads it, and `run(command, **args)` makes one change (a function of
mock_gateway.state.commands) atomically. The stores themselves live a layer up, in
mock_gateway.stores: the memory store keeps the one copy there is and runs the command at once;
the Redis store shares the state between processes and replicas. Both run the same command
functions, so the business rules exist once.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from mock_gateway.clock import Clock
from mock_gateway.contract.errors import ServiceUnavailable
from mock_gateway.state.journal import Journal

if TYPE_CHECKING:
    from mock_gateway.state.commands import Command
    from mock_gateway.state.services import Services


class StoreUnavailable(ServiceUnavailable):
    """The shared store cannot be reached: a 503 in the contract's envelope, nothing changed."""

    link_said = ""  # what the connection to the store said (for start-up's one line)

    @classmethod
    def unreachable(cls, detail: object = None) -> StoreUnavailable:
        """The 503 of a store that does not answer. What the link said names the store's
        address: it goes to the log (`detail`), never to the caller."""
        error = cls("The gateway's state store is unreachable; retry shortly")
        if detail is not None:
            error.link_said = str(detail)
            error.detail = f"the state store is unreachable: {detail}"
        return error


class StoreError(Exception):
    """The store cannot be used at start-up (unreachable, or holding another gateway's state)."""


class Store(Protocol):
    shared: bool

    def describe(self) -> str:
        """Where the state lives, for the banner (no password)."""
        ...

    def request_scope(self) -> AbstractContextManager[None]:
        """Around one request: the bound of its waits on the store."""
        ...

    def attach(self, svc: Services) -> None:
        """Serve this process's services; a shared store joins the fleet's state here."""
        ...

    def sync(self) -> None:
        """Bring the state up to date before a request reads it."""
        ...

    def run(self, command: Command, /, **args: Any) -> Any:
        """Make one change, atomically; return the command's result or raise its refusal."""
        ...

    def seconds(self) -> float:
        """Now, in seconds, for rate windows (the logged time while a shared store replays)."""
        ...

    def gateway_clock(self, clock: Clock) -> Clock:
        """The clock the gateway reads."""
        ...

    def new_journal(self, size: int) -> Journal:
        """The journal of requests, kept where the state is."""
        ...

    def close(self) -> None: ...
