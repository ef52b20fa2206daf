"""The dashboard in a real Chromium: live overview, cut-off button, catalog images, journal,
token gate, no console errors, no horizontal scrolling at phone width."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.live.server import served
from tests.ui.browser import buy, call, chromium, console_errors, wait_for

PAGES = ("overview", "catalog", "orders", "packages", "journal", "faults", "state")
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
                 ".includes('3 / 1')")  # fmt: skip
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
