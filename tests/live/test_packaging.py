"""A plain (non-editable) wheel carries schemas and fixtures and serves from any directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tests.live.server import build_wheel, served

ROOT = Path(__file__).resolve().parents[2]


def test_wheel__serves_from_another_directory(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "wheels")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True,
    )  # fmt: skip
    assert (target / "mock_gateway/_data/schemas/offer.json").is_file()
    assert (target / "mock_gateway/_data/fixtures/offers.json").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import mock_gateway.resources as r; print(r.data_dir('fixtures'))"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(target))
    with served(env, cwd=str(elsewhere)) as base:
        offers = requests.get(
            f"{base}/b2bbuyergateway/v1_1/offers?page=1&pageSize=20",
            auth=("DEMO01", "demo-pass"),
            timeout=10,
        )
        assert offers.status_code == 200 and len(offers.json()) == 20
