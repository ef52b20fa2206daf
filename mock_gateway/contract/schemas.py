"""The contract as data: every JSON Schema in schemas/, loaded, checked and compiled once.

A broken schema stops start-up. Violations come back as messages that name where the problem is
(`[1].requestedQuantity must be a positive integer`), sorted so the same input always gives the
same text. A schema node may say what a value must be with the keyword `x-expect`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_gateway.contract.fastcheck import compile_check
from mock_gateway.resources import data_dir

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

URN = "urn:mock-gateway:"
MAX_MESSAGES = 20
# checked before anything else in a schema node (jsonschema visits a node's keywords in order):
# a body of a million items is refused for its length, not item by item
_FIRST = ("type", "maxItems", "minItems", "maxProperties", "minProperties", "maxLength")


class SchemaLoadError(RuntimeError):
    """A schema file is missing, unreadable or not a valid JSON Schema."""


class Schemas:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or data_dir("schemas")
        self.documents: dict[str, dict[str, Any]] = {}
        paths = sorted(self.directory.glob("*.json"))
        # meta-checking every schema costs a quarter of the start-up; files whose fingerprint
        # was recorded after a full check (tests/unit/test_schemas.py keeps it current) skip it
        checked = fingerprint(paths) == recorded_fingerprint(self.directory)
        for path in paths:
            self.documents[path.stem] = _load(path, meta_check=not checked)
        if not self.documents:
            raise SchemaLoadError(f"no schemas found in {self.directory}")
        for name, doc in self.documents.items():
            _resolve_all_refs(name, self.documents, doc)
        self._fast = {
            name: compile_check(doc, self._lookup) for name, doc in self.documents.items()
        }
        # jsonschema (and its `referencing`) cost a fifth of the start-up and are needed only
        # to explain a value the fast checks do not pass: validators are built on first need
        # (or by warm(), which the server runs in the background once it serves)
        self._validators: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _lookup(self, ref: str) -> dict[str, Any]:
        return self.documents[ref.removeprefix(URN)]

    def _validator(self, name: str) -> Any:
        found = self._validators.get(name)
        if found is None:
            self.warm()
            found = self._validators[name]
        return found

    def warm(self) -> None:
        """Import jsonschema and build every validator (idempotent, thread-safe)."""
        with self._lock:
            if self._validators:
                return
            from jsonschema import Draft202012Validator
            from referencing import Registry, Resource

            ordered = {name: _lengths_first(doc) for name, doc in self.documents.items()}
            registry: Any = Registry().with_resources(
                (doc["$id"], Resource.from_contents(doc)) for doc in ordered.values()
            )
            self._validators = {
                name: Draft202012Validator(doc, registry=registry) for name, doc in ordered.items()
            }

    @staticmethod
    def load(directory: Path | None = None) -> Schemas:
        """Load once per process and directory: compiled schemas are immutable, so apps share."""
        return _load_cached(directory or data_dir("schemas"))

    def __len__(self) -> int:
        return len(self.documents)

    def errors(self, name: str, instance: Any, root: str = "body") -> list[str]:
        """The first MAX_MESSAGES violations of schema `name` by `instance` (lengths before
        items), as messages naming the place, in path order. The walk stops there: a body of
        a million bad items costs what twenty do."""
        if self._fast[name](instance):
            return []  # certainly valid: skip jsonschema's walk
        first = itertools.islice(self._validator(name).iter_errors(instance), MAX_MESSAGES)
        found = sorted(first, key=lambda e: (_sort_path(e.absolute_path), str(e.validator)))
        return [_describe(error, root) for error in found]

    def is_valid(self, name: str, instance: Any) -> bool:
        return self._fast[name](instance) or bool(self._validator(name).is_valid(instance))


@lru_cache(maxsize=8)
def _load_cached(directory: Path) -> Schemas:
    return Schemas(directory)


FINGERPRINT_FILE = "checked.sha256"


def fingerprint(paths: Iterable[Path]) -> str:
    """A digest of the schema files' names and bytes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def recorded_fingerprint(directory: Path) -> str | None:
    try:
        return (directory / FINGERPRINT_FILE).read_text().strip()
    except OSError:
        return None


def record_fingerprint(directory: Path) -> Path:
    """Meta-check every schema, then record the files' fingerprint as checked."""
    paths = sorted(directory.glob("*.json"))
    for path in paths:
        _load(path, meta_check=True)
    target = directory / FINGERPRINT_FILE
    target.write_text(fingerprint(paths) + "\n")
    return target


def _load(path: Path, meta_check: bool = True) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaLoadError(f"schema {path.name}: cannot be read as JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("$id") != URN + path.stem:
        raise SchemaLoadError(f"schema {path.name}: $id must be {URN}{path.stem}")
    if not meta_check:
        return doc
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(doc)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise SchemaLoadError(f"schema {path.name}: invalid at {where}: {exc.message}") from None
    return doc


def _lengths_first(node: Any) -> Any:
    """A copy of a schema whose every node lists the _FIRST keywords before the others."""
    if isinstance(node, list):
        return [_lengths_first(item) for item in node]
    if not isinstance(node, dict):
        return node
    keys = sorted(node, key=lambda key: _FIRST.index(key) if key in _FIRST else len(_FIRST))
    return {key: _lengths_first(node[key]) for key in keys}


def _resolve_all_refs(name: str, documents: dict[str, Any], node: Any) -> None:
    """Fail at start-up, not on the first request, when a $ref points nowhere. Refs name whole
    schemas by URN (urn:mock-gateway:NAME), the one form these schemas use."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and (
            not ref.startswith(URN) or ref.removeprefix(URN) not in documents
        ):
            raise SchemaLoadError(
                f"schema {name}: unresolvable $ref {ref} (refs name a schema: {URN}NAME)"
            )
        for value in node.values():
            _resolve_all_refs(name, documents, value)
    elif isinstance(node, list):
        for value in node:
            _resolve_all_refs(name, documents, value)


def location(path: Iterable[Any], root: str = "body") -> str:
    """Render a JSON path the way partners read it: [1].requestedQuantity, quantity, body."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or root


def _sort_path(path: Iterable[Any]) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in path)


def _describe(error: ValidationError, root: str) -> str:
    where = location(error.absolute_path, root)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required":
        # jsonschema reports one error per missing property, named in its message
        missing = error.message.split("'")[1] if error.message.startswith("'") else "a field"
        prefix = "" if where == root else f"{where}."
        return f"{prefix}{missing} is required"
    expect = schema.get("x-expect")
    if expect:
        return f"{where} must be {expect}"
    if error.validator == "maxItems":
        return f"{where} has too many items (at most {error.validator_value})"
    return f"{where}: {error.message}"


if __name__ == "__main__":  # python -m mock_gateway.contract.schemas: after editing schemas/
    print(record_fingerprint(Path(__file__).resolve().parents[2] / "schemas"))
