"""A client generated from the OpenAPI document (openapi-python-client) drives every endpoint.

Generation must give zero warnings, and the generated client must pass the whole partner flow
against a served mock: health, offers, stock status, images, rating, purchase, B2Bs, cancel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.live.server import served

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "project_name_override: mock-gateway-client\npackage_name_override: mock_gateway_client\n"

FLOW = """
import sys
from mock_gateway_client import AuthenticatedClient, Client
from mock_gateway_client.api.catalog import get_offers, get_product_images, get_rating
from mock_gateway_client.api.catalog import get_stock_status
from mock_gateway_client.api.health import healthcheck
from mock_gateway_client.api.orders import cancel_items, create_purchase_request, get_b2b_packages
from mock_gateway_client.models import CancelRequest, Offer, PurchaseLine, PurchaseResponse

base = sys.argv[1] + "/b2bbuyergatewayapi"
health = healthcheck.sync_detailed(client=Client(base_url=base))
assert health.status_code == 200 and health.parsed.has_error is False, health
client = AuthenticatedClient(base_url=base, token="REVNTzAxOmRlbW8tcGFzcw==", prefix="Basic")
offers = get_offers.sync(client=client, page_size=5)
assert len(offers) == 5 and all(isinstance(o, Offer) for o in offers), offers
stock = get_stock_status.sync("DEMO01", client=client)
row = next(r for r in stock if r.available_quantity >= 2)
offer = get_offers.sync(client=client, barcodes=[row.barcode])[0]
images = get_product_images.sync(offer.model_no, client=client)
assert images and images[0].image_url.startswith("http"), images
rating = get_rating.sync(offer.barcode, client=client)
assert rating.total_rating_count >= 0, rating
purchase = create_purchase_request.sync(
    "DEMO01", client=client, body=[PurchaseLine(barcode=row.barcode, requested_quantity=2)]
)
assert isinstance(purchase, PurchaseResponse) and purchase.items[0].available_quantity == 2
number = purchase.request_number
assert purchase.create_date_time.year == 2026  # format: date-time parses to a datetime
assert get_b2b_packages.sync(number, client=client) == []
one = CancelRequest(barcode=row.barcode, quantity=1)
cancel = cancel_items.sync(number, client=client, body=one)
assert cancel.cancelled_quantity == 1 and cancel.has_error is False, cancel
print("flow ok")
"""


def test_generated_client__zero_warnings_and_the_whole_flow(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    (tmp_path / "config.yaml").write_text(CONFIG)
    generate = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path",
         str(ROOT / "docs" / "openapi.json"), "--config", "config.yaml", "--meta", "none"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = generate.stdout + generate.stderr
    assert generate.returncode == 0, output
    assert "Warning" not in output and "WARNING" not in output, output
    (tmp_path / "flow.py").write_text(textwrap.dedent(FLOW))
    with served(
        {"MOCK_GATEWAY_LOG_FORMAT": "off", "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00:00Z"}
    ) as base:
        flow = subprocess.run(
            [sys.executable, "flow.py", base],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert flow.returncode == 0, flow.stdout + flow.stderr
    assert "flow ok" in flow.stdout
