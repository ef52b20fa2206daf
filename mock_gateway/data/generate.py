"""A realistic, deterministic catalog: Trendyol-Collection-style apparel, seeded.

The same seed and size always give the same document, byte for byte once written. The output is
a fixture document (the shape of fixtures/*.json), so generated and committed data load alike.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mock_gateway.data.fixtures import DataSet, offer_document
from mock_gateway.data.png import COLORS
from mock_gateway.domain.catalog import Catalog
from mock_gateway.domain.models import BuyerProfile, Offer, Rating, Warehouse

WAREHOUSES: list[dict[str, Any]] = [
    {"id": 3, "name": "Istanbul Tuzla Cross Dock"},
    {"id": 5, "name": "Istanbul Esenyurt Fulfilment Center"},
    {"id": 7, "name": "Ankara Sincan Warehouse"},
    {"id": 11, "name": "Izmir Kemalpasa Warehouse"},
]
DEFAULT_BUYERS: list[dict[str, Any]] = [
    {"buyerCode": "DEMO01", "addressTitles": ["Main Warehouse", "Returns Hub"]},
]
# Data dates sit before this fixed instant, so a seed alone fixes every byte.
DATA_EPOCH = datetime(2026, 11, 1, tzinfo=UTC)

ADULT_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
SHOE_SIZES = ["36", "37", "38", "39", "40", "41", "42", "43", "44"]
KIDS_SIZES = ["3-4 Y", "5-6 Y", "7-8 Y", "9-10 Y", "11-12 Y", "13-14 Y"]
JEAN_SIZES = ["26", "27", "28", "29", "30", "31", "32", "33", "34", "36"]

# (sub-category, code, nouns, size set, list price range in USD)
CATEGORIES: dict[str, list[tuple[str, str, list[str], list[str], tuple[int, int]]]] = {
    "Women": [
        (
            "Dress",
            "EL",
            ["Dress", "Midi Dress", "Maxi Dress", "Shirt Dress"],
            ADULT_SIZES,
            (18, 70),
        ),
        ("Blouse", "BZ", ["Blouse", "Satin Blouse", "Tunic"], ADULT_SIZES, (12, 40)),
        ("T-Shirt", "TS", ["T-Shirt", "Crop T-Shirt", "Basic T-Shirt"], ADULT_SIZES, (7, 22)),
        ("Jeans", "JE", ["Mom Jeans", "Wide Leg Jeans", "Skinny Jeans"], JEAN_SIZES, (20, 55)),
        ("Knitwear", "TR", ["Sweater", "Cardigan", "Knit Vest"], ADULT_SIZES, (16, 48)),
        ("Coat", "MN", ["Trench Coat", "Wool Coat", "Puffer Jacket"], ADULT_SIZES, (45, 140)),
        ("Shoes", "AY", ["Sneakers", "Loafers", "Ankle Boots"], SHOE_SIZES[:6], (25, 80)),
    ],
    "Men": [
        ("T-Shirt", "TS", ["T-Shirt", "Polo T-Shirt", "Oversize T-Shirt"], ADULT_SIZES, (8, 25)),
        ("Shirt", "GM", ["Shirt", "Oxford Shirt", "Linen Shirt"], ADULT_SIZES, (15, 45)),
        ("Trousers", "PN", ["Chino Trousers", "Cargo Trousers", "Jogger"], JEAN_SIZES, (18, 50)),
        ("Sweatshirt", "SW", ["Sweatshirt", "Hoodie", "Zip Sweatshirt"], ADULT_SIZES, (15, 45)),
        ("Coat", "MN", ["Parka", "Bomber Jacket", "Denim Jacket"], ADULT_SIZES, (40, 130)),
        ("Shoes", "AY", ["Sneakers", "Chelsea Boots", "Loafers"], SHOE_SIZES[3:], (30, 90)),
    ],
    "Girl": [
        ("Dress", "EL", ["Dress", "Tulle Dress"], KIDS_SIZES, (10, 35)),
        ("T-Shirt", "TS", ["Printed T-Shirt", "Basic T-Shirt"], KIDS_SIZES, (5, 15)),
    ],
    "Boy": [
        ("Sweatshirt", "SW", ["Hoodie", "Sweatshirt"], KIDS_SIZES, (10, 28)),
        ("Trousers", "PN", ["Jogger", "Jeans"], KIDS_SIZES, (10, 28)),
    ],
    "Unisex": [
        ("Accessories", "AK", ["Beanie", "Scarf", "Tote Bag"], ["Standard"], (5, 25)),
    ],
}
GENDER_WEIGHTS = {"Women": 45, "Men": 30, "Girl": 9, "Boy": 9, "Unisex": 7}
BRANDS = {
    "Women": ["Trendyol Collection", "TrendyolMilla", "Trendyol Modest"],
    "Men": ["Trendyol Man", "Trendyol Collection"],
    "Girl": ["Trendyol Kids"],
    "Boy": ["Trendyol Kids"],
    "Unisex": ["Trendyol Collection"],
}
STYLES = ["Regular Fit", "Oversize", "Slim Fit", "Relaxed", "Cropped", "Basic", "Premium"]
FABRICS = ["Cotton", "Organic Cotton", "Linen Blend", "Viscose", "Knitted", "Woven", "Denim"]
DETAILS = ["Crew Neck", "V-Neck", "Buttoned", "Pocket Detail", "Printed", "Ribbed", "Belted"]
DESCRIPTION_WORDS = [
    "soft", "breathable", "everyday", "tailored", "lightweight", "durable", "comfortable",
    "seasonal", "versatile", "minimal", "layered", "easy-care", "classic", "modern", "clean",
]  # fmt: skip
SEASONS = ["SS", "AW"]


Row = tuple[Offer, int, datetime]
RatingRow = tuple[str, tuple[int, int, int, int, int], int]


def generate_catalog(size: int, seed: int) -> dict[str, Any]:
    """Return a fixture document with exactly `size` offers, a rating set and the warehouses."""
    rows, ratings = generate_rows(size, seed)
    return {
        "warehouses": WAREHOUSES,
        "buyers": DEFAULT_BUYERS,
        "offers": [offer_document(offer, stock, modified) for offer, stock, modified in rows],
        "ratings": [
            {
                "barcode": barcode,
                "ratingCounts": [{"rate": r, "count": counts[r - 1]} for r in (5, 4, 3, 2, 1)],
                "totalCommentCount": comments,
            }
            for barcode, counts, comments in ratings
        ],
    }


def generate_data_set(size: int, seed: int) -> DataSet:
    """The same catalog as generate_catalog, built straight into the domain (no documents):
    large catalogs start in a fraction of the time."""
    rows, ratings = generate_rows(size, seed)
    warehouses = [Warehouse(w["id"], w["name"]) for w in WAREHOUSES]
    rated = {barcode: Rating(counts, comments) for barcode, counts, comments in ratings}
    buyers = {
        b["buyerCode"]: BuyerProfile(b["buyerCode"], tuple(b["addressTitles"]))
        for b in DEFAULT_BUYERS
    }
    return DataSet(Catalog.build(warehouses, rows, rated), buyers)


def generate_rows(size: int, seed: int) -> tuple[list[Row], list[RatingRow]]:
    """The catalog as domain rows: (offer, stock, last modified) and (barcode, counts, comments)."""
    from faker import Faker  # imported here: a large import that serving fixtures never needs

    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    genders = list(GENDER_WEIGHTS)
    weights = list(GENDER_WEIGHTS.values())
    rows: list[Row] = []
    ratings: list[RatingRow] = []
    barcodes: set[str] = set()
    model_serial = 0
    window_ms = 60 * 86_400_000
    while len(rows) < size:
        model_serial += 1
        gender = rng.choices(genders, weights)[0]
        sub_category, code, nouns, sizes, (low, high) = rng.choice(CATEGORIES[gender])
        season = rng.choice(SEASONS)
        model_no = f"T{gender[0]}{season}{rng.choice((24, 25, 26))}{code}{model_serial:05d}"
        noun = rng.choice(nouns)
        style = rng.choice(STYLES)
        title = f"{rng.choice(FABRICS)} {style} {rng.choice(DETAILS)} {noun}"
        description = (
            f"{title}. "
            + fake.sentence(nb_words=10, ext_word_list=DESCRIPTION_WORDS)
            + f" Model number {model_no}."
        )
        brand = rng.choice(BRANDS[gender])
        age_group = "Child" if gender in ("Girl", "Boy") else "Adult"
        warehouse_id = rng.choice(WAREHOUSES)["id"]
        list_price = rng.randrange(low * 100, high * 100) // 100 + 0.99
        discount = rng.choice((0, 0, 0, 10, 15, 20, 25, 30, 40, 50))
        price = round(list_price * (1 - discount / 100), 2)
        first = rng.randrange(0, max(1, len(sizes) - 2))
        model_sizes = sizes[first : first + rng.randint(min(3, len(sizes)), len(sizes))]
        for color in rng.sample(list(COLORS), rng.randint(1, 3)):
            image_count = rng.randint(1, 4)
            name = f"{brand} {color} {title}"
            for variant_size in model_sizes:
                if len(rows) == size:
                    break
                barcode = _unique_ean13(rng, barcodes)
                # whole milliseconds, so the value survives the documents' text form exactly
                modified = DATA_EPOCH - timedelta(milliseconds=int(rng.random() * window_ms))
                offer = Offer(
                    barcode, model_no, name, description, brand, sub_category, color,
                    variant_size, gender, age_group, price, list_price, discount, warehouse_id,
                    image_count,
                )  # fmt: skip
                rows.append((offer, _stock_level(rng), modified))
                if rng.random() < 0.7:
                    ratings.append(_rating(rng, barcode))
    return rows, ratings


def _unique_ean13(rng: random.Random, taken: set[str]) -> str:
    """An EAN-13 with the Turkish GS1 prefix 868 and a correct check digit."""
    while True:
        body = f"868{int(rng.random() * 10**9):09d}"
        check = (10 - (sum(map(int, body[0::2])) + 3 * sum(map(int, body[1::2]))) % 10) % 10
        barcode = body + str(check)
        if barcode not in taken:
            taken.add(barcode)
            return barcode


def _stock_level(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.12:
        return 0  # sold out
    if roll < 0.3:
        return 1 + int(rng.random() * 5)  # nearly gone: partial fills happen
    return 6 + int(rng.random() * 295)


def _rating(rng: random.Random, barcode: str) -> RatingRow:
    total = 1 + int(rng.random() * 400)
    # skewed towards 4 and 5 stars, as real ratings are
    profile = PROFILES[int(rng.random() * len(PROFILES))]
    shares = [w * (0.6 + 0.8 * rng.random()) for w in profile]
    scale = total / sum(shares)
    counts = [int(share * scale) for share in shares]
    counts[4] += total - sum(counts)
    comments = int(rng.random() * (total + 1))
    return barcode, (counts[0], counts[1], counts[2], counts[3], counts[4]), comments


PROFILES = ((1, 1, 3, 8, 15), (2, 2, 5, 10, 12), (1, 2, 4, 6, 20), (5, 4, 6, 8, 9))
