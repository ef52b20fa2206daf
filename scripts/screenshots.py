"""Screenshots of every dashboard page, for the README: docs/screenshots/<page>.png.

    .venv/bin/python scripts/screenshots.py

Starts a mock on a free loopback port with the clock frozen before the cut-off, makes some
demo traffic (purchases, one cut-off with packages, a cancel, a fault rule), and photographs each
page in headless Chromium (Debian's chromium and chromium-driver). Stops what it starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live.server import served  # noqa: E402
from tests.ui.browser import buy, call, chromium, wait_for  # noqa: E402
from tests.ui.test_dashboard import PAGES  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def demo_traffic(base: str) -> None:
    first = buy(base, "8685298053581", 2, vendorRef="SO-1001")
    buy(base, "8680018570317", 1, vendorRef="SO-1002", packageType="single")
    call(base, "POST", "/__mock/clock/advance", {"by": "4h"}, auth=None)  # 16:00: packed
    call(base, "POST", "/__mock/clock/advance", {"by": "18h"}, auth=None)  # next morning
    latest = buy(base, "8685645896229", 3, vendorRef="SO-1003")
    line = {"barcode": "8685645896229", "quantity": 1}
    call(base, "POST", f"/b2bbuyergatewayapi/v2/offers/{latest}/cancel-items", line)
    call(base, "GET", f"/b2bbuyergatewayapi/v2/offers/{first}/B2Bs")
    rule = {"method": "GET", "path": "/v1_1/offers", "effect": {"type": "status", "status": 503}}
    call(base, "POST", "/__mock/faults", {**rule, "times": 2}, auth=None)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    env = {"MOCK_GATEWAY_LOG_FORMAT": "off", "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z"}
    with served(env) as base:
        demo_traffic(base)
        with chromium(1280, 900) as driver:
            for page in PAGES:
                driver.get(f"{base}/__mock/ui/#{page}")
                wait_for(driver, "document.getElementById('status').textContent.startsWith('live')")
                if page == "catalog":
                    wait_for(driver, "[...document.images].every(i => i.complete)")
                if page == "journal":
                    driver.execute_script(
                        "document.querySelector('#journal-list details').open = true"
                    )
                target = OUT / f"{page}.png"
                driver.save_screenshot(str(target))
                print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
