"""The README's shell blocks, pasted in order into a fresh bash, work and print what they show.

Each ```sh block runs, in README order, as one session against the mock the Quick start block
starts (on free ports: `8080` and the other ports it names are replaced). Under a command,
lines starting `#   ` are its expected output, `…` matching anything. A block whose first line
starts `# outside the README test:` names what runs it instead and is skipped here.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.environ import mock_environ
from tests.live.server import free_port, served

README = Path(__file__).resolve().parents[1] / "README.md"
SKIP = "# outside the README test:"
BLOCKS = re.findall(r"```sh\n(.*?)```", README.read_text(), re.S)
RUNNABLE = [b for b in BLOCKS if not b.startswith(SKIP)]


def commands(block: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) in order; continuation lines joined."""
    found: list[tuple[str, list[str]]] = []
    pending = ""
    for line in block.splitlines():
        if line.startswith("#   ") and found and not pending:
            found[-1][1].append(line[4:])
        elif line.startswith("#") and not pending:
            continue
        elif line.endswith("\\"):
            pending += line[:-1] + " "
        else:
            found.append((pending + line, []))
            pending = ""
    return [(c, e) for c, e in found if c.strip()]


def script(blocks: list[str], port: int, out: Path) -> tuple[str, dict[int, str]]:
    # the ports the README names, each replaced by a free one (8080: the Quick start's mock)
    ports = {"8080": str(port), **{p: str(free_port()) for p in ("8081", "8082", "6379")}}

    def local(text: str) -> str:
        for shown, free in ports.items():
            text = text.replace(shown, free)
        return text

    lines, expected = [], {}
    for block in blocks:
        for command, output in commands(block):
            command = local(command)
            if output:
                index = len(expected)
                expected[index] = local("\n".join(output))
                # a newline, not `;`: the command may end in a comment
                lines.append(f"{{ {command}\n}} > {out}/{index} 2>&1")
            else:
                lines.append(command)
    return "\n".join(lines) + "\n", expected


def matches(pattern: str, text: str) -> bool:
    regex = ".*?".join(re.escape(part) for part in pattern.split("…"))
    return re.fullmatch(regex, text.strip(), re.S) is not None


def run_session(blocks: list[str], port: int, tmp_path: Path) -> tuple[str, dict[int, str]]:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    text, expected = script(blocks, port, out)
    env = mock_environ()
    env["MOCK_GATEWAY_LOG_FORMAT"] = "off"
    env["MOCK_GATEWAY_PORT"] = str(port)  # the Quick start's `serve` and `wait` read it
    (tmp_path / "session.sh").write_text(text)
    log = tmp_path / "transcript.txt"
    # a file, not a pipe: a server the session leaves in the background keeps its output open
    with log.open("w") as sink:
        process = subprocess.Popen(
            ["bash", "session.sh"], stdout=sink, stderr=subprocess.STDOUT,
            cwd=tmp_path, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            process.wait(timeout=180)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # anything the session left running
            process.wait()
    transcript = log.read_text()
    actual = {i: (out / str(i)).read_text() if (out / str(i)).exists() else "" for i in expected}
    mismatches = [
        f"expected: {expected[i]}\n  actual: {actual[i].strip()}"
        for i in expected
        if not matches(expected[i], actual[i])
    ]
    return transcript, {i: m for i, m in enumerate(mismatches)}


def test_readme_shell__every_block_runs_and_prints_what_it_shows(tmp_path: Path) -> None:
    assert len(RUNNABLE) >= 6
    transcript, mismatches = run_session(RUNNABLE, free_port(), tmp_path)
    assert not mismatches, "\n".join(mismatches.values()) + "\n--- session:\n" + transcript[-3000:]


def test_readme_shell__quick_start_on_a_busy_port_fails_loudly(tmp_path: Path) -> None:
    quick_start = RUNNABLE[0]
    assert "mock-gateway serve &" in quick_start
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as base:
        port = int(base.rsplit(":", 1)[1])
        transcript, _ = run_session([quick_start], port, tmp_path)
    assert "cannot listen on" in transcript and "Address already in use" in transcript
    assert "exited before it was ready" in transcript


def test_readme__the_gitlab_readiness_line_waits_for_a_mock_that_starts_later(
    tmp_path: Path,
) -> None:
    """The README's GitLab script line, run by sh against a mock that is not up yet: it loops
    (a connection refused is no failure) and returns once the mock is ready."""

    [line] = re.findall(r"^    - (until python .*)$", README.read_text(), re.M)
    port = free_port()
    command = line.replace("crossdock:8080", f"127.0.0.1:{port}")
    waiting = subprocess.Popen(["sh", "-c", command], stderr=subprocess.PIPE)
    time.sleep(1.0)
    assert waiting.poll() is None  # still waiting: nothing listens yet
    environ = mock_environ()
    environ.update(MOCK_GATEWAY_PORT=str(port), MOCK_GATEWAY_LOG_FORMAT="off")
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_gateway", "serve"], env=environ, stderr=subprocess.DEVNULL
    )
    try:
        assert waiting.wait(timeout=30) == 0
    finally:
        server.terminate()
        server.wait(timeout=10)
        if waiting.stderr:
            waiting.stderr.close()
