"""The contract as data: every JSON Schema in schemas/, loaded, checked and compiled once.

A broken schema stops start-up. Violations come back as messages that name where the problem is
(`[1].requestedQuantity must be a positive integer`), sorted so the same input always gives the
same text. A schema node may say what a value must be with the keyword `x-expect`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry, Resource

from mock_gateway.fastcheck import compile_check
from mock_gateway.resources import data_dir

URN = "urn:mock-gateway:"
MAX_MESSAGES = 20


class SchemaLoadError(RuntimeError):
    """A schema file is missing, unreadable or not a valid JSON Schema."""


class Schemas:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or data_dir("schemas")
        self.documents: dict[str, dict[str, Any]] = {}
        for path in sorted(self.directory.glob("*.json")):
            self.documents[path.stem] = _load(path)
        if not self.documents:
            raise SchemaLoadError(f"no schemas found in {self.directory}")
        registry: Registry[Any] = Registry().with_resources(
            (doc["$id"], Resource.from_contents(doc)) for doc in self.documents.values()
        )
        self._validators = {
            name: Draft202012Validator(doc, registry=registry)
            for name, doc in self.documents.items()
        }
        resolver = registry.resolver()
        self._fast = {
            name: compile_check(doc, lambda ref: resolver.lookup(ref).contents)
            for name, doc in self.documents.items()
        }
        for name, doc in self.documents.items():
            _resolve_all_refs(name, registry, doc)

    @staticmethod
    def load(directory: Path | None = None) -> Schemas:
        """Load once per process and directory: compiled schemas are immutable, so apps share."""
        return _load_cached(directory or data_dir("schemas"))

    def __len__(self) -> int:
        return len(self._validators)

    def errors(self, name: str, instance: Any, root: str = "body") -> list[str]:
        """Every violation of schema `name` by `instance`, as messages naming the place."""
        if self._fast[name](instance):
            return []  # certainly valid: skip jsonschema's walk
        found = sorted(
            self._validators[name].iter_errors(instance),
            key=lambda e: (_sort_path(e.absolute_path), str(e.validator)),
        )
        return [_describe(error, root) for error in found[:MAX_MESSAGES]]

    def is_valid(self, name: str, instance: Any) -> bool:
        return self._fast[name](instance) or bool(self._validators[name].is_valid(instance))


@lru_cache(maxsize=8)
def _load_cached(directory: Path) -> Schemas:
    return Schemas(directory)


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaLoadError(f"schema {path.name}: cannot be read as JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("$id") != URN + path.stem:
        raise SchemaLoadError(f"schema {path.name}: $id must be {URN}{path.stem}")
    try:
        Draft202012Validator.check_schema(doc)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise SchemaLoadError(f"schema {path.name}: invalid at {where}: {exc.message}") from None
    return doc


def _resolve_all_refs(name: str, registry: Registry[Any], node: Any) -> None:
    """Fail at start-up, not on the first request, when a $ref points nowhere."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            try:
                registry.resolver(base_uri=URN + name).lookup(ref)
            except Exception as exc:  # referencing raises several unrelated types
                raise SchemaLoadError(f"schema {name}: unresolvable $ref {ref}: {exc}") from None
        for value in node.values():
            _resolve_all_refs(name, registry, value)
    elif isinstance(node, list):
        for value in node:
            _resolve_all_refs(name, registry, value)


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
