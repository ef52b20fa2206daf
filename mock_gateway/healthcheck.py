"""Container health check: exit 0 when the mock answers ready. Standard library only, so it
starts in milliseconds; sends the admin token when one is set."""

from __future__ import annotations

import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("MOCK_GATEWAY_PORT") or os.environ.get("PORT") or "8080"
    control = os.environ.get("MOCK_GATEWAY_CONTROL_PLANE", "true").strip().lower()
    path = "/healthcheck" if control in ("0", "false", "no", "off") else "/__mock/ready"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    token = os.environ.get("MOCK_GATEWAY_ADMIN_TOKEN", "").strip()
    if token and path.startswith("/__mock"):
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
