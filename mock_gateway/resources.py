"""Locate the data that ships with the package: schemas and the default fixtures."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the directory of a shipped data set ('schemas' or 'fixtures').

    An installed wheel carries them as mock_gateway/_data/<name>; a source checkout (or an
    editable install) has them at the top level beside the package.
    """
    packaged = Path(str(resources.files("mock_gateway") / "_data" / name))
    if packaged.is_dir():
        return packaged
    return _PACKAGE_ROOT.parent / name


def package_dir(name: str) -> Path:
    """A directory inside the package itself (the dashboard's files)."""
    return Path(str(resources.files("mock_gateway") / name))
