"""Every response the tests receive is checked against the schema the contract gives it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from mock_gateway.contract.operations import find_operation, response_schema
from mock_gateway.contract.schemas import Schemas

SCHEMAS = Schemas.load()
JSON_TYPE = "application/json; charset=utf-8"
PROBLEM_TYPE = "application/problem+json; charset=utf-8"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
checked = {"responses": 0}


def check_response(method: str, path: str, status: int, content_type: str, body: bytes) -> None:
    """Fail when a response's shape, status or content type is not what the contract says."""
    checked["responses"] += 1
    bare = unquote(path.split("?", 1)[0])  # the server routes the decoded path
    if "/__mock/" in bare:
        assert content_type.startswith("application/json"), content_type
        return
    if "/media/" in bare and status == 200:
        assert content_type == "image/png"
        assert body.startswith(PNG_SIGNATURE)
        return
    operation = find_operation(method, bare)
    if operation is None or _refused_at_the_door(status, body):
        refused = _refused_at_the_door(status, body)
        assert refused or status in (401, 404, 405, 413, 414, 415), f"{method} {path}: {status}"
        _validate("error-envelope", body, method, path, status)
        assert content_type == JSON_TYPE
        return
    name = response_schema(operation, status)
    assert name, f"{method} {path}: status {status} is not documented for {operation.id}"
    expected_type = PROBLEM_TYPE if name == "problem" else JSON_TYPE
    assert content_type == expected_type, f"{method} {path}: {content_type}"
    _validate(name, body, method, path, status)


def _refused_at_the_door(status: int, body: bytes) -> bool:
    """A 400 that comes before routing (a path or query that is not UTF-8), on any route and
    method alike, in the error envelope."""
    if status != 400:
        return False
    data = json.loads(body)
    if not isinstance(data, dict) or not data.get("messages"):
        return False
    return str(data["messages"][0].get("content", "")).endswith(" is not UTF-8 text")


def _validate(name: str, body: bytes, method: str, path: str, status: int) -> Any:
    data = json.loads(body)
    problems = SCHEMAS.errors(name, data)
    assert not problems, f"{method} {path} {status} does not match {name}: {problems}"
    return data
