"""Settings: parsed once from MOCK_GATEWAY_* environment variables. Nothing else reads os.environ.

Every behaviour the contract marks INFERRED has a setting here, with the contract's default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mock_gateway.clock import EARLIEST, LATEST, parse_instant

PREFIX = "MOCK_GATEWAY_"
DEFAULT_BUYERS = "DEMO01:demo-pass"


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names the variable."""


@dataclass(frozen=True)
class RateLimit:
    requests: int
    window_seconds: float


@dataclass(frozen=True)
class Settings:
    # Serving
    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 8
    workers: int = 1
    # "auto": with several workers, each keeps to one CPU (serving/affinity.py); "off": the OS
    # schedules them freely
    cpu_affinity: str = "auto"
    log_format: str = "plain"
    public_base_url: str | None = None
    # Data
    seed: int = 20261129
    catalog_size: int = 0
    fixtures_dir: Path | None = None
    buyers: Mapping[str, str] = field(default_factory=lambda: _parse_buyers(DEFAULT_BUYERS))
    # Time
    clock_start: datetime | None = None
    # how far the running clock stands from the wall clock: a day in another year, running in
    # real time (a frozen clock_start is not moved by it)
    clock_shift: timedelta = timedelta(0)
    cutoff_time: time | None = time(16, 0)
    cutoff_timezone: str = "Europe/Istanbul"
    cutoff_quantity: int = 0
    packing_delay: timedelta = timedelta(0)
    # Contract choices marked INFERRED
    clamp_page_size: bool = False
    unknown_barcodes_as_zero: bool = False
    empty_purchase_is_error: bool = False
    omit_defaults: bool = False
    rate_limit: RateLimit | None = None
    json_binding: str = "web"
    require_user_agent: bool = False
    unauthorized_style: str = "envelope"
    purchase_status: int = 200  # 200, or 201 Created as a REST service may answer a new resource
    paging_headers: bool = True  # X-Paging-* and Link on offers pages
    health_results: bool = False  # the health check's body also carries "results": []
    unknown_request_status: int = 400  # B2Bs of a request number the buyer does not have
    # Robustness and tooling
    max_body_bytes: int = 1024 * 1024
    # the control plane takes whole state documents: a 1 000 000-offer export is about 700 MB
    control_max_body_bytes: int = 1024 * 1024 * 1024
    control_plane: bool = True
    admin_token: str | None = None
    # names a browser may reach the control plane and dashboard by, besides loopback
    # (control/guard.py: a page under any other name is a rebound DNS name)
    allowed_hosts: tuple[str, ...] = ()
    journal_size: int = 1000
    state_file: Path | None = None
    state_save_interval: float = 1.0
    # Where the state lives: "memory" (this process) or a Redis URL shared by many processes
    store: str = "memory"
    store_prefix: str = "mock-gateway"
    # 5 s, not 1: on a shared CI host Redis (or the whole machine) can stall for a second, and
    # a late answer serves a partner's test better than a 503; a hung Redis still gets its 503
    # well inside the usual 10-30 s client timeout
    store_timeout: float = 5.0

    @property
    def shared_store(self) -> bool:
        return self.store != "memory"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.cutoff_timezone)

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (for tests and the control plane)."""
        return replace(self, **changes)


def _parse_int(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text.strip())
        if value < low or (high is not None and value > high):
            raise ValueError
        return value

    return parse


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError


_BUYER_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _parse_buyers(text: str) -> dict[str, str]:
    buyers: dict[str, str] = {}
    items = text.split(",")
    for number, item in enumerate(items, 1):
        code, sep, password = item.strip().partition(":")
        if not sep or not _BUYER_CODE.match(code) or not password or code in buyers:
            # never the text itself: it holds passwords
            raise ValueError(f"pair {number} of {len(items)}")
        buyers[code] = password
    return buyers


def _parse_admin_token(text: str) -> str:
    """A blank token is a mistake (an empty variable in a compose file, say), never a way to
    turn protection off: unset the variable for that."""
    if not text.strip():
        raise ValueError("blank")
    return text.strip()


def _parse_cutoff_time(text: str) -> time | None:
    if text.strip().lower() == "off":
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?", text.strip())
    if not match:
        raise ValueError
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def _parse_zone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError from exc
    return text.strip()


def parse_duration(text: str) -> timedelta:
    """Parse '90', '90s', '500ms', '15m', '2h', '1d' or ISO-8601 'PT1H30M' into a duration."""
    text = text.strip()
    iso = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", text)
    if iso and text not in ("P", "PT"):
        days, hours, minutes, seconds = (float(g) if g else 0.0 for g in iso.groups())
        try:
            return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        except OverflowError:
            raise ValueError(text) from None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?", text)
    if not match:
        raise ValueError(text)
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[match[2] or "s"]
    try:
        return timedelta(seconds=float(match[1]) * unit)
    except OverflowError:  # more than timedelta holds (about 2.7 million years)
        raise ValueError(text) from None


def _parse_clock_start(text: str) -> datetime:
    at = parse_instant(text)
    if not EARLIEST <= at <= LATEST:
        raise ValueError(text)
    return at


def _parse_clock_shift(text: str) -> timedelta:
    """A duration with an optional sign ('1826d', '-2h'), within a thousand years."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    shift = parse_duration(text.lstrip("+-").strip()) * sign
    if abs(shift) > timedelta(days=365_250):
        raise ValueError(text)
    return shift


