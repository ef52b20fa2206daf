"""The Postman collection: committed copy equals the generated one, every request carries
checks, and newman (npm, installed by the test command) runs it green twice in a row on one
fresh mock, which it leaves as it found it."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from mock_gateway.__main__ import POSTMAN_FILE
from mock_gateway.contract.openapi import build_api_document, build_control_document
from mock_gateway.contract.postman import SCHEMA, build_collection
from mock_gateway.contract.schemas import Schemas
from tests.live.server import served

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / POSTMAN_FILE


def generated() -> dict[str, Any]:
    schemas = Schemas.load()
    return build_collection(build_api_document(schemas), build_control_document(schemas))


def test_postman__committed_copy_equals_the_generated_one() -> None:
    assert json.loads(COMMITTED.read_text()) == generated(), (
        "run: mock-gateway postman --write docs"
    )


def test_postman__every_operation_has_a_checked_step() -> None:
    collection = generated()  # building fails when an operation has no step
    assert collection["info"]["schema"] == SCHEMA
    items = [item for folder in collection["item"] for item in folder["item"]]
    for item in items:
        [event] = item["event"]
        script = "\n".join(event["script"]["exec"])
        assert "pm.response.to.have.status(" in script and "pm.test('shape'" in script, item
    destructive = collection["item"][-1]
    assert destructive["name"].startswith("4. Whole-state changes")
    assert destructive["item"][0]["request"]["method"] == "GET"  # the export, saved first
    assert destructive["item"][-2]["request"]["url"]["path"] == ["__mock", "state"]


def newman() -> Path:
    found = ROOT / "tools" / "node_modules" / ".bin" / "newman"
    assert found.exists(), "newman is missing: bash scripts/test.sh installs it (npm ci in tools/)"
    return found


def run_newman(base: str, report: Path, *options: str) -> dict[str, Any]:
    result = subprocess.run(
        [str(newman()), "run", str(COMMITTED), "--env-var", f"baseUrl={base}",
         "--reporters", "cli,json", "--reporter-json-export", str(report), "--color", "off",
         *options],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    stats: dict[str, Any] = json.loads(report.read_text())["run"]["stats"]
    return stats


def kept(base: str) -> dict[str, Any]:
    """What a run must leave as it found it (its purchases stay, cancelled)."""
    state = _get(base + "/__mock/state")
    # an offer's stock edited and set back keeps its new lastModifiedDate, as the real catalog
    # would: a stock change is a modification
    offers = [{k: v for k, v in o.items() if k != "lastModifiedDate"} for o in state["offers"]]
    return {
        "offers": offers,
        "buyers": _get(base + "/__mock/buyers"),
        "faults": _get(base + "/__mock/faults"),
        "rateLimit": _get(base + "/__mock/rate-limit"),
        "clock": {k: v for k, v in _get(base + "/__mock/clock").items() if k == "mode"},
    }


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("clock", ["running", "frozen"])
def test_postman__newman_passes_twice_on_one_fresh_mock_and_leaves_it_as_it_was(
    tmp_path: Path, clock: str
) -> None:
    settings = {"MOCK_GATEWAY_LOG_FORMAT": "off"}
    if clock == "frozen":
        settings["MOCK_GATEWAY_CLOCK_START"] = "2026-11-30T09:00:00Z"
    with served(settings) as base:
        before = kept(base)
        requests = sum(len(folder["item"]) for folder in json.loads(COMMITTED.read_text())["item"])
        for run in (1, 2):
            stats = run_newman(base, tmp_path / f"run-{run}.json")
            assert stats["requests"] == {"total": requests, "pending": 0, "failed": 0}, run
            assert stats["assertions"]["failed"] == 0, run
            assert stats["assertions"]["total"] >= 3 * requests, run
        assert kept(base) == before
        offers = urllib.request.Request(base + "/b2bbuyergatewayapi/v1_1/offers?pageSize=1")
        token = base64.b64encode(b"DEMO01:demo-pass").decode()
        offers.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(offers, timeout=10) as answer:  # DEMO01 still works
            assert answer.status == 200


README_BLOCK = re.search(
    r"```sh\n# outside the README test: tests/live/test_postman.py runs both lines\n(.*?)```",
    (ROOT / "README.md").read_text(),
    re.S,
)


def test_postman__the_readme_lines_run_green_and_the_shared_mock_line_skips_folder_4() -> None:
    assert README_BLOCK is not None
    lines = README_BLOCK[1].replace("\\\n", " ").strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("npx newman run ") for line in lines)
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as base:
        for line in lines:
            shared = "--folder" in line  # the line for a mock others use
            if shared:  # its journal then shows this run's steps alone
                urllib.request.urlopen(
                    urllib.request.Request(base + "/__mock/journal", method="DELETE"), timeout=10
                ).close()
            command = line.replace("npx newman", str(newman()))
            command = command.replace("http://127.0.0.1:8080", base)
            done = subprocess.run(
                ["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
            if shared:
                steps = {e["path"] for e in _get(base + "/__mock/journal?plane=control")}
                assert "/__mock/clock/freeze" in steps  # folder 3 ran
                assert not steps & {"/__mock/reset", "/__mock/state", "/__mock/batches/close"}
