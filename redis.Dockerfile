# Redis for the compose fleet (compose.yaml, profile "fleet"): Debian's redis-server, so the
# fleet builds where only Debian's and PyPI's mirrors are reachable. Where a registry is, the
# official image does as well: replace `build:` with `image: redis:7` in compose.yaml.
FROM python:3.12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/*
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--appendonly", "yes", "--dir", "/var/lib/redis"]
