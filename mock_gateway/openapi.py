"""OpenAPI 3.1 documents generated from schemas/ and the operations table."""

from __future__ import annotations

import copy
from typing import Any

from mock_gateway import __version__
from mock_gateway.contract import COMMON_ERRORS, FAULTS, OPERATIONS, Operation
from mock_gateway.schemas import URN, Schemas

DESCRIPTIONS = {
    200: "OK",
    400: "Bad request",
    401: "Missing or wrong Basic credentials",
    403: "buyerCode is not the authenticated buyer",
    404: "Not found",
    413: "Body larger than the configured limit",
    415: "Content-Type is not application/json",
    429: "Rate limit (emulation, off by default)",
    500: "Internal error (fault injection only)",
    503: "Unavailable (fault injection only)",
}
PROBLEM = "application/problem+json"


def build_api_document(schemas: Schemas) -> dict[str, Any]:
    """The emulated API: seven endpoints and the health check."""
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, schemas
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Trendyol International Cross Dock B2B gateway (mock-gateway)",
            "version": __version__,
            "description": (
                "The API emulated by mock-gateway. Every route is also served under the base "
                "paths /b2bbuyergateway (stage) and /b2bbuyergatewayapi (prod). Route segments "
                "and query names are case-insensitive."
            ),
        },
        "servers": [{"url": "/b2bbuyergateway"}, {"url": "/b2bbuyergatewayapi"}, {"url": "/"}],
        "security": [{"basicAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}},
            "schemas": {
                name: component(doc)
                for name, doc in schemas.documents.items()
                if not name.startswith("fixture-")
            },
        },
    }


def component(document: dict[str, Any]) -> dict[str, Any]:
    """A schema as an OpenAPI component: local $refs, no $id."""
    result: dict[str, Any] = _rewrite_refs(copy.deepcopy(document))
    result.pop("$id", None)
    result.pop("$schema", None)
    return result


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(URN):
            node["$ref"] = "#/components/schemas/" + ref.removeprefix(URN)
        for value in node.values():
            _rewrite_refs(value)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value)
    return node


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(operation: Operation, schemas: Schemas) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in operation.params
    ]
    if operation.query:
        parameters += _query_parameters(schemas.documents[operation.query])
    statuses = dict(operation.responses)
    if operation.auth:
        statuses.update(COMMON_ERRORS)
        if operation.method == "GET":
            statuses.pop(413, None)
            statuses.pop(415, None)
    statuses.update(FAULTS)
    responses = {str(status): _response(status, name) for status, name in sorted(statuses.items())}
    if operation.id == "createPurchaseRequest":
        responses["200"]["links"] = {
            "GetB2BPackages": {
                "operationId": "getB2BPackages",
                "parameters": {"requestNumber": "$response.body#/requestNumber"},
            },
            "CancelItems": {
                "operationId": "cancelItems",
                "parameters": {"requestNumber": "$response.body#/requestNumber"},
                "requestBody": {
                    "barcode": "$response.body#/items/0/barcode",
                    "quantity": 1,
                },
            },
        }
    document: dict[str, Any] = {
        "operationId": operation.id,
        "summary": operation.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if not operation.auth:
        document["security"] = []
    if operation.body:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(operation.body)}},
        }
    return document


def _query_parameters(query_schema: dict[str, Any]) -> list[dict[str, Any]]:
    properties = query_schema.get("properties", {})
    parameters = []
    for name, spec in properties.items():
        schema = {k: v for k, v in spec.items() if k != "x-expect"}
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
        }
        if spec.get("type") == "array":
            parameter["style"] = "form"
            parameter["explode"] = True
        parameters.append(parameter)
    return parameters


def _response(status: int, schema_name: str) -> dict[str, Any]:
    media = PROBLEM if schema_name == "problem" else "application/json"
    return {
        "description": DESCRIPTIONS.get(status, "Response"),
        "content": {media: {"schema": _ref(schema_name)}},
    }
