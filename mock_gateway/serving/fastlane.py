"""The fast lane: the hottest routes answered without Flask's per-request machinery.

Offers pages, stock status, purchases, cancels and B2Bs make up a partner's traffic. For them,
this WSGI layer (after base-path folding, before Flask) runs the same checks as the pipeline
(mock_gateway.api.auth: User-Agent, credentials, a `buyerCode` query) and the same input
parsers (mock_gateway.contract.inputs), then the very same answer functions the Flask views run
(mock_gateway.api.call), and records the same journal entry and log line. Anything out of the
ordinary goes to Flask untouched: rate limiting on, a fault rule
that matches the request, missing or wrong credentials, an over-long line, a chunked or
over-limit body, or any input the answer functions refuse (they raise before changing state,
so Flask recomputes the refusal in its usual shape). The answers are therefore the same bytes
either way; the test suite, which goes through this layer too, checks them against the
contract, tests/api/test_fastlane.py compares the two paths on chosen requests and
tests/api/test_differential.py on 2 000 generated request sessions.

Measured (bench/): stock status went from 0.7x to 1.1x the throughput of a bare Flask app.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from mock_gateway.api.auth import caller, check_query_buyer, check_user_agent
from mock_gateway.api.body import check_content_type, parse_body
from mock_gateway.api.call import Call, from_environ
from mock_gateway.api.catalog import offers_answer, stock_answer
from mock_gateway.api.orders import b2bs_answer, cancel_answer, purchase_answer, purchase_status
from mock_gateway.contract.errors import JSON_TYPE, ApiError, BadRequest, CancelRejected
from mock_gateway.domain.errors import DomainError
from mock_gateway.serving.pipeline import MAX_PATH, MAX_QUERY, record_exchange
from mock_gateway.state.services import Services
from mock_gateway.state.store import StoreUnavailable

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# POST routes by last segment: body schema, the route's refusal shape, answer function
BODY_ROUTES: dict[str, tuple[str, type[ApiError], Callable[[Call, str, Any], bytes]]] = {
    "items": ("purchase-request", BadRequest, purchase_answer),
    "cancel-items": ("cancel-request", CancelRejected, cancel_answer),
}


class Delegate(Exception):
    """This request is Flask's to answer."""


class FastLane:
    def __init__(self, app: WsgiApp, services: Services) -> None:
        self.app = app
        self.svc = services

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        svc = self.svc
        path: str = environ.get("PATH_INFO", "")
        method: str = environ.get("REQUEST_METHOD", "")
        parts = path.split("/")
        hot = (method == "GET" and path == "/v1_1/offers") or (
            len(parts) == 5 and parts[1] == "v2" and parts[2] == "offers" and parts[3]
        )
        if not hot or len(path) > MAX_PATH:
            return self.app(environ, start_response)
        started = time.perf_counter()
        # up to date before anything is decided: the rate limit and fault rules are state too
        try:
            svc.store.sync()
        except StoreUnavailable as failure:
            # Flask answers this 503, its message as said, without trying again: a change sent
            # to a store that went away may have been made, and must not be made twice
            environ["mock_gateway.store_failed"] = failure
            return self.app(environ, start_response)
        environ["mock_gateway.synced"] = True
        if svc.rate_limiter.limit is not None or len(environ.get("QUERY_STRING", "")) > MAX_QUERY:
            return self.app(environ, start_response)
        raw = b""
        try:
            check_user_agent(svc, environ)
            buyer = caller(svc, environ)
            if buyer is None:
                raise Delegate()  # Flask's 401
            call = from_environ(svc, buyer, environ)
            if svc.faults.active and svc.faults.any_match(method, call.path, buyer):
                raise Delegate()  # the pipeline applies (and counts) the rule
            check_query_buyer(buyer, call.query_string)
            headers: dict[str, str] = {}
            status = 200
            if path == "/v1_1/offers":
                body, headers = offers_answer(call)
            elif method == "GET" and parts[4] == "stock-status":
                body = stock_answer(call, call.param)
            elif method == "GET" and parts[4] == "B2Bs":
                body = b2bs_answer(call, call.param)
            elif method == "POST" and parts[4] in BODY_ROUTES:
                schema, error, answer = BODY_ROUTES[parts[4]]
                raw = self._body(environ)
                strict = svc.settings.json_binding == "strict"
                parsed = parse_body(raw, schema, svc.schemas, error, strict)
                body = answer(call, call.param, parsed)
                if parts[4] == "items":
                    status = purchase_status(svc)
            else:
                raise Delegate()
        except StoreUnavailable as failure:
            environ["mock_gateway.store_failed"] = failure
            return self.app(environ, start_response)
        except (Delegate, ApiError, DomainError):
            if raw:
                environ["wsgi.input"] = io.BytesIO(raw)  # Flask reads the body again
            return self.app(environ, start_response)
        if svc.saver is not None:
            svc.saver.ensure_started()
        record_exchange(
            svc,
            method=method,
            path=call.script_root + call.path,
            query=call.query_string,
            body=raw,
            status=status,
            response=body,
            started=started,
            buyer=buyer,
        )
        start_response(
            "200 OK" if status == 200 else "201 Created",
            [("Content-Type", JSON_TYPE), ("Content-Length", str(len(body))), *headers.items()],
        )
        return [body]

    def _body(self, environ: dict[str, Any]) -> bytes:
        """A JSON body of declared length within the limit, else Flask's 413/415/400."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            raise Delegate() from None
        if not 0 < length <= self.svc.settings.max_body_bytes:
            raise Delegate()
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        check_content_type(mimetype, length)
        raw: bytes = environ["wsgi.input"].read(length)
        if len(raw) != length:  # the client went away mid-body: nothing to do
            environ["wsgi.input"] = io.BytesIO(raw)
            raise Delegate()
        return raw
