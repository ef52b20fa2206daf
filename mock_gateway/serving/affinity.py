"""Each worker keeps to one CPU when a server runs several (MOCK_GATEWAY_CPU_AFFINITY=auto).

A worker's threads take turns at one interpreter lock. Free to run on any core, the thread
that gets the lock is often woken on another core than the one that let it go, and every
hand-over then crosses cores: on the 2-core benchmark machine, two Redis workers left to the
scheduler answered offers pages at about 3 000 a second, and about 4 000 once each kept to a
core of its own (docs/scaling.md). One worker is left alone: it has no sibling to share
cores with, and a single server's start-up stays as it was.

The master chooses before each fork, so a worker started again after a crash takes the core
its predecessor left (the least used of the cores the server may use, the lowest first).
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterable


def usable_cpus() -> list[int]:
    """The CPUs this process may run on (none known where the OS cannot say or pin)."""
    if not hasattr(os, "sched_getaffinity") or not hasattr(os, "sched_setaffinity"):
        return []
    try:
        return sorted(os.sched_getaffinity(0))
    except OSError:
        return []


def choose_cpu(cpus: list[int], taken: Iterable[int | None]) -> int | None:
    """The CPU for a new worker: the one the fewest live workers keep to, the lowest first;
    none when there is no choice to make (a single CPU)."""
    if len(cpus) < 2:
        return None
    load = Counter(cpu for cpu in taken if cpu is not None)
    return min(cpus, key=lambda cpu: (load[cpu], cpu))


def keep_to(cpu: int | None) -> None:
    """Keep this process, and the threads it starts, to `cpu` (nothing for None)."""
    if cpu is None:
        return
    # a CPU taken away meanwhile (a container resized): the scheduler decides
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {cpu})
