"""The `mock-gateway` command: seed is deterministic, check names the broken file and field."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_gateway.__main__ import main
from mock_gateway.resources import data_dir
from tests.environ import mock_environ


def test_seed__same_seed_writes_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert main(["seed", "--offers", "120", "--seed", "5", "--out", str(tmp_path / name)]) == 0
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    assert main(["seed", "--offers", "120", "--seed", "6", "--out", str(tmp_path / "c")]) == 0
    assert (tmp_path / "a/offers.json").read_bytes() != (tmp_path / "c/offers.json").read_bytes()


def test_seed__committed_fixtures_are_what_seed_writes(tmp_path: Path) -> None:
    assert main(["seed", "--offers", "300", "--seed", "20261129", "--out", str(tmp_path)]) == 0
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (data_dir("fixtures") / path.name).read_bytes(), path.name


def run_check(
    fixtures: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    monkeypatch.setenv("MOCK_GATEWAY_FIXTURES", str(fixtures))
    code = main(["check"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def broken_copy(tmp_path: Path, name: str, edit: object) -> Path:
    target = tmp_path / "fx"
    shutil.copytree(data_dir("fixtures"), target)
    path = target / f"{name}.json"
    if isinstance(edit, str):
        path.write_text(edit)
    else:
        document = json.loads(path.read_text())
        edit(document)  # type: ignore[operator]
        path.write_text(json.dumps(document))
    return target


def test_check__default_data_is_ok(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = run_check(data_dir("fixtures"), capsys, monkeypatch)
    assert code == 0 and output.startswith("ok: ")


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        ("offers", "[{", "offers.json: not valid JSON"),
        ("offers", lambda d: d[3].update(stockQuantity=-1), "offers.json: [3].stockQuantity"),
        ("offers", lambda d: d[0].pop("barcode"), "offers.json: [0].barcode is required"),
        (
            "offers",
            lambda d: d[7].update(warehouseId=999),
            "offers.json: [7].warehouseId 999 is not in warehouses",
        ),
        ("offers", lambda d: d[1].update(barcode=d[0]["barcode"]), "offers.json: [1].barcode"),
        (
            "ratings",
            lambda d: d[2].update(barcode="nope"),
            "ratings.json: [2].barcode 'nope' is not an offer",
        ),
        ("warehouses", "{}", "warehouses.json: (root)"),
    ],
)
def test_check__rejects_broken_fixtures_naming_file_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    edit: object,
    expected: str,
) -> None:
    code, output = run_check(broken_copy(tmp_path, name, edit), capsys, monkeypatch)
    assert code == 1
    assert expected in output
    assert "Traceback" not in output


def test_check__bad_setting_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCK_GATEWAY_CUTOFF_TIME", "4pm")
    code = main(["check"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().count("\n") == 0 and "MOCK_GATEWAY_CUTOFF_TIME='4pm' is invalid" in err


def test_serve__bad_setting_stops_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_gateway", "serve"],
        env={"MOCK_GATEWAY_PORT": "nope", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mock-gateway: MOCK_GATEWAY_PORT='nope' is invalid: "
        "expected an integer port from 1 to 65535"
    )


def test_generated_catalog__matches_the_fixture_schema() -> None:
    from mock_gateway.contract.schemas import Schemas
    from mock_gateway.data.fixtures import check_documents
    from mock_gateway.data.generate import generate_catalog

    check_documents(generate_catalog(500, 3), Schemas.load())


def test_generated_data_set__equals_the_generated_documents() -> None:
    from mock_gateway.data.fixtures import build_data_set
    from mock_gateway.data.generate import generate_catalog, generate_data_set

    direct = generate_data_set(400, 9).catalog
    via_documents = build_data_set(generate_catalog(400, 9)).catalog
    assert direct.offers == via_documents.offers
    assert direct.stock == via_documents.stock
    assert direct.modified == via_documents.modified
    assert direct.ratings == via_documents.ratings
    assert direct.warehouses == via_documents.warehouses


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "mock_gateway", *args]


@pytest.fixture
def served_with_token() -> Iterator[int]:
    """`mock-gateway serve --port N` with an admin token, as the README starts it; its pid."""
    from tests.live.server import free_port

    environ = mock_environ()
    environ.update(MOCK_GATEWAY_ADMIN_TOKEN="r1ght", MOCK_GATEWAY_LOG_FORMAT="off")
    process = subprocess.Popen(
        cli("serve", "--port", str(free_port())), env=environ, stderr=subprocess.DEVNULL
    )
    yield process.pid
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize(
    ("token", "code", "says"),
    [
        ("r1ght", 0, "ready: http://127.0.0.1:"),
        (None, 0, "ready: http://127.0.0.1:"),  # the health check answers without a token
        ("wr0ng", 1, "refused the admin token in MOCK_GATEWAY_ADMIN_TOKEN"),
    ],
)
def test_wait__finds_the_port_of_its_pid_and_sends_the_token(
    served_with_token: int, token: str | None, code: int, says: str
) -> None:
    """`serve --port N & wait --pid $!` waits on port N, not on 8080."""
    environ = mock_environ()
    if token is not None:
        environ["MOCK_GATEWAY_ADMIN_TOKEN"] = token
    result = subprocess.run(
        cli("wait", "--pid", str(served_with_token), "--timeout", "30"),
        env=environ, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    assert says in result.stdout + result.stderr
