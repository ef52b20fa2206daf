"""A Postman collection (v2.1) of the emulated API and the control plane, so Postman and newman
users (Trendyol ships its own APIs as Postman collections) import one file and run it.

It is a script, not a list: requests run in order, each with `pm.test` checks of its status and
the shape of its answer, and each takes what it needs from earlier answers (a barcode and a model
from the offers page, the request number from the purchase, the fault id from the rule it
added). Four folders:

1. the emulated API, a partner's day in small: offers, stock, a purchase, its B2Bs, a cancel
   that gives the unit back, images, a rating;
2. the control plane's reads;
3. the control plane's changes, each undone by the request after it (the clock set back to
   where it was, the fault deleted, the stock and the rate limit put back, the added offer and
   buyer deleted);
4. whole-state changes (cut-offs, packing, reset, clearing the journal and the faults): the
   state is exported first and imported back at the end; only the journal's entries are lost.
   Leave this folder out (Postman's runner, or `newman run --folder`) on a mock you share.

Run twice in a row on one mock, it passes both times and leaves the catalog, stock, clock,
faults, rate limit and buyers as it found them (its purchases stay, cancelled; the edited
offer's lastModifiedDate moves).

Variables: baseUrl, basePath (b2bbuyergatewayapi), buyerCode and password (Basic auth of the
emulated API), adminToken (the control plane, when MOCK_GATEWAY_ADMIN_TOKEN is set); the rest
are set by the requests themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mock_gateway import __version__

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
HOW_IT_RUNS = (
    "Requests run in order, each with pm.test checks of its status and shape, taking what they "
    "need from earlier answers. Folder 3 undoes each change it makes; folder 4 exports the "
    "state first and imports it back last (only the journal's entries are lost): leave it out "
    "on a mock you share. Run twice in a row, it passes both times."
)
NEW_OFFER = "8600000000017"  # added and deleted again by folder 3
NEW_BUYER = "ACME01"


@dataclass
class Step:
    """One request of the collection, with its checks and what it keeps for later requests."""

    name: str
    method: str
    path: str  # OpenAPI's template, {name} for a path parameter
    status: int
    checks: list[str]  # JavaScript, run with `body` bound to the parsed answer
    body: Any = None
    values: dict[str, str] = field(default_factory=dict)  # path parameter -> value
    query: list[tuple[str, str]] = field(default_factory=list)
    keeps: list[str] = field(default_factory=list)  # JavaScript run when the checks pass
    raw_body: str | None = None  # a body that is a variable ({{savedState}}), sent as is
    auth: dict[str, Any] | None = None  # overrides the folder's
    description: str = ""


def _api_steps() -> list[Step]:
    shape_offer = (
        "pm.expect(offer).to.include.keys('barcode', 'modelNo', 'name', 'price', "
        "'stockQuantity', 'imageUrl');"
    )
    return [
        Step("Health check", "GET", "/healthcheck", 200,
             ["pm.expect(body).to.eql({hasError: false, messages: []});"],
             auth={"type": "noauth"}),
        Step("Offers: the first page", "GET", "/v1_1/offers", 200,
             ["pm.expect(body).to.be.an('array').that.is.not.empty;",
              "const offer = body.find((o) => o.stockQuantity >= 2);",
              "pm.expect(offer, 'an offer with stock').to.be.an('object');",
              shape_offer],
             query=[("page", "1"), ("pageSize", "20")],
             keeps=["const offer = body.find((o) => o.stockQuantity >= 2);",
                    "pm.collectionVariables.set('barcode', offer.barcode);",
                    "pm.collectionVariables.set('modelNo', offer.modelNo);"],
             description="Keeps the first offer with stock as {{barcode}} and {{modelNo}}."),
        Step("Stock status of one barcode", "GET", "/v2/offers/{buyerCode}/stock-status", 200,
             ["pm.expect(body).to.be.an('array').with.lengthOf(1);",
              "pm.expect(body[0].barcode).to.eql(pm.collectionVariables.get('barcode'));",
              "pm.expect(body[0].availableQuantity).to.be.a('number').at.least(1);"],
             query=[("barcodeList", "{{barcode}}")],
             keeps=["pm.collectionVariables.set('stockBefore', body[0].availableQuantity);"]),
        Step("Purchase one unit", "POST", "/v2/offers/{buyerCode}/items", 200,
             ["pm.expect(body.requestNumber).to.be.a('string').and.match(/^[0-9]+$/);",
              "pm.expect(body.createDateTime).to.be.a('string');",
              "pm.expect(body.items).to.eql([{barcode: pm.collectionVariables.get('barcode'),"
              " requestedQuantity: 1, availableQuantity: 1}]);"],
             raw_body='[{"barcode": "{{barcode}}", "requestedQuantity": 1}]',
             keeps=["pm.collectionVariables.set('requestNumber', body.requestNumber);"],
             description="Keeps the request number as {{requestNumber}}."),
        Step("Stock status after the purchase", "GET", "/v2/offers/{buyerCode}/stock-status",
             200,
             ["pm.expect(body[0].availableQuantity)"
              ".to.eql(Number(pm.collectionVariables.get('stockBefore')) - 1);"],
             query=[("barcodeList", "{{barcode}}")]),
        Step("B2B packages: none before the cut-off", "GET",
             "/v2/offers/{requestNumber}/B2Bs", 200,
             ["pm.expect(body).to.eql([]);"]),
        Step("Cancel the unit (before the cut-off)", "POST",
             "/v2/offers/{requestNumber}/cancel-items", 200,
             ["pm.expect(body).to.eql({requestedQuantity: 1, cancelledQuantity: 1,"
              " hasError: false, messages: []});"],
             raw_body='{"barcode": "{{barcode}}", "quantity": 1}'),
        Step("Stock status: the unit is back", "GET", "/v2/offers/{buyerCode}/stock-status", 200,
             ["pm.expect(body[0].availableQuantity)"
              ".to.eql(Number(pm.collectionVariables.get('stockBefore')));"],
             query=[("barcodeList", "{{barcode}}")]),
        Step("Product images", "GET", "/v2/products/{modelNo}/images", 200,
             ["pm.expect(body).to.be.an('array').that.is.not.empty;",
              "body.forEach((image) => pm.expect(image.imageUrl).to.match(/\\.png$/));"]),
        Step("Product rating", "GET", "/v2/products/{barcode}/rating", 200,
             ["pm.expect(body).to.include.keys('averageRating', 'totalRatingCount',"
              " 'totalCommentCount', 'ratingCounts');",
              "pm.expect(body.ratingCounts).to.be.an('array').with.lengthOf(5);"],
             values={"barcode": "8685298053581"}),
    ]  # fmt: skip


def _control_reads() -> list[Step]:
    array = ["pm.expect(body).to.be.an('array');"]
    return [
        Step("Ready", "GET", "/__mock/ready", 200,
             ["pm.expect(body.ready).to.eql(true);",
              "pm.expect(body.offers).to.be.a('number');"]),
        Step("OpenAPI document of the API", "GET", "/__mock/openapi.json", 200,
             ["pm.expect(body.openapi).to.match(/^3\\./);",
              "pm.expect(body.paths).to.have.property('/v1_1/offers');"]),
        Step("OpenAPI document of the control plane", "GET", "/__mock/control-openapi.json",
             200, ["pm.expect(body.paths).to.have.property('/__mock/clock');"]),
        Step("Clock", "GET", "/__mock/clock", 200,
             ["pm.expect(body).to.include.keys('now', 'mode', 'zone', 'nowInZone', 'nextCutoff');",
              "pm.expect(['real', 'frozen']).to.include(body.mode);"]),
        Step("Batches", "GET", "/__mock/batches", 200, array),
        Step("Export the state", "GET", "/__mock/state", 200,
             ["pm.expect(body.format).to.eql('mock-gateway-state/1');",
              "pm.expect(body.offers).to.be.an('array').that.is.not.empty;"]),
        Step("Search the offers", "GET", "/__mock/offers", 200,
             ["pm.expect(body.total).to.eql(1);",
              "pm.expect(body.offers[0].barcode).to.eql(pm.collectionVariables.get('barcode'));"],
             query=[("q", "{{barcode}}")]),
        Step("Buyers", "GET", "/__mock/buyers", 200,
             ["pm.expect(body.map((b) => b.buyerCode))"
              ".to.include(pm.collectionVariables.get('buyerCode'));",
              "pm.expect(JSON.stringify(body)).to.not.include('password');"]),
        Step("Fault rules", "GET", "/__mock/faults", 200, array),
        Step("Rate limit", "GET", "/__mock/rate-limit", 200,
             ["pm.expect(body.enabled).to.be.a('boolean');"]),
        Step("Journal: the last five requests", "GET", "/__mock/journal", 200,
             ["pm.expect(body).to.be.an('array').with.length.at.most(5);",
              "body.forEach((e) => pm.expect(e).to.include.keys('method', 'path', 'status'));"],
             query=[("limit", "5")]),
        Step("Purchase requests", "GET", "/__mock/requests", 200,
             ["pm.expect(body.map((r) => r.requestNumber))"
              ".to.include(pm.collectionVariables.get('requestNumber'));"]),
        Step("Packages", "GET", "/__mock/packages", 200, array),
    ]  # fmt: skip


def _control_changes() -> list[Step]:
    clock_shape = "pm.expect(body).to.include.keys('now', 'mode', 'nextCutoff');"
    return [
        Step("Clock: note where it is", "GET", "/__mock/clock", 200, [clock_shape],
             keeps=["pm.collectionVariables.set('clockWas', body.now);",
                    "pm.collectionVariables.set('clockMode', body.mode);",
                    "pm.collectionVariables.set('clockRestore',"
                    " body.mode === 'frozen' ? 'freeze' : 'resume');"]),
        Step("Clock: freeze", "POST", "/__mock/clock/freeze", 200,
             [clock_shape, "pm.expect(body.mode).to.eql('frozen');"], body={},
             keeps=["pm.collectionVariables.set('clockFrozenAt', body.now);"]),
        Step("Clock: advance one hour", "POST", "/__mock/clock/advance", 200,
             [clock_shape,
              "const frozenAt = Date.parse(pm.collectionVariables.get('clockFrozenAt'));",
              "pm.expect(Date.parse(body.now) - frozenAt).to.eql(3600 * 1000);"],
             body={"by": "1h"}),
        Step("Clock: set back", "POST", "/__mock/clock/set", 200,
             [clock_shape, "pm.expect(body.now)"
              ".to.eql(new Date(pm.collectionVariables.get('clockWas')).toISOString());"],
             raw_body='{"at": "{{clockWas}}"}'),
        Step("Clock: as it was (frozen or running)", "POST", "/__mock/clock/{mode}", 200,
             [clock_shape, "pm.expect(body.mode).to.eql(pm.collectionVariables.get('clockMode'));"],
             body={}, values={"mode": "{{clockRestore}}"},
             description="POST /__mock/clock/freeze or /__mock/clock/resume, whichever the clock "
             "was in."),
        Step("Fault: 503 to this buyer's next two offers reads", "POST", "/__mock/faults", 201,
             ["pm.expect(body.id).to.be.a('number');",
              "pm.expect(body.effect).to.include({type: 'status', status: 503});",
              "pm.expect(body.times).to.eql(2);"],
             raw_body='{"method": "GET", "path": "/v1_1/offers", "buyerCode": "{{buyerCode}}", '
             '"effect": {"type": "status", "status": 503}, "times": 2}',
             keeps=["pm.collectionVariables.set('faultId', body.id);"],
             description="Keeps the rule's id as {{faultId}}."),
        Step("Fault fires: offers answer 503", "GET", "/v1_1/offers", 503,
             ["pm.expect(body.hasError).to.eql(true);",
              "pm.expect(body.messages[0].content).to.include('injected fault');"],
             query=[("page", "1"), ("pageSize", "1")]),
        Step("Fault: delete the rule (one use left)", "DELETE", "/__mock/faults/{id}", 200,
             ["pm.expect(body.deleted).to.eql(Number(pm.collectionVariables.get('faultId')));"],
             values={"id": "{{faultId}}"}),
        Step("Rate limit: note it", "GET", "/__mock/rate-limit", 200,
             ["pm.expect(body.enabled).to.be.a('boolean');"],
             keeps=["pm.collectionVariables.set('rateLimitWas', JSON.stringify(body));"]),
        Step("Rate limit: turn on", "PUT", "/__mock/rate-limit", 200,
             ["pm.expect(body).to.include({enabled: true, requests: 50, windowSeconds: 10});"],
             body={"enabled": True, "requests": 50, "windowSeconds": 10}),
        Step("Rate limit: as it was", "PUT", "/__mock/rate-limit", 200,
             ["pm.expect(body).to.eql(JSON.parse(pm.collectionVariables.get('rateLimitWas')));"],
             raw_body="{{rateLimitWas}}"),
        Step("Offer: note its stock", "GET", "/__mock/offers", 200,
             ["pm.expect(body.offers).to.have.lengthOf(1);"],
             query=[("q", "{{barcode}}")],
             keeps=["pm.collectionVariables.set('stockWas', body.offers[0].stockQuantity);"]),
        Step("Offer: set its stock to 5", "PATCH", "/__mock/offers/{barcode}", 200,
             ["pm.expect(body.stockQuantity).to.eql(5);"], body={"stockQuantity": 5}),
        Step("Offer: stock as it was", "PATCH", "/__mock/offers/{barcode}", 200,
             ["pm.expect(body.stockQuantity)"
              ".to.eql(Number(pm.collectionVariables.get('stockWas')));"],
             raw_body='{"stockQuantity": {{stockWas}}}'),
        Step("Offer: add one", "POST", "/__mock/offers", 201,
             [f"pm.expect(body.barcode).to.eql('{NEW_OFFER}');",
              "pm.expect(body.stockQuantity).to.eql(10);"],
             body={"barcode": NEW_OFFER, "modelNo": "TWAW24MN99999", "name": "Linen Shirt",
                   "price": 24.5, "originalSalesPrice": 35.0, "stockQuantity": 10,
                   "warehouseId": 3}),
        Step("Rating: set the new offer's", "PUT", "/__mock/ratings/{barcode}", 200,
             ["pm.expect(body.totalRatingCount).to.eql(4);",
              "pm.expect(body.averageRating).to.eql(4.8);"],
             body={"ratingCounts": [{"rate": 5, "count": 3}, {"rate": 4, "count": 1}],
                   "totalCommentCount": 2},
             values={"barcode": NEW_OFFER}),
        Step("Rating: read through the API", "GET", "/v2/products/{barcode}/rating", 200,
             ["pm.expect(body.totalCommentCount).to.eql(2);"], values={"barcode": NEW_OFFER}),
        Step("Offer: delete the added one", "DELETE", "/__mock/offers/{barcode}", 200,
             [f"pm.expect(body.deleted).to.eql('{NEW_OFFER}');"], values={"barcode": NEW_OFFER}),
        Step("Buyer: add one", "PUT", "/__mock/buyers/{buyerCode}", 200,
             [f"pm.expect(body).to.eql({{buyerCode: '{NEW_BUYER}', addressTitles: ['Depot']}});"],
             body={"password": "acme-pass", "addressTitles": ["Depot"]},
             values={"buyerCode": NEW_BUYER}),
        Step("Buyer: call the API as the new buyer", "GET", "/v2/offers/{buyerCode}/stock-status",
             200, ["pm.expect(body).to.be.an('array').with.lengthOf(1);"],
             query=[("barcodeList", "{{barcode}}")], values={"buyerCode": NEW_BUYER},
             auth=_basic(NEW_BUYER, "acme-pass")),
        Step("Buyer: delete the new buyer", "DELETE", "/__mock/buyers/{buyerCode}", 200,
             [f"pm.expect(body.deleted).to.eql('{NEW_BUYER}');"],
             values={"buyerCode": NEW_BUYER}),
        Step("Purchase again, to cancel from the control plane", "POST",
             "/v2/offers/{buyerCode}/items", 200,
             ["pm.expect(body.items[0].availableQuantity).to.eql(1);"],
             raw_body='[{"barcode": "{{barcode}}", "requestedQuantity": 1}]',
             keeps=["pm.collectionVariables.set('requestNumber', body.requestNumber);"]),
        Step("Cancel a line from the control plane", "POST", "/__mock/requests/{number}/cancel",
             200, ["pm.expect(body.cancelledQuantity).to.eql(1);"],
             raw_body='{"barcode": "{{barcode}}", "quantity": 1}',
             values={"number": "{{requestNumber}}"}),
    ]  # fmt: skip


def _whole_state() -> list[Step]:
    return [
        Step("Save the state (restored at the end of this folder)", "GET", "/__mock/state", 200,
             ["pm.expect(body.format).to.eql('mock-gateway-state/1');"],
             keeps=["pm.collectionVariables.set('savedState', pm.response.text());"]),
        Step("Close the open batches now", "POST", "/__mock/batches/close", 200,
             ["pm.expect(body.closed).to.be.an('array');"], body={}),
        Step("Pack the closed batches now", "POST", "/__mock/batches/pack", 200,
             ["pm.expect(body.packed).to.be.a('number');"], body={}),
        Step("Reset to the start-up data", "POST", "/__mock/reset", 200,
             ["pm.expect(body.reset).to.eql(true);",
              "pm.expect(body.offers).to.be.a('number');"], body={}),
        Step("Delete every fault rule", "DELETE", "/__mock/faults", 200,
             ["pm.expect(body.deleted).to.eql('all');"]),
        Step("Clear the journal (not restored)", "DELETE", "/__mock/journal", 200,
             ["pm.expect(body.cleared).to.eql(true);"]),
        Step("Import the saved state", "PUT", "/__mock/state", 200,
             ["pm.expect(body).to.be.an('object');"], raw_body="{{savedState}}"),
        Step("The state is as it was", "GET", "/__mock/state", 200,
             ["const saved = JSON.parse(pm.collectionVariables.get('savedState'));",
              "pm.expect(body.offers).to.eql(saved.offers);",
              "pm.expect(body.requests).to.eql(saved.requests);",
              "pm.expect(body.ids).to.eql(saved.ids);"]),
    ]  # fmt: skip


FOLDERS = [
    ("1. Emulated API", "A partner's day in small; the cancel gives the unit back.", _api_steps),
    ("2. Control plane: reads", "Nothing changes.", _control_reads),
    (
        "3. Control plane: changes, each undone",
        "Each change is followed by the request that undoes it.",
        _control_changes,
    ),
    (
        "4. Whole-state changes (restored from an export)",
        "Cut-offs, packing, reset, faults and journal cleared: the state is exported first and "
        "imported back last; the journal's entries are not restored. Leave this folder out "
        "(newman run --folder) on a mock you share.",
        _whole_state,
    ),
]


def build_collection(api: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    """The collection; every step names an operation of the two OpenAPI documents (the
    build fails if one does not), and every operation has a step."""
    operations = _operations(api, "{{basePath}}") | _operations(control, "")
    used: set[str] = set()
    folders = []
    for name, description, steps in FOLDERS:
        items = []
        for step in steps():
            operation_id, prefix, operation = _find(operations, step)
            used.add(operation_id)
            items.append(_item(step, prefix, operation))
        folders.append({"name": name, "description": description, "item": items})
    missing = {operation_id for operation_id, _, _ in operations.values()} - used
    if missing:
        raise ValueError(f"no Postman step for {sorted(missing)}")
    return {
        "info": {
            "name": "mock-gateway: Trendyol International Cross Dock B2B gateway",
            "description": api["info"]["description"]
            + f" (mock-gateway {__version__}). "
            + HOW_IT_RUNS,
            "schema": SCHEMA,
        },
        "auth": _basic("{{buyerCode}}", "{{password}}"),
        "variable": [
            {"key": "baseUrl", "value": "http://127.0.0.1:8080"},
            {"key": "basePath", "value": "b2bbuyergatewayapi"},
            {"key": "buyerCode", "value": "DEMO01"},
            {"key": "password", "value": "demo-pass"},
            {"key": "adminToken", "value": ""},
        ],
        "item": folders,
    }


Operations = dict[tuple[str, str], tuple[str, str, dict[str, Any]]]


def _operations(document: dict[str, Any], prefix: str) -> Operations:
    return {
        (method.upper(), path): (operation["operationId"], prefix, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def _find(operations: Operations, step: Step) -> tuple[str, str, dict[str, Any]]:
    path = step.path
    if path == "/__mock/clock/{mode}":  # freeze or resume, whichever the clock was in
        path = "/__mock/clock/resume"
    found = operations.get((step.method, path))
    if found is None:
        raise ValueError(f"Postman step {step.name!r}: no operation {step.method} {step.path}")
    return found


def _basic(username: str, password: str) -> dict[str, Any]:
    return {
        "type": "basic",
        "basic": [
            {"key": "username", "value": username, "type": "string"},
            {"key": "password", "value": password, "type": "string"},
        ],
    }


def _item(step: Step, prefix: str, operation: dict[str, Any]) -> dict[str, Any]:
    path = prefix + step.path
    segments = [_segment(part) for part in path.strip("/").split("/")]
    parameters = {p[1:] for p in segments if p.startswith(":")}
    defaults = {"buyerCode": "{{buyerCode}}", "requestNumber": "{{requestNumber}}",
                "modelNo": "{{modelNo}}", "barcode": "{{barcode}}"}  # fmt: skip
    variables = [
        {"key": name, "value": step.values.get(name, defaults.get(name, ""))}
        for name in sorted(parameters)
    ]
    raw_path = "/".join(segments)
    query = [{"key": k, "value": v} for k, v in step.query]
    url: dict[str, Any] = {
        "raw": "{{baseUrl}}/" + raw_path + ("?" + "&".join(f"{k}={v}" for k, v in step.query)
                                           if step.query else ""),
        "host": ["{{baseUrl}}"],
        "path": segments,
    }  # fmt: skip
    if query:
        url["query"] = query
    if variables:
        url["variable"] = variables
    request: dict[str, Any] = {
        "method": step.method,
        "header": [],
        "url": url,
        "description": (operation.get("summary", "") + ". " + step.description).strip(". "),
    }
    raw = step.raw_body if step.raw_body is not None else (
        None if step.body is None else json.dumps(step.body, indent=2)
    )  # fmt: skip
    if raw is not None:
        request["header"] = [{"key": "Content-Type", "value": "application/json"}]
        request["body"] = {"mode": "raw", "raw": raw, "options": {"raw": {"language": "json"}}}
    if step.auth is not None:
        request["auth"] = step.auth
    elif path.startswith("/__mock/"):
        request["auth"] = {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{adminToken}}", "type": "string"}],
        }
    return {"name": step.name, "event": [_test_script(step)], "request": request}


def _test_script(step: Step) -> dict[str, Any]:
    lines = [
        f"pm.test('status {step.status}', () => pm.response.to.have.status({step.status}));",
        "pm.test('JSON answer', () => pm.response.to.be.json);",
        "let body = null;",
        "try { body = pm.response.json(); } catch (error) { body = null; }",
        "pm.test('shape', () => {",
        *("  " + line for line in step.checks),
        "});",
    ]
    if step.keeps:
        lines += [f"if (pm.response.code === {step.status}) {{",
                  *("  " + line for line in step.keeps), "}"]  # fmt: skip
    return {"listen": "test", "script": {"type": "text/javascript", "exec": lines}}


def _segment(part: str) -> str:
    """OpenAPI's {name} is Postman's :name; base-path variables stay as they are."""
    if part.startswith("{") and part.endswith("}") and not part.startswith("{{"):
        return ":" + part[1:-1]
    return part
