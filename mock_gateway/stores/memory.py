"""The memory store: the state in this process, the default."""

from __future__ import annotations

import contextlib
import time
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from mock_gateway.clock import Clock
from mock_gateway.state.journal import Journal

if TYPE_CHECKING:
    from mock_gateway.state.commands import Command
    from mock_gateway.state.services import Services


class MemoryStore:
    """The state in this process's memory: nothing to install, one process serves it."""

    shared = False

    def __init__(self) -> None:
        self.svc: Services | None = None

    def describe(self) -> str:
        return "memory (this process)"

    def request_scope(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def attach(self, svc: Services) -> None:
        self.svc = svc

    def sync(self) -> None:
        pass

    def run(self, command: Command, /, **args: Any) -> Any:
        return command(self.svc, **args)

    def seconds(self) -> float:
        return time.monotonic()

    def gateway_clock(self, clock: Clock) -> Clock:
        return clock

    def new_journal(self, size: int) -> Journal:
        return Journal(size)

    def close(self) -> None:
        pass
