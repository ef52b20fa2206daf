"""Settings: every variable parsed in one place; a bad value names the variable."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from mock_gateway.config import RateLimit, SettingsError, describe_variables, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.buyers == {"DEMO01": "demo-pass"}
    assert settings.cutoff_time == time(16, 0)
    assert settings.cutoff_timezone == "Europe/Istanbul"
    assert settings.workers == 1 and settings.port == 8080


def test_values_are_parsed() -> None:
    settings = load_settings(
        {
            "MOCK_GATEWAY_BUYERS": "A1:x,B2:y:z",
            "MOCK_GATEWAY_CUTOFF_TIME": "off",
            "MOCK_GATEWAY_PACKING_DELAY": "PT1H30M",
            "MOCK_GATEWAY_RATE_LIMIT": "50/10s",
            "MOCK_GATEWAY_CLAMP_PAGE_SIZE": "yes",
            "PORT": "9000",
        }
    )
    assert settings.buyers == {"A1": "x", "B2": "y:z"}
    assert settings.cutoff_time is None
    assert settings.packing_delay == timedelta(hours=1, minutes=30)
    assert settings.rate_limit == RateLimit(50, 10.0)
    assert settings.clamp_page_size is True
    assert settings.port == 9000


@pytest.mark.parametrize(
    ("name", "value", "expects"),
    [
        ("MOCK_GATEWAY_PORT", "http", "an integer port from 1 to 65535"),
        ("MOCK_GATEWAY_CUTOFF_TIME", "25:00", "HH:MM (24 h) or 'off'"),
        ("MOCK_GATEWAY_CUTOFF_TIMEZONE", "Mars/Olympus", "an IANA zone"),
        ("MOCK_GATEWAY_PACKING_DELAY", "soon", "a duration"),
        ("MOCK_GATEWAY_CLAMP_PAGE_SIZE", "maybe", "true or false"),
        ("MOCK_GATEWAY_CLOCK_START", "noon", "an ISO-8601 instant"),
        ("MOCK_GATEWAY_CLOCK_SHIFT", "soon", "a duration with an optional sign"),
        ("MOCK_GATEWAY_CLOCK_SHIFT", "400000d", "a duration with an optional sign"),
        ("MOCK_GATEWAY_RATE_LIMIT", "0/10s", "'off' or COUNT/WINDOW"),
        ("MOCK_GATEWAY_PUBLIC_BASE_URL", "mock:8080", "an http(s) URL"),
    ],
)
def test_bad_value__names_the_variable(name: str, value: str, expects: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({name: value})
    assert str(error.value).startswith(f"{name}={value!r} is invalid: expected {expects}")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ("nopassword", "pair 1 of 1"),
        ("A1:s3cret-one,A1:s3cret-two", "pair 2 of 2"),
        ("A1:s3cret-one,bad code:s3cret-two", "pair 2 of 2"),
        ("A1:s3cret-one,", "pair 2 of 2"),
    ],
)
def test_buyers__a_bad_value_is_named_never_shown(value: str, where: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"MOCK_GATEWAY_BUYERS": value})
    message = str(error.value)
    assert message.startswith(f"MOCK_GATEWAY_BUYERS is invalid ({where}): expected CODE:password")
    assert "s3cret" not in message and "nopassword" not in message


@pytest.mark.parametrize("value", ["", "   ", "\t"])
def test_admin_token__blank_refuses_to_start(value: str) -> None:
    with pytest.raises(SettingsError, match=r"MOCK_GATEWAY_ADMIN_TOKEN is invalid \(blank\)"):
        load_settings({"MOCK_GATEWAY_ADMIN_TOKEN": value})


def test_admin_token__is_kept_without_surrounding_space() -> None:
    assert load_settings({"MOCK_GATEWAY_ADMIN_TOKEN": " t0k3n "}).admin_token == "t0k3n"


def test_unknown_variable__is_refused() -> None:
    with pytest.raises(SettingsError, match="MOCK_GATEWAY_SEEED is not a setting"):
        load_settings({"MOCK_GATEWAY_SEEED": "1"})


def test_every_setting__is_documented_in_the_readme() -> None:
    text = README.read_text()
    for variable, _, _ in describe_variables():
        assert f"| `{variable}` |" in text, variable


@pytest.mark.parametrize(
    "value",
    ["redis://127.0.0.1:6379/0", "rediss://:pw@cache.example:6380/2", "unix:///run/redis.sock"],
)
def test_store__takes_a_redis_url(value: str) -> None:
    assert load_settings({"MOCK_GATEWAY_STORE": value}).store == value


@pytest.mark.parametrize("value", ["postgres://x", "redis:/nohost", "mem"])
def test_store__refuses_anything_else(value: str) -> None:
    with pytest.raises(SettingsError, match="MOCK_GATEWAY_STORE="):
        load_settings({"MOCK_GATEWAY_STORE": value})


def test_workers__above_one_need_a_shared_store() -> None:
    with pytest.raises(SettingsError, match="WORKERS=2 needs a shared store"):
        load_settings({"MOCK_GATEWAY_WORKERS": "2"})
    shared = {"MOCK_GATEWAY_WORKERS": "2", "MOCK_GATEWAY_STORE": "redis://127.0.0.1:6379/0"}
    assert load_settings(shared).workers == 2


def test_state_file__is_for_the_memory_store_only() -> None:
    with pytest.raises(SettingsError, match="STATE_FILE is for the memory store"):
        load_settings(
            {"MOCK_GATEWAY_STATE_FILE": "/tmp/x.json", "MOCK_GATEWAY_STORE": "redis://h:1/0"}
        )


@pytest.mark.parametrize(
    ("value", "shift"),
    [
        ("1826d", timedelta(days=1826)),
        ("+2h", timedelta(hours=2)),
        ("-90m", timedelta(minutes=-90)),
    ],
)
def test_clock_shift__is_a_signed_duration(value: str, shift: timedelta) -> None:
    assert load_settings({"MOCK_GATEWAY_CLOCK_SHIFT": value}).clock_shift == shift


def test_clock_shift__moves_the_running_clock_not_a_frozen_one() -> None:
    from datetime import UTC, datetime

    from mock_gateway.serving.assembly import build_services

    shift = timedelta(days=1826)
    running = build_services(load_settings({"MOCK_GATEWAY_CLOCK_SHIFT": "1826d"}))
    late = running.clock.now() - datetime.now(UTC)
    assert shift - timedelta(minutes=1) < late < shift + timedelta(minutes=1)
    frozen = build_services(
        load_settings(
            {"MOCK_GATEWAY_CLOCK_SHIFT": "1826d", "MOCK_GATEWAY_CLOCK_START": "2026-11-30T09:00Z"}
        )
    )
    assert frozen.clock.now() == datetime(2026, 11, 30, 9, tzinfo=UTC)
    frozen.clock.to_real_time()  # unfrozen, it runs on the shifted wall clock
    late = frozen.clock.now() - datetime.now(UTC)
    assert shift - timedelta(minutes=1) < late < shift + timedelta(minutes=1)
