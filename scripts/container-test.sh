#!/usr/bin/env bash
# Build the image, then run the container suite against it (tests/container): health within
# 2 s, the live control-plane suite, logs, docker stop, settings by environment, refusals, two
# containers on one Redis, and compose.yaml's fleet.
# Needs a docker engine; on machines without registry access, ../shared/tools/docker-env (or
# DOCKER_ENV) provides one. Traffic goes to 127.0.0.1 only (host network).
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${CONTAINER_IMAGE:-mock-gateway:test}
# the compose fleet's test needs compose: v2's plugin, or Debian's docker-compose
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  apt-get install -y -qq docker-compose >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null; }
fi
docker build --network host -t "$IMAGE" . >/tmp/mock-gateway-build.log 2>&1 || {
  tail -40 /tmp/mock-gateway-build.log; exit 1; }
docker image inspect "$IMAGE" --format 'image size: {{.Size}} bytes'
CONTAINER_IMAGE=$IMAGE .venv/bin/pytest -q -s -p no:cacheprovider tests/container "$@"
