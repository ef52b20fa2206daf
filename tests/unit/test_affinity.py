"""How workers are spread over CPUs (serving/affinity.py)."""

from __future__ import annotations

from mock_gateway.serving.affinity import choose_cpu


def test_choose_cpu__workers_spread_over_the_cpus_in_order() -> None:
    taken: list[int | None] = []
    for _ in range(5):
        taken.append(choose_cpu([0, 1, 2], taken))
    assert taken == [0, 1, 2, 0, 1]


def test_choose_cpu__a_worker_started_again_takes_the_cpu_its_predecessor_left() -> None:
    assert choose_cpu([0, 1], [1]) == 0  # the worker on CPU 0 died; its sibling keeps CPU 1
    assert choose_cpu([2, 5], [2, 5, 2]) == 5


def test_choose_cpu__only_the_cpus_the_server_may_use() -> None:
    assert choose_cpu([3, 7], []) == 3
    assert choose_cpu([3, 7], [3]) == 7
    assert choose_cpu([3, 7], [0, 1, 3]) == 7  # cores outside the set do not count


def test_choose_cpu__no_choice_on_one_cpu() -> None:
    assert choose_cpu([0], []) is None
    assert choose_cpu([], [None]) is None
