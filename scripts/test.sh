#!/usr/bin/env bash
# Install what the tests need into .venv, then lint, type-check and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# the dashboard's browser tests drive Debian's Chromium (installed here when missing, as the
# benchmark installs wrk)
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver from the OS packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }
fi
# the Redis store's tests start Debian's redis-server on a free loopback port (and, for TLS,
# make a throwaway certificate with openssl)
if ! command -v redis-server >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  echo "installing redis-server and openssl from the OS packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq redis-server openssl >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq redis-server openssl >/dev/null; }
fi
# .ci/run also runs the in-process suites with the wall clock years ahead (Debian's faketime)
if ! command -v faketime >/dev/null 2>&1; then
  echo "installing faketime from the OS packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq faketime >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq faketime >/dev/null; }
fi
# Node tools pinned in tools/package-lock.json: newman (the Postman collection), typescript,
# openapi-typescript and openapi-fetch (the README's TypeScript example), testcontainers (its
# Node snippet, in the container suite); Node and npm come from the OS packages when missing
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm from the OS packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq nodejs npm >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
fi
if ! (cd tools && npm ls --all >/dev/null 2>&1); then
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy mock_gateway bench
# four workers, a test file each at a time (its module fixtures start once): most of the
# suite's wall time is waiting (servers, sieges, a stopped Redis), which overlaps. The Redis
# fleet's tests read on one replica what another has just changed; under four workers' load
# its news sometimes arrives after that read (the fleet's read-your-writes gap), so they run
# alone, after the rest. With arguments, pytest runs just those, on four workers.
if [ "$#" -eq 0 ]; then
  .venv/bin/pytest -n 4 --dist loadfile --ignore=tests/live/test_fleet.py
  .venv/bin/pytest -q tests/live/test_fleet.py
else
  .venv/bin/pytest -n 4 --dist loadfile "$@"
fi
