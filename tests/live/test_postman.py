"""The Postman collection: committed copy equals the generated one, and every request in it works
against a served mock, variables resolved as Postman would."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from mock_gateway.__main__ import POSTMAN_FILE
from mock_gateway.contract.openapi import build_api_document, build_control_document
from mock_gateway.contract.postman import SCHEMA, build_collection
from mock_gateway.contract.schemas import Schemas
from tests.live.server import served

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / POSTMAN_FILE


def generated() -> dict[str, Any]:
    schemas = Schemas.load()
    return build_collection(build_api_document(schemas), build_control_document(schemas))


def test_postman__committed_copy_equals_the_generated_one() -> None:
    assert json.loads(COMMITTED.read_text()) == generated(), (
        "run: mock-gateway postman --write docs"
    )


def test_postman__v2_1_with_every_operation() -> None:
    collection = generated()
    assert collection["info"]["schema"] == SCHEMA
    requests = [item for folder in collection["item"] for item in folder["item"]]
    schemas = Schemas.load()
    operations = sum(
        len(methods)
        for document in (build_api_document(schemas), build_control_document(schemas))
        for methods in document["paths"].values()
    )
    assert len(requests) == operations


def _send(item: dict[str, Any], variables: dict[str, str], auth: dict[str, Any]) -> tuple[int, Any]:
    request = item["request"]

    def resolve(text: str) -> str:
        return re.sub(r"\{\{(\w+)\}\}", lambda m: variables[m[1]], text)

    path_values = {v["key"]: resolve(v["value"]) for v in request["url"].get("variable", [])}
    segments = [
        path_values[s[1:]] if s.startswith(":") else resolve(s) for s in request["url"]["path"]
    ]
    url = resolve(request["url"]["host"][0]) + "/" + "/".join(segments)
    body = request.get("body", {}).get("raw")
    data = resolve(body).encode() if body is not None else None
    http = urllib.request.Request(url, data=data, method=request["method"])
    for header in request["header"]:
        http.add_header(header["key"], header["value"])
    scheme = request.get("auth", auth)
    if scheme["type"] == "basic":
        pairs = {entry["key"]: resolve(entry["value"]) for entry in scheme["basic"]}
        token = base64.b64encode(f"{pairs['username']}:{pairs['password']}".encode()).decode()
        http.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(http, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_postman__every_request_works_against_the_mock() -> None:
    collection = json.loads(COMMITTED.read_text())
    variables = {v["key"]: v["value"] for v in collection["variable"]}
    with served(
        {"MOCK_GATEWAY_LOG_FORMAT": "off", "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z"}
    ) as base:
        variables["baseUrl"] = base
        for folder in collection["item"]:
            for item in folder["item"]:
                status, body = _send(item, variables, collection["auth"])
                if item.get("event"):  # the purchase's script keeps the request number
                    variables["requestNumber"] = body["requestNumber"]
                name = f"{folder['name']}: {item['name']} -> {status} {body}"
                if folder["name"].startswith("Control"):
                    assert status < 500, name
                else:
                    assert status == 200, name
