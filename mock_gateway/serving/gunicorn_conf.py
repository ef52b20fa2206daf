"""gunicorn configuration shared by `mock-gateway serve`, the container and the benchmark.

With the memory store: one worker, many threads (the state lives in that process, and gunicorn
workers share nothing). With a Redis store (MOCK_GATEWAY_STORE=redis://...), as many workers as
MOCK_GATEWAY_WORKERS says: they share the state through Redis. Keep-alive and timeouts are set
so idle or slow clients cannot starve the thread pool for long.
"""

from __future__ import annotations

import sys

from mock_gateway.config import SettingsError, load_settings
from mock_gateway.serving import affinity

try:
    _settings = load_settings()  # refuses WORKERS > 1 with the memory store
except SettingsError as _error:
    sys.stderr.write(f"mock-gateway: {_error}\n")
    sys.exit(2)

bind = [f"{_settings.host}:{_settings.port}"]
workers = _settings.workers
# gthread, answering gunicorn's own refusals (unparsable HTTP) in the contract's JSON envelope
worker_class = "mock_gateway.serving.worker.JsonErrorWorker"
threads = _settings.threads
preload_app = True  # load data (and fail on bad data) once, before the worker starts
timeout = 30
graceful_timeout = 3  # SIGTERM: in-flight requests get 3 s, then the worker stops
keepalive = 5  # seconds a connection with no request under way (new or kept alive) stays open
# connections a worker holds at once: silent and slow ones cost a few bytes in its event loop
# (serving/worker.py) and are closed on time, so the cap is far above what threads could serve
worker_connections = 10000
# no gunicorn cap on the request line: its refusal is an HTML page, so the app itself answers
# over-long paths and queries with 414 in the contract's envelope (pipeline.MAX_PATH/MAX_QUERY)
limit_request_line = 0
limit_request_fields = 100
accesslog = None  # the app logs one line per request itself, without credentials
errorlog = "-"
loglevel = "warning"
wsgi_app = "mock_gateway.serving.wsgi:application"


def on_starting(server: object) -> None:
    """Refuse extra workers given on gunicorn's own command line (-w) to the memory store."""
    configured = getattr(getattr(server, "cfg", None), "workers", 1)
    if configured != 1 and not _settings.shared_store:
        sys.stderr.write(
            f"mock-gateway: {configured} gunicorn workers are refused with the memory store: "
            "workers share nothing. Use one worker and more threads, or "
            "MOCK_GATEWAY_STORE=redis://HOST:PORT/DB.\n"
        )
        sys.exit(2)


# the master's record of workers that died while it served (see child_exit and pre_fork)
_dead_workers: list[int] = []


def child_exit(server: object, worker: object) -> None:
    """In the master: a worker exited. If a new one is forked next, it replaces this one."""
    _dead_workers.append(getattr(worker, "pid", 0))


def pre_fork(server: object, worker: object) -> None:
    """Choose the CPU the new worker keeps to, if any (serving/affinity.py); tell the new
    worker whether it replaces one that died (the master forks a replacement at once)."""
    worker.replaces = _dead_workers.pop() if _dead_workers else None  # type: ignore[attr-defined]
    siblings = getattr(server, "WORKERS", {}).values()
    worker.cpu = affinity.cpu_for_new_worker(  # type: ignore[attr-defined]
        _settings.cpu_affinity,
        getattr(server, "num_workers", 1),
        affinity.usable_cpus(),
        (getattr(sibling, "cpu", None) for sibling in siblings),
    )


def post_fork(server: object, worker: object) -> None:
    affinity.keep_to(getattr(worker, "cpu", None))
    dead = getattr(worker, "replaces", None)
    if dead is not None:  # gunicorn forked this worker from the start-up state
        from mock_gateway.serving.recovery import recover

        services = getattr(getattr(server, "app", None), "wsgi", lambda: None)()
        extensions = getattr(services, "extensions", {})
        if "mock_gateway" in extensions:
            recover(extensions["mock_gateway"], dead)


def when_ready(server: object) -> None:
    """Print the banner once the app is loaded and the socket listens."""
    from mock_gateway.serving.banner import banner

    app = getattr(server, "app", None)
    wsgi = app.wsgi() if app is not None else None
    services = getattr(wsgi, "extensions", {}).get("mock_gateway")
    if services is not None:
        sys.stderr.write(banner(services))
        sys.stderr.flush()


def post_worker_init(worker: object) -> None:
    """Import jsonschema in the background once the worker serves (a first bad request then
    finds its validators ready; start-up does not wait for them)."""
    import threading

    services = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("mock_gateway")
    if services is not None:
        threading.Thread(target=services.schemas.warm, daemon=True).start()


def worker_exit(server: object, worker: object) -> None:
    """Graceful shutdown: save durable state (when on) and hand the journal entries kept here
    to the shared store (when shared) before the worker goes."""
    app = getattr(worker, "wsgi", None)
    extensions = getattr(app, "extensions", {})
    services = extensions.get("mock_gateway") if isinstance(extensions, dict) else None
    if services is not None and services.saver is not None:
        services.saver.stop()
    if services is not None:
        services.store.close()
