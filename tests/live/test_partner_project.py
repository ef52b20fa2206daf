"""A partner's project: its own venv with only the built wheel and pytest, the README's pytest
examples as its tests, green. And the plugin under pytest-xdist: one mock per worker."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.live.server import build_wheel

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PYTEST_EXAMPLES = [
    code
    for code in re.findall(r"```python\n(# README example: [^\n]*\n.*?)```", README, re.S)
    if "def test_" in code
]


def run_pytest(directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """pytest in `directory`, as a partner runs it, with this interpreter (the plugin installed)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, "."],
        cwd=directory, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def write_tests(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for index, code in enumerate(PYTEST_EXAMPLES):
        (directory / f"test_readme_{index}.py").write_text(code)


def test_partner_project__wheel_and_pytest_only_run_the_readme_tests(tmp_path: Path) -> None:
    assert len(PYTEST_EXAMPLES) >= 4
    wheel = build_wheel(tmp_path / "wheels")
    project = tmp_path / "partner"
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel),
         "pytest"],
        check=True, timeout=600,
    )  # fmt: skip
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"],
        capture_output=True, text=True, check=True,
    ).stdout.lower()  # fmt: skip
    assert "requests" not in listed, "the examples must not need requests"
    write_tests(project / "tests")
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project, capture_output=True, text=True, timeout=300,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(PYTEST_EXAMPLES)} passed" in result.stdout


def test_plugin__under_xdist_each_worker_has_its_own_mock(tmp_path: Path) -> None:
    write_tests(tmp_path)
    (tmp_path / "test_ports.py").write_text(
        "import os\n\n"
        "def test_port(mock_gateway):\n"
        "    worker = os.environ.get('PYTEST_XDIST_WORKER', 'main')\n"
        "    open(f'port-{worker}', 'w').write(mock_gateway.base_url)\n"
    )
    result = run_pytest(tmp_path, "-n", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(PYTEST_EXAMPLES) + 1} passed" in result.stdout


def test_plugin__a_failing_test_shows_the_mocks_journal(tmp_path: Path) -> None:
    (tmp_path / "test_fails.py").write_text(
        "def test_wrong_expectation(mock_gateway):\n"
        "    status, _ = mock_gateway.call('GET', '/v1_1/offers?PageSize=50')\n"
        "    assert status == 200\n"
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 1
    assert "mock-gateway journal" in result.stdout
    assert "GET /v1_1/offers?PageSize=50 -> 400" in result.stdout
    assert "PageSize must be an integer from 1 to 20" in result.stdout


INSTALL_BLOCK = re.search(
    r"```sh\n(# outside the README test: tests/live/test_partner_project.py runs each line"
    r"[^\n]*\n.*?)```",
    README,
    re.S,
)
GIT_URL = "https://git.example.com/tools/mock-gateway.git"


def test_partner_project__each_readme_install_line_installs_a_working_mock(tmp_path: Path) -> None:
    """The README's install lines, as pasted in a partner's project beside a clone: from the
    clone, from a git URL (here the clone's own, as file://), and from a wheel built with build."""
    assert INSTALL_BLOCK is not None
    lines = [line for line in INSTALL_BLOCK[1].splitlines() if not line.startswith("#")]
    assert len(lines) == 4 and GIT_URL in lines[1]
    # a clone of this checkout (its working tree, as a git repository of its own)
    clone = tmp_path / "mock-gateway"
    left_out = (".git", ".venv", "dist", "build", "__pycache__", "node_modules", ".*_cache")
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(*left_out))
    git = ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@t"]
    for step in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "clone"]):
        subprocess.run(git + step, check=True)
    project = tmp_path / "partner"
    project.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(project / ".venv")], check=True)
    python = project / ".venv" / "bin" / "python"
    installs = [
        lines[0],
        lines[1].replace(GIT_URL, f"file://{clone}"),
        lines[2] + " && " + lines[3],
    ]
    for line in installs:
        done = subprocess.run(
            ["bash", "-c", line], cwd=project, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, line + "\n" + done.stdout + done.stderr
        banner = subprocess.run(
            [str(project / ".venv" / "bin" / "mock-gateway"), "--help"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert banner.returncode == 0 and "serve" in banner.stdout, line
        subprocess.run(
            [str(python), "-m", "pip", "uninstall", "-q", "-y", "mock-gateway"], check=True
        )


def test_plugin__the_failure_report_interleaves_control_steps_cutoffs_and_packing(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_day.py").write_text(
        "def test_a_day(mock_gateway):\n"
        "    mock_gateway.freeze('2026-11-30T09:00:00Z')\n"
        "    line = [{'barcode': '8685298053581', 'requestedQuantity': 2}]\n"
        "    status, body = mock_gateway.call('POST', '/v2/offers/DEMO01/items', line)\n"
        "    mock_gateway.fail('GET', '/v2/offers/*/B2Bs', 503, times=1)\n"
        "    mock_gateway.advance('4h')\n"
        "    number = body['requestNumber']\n"
        "    mock_gateway.call('GET', f'/v2/offers/{number}/B2Bs')\n"
        "    mock_gateway.call('POST', f'/v2/offers/{number}/cancel-items',\n"
        "                      {'barcode': '8685298053581', 'quantity': 1})\n"
        "    assert False, 'the story follows'\n"
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 1
    story = result.stdout[result.stdout.index("mock-gateway journal") :]
    order = [
        "[control] POST /__mock/clock/freeze",
        "POST /v2/offers/DEMO01/items -> 200",
        "[control] POST /__mock/faults",
        '[control] POST /__mock/clock/advance {"by": "4h"} -> 200  (2026-11-30T09:00:00.000Z)',
        "[cut-off] batch 1 of DEMO01 closed by the time cut-off at 2026-11-30T13:00:00.000Z",
        "[packing] batch 1 of DEMO01 packed at 2026-11-30T13:00:00.000Z",
        "/B2Bs -> 503",
        "[fault: answered 503 by fault rule 1]",
        "/cancel-items -> 400",
    ]
    places = [story.find(text) for text in order]
    assert -1 not in places and places == sorted(places), story
