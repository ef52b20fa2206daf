"""The environment of every mock a test starts: the test's settings only, none of the
developer's MOCK_GATEWAY_* variables, except the wall-clock shift `.ci/run` sets to run the
served suites years ahead (a time bomb in a served path then fails CI the day it is written)."""

from __future__ import annotations

import os

PASSED_THROUGH = ("MOCK_GATEWAY_CLOCK_SHIFT",)


def mock_environ(**settings: str) -> dict[str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MOCK_GATEWAY_") or k in PASSED_THROUGH
    }
    environ.update(settings)
    return environ
