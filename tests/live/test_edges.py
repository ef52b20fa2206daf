"""The edges of the served gateway (gunicorn): HTTP it cannot parse, early refusals of big
bodies, and a raw-socket fuzz. Every answer is JSON, never 5xx, and the server keeps serving."""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.contract_check import check_response
from tests.live.server import served

AUTH = "Basic " + base64.b64encode(b"DEMO01:demo-pass").decode()


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with served({"MOCK_GATEWAY_LOG_FORMAT": "off"}) as url:
        yield url


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def send_raw(base: str, data: bytes, timeout: float = 5.0) -> bytes:
    """Write raw bytes, then read until the server closes (or the timeout)."""
    with socket.create_connection(("127.0.0.1", _port(base)), timeout=timeout) as conn:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def first_answer(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    length = int(headers.get("content-length", "0"))
    return status, headers, rest[:length]


def assert_healthy(base: str) -> None:
    status, _, body = first_answer(
        send_raw(base, b"GET /healthcheck HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    )
    assert (status, json.loads(body)) == (200, {"hasError": False, "messages": []})


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST /v2/offers/DEMO01/items HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n", 400),
        (b"GET /v1_1/offers HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n", 400),
        (b"GET /v1_1/offers HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n", 400),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /v1_1/offers HTTP/9.9\r\nHost: t\r\n\r\n", 400),
        (b"GET /v1_1/offers HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)), 431),
    ],
)
def test_unparsable_http__is_answered_in_the_envelope(
    base: str, request_bytes: bytes, status: int
) -> None:
    got, headers, body = first_answer(send_raw(base, request_bytes + b"\r\n"))
    assert got == status
    assert headers["content-type"] == "application/json; charset=utf-8"
    data = json.loads(body)
    assert data["hasError"] is True and data["messages"][0]["type"] == "error"
    assert_healthy(base)


def test_non_ascii_credentials__are_401_in_the_envelope(base: str) -> None:
    raw = b"GET /v1_1/offers HTTP/1.1\r\nHost: t\r\nAuthorization: Basic \xe9\xff\x80\r\n\r\n"
    status, headers, body = first_answer(send_raw(base, raw))
    assert status == 401
    check_response("GET", "/v1_1/offers", status, headers["content-type"], body)


def test_malformed_chunked_body__is_400_not_500(base: str) -> None:
    raw = (
        b"POST /v2/offers/DEMO01/items HTTP/1.1\r\nHost: t\r\nAuthorization: "
        + AUTH.encode()
        + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"zz\r\n[]\r\n0\r\n\r\n"
    )
    status, _, body = first_answer(send_raw(base, raw))
    assert status == 400
    assert json.loads(body)["hasError"] is True


@pytest.mark.parametrize(
    ("megabytes", "count", "auth", "expected"),
    [
        (3, 100, AUTH, 413),  # the acceptance figure
        (8, 20, AUTH, 413),  # beyond loopback's socket buffers: fails every time undrained
        (3, 20, "Basic bm9wZTpub3Bl", 401),
        (8, 10, None, 401),
    ],
)
def test_oversized_bodies__every_urllib_client_reads_the_early_refusal(
    base: str, megabytes: int, count: int, auth: str | None, expected: int
) -> None:
    """urllib writes the whole body before reading: an early 413 (or 401) must still arrive."""
    line = b'{"barcode":"8680018570317","requestedQuantity":1},'
    body = b"[" + line * (megabytes * 1024 * 1024 // len(line)) + line[:-1] + b"]"
    assert len(body) > megabytes * 1024 * 1024
    headers = {"Content-Type": "application/json", **({"Authorization": auth} if auth else {})}
    statuses: list[int | str] = []
    for _ in range(count):
        request = urllib.request.Request(
            base + "/v2/offers/DEMO01/items", data=body, headers=headers
        )
        try:
            urllib.request.urlopen(request, timeout=10)
            statuses.append(200)
        except urllib.error.HTTPError as exc:
            payload = json.loads(exc.read())
            assert payload["hasError"] is True
            statuses.append(exc.code)
        except OSError as exc:  # a reset or broken pipe instead of the answer
            statuses.append(type(exc).__name__)
    assert statuses == [expected] * count


# -- raw-socket fuzz ----------------------------------------------------------------------------

METHODS = st.sampled_from(["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "G\x00T", "", "get"])
TARGETS = st.one_of(
    st.sampled_from(
        [
            "/v1_1/offers", "/b2bbuyergateway/v2/offers/DEMO01/stock-status",
            "/v2/offers/DEMO01/items", "/v2/products/X/images", "/healthcheck", "/__mock/clock",
            "*", "http://other/x", "/%ff%fe", "/v1_1/offers?Page=%D9%A1", "//", "/..%2f..",
        ]
    ),
    st.text(min_size=0, max_size=40).map(lambda s: "/" + s),
)  # fmt: skip
VERSIONS = st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/1.1 extra", "", "http/1.1"])
HEADER_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                f"Authorization: {AUTH}", "Authorization: Basic \udce9\udcff", "Content-Length: -1",
                "Content-Length: 5", "Content-Length: 99999999999999999999", "Content-Length: 0x10",
                "Content-Type: application/json", "Transfer-Encoding: chunked",
                "Transfer-Encoding: identity, chunked", "Expect: 100-continue", "Host:",
                " folded", "NoColon", "Bad Name: x", ": empty", "X: \x00", "Connection: close",
            ]
        ),
        st.tuples(st.text(max_size=10), st.text(max_size=20)).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    ),
    max_size=6,
)  # fmt: skip
BODIES = st.one_of(st.just(b""), st.binary(max_size=64), st.just(b'[{"barcode":"x"}]'))


@st.composite
def raw_request(draw: st.DrawFn) -> bytes:
    line = f"{draw(METHODS)} {draw(TARGETS)} {draw(VERSIONS)}".rstrip()
    headers = [line, "Host: 127.0.0.1", *draw(HEADER_LINES), "Connection: close"]
    text = "\r\n".join(headers) + "\r\n\r\n"
    return text.encode("utf-8", "surrogateescape") + draw(BODIES)


@seed(20261129)
@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=raw_request())
def test_raw_socket_fuzz__never_5xx_never_html(base: str, data: bytes) -> None:
    raw = send_raw(base, data, timeout=3)
    if not raw:
        return  # the server may close without answering a request that never completes
    status, headers, body = first_answer(raw)
    assert status < 500, raw[:400]
    if body:
        assert headers.get("content-type", "").startswith(("application/json", "image/png"))
        if headers["content-type"].startswith("application/json"):
            json.loads(body)


