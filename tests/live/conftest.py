from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from tests.contract_check import check_response


class LiveClient:
    """requests against a served app, with the contract check on every response."""

    def __init__(self, base: str, auth: tuple[str, str] = ("DEMO01", "demo-pass")) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.auth = auth

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        response = self.session.request(method, self.base + path, **kwargs)
        check_response(
            method,
            response.request.path_url,
            response.status_code,
            response.headers.get("Content-Type", ""),
            response.content,
        )
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)


def fixtures_with_stock(directory: Path, source: Path, stock: dict[int, int]) -> Path:
    """Copy a fixture set, setting the stock of some offers (by index in barcode order)."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.json"):
        document: Any = json.loads(path.read_text())
        if path.name == "offers.json":
            document.sort(key=lambda offer: offer["barcode"])
            for index, quantity in stock.items():
                document[index]["stockQuantity"] = quantity
        (directory / path.name).write_text(json.dumps(document))
    return directory
