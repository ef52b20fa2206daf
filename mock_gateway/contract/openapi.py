"""OpenAPI 3.1 documents generated from schemas/ and the operations table."""

from __future__ import annotations

import copy
from typing import Any

from mock_gateway import __version__
from mock_gateway.contract.operations import (
    COMMON_ERRORS,
    FAULTS,
    OPERATIONS,
    Operation,
    documented_responses,
)
from mock_gateway.contract.schemas import URN, Schemas
from mock_gateway.serving.pipeline import MAX_PATH, MAX_QUERY

DESCRIPTIONS = {
    200: "OK",
    400: "Bad request",
    401: "Missing or wrong Basic credentials",
    403: "buyerCode (path or query) is not the authenticated buyer, or User-Agent is missing "
    "while MOCK_GATEWAY_REQUIRE_USER_AGENT is on",
    404: "Not found",
    413: "Body larger than MOCK_GATEWAY_MAX_BODY_BYTES (default 1048576 bytes)",
    414: f"Path longer than {MAX_PATH} or query string longer than {MAX_QUERY} characters, as "
    "sent (percent-encoded); a request within every parameter's documented bounds never gets it",
    415: "Content-Type is not application/json",
    429: "Rate limit (emulation, off by default), or a fault rule",
    500: "Internal error (fault injection only)",
    502: "Bad gateway (fault injection only)",
    503: "Unavailable (fault injection only)",
    504: "Gateway timeout (fault injection only)",
}

# Documented bounds of path and query values. The mock accepts longer values (a barcode of any
# length matches nothing); these bounds are what is guaranteed to fit the request-line limits
# above even fully percent-encoded: path values of up to 128 characters of any kind, query values
# of printable ASCII (each at most 3 bytes encoded), at most 100 values of an array.
PATH_VALUE = {"type": "string", "minLength": 1, "maxLength": 128}
QUERY_TEXT = {"maxLength": 128, "pattern": "^[ -~]*$"}
QUERY_ARRAY = {"maxItems": 100}
QUERY_ITEM = {"maxLength": 64, "pattern": "^[ -~]*$"}
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
        "tags": [
            {"name": "Catalog", "description": "Offers, stock status, images and ratings"},
            {"name": "Orders", "description": "Purchase requests, B2B packages, cancels"},
            {"name": "Health", "description": "The health check"},
        ],
        "security": [{"basicAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}},
            "schemas": _components(_with_refs(_api_schema_names(), schemas), schemas),
        },
    }


def _api_schema_names() -> set[str]:
    names = set(FAULTS.values()) | set(COMMON_ERRORS.values())
    for operation in OPERATIONS:
        names |= set(operation.responses.values())
        names |= {n for n in (operation.body,) if n}
    return names


# Class names for generated clients: a component's title, and the title of its array's items
# (`StockStatus` for each row of stock-status-response). A schema's prose title becomes its
# description.
TITLES: dict[str, tuple[str, str | None]] = {
    "offer": ("Offer", None),
    "offers-response": ("OfferList", None),
    "stock-status-response": ("StockStatusList", "StockStatus"),
    "images-response": ("ImageList", "Image"),
    "purchase-request": ("PurchaseRequest", "PurchaseLine"),
    "purchase-response": ("PurchaseResponse", None),
    "b2bs-response": ("B2BPackageList", "B2BPackage"),
    "cancel-request": ("CancelRequest", None),
    "cancel-response": ("CancelResponse", None),
    "rating-response": ("Rating", None),
    "health": ("Health", None),
    "message": ("Message", None),
    "message-list": ("MessageList", None),
    "error-envelope": ("ErrorEnvelope", None),
    "internal-error": ("InternalError", None),
    "problem": ("Problem", None),
    "empty-object": ("EmptyObject", None),
}
# nested objects named by their place: (component, property) -> title
NESTED_TITLES = {
    ("purchase-response", "items"): "ReservedLine",
    ("rating-response", "ratingCounts"): "RatingCount",
}


