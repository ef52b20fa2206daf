"""Another site's page in the operator's own Chromium cannot change the mock (no admin token
set): not by a form POST, a no-cors fetch or a text/plain body; and a name rebound to 127.0.0.1
gets no answer from the control plane or the dashboard. Another loopback port is another origin."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.live.server import served
from tests.ui.browser import buy, call, chromium, wait_for

NOON = {"MOCK_GATEWAY_LOG_FORMAT": "off", "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z"}


def hostile_page(target: str) -> bytes:
    """A page that tries every write a page can make without reading the answer."""
    return f"""<!doctype html><html><body>
<form id="f" method="POST" action="{target}/__mock/reset" enctype="text/plain" target="sink">
  <input name='{{"seed":' value='7}}'>
</form>
<iframe name="sink"></iframe>
<script>
const shots = [
  ["POST", "/__mock/clock/advance", '{{"by":"PT48H"}}'],
  ["POST", "/__mock/batches/close", "{{}}"],
  ["POST", "/__mock/reset", ""],
  ["DELETE", "/__mock/buyers/DEMO01", ""],
];
Promise.all(shots.map(([method, path, body]) => fetch("{target}" + path, {{
  method, body: body || undefined, mode: "no-cors", headers: {{"Content-Type": "text/plain"}}
}}).catch(() => null))).then(() => {{
  document.getElementById("f").submit();
  setTimeout(() => {{ window.done = true; }}, 1500);
}});
</script></body></html>""".encode()


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with served(NOON) as url:
        yield url


@pytest.fixture
def attacker(mock: str) -> Iterator[str]:
    """Another origin on loopback, serving the hostile page."""
    page = hostile_page(mock)

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_cross_site__another_page_changes_nothing(mock: str, attacker: str) -> None:
    call(mock, "POST", "/__mock/reset", {}, auth=None)
    number = buy(mock)
    before = call(mock, "GET", "/__mock/state", auth=None)
    with chromium() as driver:
        driver.get(attacker)
        wait_for(driver, "window.done === true")
    after = call(mock, "GET", "/__mock/state", auth=None)
    assert after == before  # the purchase, the clock, the batches and the buyer all stand
    assert [r["requestNumber"] for r in after["requests"]] == [number]


def test_dns_rebinding__a_rebound_name_gets_no_answer(mock: str) -> None:
    port = mock.rsplit(":", 1)[1]
    rule = "--host-resolver-rules=MAP rebound.test 127.0.0.1"
    with chromium(flags=(rule,)) as driver:
        for path in ("/__mock/ui/", "/__mock/state"):
            driver.get(f"http://rebound.test:{port}{path}")
            text = driver.find_element("tag name", "body").text
            assert "hasError" in text and "MOCK_GATEWAY_ALLOWED_HOSTS" in text, text[:200]
        driver.get(f"http://localhost:{port}/__mock/ui/")  # the same mock by its own name
        assert "mock-gateway" in wait_for(driver, "document.title")
