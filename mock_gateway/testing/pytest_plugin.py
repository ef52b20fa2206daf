"""pytest plugin (entry point `pytest11`): a live mock-gateway for your tests.

Needs nothing but mock-gateway and pytest. Fixtures (see `pytest --fixtures`):
- `mock_gateway`: a MockGateway for a real server on a free port, reset before each test
  (state, clock, faults and journal as at start-up).
- `mock_gateway_server`: the session's server (one per test session and distinct settings;
  with pytest-xdist, one per worker).
- `mock_gateway_settings`: override it (session scope) to start the server with other
  settings: return a Settings, or a plain dict of them.

When a test that used `mock_gateway` fails, its report gets a section with the last requests
the mock received and what it answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from mock_gateway.config import Settings, load_settings
from mock_gateway.testing import GatewayServer, MockGateway, settings_from

JOURNAL_IN_REPORT = 10


@pytest.fixture(scope="session")
def mock_gateway_settings() -> Settings | Mapping[str, Any]:
    """Settings of the session's server: the environment's, with request logging off.

    Override it in your conftest.py (session scope). A plain dict works: Settings field names
    with Python values (`{"catalog_size": 50, "cutoff_time": "off"}`) or variable names with
    text (`{"MOCK_GATEWAY_CATALOG_SIZE": "50"}`).
    """
    return load_settings().with_overrides(log_format="off")


@pytest.fixture(scope="session")
def mock_gateway_servers() -> Iterator[dict[str, GatewayServer]]:
    """Every server the session started, by settings; all stopped at the end."""
    servers: dict[str, GatewayServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def mock_gateway_server(
    mock_gateway_settings: Settings | Mapping[str, Any],
    mock_gateway_servers: dict[str, GatewayServer],
) -> GatewayServer:
    """The session's mock-gateway for these settings, served on 127.0.0.1 in a background
    thread. Started once per distinct settings (a module may override mock_gateway_settings
    and get its own server; the others keep theirs)."""
    settings = settings_from(mock_gateway_settings)
    key = repr(settings)
    if key not in mock_gateway_servers:
        mock_gateway_servers[key] = GatewayServer(settings)
    return mock_gateway_servers[key]


@pytest.fixture
def mock_gateway(mock_gateway_server: GatewayServer) -> MockGateway:
    """A MockGateway client for the session's server, reset to its start-up state.

    `mock_gateway.base_url` (plus /b2bbuyergatewayapi) is where to point your client;
    `mock_gateway.auth` its Basic credentials: the first configured buyer's
    (`mock_gateway.as_buyer(code)` calls as another). Move time with freeze/advance/cut_off, force
    faults with fail/delay/drop, read the journal; `call(method, path, body)` sends a request
    to the emulated API with the standard library.
    """
    settings = mock_gateway_server.settings
    first = next(iter(settings.buyers.items()))  # the first configured buyer calls
    gateway = MockGateway(
        mock_gateway_server.base_url, first, settings.admin_token, settings.buyers
    )
    gateway.reset()
    return gateway


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failed test that used the mock, tell the mock's story: its last journal entries,
    requests and control-plane steps in order, with the cut-offs and packing among them."""
    outcome = yield
    report = outcome.get_result()
    gateway = getattr(item, "funcargs", {}).get("mock_gateway")
    if report.when != "call" or not report.failed or not isinstance(gateway, MockGateway):
        return
    try:
        entries = gateway.journal(limit=JOURNAL_IN_REPORT, plane="all")
        batches = gateway.control("GET", "batches")
    except Exception as error:  # the mock is gone: say so rather than hide the real failure
        report.sections.append(("mock-gateway journal", f"unavailable: {error}"))
        return
    report.sections.append(("mock-gateway journal", describe_story(entries, batches)))


def describe_story(entries: list[dict[str, Any]], batches: list[dict[str, Any]]) -> str:
    """The journal entries as a partner reads them (request, status, both bodies; control
    steps on one line), with each batch's cut-off and packing placed where they happened."""
    if not entries:
        return "(no request reached the mock)"
    # events go after the last entry that came before them (the clock may have moved back: a
    # reset at today's time, then a freeze at a fixed morning)
    placed: dict[int, list[str]] = {}
    for when, rule, text in batch_events(batches, since=min(e["time"] for e in entries)):
        before = [
            i
            for i, e in enumerate(entries)
            if e["time"] < when or (rule == "after" and e["time"] == when)
        ]
        placed.setdefault(before[-1] if before else -1, []).append(text)
    lines = [
        f"last {len(entries)} journal entries (requests and control steps), oldest first, "
        "with the cut-offs and packing among them:"
    ]
    lines.extend("  " + text for text in placed.get(-1, []))
    for index, entry in enumerate(entries):
        lines.extend(_entry_lines(entry))
        lines.extend("  " + text for text in placed.get(index, []))
    return "\n".join(lines)


def describe_journal(entries: list[dict[str, Any]]) -> str:
    """The journal entries alone (see describe_story)."""
    return describe_story(entries, [])


# An event (mock time, 'at' or 'after', text): a time cut-off or due packing happens as the clock
# reaches its instant, before any request made at it; one forced through the control plane or
# by a purchase (the quantity cut-off) after the entry that made it.
Event = tuple[str, str, str]


def batch_events(batches: list[dict[str, Any]], since: str) -> list[Event]:
    events: list[Event] = []
    for batch in batches:
        closed, packed = batch.get("closedAt"), batch.get("packedAt")
        who = f"batch {batch['id']} of {batch['buyerCode']}"
        if closed and closed >= since:
            reason = batch.get("closeReason")
            how = {"time": "the time cut-off", "quantity": "the quantity cut-off"}.get(
                reason or "", "the control plane"
            )
            requests = len(batch.get("requestNumbers", []))
            text = (
                f"[cut-off] {who} closed by {how} at {closed}: {requests} request(s), "
                f"{batch.get('reservedUnits', 0)} unit(s)"
            )
            events.append((closed, "at" if reason == "time" else "after", text))
        if packed and packed >= since:
            manual = packed == closed and batch.get("closeReason") == "manual"
            events.append(
                (packed, "after" if manual else "at", f"[packing] {who} packed at {packed}")
            )
    return sorted(events, key=lambda event: event[0])  # stable: a close before its packing


def _entry_lines(entry: dict[str, Any]) -> list[str]:
    query = f"?{entry['query']}" if entry.get("query") else ""
    fault = f"  [fault: {entry['fault']}]" if entry.get("fault") else ""
    if entry.get("plane") == "control":
        body = entry.get("body")
        shown = "" if body in ("", None) else " " + _short(body, 120)
        return [
            f"  [control] {entry['method']} {entry['path']}{query}{shown} -> {entry['status']}"
            f"  ({entry['time']})"
        ]
    lines = [
        f"  {entry['method']} {entry['path']}{query} -> {entry['status']}"
        f"  (buyer {entry.get('buyerCode') or '-'}, {entry['time']}){fault}"
    ]
    for label in ("body", "response"):
        value = entry.get(label)
        if value not in ("", None):
            lines.append(f"      {label}: {_short(value, 300)}")
    return lines


def _short(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text[:limit]