def _parse_packing_delay(text: str) -> timedelta:
    delay = parse_duration(text)
    if delay > timedelta(days=366):
        raise ValueError(text)
    return delay


def _positive_seconds(value: timedelta) -> float:
    seconds = value.total_seconds()
    if not 0.01 <= seconds <= 3600:
        raise ValueError
    return seconds


def _parse_rate_limit(text: str) -> RateLimit | None:
    if text.strip().lower() == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\S+)", text.strip())
    if not match or int(match[1]) < 1:
        raise ValueError
    window = parse_duration(match[2]).total_seconds()
    if window <= 0:
        raise ValueError
    return RateLimit(int(match[1]), window)


def _parse_log_format(text: str) -> str:
    if text.strip().lower() not in ("plain", "json", "off"):
        raise ValueError
    return text.strip().lower()


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.strip().lower() not in options:
            raise ValueError
        return text.strip().lower()

    return parse


def _parse_store(text: str) -> str:
    text = text.strip()
    if text.lower() == "memory":
        return "memory"
    if not re.fullmatch(r"(redis|rediss)://\S+|unix://\S+", text):
        raise ValueError
    return text


def _parse_store_prefix(text: str) -> str:
    text = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", text):
        raise ValueError
    return text


def _parse_url(text: str) -> str | None:
    text = text.strip().rstrip("/")
    if not text:
        return None
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text):
        raise ValueError
    return text


def _parse_hosts(text: str) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in text.split(",") if name.strip())
    if not all(re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|[0-9a-f:]+", n) for n in names):
        raise ValueError
    return names


# name -> (field, parser, what it expects). The one table the README's settings table mirrors.
_VARIABLES: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "HOST": ("host", str.strip, "a host name or address"),
    "PORT": ("port", _parse_int(1, 65535), "an integer port from 1 to 65535"),
    "THREADS": ("threads", _parse_int(1, 256), "an integer from 1 to 256"),
    "WORKERS": ("workers", _parse_int(1, 64), "an integer from 1 to 64 (above 1: Redis store)"),
    "CPU_AFFINITY": ("cpu_affinity", _choice("auto", "off"), "'auto' or 'off'"),
    "LOG_FORMAT": ("log_format", _parse_log_format, "'plain', 'json' or 'off'"),
    "PUBLIC_BASE_URL": ("public_base_url", _parse_url, "an http(s) URL such as http://mock:8080"),
    "SEED": ("seed", _parse_int(0, 2**63), "a non-negative integer"),
    "CATALOG_SIZE": ("catalog_size", _parse_int(0, 1_000_000), "0 (use fixtures) to 1000000"),
    "FIXTURES": ("fixtures_dir", lambda t: Path(t.strip()), "a directory of fixture files"),
    "BUYERS": ("buyers", _parse_buyers, "CODE:password pairs separated by commas"),
    "CLOCK_START": (
        "clock_start",
        _parse_clock_start,
        "an ISO-8601 instant from 1970 to 9000 (frozen clock)",
    ),
    "CLOCK_SHIFT": (
        "clock_shift",
        _parse_clock_shift,
        "a duration with an optional sign such as 1826d or -2h (the running clock only)",
    ),
    "CUTOFF_TIME": ("cutoff_time", _parse_cutoff_time, "HH:MM (24 h) or 'off'"),
    "CUTOFF_TIMEZONE": ("cutoff_timezone", _parse_zone, "an IANA zone such as Europe/Istanbul"),
    "CUTOFF_QUANTITY": ("cutoff_quantity", _parse_int(0), "a non-negative integer (0 = off)"),
    "PACKING_DELAY": (
        "packing_delay",
        _parse_packing_delay,
        "a duration up to 366d such as 0, 90s, 15m, 2h",
    ),
    "CLAMP_PAGE_SIZE": ("clamp_page_size", _parse_bool, "true or false"),
    "UNKNOWN_BARCODES_AS_ZERO": ("unknown_barcodes_as_zero", _parse_bool, "true or false"),
    "EMPTY_PURCHASE_IS_ERROR": ("empty_purchase_is_error", _parse_bool, "true or false"),
    "OMIT_DEFAULTS": ("omit_defaults", _parse_bool, "true or false"),
    "RATE_LIMIT": ("rate_limit", _parse_rate_limit, "'off' or COUNT/WINDOW such as 50/10s"),
    "JSON_BINDING": ("json_binding", _choice("web", "strict"), "'web' or 'strict'"),
    "REQUIRE_USER_AGENT": ("require_user_agent", _parse_bool, "true or false"),
    "UNAUTHORIZED_STYLE": (
        "unauthorized_style",
        _choice("envelope", "marketplace"),
        "'envelope' or 'marketplace'",
    ),
    "PURCHASE_STATUS": ("purchase_status", lambda t: int(_choice("200", "201")(t)), "200 or 201"),
    "PAGING_HEADERS": ("paging_headers", _parse_bool, "true or false"),
    "HEALTH_RESULTS": ("health_results", _parse_bool, "true or false"),
    "UNKNOWN_REQUEST_STATUS": (
        "unknown_request_status",
        lambda t: int(_choice("400", "404")(t)),
        "400 or 404",
    ),
    "MAX_BODY_BYTES": ("max_body_bytes", _parse_int(1), "a positive integer"),
    "CONTROL_MAX_BODY_BYTES": ("control_max_body_bytes", _parse_int(1), "a positive integer"),
    "CONTROL_PLANE": ("control_plane", _parse_bool, "true or false"),
    "ALLOWED_HOSTS": (
        "allowed_hosts",
        _parse_hosts,
        "host names separated by commas, such as mock.test,devbox",
    ),
    "ADMIN_TOKEN": (
        "admin_token",
        _parse_admin_token,
        "a bearer token that is not blank (unset the variable to run without one)",
    ),
    "JOURNAL_SIZE": ("journal_size", _parse_int(0, 1_000_000), "an integer from 0 to 1000000"),
    "STATE_FILE": ("state_file", lambda t: Path(t.strip()) if t.strip() else None, "a file path"),
    "STATE_SAVE_INTERVAL": (
        "state_save_interval",
        lambda t: _positive_seconds(parse_duration(t)),
        "a duration from 10ms to 1h such as 1s or 250ms",
    ),
    "STORE": ("store", _parse_store, "'memory' or a URL such as redis://127.0.0.1:6379/0"),
    "STORE_PREFIX": (
        "store_prefix",
        _parse_store_prefix,
        "1 to 64 letters, digits or _.:- (the Redis keys' hash tag)",
    ),
    "STORE_TIMEOUT": (
        "store_timeout",
        lambda t: _positive_seconds(parse_duration(t)),
        "a duration from 10ms to 1h such as 1s or 500ms",
    ),
}


