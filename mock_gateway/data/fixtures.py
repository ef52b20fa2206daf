"""Fixture documents: read and checked against their schemas, written by `mock-gateway seed`.

A data set is four files: warehouses.json, buyers.json, offers.json, ratings.json. Every problem
is reported with the file and the place in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from mock_gateway.clock import format_instant, parse_instant
from mock_gateway.contract.schemas import Schemas, location
from mock_gateway.domain.catalog import Catalog
from mock_gateway.domain.models import OFFER_FIELDS, BuyerProfile, Offer, Rating, Warehouse

FILES = ("warehouses", "buyers", "offers", "ratings")


class FixtureError(ValueError):
    """A fixture file is unreadable or wrong; the message names the file and the field."""


@dataclass
class DataSet:
    catalog: Catalog
    buyers: dict[str, BuyerProfile]


def read_documents(directory: Path) -> dict[str, Any]:
    """Read the four fixture files of a directory as JSON."""
    documents: dict[str, Any] = {}
    for name in FILES:
        path = directory / f"{name}.json"
        try:
            documents[name] = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise FixtureError(f"{path}: missing (a data set needs {', '.join(FILES)})") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FixtureError(f"{path}: not valid JSON: {exc}") from None
    return documents


def write_documents(documents: dict[str, Any], directory: Path) -> list[Path]:
    """Write a data set; the same documents always give the same bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        path = directory / f"{name}.json"
        text = json.dumps(documents[name], indent=1, ensure_ascii=False, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written


def load_fixtures(directory: Path, schemas: Schemas) -> dict[str, Any]:
    """Read and schema-check a fixture directory; cached while its files are unchanged."""
    stamps = tuple(_stamp(directory / f"{name}.json") for name in FILES)
    documents: dict[str, Any] = _load_checked(directory, stamps, schemas)
    return documents


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load_checked(directory: Path, stamps: tuple[tuple[int, int], ...], schemas: Schemas) -> Any:
    documents = read_documents(directory)
    check_documents(documents, schemas, f"{directory}/")
    return documents


def check_documents(documents: dict[str, Any], schemas: Schemas, source: str = "") -> None:
    """Check every document against its schema; the message names the file and the field."""
    for name in FILES:
        problems = schemas.errors(f"fixture-{name}", documents.get(name), root="(root)")
        if problems:
            raise FixtureError(f"{source}{name}.json: {problems[0]}")


def build_data_set(documents: dict[str, Any], source: str = "") -> DataSet:
    """Check the documents against each other (schema-checked already) and build the catalog."""
    warehouses = [Warehouse(w["id"], w["name"]) for w in documents["warehouses"]]
    known_warehouses = {w.id for w in warehouses}
    rows: list[tuple[Offer, int, datetime]] = []
    seen: set[str] = set()
    for index, raw in enumerate(documents["offers"]):
        where = f"{source}offers.json: {location([index])}"
        if raw["barcode"] in seen:
            raise FixtureError(f"{where}.barcode {raw['barcode']!r} appears twice")
        seen.add(raw["barcode"])
        if raw["warehouseId"] not in known_warehouses:
            raise FixtureError(f"{where}.warehouseId {raw['warehouseId']} is not in warehouses")
        try:
            modified = parse_instant(raw["lastModifiedDate"])
        except ValueError:
            raise FixtureError(f"{where}.lastModifiedDate is not a date-time") from None
        rows.append((_offer(raw), raw["stockQuantity"], modified))
    ratings: dict[str, Rating] = {}
    for index, raw in enumerate(documents["ratings"]):
        where = f"{source}ratings.json: {location([index])}"
        if raw["barcode"] not in seen:
            raise FixtureError(f"{where}.barcode {raw['barcode']!r} is not an offer")
        counts = [0] * 5
        for entry in raw["ratingCounts"]:
            counts[entry["rate"] - 1] += entry["count"]
        if raw["totalCommentCount"] > sum(counts):
            raise FixtureError(f"{where}.totalCommentCount exceeds the number of ratings")
        ratings[raw["barcode"]] = Rating(
            (counts[0], counts[1], counts[2], counts[3], counts[4]), raw["totalCommentCount"]
        )
    buyers = {
        b["buyerCode"]: BuyerProfile(b["buyerCode"], tuple(b["addressTitles"]))
        for b in documents["buyers"]
    }
    return DataSet(Catalog.build(warehouses, rows, ratings), buyers)


def offer_document(offer: Offer, stock: int, modified: datetime) -> dict[str, Any]:
    """An offer in the fixture (and state) form: the contract's fields, no imageUrl, plus
    warehouseId and imageCount."""
    document: dict[str, Any] = {"barcode": offer.barcode}
    document.update({name: getattr(offer, attr) for name, attr in OFFER_FIELDS.items()})
    document["stockQuantity"] = stock
    document["lastModifiedDate"] = format_instant(modified)
    return document


def _offer(raw: dict[str, Any]) -> Offer:
    return Offer(
        barcode=raw["barcode"],
        model_no=raw["modelNo"],
        name=raw["name"],
        description=raw["description"],
        brand=raw["brand"],
        sub_category=raw["subCategory"],
        color=raw["color"],
        size=raw["size"],
        gender=raw["gender"],
        age_group=raw["ageGroup"],
        price=raw["price"],
        original_sales_price=raw["originalSalesPrice"],
        discount_rate=raw["discountRate"],
        warehouse_id=raw["warehouseId"],
        image_count=raw["imageCount"],
    )
