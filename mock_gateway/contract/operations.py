"""The emulated operations as data: path, schemas of query, body and each response.

One table serves the OpenAPI document and the contract tests, so the two cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mock_gateway.serving.routing import fold

ENVELOPE = "error-envelope"
# every authenticated operation: credentials (401), a buyerCode query of another buyer or a
# missing User-Agent when required (403), body limits (413, 415), rate-limit emulation (429)
COMMON_ERRORS = {
    401: ENVELOPE,
    403: ENVELOPE,
    413: ENVELOPE,
    415: ENVELOPE,
    429: ENVELOPE,
}
# every operation: an over-long path or query (414), and the statuses a fault rule can force
ANY_OPERATION = {414: ENVELOPE}
FAULTS = {429: ENVELOPE, 500: "internal-error", 502: ENVELOPE, 503: ENVELOPE, 504: ENVELOPE}


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    summary: str
    responses: dict[int, str]
    query: str | None = None
    body: str | None = None
    auth: bool = True
    params: tuple[str, ...] = field(default=())
    tag: str = "Catalog"

    def matches(self, method: str, path: str) -> bool:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", self.path) + "$"
        return method == self.method and re.match(pattern, path) is not None


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "healthcheck",
        "GET",
        "/healthcheck",
        "Health check (no auth)",
        {200: "health"},
        auth=False,
        tag="Health",
    ),
    Operation(
        "getOffers",
        "GET",
        "/v1_1/offers",
        "Product information: a bare array of offers, paged from 1, at most 20 a page",
        {200: "offers-response", 400: ENVELOPE, 403: ENVELOPE},
        query="offers-query",
    ),
    Operation(
        "getStockStatus",
        "GET",
        "/v2/offers/{buyerCode}/stock-status",
        "Live available quantity per barcode",
        {200: "stock-status-response", 400: ENVELOPE, 403: ENVELOPE},
        query="stock-status-query",
        params=("buyerCode",),
    ),
    Operation(
        "getProductImages",
        "GET",
        "/v2/products/{modelNo}/images",
        "Images of a model (variant group), main image first",
        {200: "images-response", 400: ENVELOPE, 404: "empty-object"},
        query="images-query",
        params=("modelNo",),
    ),
    Operation(
        "createPurchaseRequest",
        "POST",
        "/v2/offers/{buyerCode}/items",
        "Purchase request: reserves min(requested, available) of each line",
        # 201 with MOCK_GATEWAY_PURCHASE_STATUS=201 (INFERRED; 200 by default)
        {200: "purchase-response", 201: "purchase-response", 400: ENVELOPE, 403: ENVELOPE},
        query="purchase-query",
        body="purchase-request",
        params=("buyerCode",),
        tag="Orders",
    ),
    Operation(
        "getB2BPackages",
        "GET",
        "/v2/offers/{requestNumber}/B2Bs",
        "B2B packages holding a request's items; empty before the cut-off",
        # an unknown request number: 400, or 404 with MOCK_GATEWAY_UNKNOWN_REQUEST_STATUS
        {200: "b2bs-response", 400: ENVELOPE, 404: ENVELOPE},
        params=("requestNumber",),
        tag="Orders",
    ),
    Operation(
        "cancelItems",
        "POST",
        "/v2/offers/{requestNumber}/cancel-items",
        "Cancel reserved units of one barcode, before the cut-off only",
        {200: "cancel-response", 400: "message-list"},
        body="cancel-request",
        params=("requestNumber",),
        tag="Orders",
    ),
    Operation(
        "getRating",
        "GET",
        "/v2/products/{barcode}/rating",
        "Rating details of a variant",
        {200: "rating-response", 400: ENVELOPE, 404: "problem"},
        params=("barcode",),
    ),
)


def find_operation(method: str, raw_path: str) -> Operation | None:
    """The operation a request reaches, after the base path and case folding."""
    path = fold(raw_path)[1]
    for operation in OPERATIONS:
        if operation.matches(method.upper(), path):
            return operation
    return None


def response_schema(operation: Operation, status: int) -> str | None:
    """The schema a response of this status must match (None: the status is undocumented)."""
    return documented_responses(operation).get(status)


def documented_responses(operation: Operation) -> dict[int, str]:
    """Every status the operation can answer, with its schema: the OpenAPI document's list."""
    statuses = {**ANY_OPERATION, **FAULTS}
    if operation.auth:
        statuses.update(COMMON_ERRORS)
    if operation.method == "GET":  # a GET's body is never read
        statuses.pop(413, None)
        statuses.pop(415, None)
    statuses.update(operation.responses)
    return statuses
