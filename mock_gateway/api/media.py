"""Product images served by the mock itself, so image downloads work offline (no auth).

One image set per (model, colour): the variants of a colour share their pictures.
"""

from __future__ import annotations

from flask import Response

from mock_gateway.api import api
from mock_gateway.api.render import NO_COLOUR
from mock_gateway.contract.errors import NotFound
from mock_gateway.data.png import product_png
from mock_gateway.state.services import services


@api.get("/media/<model_no>/<color>/<int:index>.png")
def media(model_no: str, color: str, index: int) -> Response:
    gateway = services().gateway
    if color == NO_COLOUR and gateway.has_image(model_no, "", index):
        color = ""  # an offer with no colour (a colour named "~" is looked for next)
    if not gateway.has_image(model_no, color, index):
        raise NotFound(f"no image {index} in colour {color!r} for model {model_no!r}")
    response = Response(product_png(color, index), content_type="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
