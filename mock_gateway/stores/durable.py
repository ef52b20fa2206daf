"""Durable state (optional): the whole state in one file, saved atomically, loaded at start.

With MOCK_GATEWAY_STATE_FILE set, a saver thread writes the state document shortly after each
change (at most every MOCK_GATEWAY_STATE_SAVE_INTERVAL), and once more on graceful shutdown. A
write goes to a temporary file in the same directory, then replaces the old one, so a reader
(or a crash) never sees half a file: a hard kill loses at most the last interval. On start, an
existing file is loaded; a file that cannot be loaded stops start-up: it is never silently
replaced by fresh data.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from mock_gateway.state.services import Services
from mock_gateway.state.snapshot import StateError, export_state


class StateFileError(RuntimeError):
    """The state file exists but cannot be loaded; the message names it and the problem."""


def load_state_file(svc: Services, path: Path) -> bool:
    """Load the file into the services if it exists; return whether it did."""
    if not path.exists():
        return False
    try:
        document = json.loads(path.read_bytes())
        assert svc.import_document is not None
        svc.import_document(svc, document)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StateFileError(f"MOCK_GATEWAY_STATE_FILE {path}: unreadable: {error}") from None
    except StateError as error:
        raise StateFileError(
            f"MOCK_GATEWAY_STATE_FILE {path}: not a valid state: {error}"
        ) from None
    return True


class StateSaver:
    """Saves the state when it changed, from a thread started in the serving process."""

    def __init__(self, svc: Services, path: Path, interval: float) -> None:
        self.svc = svc
        self.path = path
        self.interval = interval
        self._lock = threading.Lock()
        self._started = False
        self._stop = threading.Event()
        self._saved: Any = self._mark()  # what was loaded or built counts as saved

    def ensure_started(self) -> None:
        """Start the thread once, in the process that serves (gunicorn forks after loading)."""
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            self._started = True
            threading.Thread(target=self._run, name="state-saver", daemon=True).start()
            atexit.register(self.stop)

    def mark_saved(self) -> None:
        """What was just loaded from the file counts as saved."""
        with self._lock:
            self._saved = self._mark()

    def _mark(self) -> Any:
        clock = self.svc.clock
        gateway = self.svc.gateway
        return (id(gateway), gateway.revision, clock.frozen, clock.now() if clock.frozen else None)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.save_if_changed()

    def save_if_changed(self) -> bool:
        with self._lock:
            mark = self._mark()
            if mark == self._saved:
                return False
            self._write()
            self._saved = mark
            return True

    def stop(self) -> None:
        """Graceful shutdown: stop the thread and save what is not saved yet."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self.save_if_changed()

    def _write(self) -> None:
        document = export_state(self.svc.gateway, self.svc.clock)
        data = json.dumps(document, separators=(",", ":")).encode()
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".state-", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
