"""Container health check: exit 0 when the mock answers ready.

Runs every half second in the container, so it is kept to the bare standard library (a raw
socket, no urllib) and is run by path with `python -S -I`: it starts in milliseconds. Sends
the admin token when one is set; uses /healthcheck when the control plane is off.
"""

from __future__ import annotations

import os
import socket
import sys


def main() -> int:
    port = int(os.environ.get("MOCK_GATEWAY_PORT") or os.environ.get("PORT") or "8080")
    control = os.environ.get("MOCK_GATEWAY_CONTROL_PLANE", "true").strip().lower()
    path = "/healthcheck" if control in ("0", "false", "no", "off") else "/__mock/ready"
    headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    token = os.environ.get("MOCK_GATEWAY_ADMIN_TOKEN", "").strip()
    if token and path.startswith("/__mock"):
        headers += f"Authorization: Bearer {token}\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall((headers + "\r\n").encode())
            status_line = conn.recv(64).split(b"\r\n", 1)[0]
    except OSError:
        return 1
    return 0 if status_line.split(b" ")[1:2] == [b"200"] else 1


if __name__ == "__main__":
    sys.exit(main())