def component(document: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """A schema as an OpenAPI component: local $refs, no $id, a title fit for a class name."""
    result: dict[str, Any] = _rewrite_refs(copy.deepcopy(document))
    result.pop("$id", None)
    result.pop("$schema", None)
    name = name or str(document.get("$id", "")).removeprefix(URN)
    title, item_title = TITLES.get(name, (_pascal(name), None))
    prose = result.pop("title", None)
    if prose:
        result["description"] = prose
    result = {"title": title, **result}
    items = result.get("items")
    if item_title and isinstance(items, dict) and "$ref" not in items:
        result["items"] = {"title": item_title, **items}
    for (owner, prop), nested in NESTED_TITLES.items():
        node = result.get("properties", {}).get(prop) if owner == name else None
        if isinstance(node, dict) and isinstance(node.get("items"), dict):
            node["items"] = {"title": nested, **node["items"]}
    return result


def class_name(name: str) -> str:
    """A schema file's component key: the class name generators give it (`Offer`,
    `StockStatusList`), so every generator, openapi-typescript included, names types alike."""
    return TITLES.get(name, (_pascal(name), None))[0]


def _components(names: set[str], schemas: Schemas) -> dict[str, Any]:
    """The components, keyed by class name; an array's items and the nested objects named in
    NESTED_TITLES become components of their own (`StockStatus`, `PurchaseLine`, `B2BPackage`,
    `ReservedLine`), referenced from where they stand."""
    found: dict[str, Any] = {}
    for name in sorted(names):
        result = component(schemas.documents[name], name)
        items = result.get("items")
        if isinstance(items, dict) and "title" in items and "$ref" not in items:
            found[items["title"]] = items
            result["items"] = {"$ref": "#/components/schemas/" + items["title"]}
        for prop in result.get("properties", {}).values():
            inner = prop.get("items") if isinstance(prop, dict) else None
            if isinstance(inner, dict) and "title" in inner and "$ref" not in inner:
                found[inner["title"]] = inner
                prop["items"] = {"$ref": "#/components/schemas/" + inner["title"]}
        found[class_name(name)] = result
    return dict(sorted(found.items()))


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-"))


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(URN):
            node["$ref"] = "#/components/schemas/" + class_name(ref.removeprefix(URN))
        for value in node.values():
            _rewrite_refs(value)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value)
    return node


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{class_name(name)}"}


def _operation(operation: Operation, schemas: Schemas) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": dict(PATH_VALUE)}
        for name in operation.params
    ]
    query = schemas.documents[operation.query] if operation.query else {"properties": {}}
    if operation.auth and "buyerCode" not in query["properties"]:
        # every authenticated endpoint takes it (the contract's §2): 403 unless it is the caller
        query = {"properties": {**query["properties"], "buyerCode": {"type": "string"}}}
    parameters += [_bounded(p) for p in _query_parameters(query)]
    statuses = documented_responses(operation)
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
        "tags": [operation.tag],
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


def _bounded(parameter: dict[str, Any]) -> dict[str, Any]:
    """A query parameter with the documented bounds that keep a request within the limits."""
    schema = dict(parameter["schema"])
    if schema.get("type") == "array":
        schema = {**QUERY_ARRAY, **schema, "items": {**schema.get("items", {}), **QUERY_ITEM}}
    elif schema.get("type") == "string" and "format" not in schema:
        schema = {**schema, **QUERY_TEXT}
    return {**parameter, "schema": schema}


def _response(status: int, schema_name: str) -> dict[str, Any]:
    media = PROBLEM if schema_name == "problem" else "application/json"
    return {
        "description": DESCRIPTIONS.get(status, "Response"),
        "content": {media: {"schema": _ref(schema_name)}},
    }


