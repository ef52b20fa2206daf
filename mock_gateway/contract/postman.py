"""A Postman collection (v2.1) of the emulated API and the control plane, from the OpenAPI
documents, so Postman users (Trendyol ships its own APIs as Postman collections) import one file.

Variables: baseUrl, basePath (b2bbuyergatewayapi), buyerCode and password (Basic auth of the
emulated API), adminToken (the control plane, when a token is set), and the path parameters
with a working default (a barcode and model of the default data; requestNumber is set by the
purchase request's test script).
"""

from __future__ import annotations

import json
from typing import Any

from mock_gateway import __version__

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
# path parameters: a value that works on the default data set
DEFAULTS = {
    "buyerCode": "{{buyerCode}}",
    "requestNumber": "{{requestNumber}}",
    "modelNo": "TWAW24MN00001",
    "barcode": "8685298053581",
    "id": "1",
}
EXAMPLE_BODIES: dict[str, Any] = {
    "createPurchaseRequest": [{"barcode": "8685298053581", "requestedQuantity": 1}],
    "cancelItems": {"barcode": "8685298053581", "quantity": 1},
    "freezeClock": {"at": "2026-11-30T09:00:00Z"},
    "setClock": {"at": "2026-11-30T13:00:00Z"},
    "advanceClock": {"by": "4h"},
    "closeBatches": {},
    "packBatches": {},
    "reset": {},
    "editOffer": {"stockQuantity": 5},
    "addOffer": {"barcode": "8600000000017", "modelNo": "TWAW24MN99999", "name": "Linen Shirt",
                 "price": 24.5, "originalSalesPrice": 35.0, "stockQuantity": 10,
                 "warehouseId": 3},
    "setRating": {"ratingCounts": [{"rate": 5, "count": 3}, {"rate": 4, "count": 1}],
                  "totalCommentCount": 2},
    "putBuyer": {"password": "acme-pass", "addressTitles": ["Main Warehouse"]},
    "addFault": {"method": "GET", "path": "/v1_1/offers", "effect": {"type": "status",
                 "status": 503}, "times": 1},
    "setRateLimit": {"enabled": True, "requests": 50, "windowSeconds": 10},
}  # fmt: skip
REMEMBER_REQUEST_NUMBER = [
    "if (pm.response.code === 200) {",
    "  pm.collectionVariables.set('requestNumber', pm.response.json().requestNumber);",
    "}",
]


def build_collection(api: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    """The collection: one folder per tag of the API, and one for the control plane."""
    folders: dict[str, list[dict[str, Any]]] = {}
    for path, methods in api["paths"].items():
        for method, operation in methods.items():
            tag = (operation.get("tags") or ["API"])[0]
            item = _item("{{basePath}}" + path, method, operation)
            if operation.get("security") == []:
                item["request"]["auth"] = {"type": "noauth"}
            folders.setdefault(tag, []).append(item)
    control_items = []
    for path, methods in control["paths"].items():
        for method, operation in methods.items():
            item = _item(path, method, operation)
            item["request"]["auth"] = {
                "type": "bearer",
                "bearer": [{"key": "token", "value": "{{adminToken}}", "type": "string"}],
            }
            control_items.append(item)
    items = [{"name": name, "item": entries} for name, entries in folders.items()]
    items.append(
        {
            "name": "Control plane (/__mock)",
            "description": "Clock, cut-offs, state, faults, journal. The admin token is only "
            "needed when MOCK_GATEWAY_ADMIN_TOKEN is set.",
            "item": control_items,
        }
    )
    return {
        "info": {
            "name": "mock-gateway: Trendyol International Cross Dock B2B gateway",
            "description": api["info"]["description"] + f" (mock-gateway {__version__})",
            "schema": SCHEMA,
        },
        "auth": {
            "type": "basic",
            "basic": [
                {"key": "username", "value": "{{buyerCode}}", "type": "string"},
                {"key": "password", "value": "{{password}}", "type": "string"},
            ],
        },
        "variable": [
            {"key": "baseUrl", "value": "http://127.0.0.1:8080"},
            {"key": "basePath", "value": "b2bbuyergatewayapi"},
            {"key": "buyerCode", "value": "DEMO01"},
            {"key": "password", "value": "demo-pass"},
            {"key": "adminToken", "value": ""},
            {"key": "requestNumber", "value": ""},
        ],
        "item": items,
    }


def _item(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    segments = [_segment(part) for part in path.strip("/").split("/")]
    parameters = operation.get("parameters", [])
    query = [
        {"key": p["name"], "value": "", "disabled": True}
        for p in parameters
        if p.get("in") == "query"
    ]
    variables = [
        {"key": p["name"], "value": DEFAULTS.get(p["name"], "")}
        for p in parameters
        if p.get("in") == "path"
    ]
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": [],
        "url": {
            "raw": "{{baseUrl}}/" + "/".join(segments),
            "host": ["{{baseUrl}}"],
            "path": segments,
            **({"query": query} if query else {}),
            **({"variable": variables} if variables else {}),
        },
        "description": operation.get("summary", ""),
    }
    body = EXAMPLE_BODIES.get(operation["operationId"])
    if body is not None or "requestBody" in operation:
        request["header"] = [{"key": "Content-Type", "value": "application/json"}]
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(body if body is not None else {}, indent=2),
            "options": {"raw": {"language": "json"}},
        }
    item: dict[str, Any] = {"name": operation.get("summary", operation["operationId"]),
                            "request": request}  # fmt: skip
    if operation["operationId"] == "createPurchaseRequest":
        item["event"] = [
            {"listen": "test", "script": {"type": "text/javascript",
                                          "exec": REMEMBER_REQUEST_NUMBER}}
        ]  # fmt: skip
    return item


def _segment(part: str) -> str:
    """OpenAPI's {name} is Postman's :name; base-path variables stay as they are."""
    if part.startswith("{") and part.endswith("}") and not part.startswith("{{"):
        return ":" + part[1:-1]
    return part
