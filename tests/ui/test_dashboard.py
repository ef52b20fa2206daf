"""The dashboard in a real Chromium: live overview, cut-off button, catalog images, journal,
token gate, no console errors, no horizontal scrolling at phone width."""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.live.server import served
from tests.ui.browser import buy, call, chromium, console_errors, wait_for

PAGES = ("overview", "catalog", "orders", "batches", "packages", "journal", "faults", "state")
NOON = {"MOCK_GATEWAY_LOG_FORMAT": "off", "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z"}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with served(NOON) as url:
        yield url


@pytest.fixture
def fresh(base: str) -> str:
    call(base, "POST", "/__mock/reset", {}, auth=None)
    return base


def test_overview__a_purchase_appears_without_a_reload(fresh: str) -> None:
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#overview")
        wait_for(driver, "document.getElementById('clock-now')")
        number = buy(fresh, vendorRef="SO-42")
        wait_for(driver, f"document.querySelector('[data-request=\"{number}\"]')")
        text = driver.find_element(By.CSS_SELECTOR, f'[data-request="{number}"]').text
        assert "SO-42" in text
        assert console_errors(driver) == []


def test_overview__advance_to_next_cutoff_packs_and_shows_the_b2b_id(fresh: str) -> None:
    number = buy(fresh)
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#overview")
        wait_for(driver, f"document.querySelector('[data-request=\"{number}\"]')")
        driver.find_element(By.ID, "advance-cutoff").click()
        [package] = call(fresh, "GET", f"/b2bbuyergatewayapi/v2/offers/{number}/B2Bs")
        wait_for(driver, f"document.querySelector('[data-b2bid=\"{package['b2BId']}\"]')")
        assert console_errors(driver) == []


def test_catalog__images_load(fresh: str) -> None:
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#catalog")
        wait_for(driver, "document.querySelectorAll('#catalog-grid img').length >= 12")
        wait_for(
            driver,
            "[...document.querySelectorAll('#catalog-grid img')]"
            ".every(i => i.complete && i.naturalWidth > 0)",
        )
        driver.find_element(By.ID, "catalog-q").send_keys("TWAW24MN00001\n")
        wait_for(
            driver,
            "[...document.querySelectorAll('#catalog-grid [data-barcode]')].length > 0 && "
            "[...document.querySelectorAll('#catalog-grid h3 + .muted')]"
            ".every(e => e.textContent.includes('TWAW24MN00001'))",
        )
        assert console_errors(driver) == []


def test_catalog__inline_stock_edit(fresh: str) -> None:
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#catalog")
        wait_for(driver, "document.getElementById('stock-8680018570317')")
        field = driver.find_element(By.ID, "stock-8680018570317")
        field.clear()
        field.send_keys("7\n")
        stock = "/b2bbuyergatewayapi/v2/offers/DEMO01/stock-status?barcodeList=8680018570317"
        WebDriverWait(driver, 10, poll_frequency=0.1).until(
            lambda _: call(fresh, "GET", stock)[0]["availableQuantity"] == 7
        )
        assert console_errors(driver) == []


def test_journal__shows_the_request(fresh: str) -> None:
    number = buy(fresh)
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#journal")
        wait_for(driver, "document.querySelector('#journal-list details')")
        summary = driver.find_element(By.CSS_SELECTOR, "#journal-list details summary").text
        assert "POST /b2bbuyergatewayapi/v2/offers/DEMO01/items → 200" in summary
        driver.find_element(By.CSS_SELECTOR, "#journal-list details summary").click()
        body = driver.find_element(By.CSS_SELECTOR, "#journal-list details").text
        assert number in body and '"requestedQuantity": 2' in body
        assert "demo-pass" not in driver.page_source
        assert console_errors(driver) == []


def test_orders__cancel_a_line_from_the_dashboard(fresh: str) -> None:
    number = buy(fresh, quantity=3)
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#orders")
        wait_for(driver, f"document.querySelector('[data-request=\"{number}\"] button')")
        driver.find_element(By.CSS_SELECTOR, f'[data-request="{number}"] button').click()
        wait_for(driver, f"document.querySelector('[data-request=\"{number}\"]').textContent"
                 ".includes('3 / 3 / 1')")  # fmt: skip
        assert console_errors(driver) == []