# The control plane: (method, path, operationId, summary, body schema)
CONTROL_OPERATIONS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("GET", "/__mock/ready", "ready", "Ready once the data is loaded (503 before)", None),
    ("GET", "/__mock/openapi.json", "apiDocument", "OpenAPI document of the emulated API", None),
    ("GET", "/__mock/control-openapi.json", "controlDocument", "This document", None),
    ("GET", "/__mock/clock", "readClock", "Current time, mode and next cut-off or packing", None),
    ("POST", "/__mock/clock/freeze", "freezeClock", "Freeze at `at` (default: now)", "control-clock"),
    ("POST", "/__mock/clock/set", "setClock", "Move the clock to `at`, keeping its mode", "control-clock"),
    ("POST", "/__mock/clock/advance", "advanceClock", "Advance by a duration; due cut-offs and packing happen", "control-advance"),
    ("POST", "/__mock/clock/resume", "resumeClock", "Back to real time", None),
    ("GET", "/__mock/batches", "listBatches", "Every batch with its state", None),
    ("POST", "/__mock/batches/close", "closeBatches", "Close the open batches now (all buyers, or one)", "control-batches"),
    ("POST", "/__mock/batches/pack", "packBatches", "Pack closed batches now, without waiting for the delay", "control-batches"),
    ("POST", "/__mock/reset", "reset", "Back to the start-up state (optionally another seed or size)", "control-reset"),
    ("GET", "/__mock/state", "exportState", "The whole state as one document", None),
    ("PUT", "/__mock/state", "importState", "Replace the state with an exported document (atomic)", "state"),
    ("POST", "/__mock/offers", "addOffer", "Add an offer (201); a barcode already there is 400", "control-new-offer"),
    ("PATCH", "/__mock/offers/{barcode}", "editOffer", "Change fields of an offer (stock, price, any field; price, list price and discount kept consistent)", "control-offer"),
    ("DELETE", "/__mock/offers/{barcode}", "removeOffer", "Remove an offer no purchase request holds", None),
    ("PUT", "/__mock/ratings/{barcode}", "setRating", "Replace a variant's rating", "control-rating"),
    ("GET", "/__mock/buyers", "listBuyers", "Buyer codes and their addresses (no passwords)", None),
    ("PUT", "/__mock/buyers/{buyerCode}", "putBuyer", "Add or replace a buyer", "control-buyer"),
    ("DELETE", "/__mock/buyers/{buyerCode}", "deleteBuyer", "Remove a buyer", None),
    ("GET", "/__mock/faults", "listFaults", "Fault rules with their match counts", None),
    ("POST", "/__mock/faults", "addFault", "Add a fault rule", "control-fault"),
    ("DELETE", "/__mock/faults", "clearFaults", "Delete every fault rule", None),
    ("DELETE", "/__mock/faults/{id}", "deleteFault", "Delete one fault rule", None),
    ("GET", "/__mock/rate-limit", "readRateLimit", "Rate-limit emulation settings", None),
    ("PUT", "/__mock/rate-limit", "setRateLimit", "Switch rate-limit emulation on or off", "control-rate-limit"),
    ("GET", "/__mock/journal", "readJournal", "Recorded requests, oldest first, with filters", None),
    ("GET", "/__mock/requests", "listRequests", "Purchase requests, newest first, with their state (open, closed, packed); filters buyerCode, state", None),
    ("POST", "/__mock/requests/{number}/cancel", "cancelRequestLine", "Cancel units of one line of a request, as its buyer would", "cancel-request"),
    ("GET", "/__mock/packages", "listPackages", "B2B packages, newest first, with their warehouse name; limit", None),
    ("GET", "/__mock/offers", "searchOffers", "A page of offers matching q (barcode, model or name); page, pageSize", None),
    ("DELETE", "/__mock/journal", "clearJournal", "Forget the recorded requests", None),
)  # fmt: skip


# control routes whose query a schema describes (read with api.query.read_query)
CONTROL_QUERIES = {
    "readJournal": "control-journal-query",
    "listRequests": "control-requests-query",
    "listPackages": "control-packages-query",
    "searchOffers": "control-offers-query",
}


def build_control_document(schemas: Schemas) -> dict[str, Any]:
    """The control plane under /__mock/."""
    paths: dict[str, Any] = {}
    used = {"error-envelope", "message"}
    for method, path, operation_id, summary, body in CONTROL_OPERATIONS:
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_params(path)
        ]
        if operation_id in CONTROL_QUERIES:
            params += _query_parameters(schemas.documents[CONTROL_QUERIES[operation_id]])
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {}}}},
                "400": _response(400, "error-envelope"),
                "401": {
                    "description": "Missing or wrong bearer token (when one is set)",
                    "content": {"application/json": {"schema": _ref("error-envelope")}},
                },
            },
        }
        if body:
            used.add(body)
            operation["requestBody"] = {
                "required": body not in ("control-clock", "control-batches", "control-reset"),
                "content": {"application/json": {"schema": _ref(body)}},
            }
        paths.setdefault(path, {})[method.lower()] = operation
    components = _components(_with_refs(used, schemas), schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "mock-gateway control plane", "version": __version__},
        "security": [{}, {"adminToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
            "schemas": components,
        },
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _with_refs(names: set[str], schemas: Schemas) -> set[str]:
    """The named schemas and every schema they refer to."""
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        text = str(schemas.documents[name])
        pending += [n for n in schemas.documents if f"'{URN}{n}'" in text]
    return found
