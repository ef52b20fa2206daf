"""The baseline: a minimal Flask app returning ready-made bytes, under the same gunicorn config.

BASELINE_BYTES sets the body size (the mean size of the workload's responses).
"""

from __future__ import annotations

import os

from flask import Flask, Response

BODY = b"x" * int(os.environ.get("BASELINE_BYTES", "1000"))

app = Flask("baseline")


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def anything(path: str) -> Response:
    return Response(BODY, content_type="application/json; charset=utf-8")
