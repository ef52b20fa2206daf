"""Which CPU a new worker keeps to (serving/affinity.py)."""

from __future__ import annotations

import pytest

from mock_gateway.serving import banner
from mock_gateway.serving.affinity import cpu_for_new_worker


def spread(workers: int, cpus: list[int], setting: str = "auto") -> list[int | None]:
    taken: list[int | None] = []
    for _ in range(workers):
        taken.append(cpu_for_new_worker(setting, workers, cpus, taken))
    return taken


def test_workers_that_fill_the_cpus_keep_to_one_each_in_order() -> None:
    assert spread(2, [0, 1]) == [0, 1]
    assert spread(3, [4, 6, 9]) == [4, 6, 9]
    assert spread(5, [0, 1]) == [0, 1, 0, 1, 0]  # more workers than CPUs: as even as can be


def test_a_worker_started_again_takes_the_cpu_its_predecessor_left() -> None:
    assert cpu_for_new_worker("auto", 2, [0, 1], [1]) == 0  # the worker on CPU 0 died
    assert cpu_for_new_worker("auto", 3, [2, 5], [2, 5, 2]) == 5
    assert cpu_for_new_worker("auto", 2, [3, 7], [0, 3]) == 7  # CPUs outside the set: ignored


def test_no_pinning_where_cpus_are_likely_shared_or_there_is_no_choice() -> None:
    assert spread(2, [0, 1, 2, 3]) == [None, None]  # more CPUs than workers: shared
    assert spread(1, [0]) == [None]  # a single worker, a single CPU
    assert spread(1, [0, 1]) == [None]
    assert spread(2, [0]) == [None, None]
    assert spread(2, []) == [None, None]  # the OS cannot pin


def test_off_leaves_every_worker_to_the_os() -> None:
    assert spread(2, [0, 1], setting="off") == [None, None]


def test_the_banner_says_which_cpus_the_workers_keep_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(banner, "usable_cpus", lambda: [2, 3])
    assert banner._workers(2, "auto") == ", 2 workers, each kept to one of CPUs 2,3"
    assert banner._workers(2, "off") == ", 2 workers"
    assert banner._workers(1, "auto") == ""
    monkeypatch.setattr(banner, "usable_cpus", lambda: [0, 1, 2, 3])
    assert banner._workers(2, "auto") == ", 2 workers"
