"""The schemas' recorded fingerprint: start-up skips the meta-check only for checked files."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

from mock_gateway.contract.schemas import Schemas, fingerprint, recorded_fingerprint

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_schemas__every_file_is_a_valid_schema_and_the_fingerprint_is_current() -> None:
    paths = sorted(SCHEMAS.glob("*.json"))
    for path in paths:
        Draft202012Validator.check_schema(Schemas.load().documents[path.stem])
    assert recorded_fingerprint(SCHEMAS) == fingerprint(paths), (
        "schemas/ changed: run `python -m mock_gateway.contract.schemas` "
        "to check them and record it"
    )


def test_schemas__a_changed_file_is_meta_checked_again(tmp_path: Path) -> None:
    for path in SCHEMAS.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    broken = tmp_path / "message.json"
    broken.write_text(broken.read_text().replace('"type": "object"', '"type": "objekt"', 1))
    try:
        Schemas(tmp_path)
    except Exception as error:
        assert "message.json" in str(error)
    else:
        raise AssertionError("a changed, invalid schema was not meta-checked")
