"""The start-up banner: where the mock answers, as whom, on what data and time."""

from __future__ import annotations

from mock_gateway.clock import format_instant
from mock_gateway.serving.affinity import cpu_for_new_worker, usable_cpus
from mock_gateway.serving.routing import BASE_PATHS
from mock_gateway.state.services import Services


def banner(svc: Services) -> str:
    """What a partner needs to point a client at the mock; never a password."""
    settings = svc.settings
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    root = settings.public_base_url or f"http://{host}:{settings.port}"
    catalog = svc.gateway.catalog
    data = (
        f"generated, {settings.catalog_size} offers from seed {settings.seed}"
        if settings.catalog_size
        else f"fixtures, {len(catalog.offers)} offers; ids from seed {settings.seed}"
    )
    clock = f"frozen at {format_instant(svc.clock.now())}" if svc.clock.frozen else "real time"
    cutoff = (
        f"{settings.cutoff_time:%H:%M} {settings.cutoff_timezone}"
        if settings.cutoff_time is not None
        else "no time cut-off"
    )
    if settings.cutoff_quantity:
        cutoff += f", and at {settings.cutoff_quantity} units"
    lines = [
        "mock-gateway is ready (point your client at an API address; keep the base path)",
        *(f"  API        {root}{base}" for base in BASE_PATHS),
        f"  buyers     {', '.join(svc.credentials.codes())} (HTTP Basic; passwords not shown)",
        f"  data       {data}",
        f"  clock      {clock}; cut-off {cutoff}",
        f"  state      {svc.store.describe()}{_workers(settings.workers, settings.cpu_affinity)}",
    ]
    if settings.control_plane:
        token = " (needs the admin token)" if settings.admin_token else ""
        lines.append(f"  control    {root}/__mock/{token}")
        lines.append(f"  dashboard  {root}/__mock/ui/ (in a browser)")
    lines.append("  stop       Ctrl-C (or SIGTERM)")
    return "\n".join(lines) + "\n"


def _workers(count: int, affinity: str) -> str:
    """How many workers, and the CPUs they keep to when they are pinned."""
    if count < 2:
        return ""
    cpus = usable_cpus()
    if cpu_for_new_worker(affinity, count, cpus, []) is None:
        return f", {count} workers"
    return f", {count} workers, each kept to one of CPUs {','.join(map(str, cpus))}"
