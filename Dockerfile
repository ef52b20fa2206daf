FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOCK_GATEWAY_HOST=0.0.0.0 \
    MOCK_GATEWAY_PORT=8080

WORKDIR /app

# Dependencies in their own layer: read from pyproject.toml, so the list lives in one place.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > requirements.txt \
    && pip install --no-cache-dir -r requirements.txt \
    && rm requirements.txt

COPY README.md gunicorn.conf.py ./
COPY mock_gateway ./mock_gateway
COPY schemas ./schemas
COPY fixtures ./fixtures
RUN pip install --no-cache-dir --no-deps . \
    && cp mock_gateway/serving/healthcheck.py /app/healthcheck.py \
    && rm -rf build ./*.egg-info mock_gateway schemas fixtures README.md \
    && useradd --system --uid 10001 --no-create-home mock

USER 10001
EXPOSE 8080
HEALTHCHECK --interval=1s --timeout=2s --start-period=10s --retries=3 \
    CMD ["python", "-S", "-I", "/app/healthcheck.py"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
