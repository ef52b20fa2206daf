"""The README's TypeScript example as pasted: its setup lines in an empty folder (npm from the
pinned tools/ install, no registry), types generated from a served mock's OpenAPI document by
openapi-typescript, `tsc` with `strict`, and the compiled script run with node: it buys one
item and reads the stock that purchase left."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.live.server import served

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
TOOLS = ROOT / "tools" / "node_modules"
SETUP = re.search(
    r"```sh\n# outside the README test: tests/live/test_typescript.py[^\n]*\n(.*?)```", README, re.S
)
TSCONFIG = re.search(r"`tsconfig.json`:\n\n```json\n(.*?)```", README, re.S)
SCRIPT = re.search(r"```ts\n(.*?)```", README, re.S)


def test_typescript__the_readme_example_type_checks_strictly_and_buys(tmp_path: Path) -> None:
    assert SETUP and TSCONFIG and SCRIPT, "the README's TypeScript example is missing"
    assert (TOOLS / ".bin" / "tsc").exists(), "bash scripts/test.sh installs tools/ (npm ci)"
    lines = [line for line in SETUP[1].splitlines() if line and not line.startswith("#")]
    assert [line.split()[1] for line in lines] == ["init", "install", "openapi-typescript"]
    (tmp_path / "tsconfig.json").write_text(TSCONFIG[1])
    assert json.loads(TSCONFIG[1])["compilerOptions"]["strict"] is True
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as base:
        port = base.rsplit(":", 1)[1]
        (tmp_path / "buy.ts").write_text(SCRIPT[1].replace("127.0.0.1:8080", f"127.0.0.1:{port}"))

        def run(command: str) -> str:
            command = command.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
            done = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, command + "\n" + done.stdout + done.stderr
            return done.stdout

        run(lines[0])  # npm init, type=module
        # `npm install` from the registry is what a partner runs; the suite links the same
        # pinned packages from tools/ (installed by the test command) instead
        (tmp_path / "node_modules").symlink_to(TOOLS)
        run(lines[2].replace("npx openapi-typescript", str(TOOLS / ".bin" / "openapi-typescript")))
        assert "schemas: {\n        B2BPackage:" in (tmp_path / "crossdock.d.ts").read_text() or (
            "StockStatus:" in (tmp_path / "crossdock.d.ts").read_text()
        )
        run(str(TOOLS / ".bin" / "tsc"))
        output = run("node buy.js")
    number = re.search(r"^request (\d+)$", output, re.M)
    available = re.search(r"^available (\d+)$", output, re.M)
    assert number and available, output


def test_typescript__a_type_error_fails_tsc(tmp_path: Path) -> None:
    """The check can fail: the same script with a wrong field does not compile."""
    assert TSCONFIG and SCRIPT
    (tmp_path / "tsconfig.json").write_text(TSCONFIG[1])
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "node_modules").symlink_to(TOOLS)
    types = subprocess.run(
        [str(TOOLS / ".bin" / "openapi-typescript"), str(ROOT / "docs" / "openapi.json"),
         "-o", str(tmp_path / "crossdock.d.ts")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert types.returncode == 0, types.stderr
    (tmp_path / "buy.ts").write_text(SCRIPT[1].replace("requestedQuantity: 1", "quantity: 1"))
    done = subprocess.run(
        [str(TOOLS / ".bin" / "tsc")], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode != 0 and "requestedQuantity" in done.stdout, done.stdout
