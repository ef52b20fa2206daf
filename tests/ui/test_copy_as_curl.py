""" "Copy as curl" on hostile requests: the copied text, pasted into bash, runs curl and nothing
else. The requests are sent raw (a method with a quote, shell syntax in the path, the query and
the body), the commands are what the dashboard's own function gives in Chromium, and bash runs
each with `curl` standing for a function that only writes down its arguments."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.server import served
from tests.ui.browser import chromium

HOSTILE = [
    ("XX'", "/b2bbuyergateway/v1_1/offers?a=;touch${IFS}pwned1;#", b""),
    ("GET", "/b2bbuyergateway/v1_1/offers?a='$(touch${IFS}pwned2)'", b""),
    ("POST", "/b2bbuyergateway/v2/offers/DEMO01/items", b"['$(touch pwned3)'`touch pwned4`]"),
    ("X'|TOUCH$IFS'PWNED5", "/b2bbuyergateway/v1_1/offers", b""),  # gunicorn: no lower case
]


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as url:
        yield url


def send_raw(base: str, method: str, target: str, body: bytes) -> None:
    host, port = base.removeprefix("http://").split(":")
    head = (
        f"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + body)
        while sock.recv(65536):
            pass


def test_copy_as_curl__pasted_into_bash_runs_nothing_else(mock: str, tmp_path: Path) -> None:
    for method, target, body in HOSTILE:
        send_raw(mock, method, target, body)
    with chromium() as driver:
        driver.get(mock + "/__mock/ui/#journal")
        commands: list[str] = driver.execute_async_script(
            "const done = arguments[0];"
            "fetch('/__mock/journal').then((r) => r.json()).then((es) => done(es.map(curlOf)));"
        )
    assert len(commands) >= len(HOSTILE)
    methods = set()
    for number, command in enumerate(commands):
        script = 'curl() { printf "%s\\0" "$@" > "args"; }\n' + command + "\n"
        folder = tmp_path / str(number)
        folder.mkdir()
        subprocess.run(["bash", "-c", script], cwd=folder, check=True, timeout=10)
        assert sorted(p.name for p in folder.iterdir()) == ["args"], command  # nothing else ran
        words = (folder / "args").read_bytes().split(b"\0")
        methods.add(words[words.index(b"-X") + 1].decode())
    assert {m for m, _, _ in HOSTILE} <= methods  # each method arrived as one word, unchanged
