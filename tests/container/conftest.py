"""Container tests run only when CONTAINER_IMAGE names a built image (scripts/container-test.sh)."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("CONTAINER_IMAGE") else ["test_*.py"]
