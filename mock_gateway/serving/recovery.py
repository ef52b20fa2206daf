"""A worker that died is replaced: never silently back at the start-up data.

gunicorn forks the replacement from its master, which holds the state as it was at start-up.
Where the state is kept elsewhere it comes back from there: a Redis store's replacement reads
the fleet's log on its first request; with MOCK_GATEWAY_STATE_FILE the replacement loads the
file (saved at most MOCK_GATEWAY_STATE_SAVE_INTERVAL after each change). With neither, the
state is lost: one line in the log says so, and /__mock/ready reports it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from mock_gateway.state.services import Services


@dataclass(frozen=True)
class Restart:
    """What /__mock/ready reports about the worker that died."""

    dead_pid: int
    state: str  # "from the shared store", "from the state file", or "lost: start-up data"

    @property
    def lost(self) -> bool:
        return self.state.startswith("lost")

    def document(self) -> dict[str, object]:
        return {"deadWorkerPid": self.dead_pid, "state": self.state, "stateLost": self.lost}


def recover(svc: Services, dead_pid: int) -> Restart:
    """In the replacement worker, before it serves: bring the state back where it is kept,
    say what happened in one line, and keep it for /__mock/ready."""
    if svc.store.shared:
        state = "from the shared store"
    elif svc.saver is not None and svc.settings.state_file is not None:
        from mock_gateway.stores.durable import load_state_file

        load_state_file(svc, svc.settings.state_file)
        svc.saver.mark_saved()
        state = "from the state file"
    else:
        state = "lost: start-up data (set MOCK_GATEWAY_STATE_FILE to keep it)"
    restart = Restart(dead_pid, state)
    svc.restart = restart
    verb = "is" if restart.lost else "comes back"
    sys.stderr.write(
        f"mock-gateway: worker {dead_pid} died and was replaced; the state {verb} {state}\n"
    )
    sys.stderr.flush()
    return restart