def test_raw_socket_fuzz__leaves_the_server_serving(base: str) -> None:
    assert_healthy(base)


AUTH_HEADER = "Authorization: Basic " + base64.b64encode(b"DEMO01:demo-pass").decode()


@pytest.mark.parametrize(
    ("request_head", "status", "says"),
    [
        ("GET /b2bbuyergateway/v1_1/offers HTTP/1.1\r\n{auth}", 400, "no Host header"),
        ("GET /healthcheck HTTP/1.1\r\nHost: a b", 400, "not a host name"),
        ("GET /healthcheck HTTP/1.1\r\nHost: x/y", 400, "not a host name"),
        ("GET /b2bbuyergateway/v1_1//offers HTTP/1.1\r\nHost: h\r\n{auth}", 404, "No such route"),
        ("GET /__mock//clock HTTP/1.1\r\nHost: h", 404, "No such route"),
        ("OPTIONS /b2bbuyergateway/v1_1/offers HTTP/1.1\r\nHost: h\r\n{auth}", 405, "method"),
        ("OPTIONS /__mock/clock HTTP/1.1\r\nHost: h", 405, "method"),
        ("OPTIONS /__mock/ui/ HTTP/1.1\r\nHost: h", 405, "method"),
        ("OPTIONS /healthcheck HTTP/1.1\r\nHost: h", 405, "method"),
    ],
    ids=["no-host", "host-with-space", "host-with-path", "empty-segment", "control-empty-segment",
         "options-api", "options-control", "options-dashboard", "options-health"],
)  # fmt: skip
def test_edges__json_for_hosts_empty_segments_and_options(
    base: str, request_head: str, status: int, says: str
) -> None:
    head = request_head.format(auth=AUTH_HEADER).rstrip("\r\n")
    answer = send_raw(base, (head + "\r\nConnection: close\r\n\r\n").encode())
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(f"HTTP/1.1 {status}".encode()), answer[:200]
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in headers
    if status == 405:
        assert b"\r\nAllow: " in b"\r\n" + headers
    assert says in json.loads(body)["messages"][0]["content"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (b"/v1_1/offers?ModelNumber=%FF", "The query parameter 'ModelNumber' is not UTF-8 text"),
        (b"/v1_1/offers?ModelNumber=\xff", "The query parameter 'ModelNumber' is not UTF-8 text"),
        (b"/v2/products/M%ED%A0%80/images", "The path is not UTF-8 text"),
        (b"/v2/products/M\xc3\xa7\xff/images", "The path is not UTF-8 text"),
        (b"/__mock/offers/\xff", "The path is not UTF-8 text"),
    ],
)
def test_bytes_that_are_not_utf8__in_a_served_path_or_query_are_a_400(
    base: str, target: bytes, message: str
) -> None:
    raw = b"GET " + target + b" HTTP/1.1\r\nHost: t\r\nAuthorization: " + AUTH.encode()
    status, _, body = first_answer(send_raw(base, raw + b"\r\nConnection: close\r\n\r\n"))
    assert (status, json.loads(body)["messages"][0]["content"]) == (400, message)


def test_raw_utf8_in_a_served_path__is_read_as_the_text_sent(base: str) -> None:
    """gunicorn hands raw non-ASCII path bytes double-encoded; the mock reads them as sent."""
    raw = b"PATCH /__mock/offers/\xc3\xa7ay HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
    body = b'{"name":"x"}'
    raw += b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    status, _, answer = first_answer(send_raw(base, raw))
    assert status == 404
    assert "'çay'" in answer.decode("utf-8"), answer