# Settings fields and the variable that sets each; fields whose value is plain text
VARIABLE_OF_FIELD = {spec[0]: PREFIX + name for name, spec in _VARIABLES.items()}
TEXT_FIELDS = frozenset(
    {
        "host",
        "cpu_affinity",
        "cutoff_timezone",
        "admin_token",
        "json_binding",
        "unauthorized_style",
        "log_format",
    }
)


def describe_variables() -> list[tuple[str, str, str]]:
    """Return (variable, default, expects) for every setting, for docs and `check`."""
    defaults = Settings()
    rows = []
    for name, (attr, _, expects) in _VARIABLES.items():
        rows.append((PREFIX + name, repr(getattr(defaults, attr)), expects))
    return rows


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from the environment; raise SettingsError naming the first bad variable."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if "PORT" in env and PREFIX + "PORT" not in env:  # the container convention, as a fallback
        values["port"] = _convert("PORT", _VARIABLES["PORT"], env["PORT"])
    for name, spec in _VARIABLES.items():
        raw = env.get(PREFIX + name)
        if raw is not None:
            values[spec[0]] = _convert(PREFIX + name, spec, raw)
    known = {PREFIX + name for name in _VARIABLES}
    unknown = sorted(k for k in env if k.startswith(PREFIX) and k not in known)
    if unknown:
        raise SettingsError(f"{unknown[0]} is not a setting of mock-gateway")
    settings = Settings(**values)
    check_combination(settings)
    return settings


def check_combination(settings: Settings) -> None:
    """Refuse settings that are each valid but cannot work together."""
    if settings.workers > 1 and not settings.shared_store:
        raise SettingsError(
            f"{PREFIX}WORKERS={settings.workers} needs a shared store: with {PREFIX}STORE=memory "
            "each worker would hold its own stock and requests. Set "
            f"{PREFIX}STORE=redis://HOST:PORT/DB, or run one worker with more threads."
        )
    if settings.state_file is not None and settings.shared_store:
        raise SettingsError(
            f"{PREFIX}STATE_FILE is for the memory store; with {PREFIX}STORE={settings.store} "
            "the state lives in Redis (use its persistence: appendonly or snapshots)"
        )


# variables whose values are secrets: an error names what is wrong, never the value
SECRET_VARIABLES = frozenset({PREFIX + "BUYERS", PREFIX + "ADMIN_TOKEN"})


def _convert(variable: str, spec: tuple[str, Callable[[str], Any], str], raw: str) -> Any:
    try:
        return spec[1](raw)
    except (ValueError, TypeError, OverflowError) as error:
        if variable in SECRET_VARIABLES:
            where = f" ({error})" if str(error) else ""
            raise SettingsError(
                f"{variable} is invalid{where}: expected {spec[2]} (the value is not shown: "
                "it holds secrets)"
            ) from None
        raise SettingsError(f"{variable}={raw!r} is invalid: expected {spec[2]}") from None
