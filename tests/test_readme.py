"""The README's Python examples are tests: each runs as its author would run it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = re.findall(r"```python\n(# README example: [^\n]*\n.*?)```", README.read_text(), re.S)


def test_readme__has_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("code", EXAMPLES, ids=[e.splitlines()[0][19:] for e in EXAMPLES])
def test_readme_example(code: str, tmp_path: Path) -> None:
    if "def test_" in code:
        path = tmp_path / "test_example.py"
        path.write_text(code)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    else:
        path = tmp_path / "example.py"
        path.write_text(code)
        command = [sys.executable, str(path)]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme__lists_every_control_route() -> None:
    from mock_gateway.contract.openapi import CONTROL_OPERATIONS

    text = README.read_text()
    for method, path, *_ in CONTROL_OPERATIONS:
        assert f"| `{method}` | `{path}` |" in text, f"{method} {path} is not in the README"
