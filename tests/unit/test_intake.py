"""The framing of requests the worker reads whole before a thread sees them (serving/intake.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_gateway.serving.intake import MAX_HEAD_BYTES, Framing, Verdict

HEAD = b"POST /v2/offers/DEMO01/items HTTP/1.1\r\nHost: x\r\n"
BODY = b'[{"barcode":"A","requestedQuantity":1}]'
SIZED = HEAD + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY
CHUNKED = (
    HEAD
    + b'Transfer-Encoding: chunked\r\n\r\n5\r\n[{"ba\r\n22;x=y\r\n'
    + BODY[5:]
    + b"\r\n0\r\n\r\n"
)
GET = b"GET /v1_1/offers HTTP/1.1\r\nHost: x\r\n\r\n"


def verdicts(request: bytes, cuts: list[int], max_body: int = 1024) -> list[str]:
    """The verdict after each arrival, the request cut at `cuts`."""
    framing = Framing(max_body)
    return [framing.verdict(request[:cut]) for cut in [*cuts, len(request)]]


@pytest.mark.parametrize("request_bytes", [SIZED, CHUNKED, GET], ids=["sized", "chunked", "get"])
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_framing__a_request_is_whole_at_its_last_byte_and_not_before(
    request_bytes: bytes, data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(0, len(request_bytes) - 1), max_size=8)))
    assert verdicts(request_bytes, cuts) == [Verdict.WAIT] * len(cuts) + [Verdict.WHOLE]


def test_framing__a_pipelined_request_behind_is_left_for_later() -> None:
    framing = Framing(1024)
    assert framing.verdict(SIZED + GET[:10]) == Verdict.WHOLE
    assert framing.body_end == len(SIZED)


@pytest.mark.parametrize(
    "head",
    [
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",  # both framings
        b"Content-Length: 5\r\nContent-Length: 5\r\n",
        b"Content-Length: -1\r\n",
        b"Content-Length: 99999999999999999999\r\n",
        b"Transfer-Encoding: gzip, chunked\r\n",
        b"Content-Length: 2048\r\n",  # over the body limit: the app answers 413
    ],
)
def test_framing__what_gunicorn_must_judge_is_handed_over(head: bytes) -> None:
    assert Framing(1024).verdict(HEAD + head + b"\r\n") == Verdict.HAND_OVER


def test_framing__chunks_over_the_body_limit_are_handed_over() -> None:
    request = HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"400\r\n" + b"a" * 1024 + b"\r\n1\r\n"
    assert Framing(1024).verdict(request) == Verdict.HAND_OVER


def test_framing__a_bad_chunk_size_is_handed_over() -> None:
    request = HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"
    assert Framing(1024).verdict(request) == Verdict.HAND_OVER


def test_framing__a_header_block_without_end_is_bounded() -> None:
    framing = Framing(1024)
    assert framing.verdict(b"GET / HTTP/1.1\r\n" + b"a" * 100) == Verdict.WAIT
    assert framing.verdict(b"GET / HTTP/1.1\r\n" + b"a" * MAX_HEAD_BYTES) == Verdict.HAND_OVER


def test_framing__expect_continue_is_noticed() -> None:
    framing = Framing(1024)
    assert framing.verdict(HEAD + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\n") == "wait"
    assert framing.expects_continue


@pytest.mark.parametrize(
    ("target", "verdict"),
    [
        (b"PUT /__mock/state", Verdict.WAIT),  # the control plane's larger limit
        (b"POST /__mock/offers?x=1", Verdict.WAIT),
        (b"POST /v2/offers/DEMO01/items", Verdict.HAND_OVER),  # over the API's: its 413
        (b"POST /b2bbuyergateway/__mocked", Verdict.HAND_OVER),
    ],
)
def test_framing__control_plane_bodies_have_their_own_limit(target: bytes, verdict: str) -> None:
    head = target + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"
    assert Framing(1024, 10_000).verdict(head) == verdict
