"""The error hierarchy and the one renderer that turns errors into the contract's shapes.

Each error is a small class: its status, and the body shape the contract gives that status on
that endpoint. Werkzeug's own errors (404, 405, 413) and anything unexpected go through the same
renderer, so no response ever leaves in a shape the contract does not name.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

JSON_TYPE = "application/json; charset=utf-8"
PROBLEM_TYPE = "application/problem+json; charset=utf-8"
BAD_BODY = "Provided request body cannot be serialized."
INTERNAL = "There was a problem while processing your request."

log = logging.getLogger("mock_gateway")


def dump(data: Any) -> bytes:
    """Serialize compactly, as the real gateway does."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dump(data), status=status, headers=headers, content_type=JSON_TYPE)


def messages(*texts: str, kind: str = "error") -> list[dict[str, str]]:
    return [{"type": kind, "content": text} for text in texts]


class ApiError(Exception):
    """An error in the generic envelope: {"hasError": true, "messages": [...]}."""

    status: int = 400
    detail: str | None = None  # for the log, never for the caller (warned now and then)

    def __init__(self, *texts: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(*texts)
        self.texts = texts or ("Bad request",)
        self.headers = headers or {}

    def body(self) -> Any:
        return {"hasError": True, "messages": messages(*self.texts)}

    def response(self) -> Response:
        return json_response(self.body(), self.status, self.headers)


class BadRequest(ApiError):
    status = 400


class BadBody(BadRequest):
    def __init__(self) -> None:
        super().__init__(BAD_BODY)


class Unauthorized(ApiError):
    """401 with the envelope (default) or, with MOCK_GATEWAY_UNAUTHORIZED_STYLE=marketplace,
    the body Trendyol's marketplace edge sends (its time in epoch milliseconds)."""

    status = 401

    def __init__(self, style: str = "envelope", epoch_ms: int = 0) -> None:
        super().__init__(
            "Unauthorized", headers={"WWW-Authenticate": 'Basic realm="b2bbuyergateway"'}
        )
        self.style = style
        self.epoch_ms = epoch_ms

    def body(self) -> Any:
        if self.style != "marketplace":
            return super().body()
        return {
            "timestamp": self.epoch_ms,
            "exception": "ClientApiAuthenticationException",
            "errors": [
                {
                    "key": "ClientApiAuthenticationException",
                    "message": "Unauthorized: check the username and password",
                    "errorCode": None,
                }
            ],
        }


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class MethodNotAllowed(ApiError):
    status = 405


class PayloadTooLarge(ApiError):
    status = 413


class UriTooLong(ApiError):
    status = 414


class UnsupportedMediaType(ApiError):
    status = 415


class TooManyRequests(ApiError):
    status = 429


class ServiceUnavailable(ApiError):
    status = 503


class InternalError(ApiError):
    """The framework's 500; the mock produces it only when a fault rule asks for it."""

    status = 500

    def __init__(self) -> None:
        super().__init__(INTERNAL)

    def body(self) -> Any:
        return {
            "errorCode": "InternalServerError",
            "hasError": True,
            "messages": messages(INTERNAL),
        }


class CancelRejected(ApiError):
    """Cancel-items answers 400 with a bare array of messages (VERIFIED), unlike the rest."""

    def body(self) -> Any:
        return messages(*self.texts)


class ModelNotFound(ApiError):
    """The images endpoint answers an unknown model with 404 and body {} (VERIFIED)."""

    status = 404

    def body(self) -> Any:
        return {}


class ProductNotFound(ApiError):
    """The rating endpoint answers an unknown barcode with an RFC 7807 problem (VERIFIED)."""

    status = 404

    def __init__(self, trace_id: str) -> None:
        super().__init__("Not Found")
        self.trace_id = trace_id

    def body(self) -> Any:
        return {
            "type": "https://tools.ietf.org/html/rfc7231#section-6.5.4",
            "title": "Not Found",
            "status": 404,
            "traceId": self.trace_id,
        }

    def response(self) -> Response:
        return Response(dump(self.body()), status=404, content_type=PROBLEM_TYPE)


_HTTP_ERRORS: dict[int, type[ApiError]] = {
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    414: UriTooLong,
    415: UnsupportedMediaType,
}


def from_http_exception(exc: HTTPException) -> ApiError:
    """Map werkzeug's own errors onto ours, keeping their headers (Allow on 405)."""
    code = exc.code or 500
    cls = _HTTP_ERRORS.get(code)
    if cls is None:
        if code >= 500:
            return InternalError()
        error = BadRequest(exc.description or "Bad request")
        error.status = code
        return error
    texts = {
        404: "No such route: check the path and the base path",
        405: "This route does not accept this method",
        413: "The request body is larger than the configured limit",
        414: "The request line is too long",
        415: "Content-Type must be application/json",
    }
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return cls(texts[code], headers=headers)


def too_large() -> PayloadTooLarge:
    """The 413, naming the limit that applies to this request and the setting that sets it."""
    from flask import current_app, request

    settings = current_app.extensions["mock_gateway"].settings
    if request.path.startswith("/__mock"):
        limit, variable = settings.control_max_body_bytes, "MOCK_GATEWAY_CONTROL_MAX_BODY_BYTES"
    else:
        limit, variable = settings.max_body_bytes, "MOCK_GATEWAY_MAX_BODY_BYTES"
    return PayloadTooLarge(
        f"The request body is larger than {limit} bytes, the limit {variable} sets"
    )


_last_warning = [0.0]
WARN_EVERY_S = 5.0


def warn_now_and_then(text: str) -> None:
    """Log a failure's detail at most once every WARN_EVERY_S: a store away for a minute fails
    every request meanwhile, and one line in five seconds says it as well."""
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_S:
        _last_warning[0] = now
        log.warning("%s", text)


def register_error_handlers(app: Flask) -> None:
    """Route every error, ours, werkzeug's and unexpected ones, through the one renderer."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        if error.detail:
            warn_now_and_then(error.detail)
        return error.response()

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if error.code == 413:
            return too_large().response()
        return from_http_exception(error).response()

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error: %s", type(error).__name__)
        return InternalError().response()
