"""A headless Chromium (Debian's chromium and chromium-driver) driven by selenium, and a mock
with some traffic for it to show."""

from __future__ import annotations

import base64
import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

AUTH = "Basic " + base64.b64encode(b"DEMO01:demo-pass").decode()


@contextmanager
def chromium(
    width: int = 1280, height: int = 900, cpu: int | None = None, flags: tuple[str, ...] = ()
) -> Iterator[webdriver.Chrome]:
    """A headless Chromium; `cpu` pins it (and its children) to one core (the benchmark);
    `flags`: more command-line switches."""
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", "--hide-scrollbars", *flags):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    pin: dict[str, Any] = {}
    if cpu is not None:
        pin["popen_kw"] = {"preexec_fn": lambda: os.sched_setaffinity(0, {cpu})}
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver", **pin)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: webdriver.Chrome, script: str, timeout: float = 10) -> Any:
    """Wait until a JavaScript expression is truthy; return its value."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script("return " + script)
    )


def call(base: str, method: str, path: str, body: Any = None, auth: str | None = AUTH) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", auth)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


def buy(base: str, barcode: str = "8685298053581", quantity: int = 2, **query: str) -> str:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    line = [{"barcode": barcode, "requestedQuantity": quantity}]
    number: str = call(base, "POST", "/b2bbuyergatewayapi/v2/offers/DEMO01/items" + suffix, line)[
        "requestNumber"
    ]
    return number


def console_errors(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
