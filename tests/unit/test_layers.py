"""The folders read as the layers: no import climbs back up (type hints aside)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mock_gateway"
# each layer, and the layers above it that it must not import
ABOVE = {
    "domain": ("state", "stores", "serving", "api", "control", "contract"),
    "state": ("stores", "serving", "api", "control"),
    "stores": ("serving", "api", "control"),
}


def runtime_imports(path: Path) -> list[str]:
    """The modules a file imports when it runs (not those under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text())
    hinted = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
        for statement in block.body
        for node in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in hinted:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_layers__no_import_climbs_back_up(layer: str) -> None:
    banned = tuple(f"mock_gateway.{name}" for name in ABOVE[layer])
    climbing = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for module in runtime_imports(path)
        if module.startswith(banned)
    ]
    assert climbing == []