def test_token_gate__no_data_without_the_admin_token() -> None:
    with served({**NOON, "MOCK_GATEWAY_ADMIN_TOKEN": "s3cret-token"}) as url, chromium() as driver:
        buy(url)
        driver.get(url + "/__mock/ui/#orders")
        wait_for(driver, "document.getElementById('token-dialog').open")
        assert driver.find_elements(By.CSS_SELECTOR, "[data-request]") == []
        driver.find_element(By.ID, "token-input").send_keys("wrong\n")
        wait_for(driver, "!document.getElementById('token-error').hidden")
        assert driver.find_elements(By.CSS_SELECTOR, "[data-request]") == []
        field = driver.find_element(By.ID, "token-input")
        field.clear()
        field.send_keys("s3cret-token\n")
        wait_for(driver, "document.querySelector('[data-request]')")


def test_every_page__no_console_errors_and_no_horizontal_scroll_at_390px(fresh: str) -> None:
    buy(fresh)
    with chromium(390, 844) as driver:
        for page in PAGES:
            driver.get(f"{fresh}/__mock/ui/#{page}")
            wait_for(driver, "document.getElementById('status').textContent.startsWith('live')")
            wide = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert wide <= 0, f"{page}: {wide}px of horizontal scrolling at 390 px"
        assert console_errors(driver) == []


def test_browser_at_the_root_is_sent_to_the_dashboard(fresh: str) -> None:
    with chromium() as driver:
        for start in ("/", "/__mock/"):
            driver.get("about:blank")
            driver.get(fresh + start)
            wait_for(driver, "location.pathname === '/__mock/ui/'")
    assert call(fresh, "GET", "/healthcheck", auth=None) == {"hasError": False, "messages": []}


def test_orders__requested_reserved_cancelled_and_links_to_the_batch_and_its_packages(
    fresh: str,
) -> None:
    """20 asked, 14 reserved reads 20 / 14 / 0; the order links to its batch (cut-off, reason,
    buyer), and the batch to its package."""
    stock = "/__mock/offers/8685298053581"
    call(fresh, "PATCH", stock, {"stockQuantity": 14}, auth=None)
    number = buy(fresh, quantity=20)
    call(fresh, "POST", "/__mock/clock/set", {"at": "2026-11-30T13:00:00Z"}, auth=None)
    [package] = call(fresh, "GET", f"/b2bbuyergatewayapi/v2/offers/{number}/B2Bs")
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#orders")
        row = f"document.querySelector('[data-request=\"{number}\"]')"
        wait_for(driver, f"{row} && {row}.textContent.includes('8685298053581: 20 / 14 / 0')")
        driver.find_element(
            By.CSS_SELECTOR, f'[data-request="{number}"] a[href^="#batches/"]'
        ).click()
        wait_for(driver, "document.querySelector('tr.anchored[data-batch]')")
        batch = driver.find_element(By.CSS_SELECTOR, "tr.anchored[data-batch]").text
        assert "DEMO01" in batch and "2026-11-30T13:00:00.000Z" in batch
        assert "by the time cut-off" in batch and number in batch
        driver.find_element(
            By.CSS_SELECTOR, f'tr.anchored a[href="#packages/{package["b2BId"]}"]'
        ).click()
        wait_for(
            driver, f"document.querySelector('tr.anchored[data-b2bid=\"{package['b2BId']}\"]')"
        )
        assert console_errors(driver) == []


def test_journal__rows_are_coloured_by_status_class(fresh: str) -> None:
    buy(fresh)
    with contextlib.suppress(urllib.error.HTTPError):  # a 400: the point
        call(fresh, "POST", "/b2bbuyergatewayapi/v2/offers/DEMO01/items", [{"barcode": 1}])
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#journal")
        wait_for(driver, "document.querySelectorAll('#journal-list details').length >= 2")
        colours = driver.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('#journal-list details')]"
            ".map(d => [d.className, getComputedStyle(d).borderLeftColor]))"
        )
        assert set(colours) == {"status-2xx", "status-4xx"}
        assert colours["status-2xx"] != colours["status-4xx"]


def test_faults__effects_are_written_in_words(fresh: str) -> None:
    effects = [
        {"type": "status", "status": 503, "retryAfter": 5},
        {"type": "latency", "ms": 250},
        {"type": "drop"},
    ]
    for effect in effects:
        call(fresh, "POST", "/__mock/faults", {"path": "/v1_1/offers", "effect": effect}, auth=None)
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#faults")
        wait_for(driver, "document.querySelectorAll('#faults-list td.effect').length === 3")
        words = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#faults-list td.effect")]
        assert words == [
            "answers 503, Retry-After 5 s",
            "waits 250 ms, then answers",
            "drops the connection, no answer",
        ]
        assert "{" not in driver.find_element(By.ID, "faults-list").text


