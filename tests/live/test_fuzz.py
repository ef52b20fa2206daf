"""Property-based fuzzing with schemathesis, driven by the mock's own /__mock/openapi.json.

Every emulated operation, positive and negative cases, plus the stateful phase that follows the
OpenAPI links purchase -> cancel-items / B2Bs. Seeded and bounded, so it is reproducible and
fits CI. Every schemathesis check runs except those the committed schemathesis.toml disables,
each with its reason there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.live.server import served

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis__no_5xx_and_no_schema_violation(tmp_path: Path) -> None:
    with served(
        {"MOCK_GATEWAY_LOG_FORMAT": "off", "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z"}
    ) as base:
        command = [
            str(Path(sys.executable).parent / "schemathesis"),
            "--config-file", str(ROOT / "schemathesis.toml"),
            "run",
            f"{base}/__mock/openapi.json",
            "--url", f"{base}/b2bbuyergateway",
            "--auth", "DEMO01:demo-pass",
            "--phases", "coverage,fuzzing,stateful",
            "--max-examples", "40",
            "--seed", "20261129",
            "--workers", "1",
            "--request-timeout", "10",
            "--output-truncate", "true",
        ]  # fmt: skip
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    assert "Tested: 8" in result.stdout, summary
