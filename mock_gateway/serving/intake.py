"""Where an HTTP/1.x request ends in the bytes a connection has sent so far.

The worker reads every request whole in its event loop before a thread sees it, so a client
that is silent, slow or gone holds a few bytes of memory, never a thread. This module only
frames: it finds the end of the header block and of the body (Content-Length or chunked). It
never judges a request; whatever it cannot frame is handed to gunicorn's own parser, which
refuses it in the contract's envelope (serving/worker.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A header block larger than this is handed over unframed: gunicorn refuses it (431 or 400).
# The app's own limits (a 2 KiB path, a 32 KiB query, 100 fields) sit well inside it.
MAX_HEAD_BYTES = 256 * 1024


# the header fields that frame a body (or ask for "100 Continue"), with their values
_FRAMING_FIELD = re.compile(
    rb"\r\n(content-length|transfer-encoding|expect)[ \t]*:([^\r\n]*)", re.IGNORECASE
)


# a request line whose target is the control plane's
_CONTROL_TARGET = re.compile(rb"[A-Z]+ /__mock[/ ?]")


class Verdict:
    """What the bytes so far are: a whole request, not yet one, or one to hand over as is."""

    WAIT = "wait"  # more bytes are needed
    WHOLE = "whole"  # a whole request (and perhaps the start of the next) is here
    HAND_OVER = "hand over"  # unframable or over a limit: gunicorn's parser decides


@dataclass(slots=True)
class Framing:
    """The framing of the request at the start of a connection's pending bytes, worked out
    as bytes arrive: each call resumes where the last one stopped."""

    max_body: int
    # bodies to the control plane (/__mock/...) may be larger: state documents
    control_max_body: int = 0
    head_end: int = -1  # the index just past the blank line ending the header block
    body_end: int = -1  # known for Content-Length: the index just past the body
    chunked: bool = False
    chunk_at: int = 0  # chunked: where the next chunk-size line starts
    chunk_total: int = 0  # chunked: body bytes framed so far
    scanned: int = 0  # the header block was looked for up to here
    expects_continue: bool = False

    def verdict(self, data: bytes | bytearray) -> str:
        """WAIT, WHOLE or HAND_OVER for the request at the start of `data`."""
        if self.head_end < 0:
            found = data.find(b"\r\n\r\n", max(0, self.scanned - 3))
            if found < 0:
                self.scanned = len(data)
                return Verdict.HAND_OVER if len(data) > MAX_HEAD_BYTES else Verdict.WAIT
            self.head_end = found + 4
            if not self._read_head(bytes(data[: self.head_end - 2])):
                return Verdict.HAND_OVER
            if self.control_max_body and _CONTROL_TARGET.match(data):
                self.max_body = max(self.max_body, self.control_max_body)
        if self.chunked:
            return self._chunks(data)
        if self.body_end > self.max_body + self.head_end:
            return Verdict.HAND_OVER  # the app answers 413 and drains what comes
        return Verdict.WHOLE if len(data) >= self.body_end else Verdict.WAIT

    def body_received(self, data: bytes | bytearray) -> int:
        """How many body bytes have arrived (0 while the header block is incomplete)."""
        return 0 if self.head_end < 0 else len(data) - self.head_end

    def _read_head(self, head: bytes) -> bool:
        """Find the body's framing in the header block; False when it is not plain."""
        length: int | None = None
        for match in _FRAMING_FIELD.finditer(head):  # most requests (GETs) have none
            name, value = match[1].lower(), match[2].strip()
            if name == b"content-length":
                if not value.isdigit() or length is not None or len(value) > 18:
                    return False
                length = int(value)
            elif name == b"transfer-encoding":
                if value.lower() != b"chunked" or self.chunked:
                    return False
                self.chunked = True
            elif name == b"expect":
                self.expects_continue = value.lower() == b"100-continue"
        if self.chunked and length is not None:
            return False  # both framings: a smuggling attempt, refused by gunicorn
        self.body_end = self.head_end + (length or 0)
        self.chunk_at = self.head_end
        return True

    def _chunks(self, data: bytes | bytearray) -> str:
        """Walk the chunks that have arrived whole; WHOLE after the last chunk's trailers."""
        at = self.chunk_at
        while True:
            line_end = data.find(b"\r\n", at, at + 1024)
            if line_end < 0:
                return Verdict.HAND_OVER if len(data) - at > 1024 else Verdict.WAIT
            size_text = bytes(data[at:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return Verdict.HAND_OVER
            if size < 0 or len(size_text) > 16:
                return Verdict.HAND_OVER
            if size == 0:
                if data[line_end + 2 : line_end + 4] == b"\r\n":
                    return Verdict.WHOLE  # no trailers
                if data.find(b"\r\n\r\n", line_end) >= 0:
                    return Verdict.WHOLE
                return Verdict.HAND_OVER if len(data) - at > MAX_HEAD_BYTES else Verdict.WAIT
            if self.chunk_total + size > self.max_body:
                return Verdict.HAND_OVER  # the app answers 413
            next_at = line_end + 2 + size + 2
            if len(data) < next_at:
                return Verdict.WAIT
            self.chunk_total += size
            at = self.chunk_at = next_at
