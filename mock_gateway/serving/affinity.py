"""Each worker keeps to one CPU when a server's workers fill the CPUs it may use
(MOCK_GATEWAY_CPU_AFFINITY=auto).

A worker's threads take turns at one interpreter lock. Free to run on any core, the thread
that gets the lock is often woken on another core than the one that let it go, and every
hand-over then crosses cores: on the 2-core benchmark machine, two Redis workers left to the
scheduler answered offers pages at about 3 000 a second, and about 4 000 once each kept to a
core of its own (docs/scaling.md).

Only a server that has its CPUs to itself pins: one with at least as many workers as CPUs it
may use (a machine or a container's cpuset sized to it). Where there are more CPUs than
workers, the CPUs are likely shared (a Kubernetes node, a laptop, replicas side by side), and
every such server would pin to the same lowest CPUs: the scheduler does better there. A single
worker is never pinned, for the same reason (many test suites start one mock each); `taskset`
or a container's cpuset keeps it to a core (docs/performance.md says what that gives).

The master chooses before each fork, so a worker started again after a crash takes the core
its predecessor left.
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


def cpu_for_new_worker(
    setting: str, workers: int, cpus: list[int], taken: Iterable[int | None]
) -> int | None:
    """The CPU a new worker keeps to (None: any). With `auto`, several workers and no more
    CPUs than workers: the CPU the fewest live workers keep to, the lowest first."""
    if setting != "auto" or workers < 2 or not 2 <= len(cpus) <= workers:
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