def test_state__import_says_what_happened_and_the_message_stays(fresh: str, tmp_path: Path) -> None:
    good = tmp_path / "state.json"
    good.write_text(json.dumps(call(fresh, "GET", "/__mock/state", auth=None)))
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "mock-gateway-state/1"}')
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#state")
        wait_for(driver, "document.getElementById('s-file')")
        for path, expected in (
            (bad, "Import failed, nothing was changed: "),
            (good, "Imported state.json at "),
        ):
            driver.find_element(By.ID, "s-file").send_keys(str(path))
            driver.execute_script("document.getElementById('s-file').form.requestSubmit()")
            wait_for(
                driver,
                f"document.getElementById('import-outcome').textContent.startsWith({json.dumps(expected)})",
            )
            time.sleep(2.5)  # two refreshes later, the message is still there
            assert driver.find_element(By.ID, "import-outcome").text.startswith(expected)
        assert "error" not in driver.find_element(By.ID, "import-outcome").get_attribute("class")
        # the refused import's 400 is logged by the browser as a network error: only that one
        assert [e["source"] for e in console_errors(driver)] == ["network"]


def test_resets__ask_first_and_do_nothing_when_declined(fresh: str) -> None:
    number = buy(fresh)
    requests_now = "/__mock/requests"
    with chromium() as driver:
        for page in ("overview", "state"):
            driver.get(f"{fresh}/__mock/ui/#{page}")
            wait_for(driver, "document.getElementById('status').textContent.startsWith('live')")
            if page == "state":  # the reset form (seed, catalog size)
                driver.execute_script("document.getElementById('s-size').form.requestSubmit()")
            else:
                driver.find_element(By.ID, "overview-reset").click()
            alert = WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert)
            assert "Reset the mock?" in alert.text
            alert.dismiss()
            time.sleep(0.5)
            assert [r["requestNumber"] for r in call(fresh, "GET", requests_now, auth=None)] == [
                number
            ]
        driver.get(f"{fresh}/__mock/ui/#overview")
        wait_for(driver, "document.getElementById('overview-reset')")
        driver.find_element(By.ID, "overview-reset").click()
        WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert).accept()
        WebDriverWait(driver, 10, poll_frequency=0.1).until(
            lambda _: call(fresh, "GET", requests_now, auth=None) == []
        )


def test_times__are_utc_iso_everywhere_and_the_search_placeholder_fits(fresh: str) -> None:
    with chromium(390, 844) as driver:
        driver.get(fresh + "/__mock/ui/#catalog")
        wait_for(driver, "document.getElementById('status').textContent.startsWith('live')")
        status = driver.find_element(By.ID, "status").text
        assert re.fullmatch(r"live · updated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", status), status
        spare = driver.execute_script(
            "const i = document.getElementById('catalog-q'); const s = getComputedStyle(i);"
            "const c = document.createElement('canvas').getContext('2d'); c.font = s.font;"
            "return i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)"
            " - c.measureText(i.placeholder).width"
        )
        assert spare > 0, f"the placeholder is {-spare:.0f}px wider than the field"


def test_overview__the_activity_timeline_tells_the_day_newest_first(fresh: str) -> None:
    call(fresh, "POST", "/__mock/clock/freeze", {"at": "2026-11-30T09:00:00Z"}, auth=None)
    buy(fresh)
    fault = {"path": "/v1_1/offers", "effect": {"type": "status", "status": 503}, "times": 1}
    call(fresh, "POST", "/__mock/faults", fault, auth=None)
    with contextlib.suppress(urllib.error.HTTPError):  # the fault fires: a 503
        call(fresh, "GET", "/b2bbuyergatewayapi/v1_1/offers")
    call(fresh, "POST", "/__mock/clock/advance", {"by": "4h"}, auth=None)
    with chromium() as driver:
        driver.get(fresh + "/__mock/ui/#overview")
        wait_for(driver, "document.querySelectorAll('#activity li[data-kind]').length >= 6")
        items = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#activity li")]
        kinds = [
            li.get_attribute("data-kind")
            for li in driver.find_elements(By.CSS_SELECTOR, "#activity li")
        ]
        # then the freeze and the fixture's reset (09:00 as well, recorded before)
        assert kinds[:5] == ["packing", "cut-off", "clock", "fault", "fault"], items
        assert "batch 1 of DEMO01 closed by the time cut-off" in items[1]
        assert "clock advanced by 4h" in items[2]
        assert "answered 503 by fault rule 1" in items[3]
        assert "fault rule added: * /v1_1/offers answers 503" in items[4]
        assert console_errors(driver) == []
