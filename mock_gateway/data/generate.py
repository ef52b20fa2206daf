"""A realistic, deterministic catalog: Trendyol-Collection-style apparel, seeded.

The same seed and size always give the same document, byte for byte once written. The output is
a fixture document (the shape of fixtures/*.json), so generated and committed data load alike.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker

from mock_gateway.clock import format_instant
from mock_gateway.data.png import COLORS

WAREHOUSES = [
    {"id": 3, "name": "Istanbul Tuzla Cross Dock"},
    {"id": 5, "name": "Istanbul Esenyurt Fulfilment Center"},
    {"id": 7, "name": "Ankara Sincan Warehouse"},
    {"id": 11, "name": "Izmir Kemalpasa Warehouse"},
]
DEFAULT_BUYERS = [
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


def generate_catalog(size: int, seed: int) -> dict[str, Any]:
    """Return a fixture document with exactly `size` offers, a rating set and the warehouses."""
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    genders = list(GENDER_WEIGHTS)
    weights = list(GENDER_WEIGHTS.values())
    offers: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    barcodes: set[str] = set()
    model_serial = 0
    while len(offers) < size:
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
            for variant_size in model_sizes:
                if len(offers) == size:
                    break
                barcode = _unique_ean13(rng, barcodes)
                modified = DATA_EPOCH - timedelta(milliseconds=rng.randrange(0, 60 * 86_400_000))
                offers.append(
                    {
                        "modelNo": model_no,
                        "barcode": barcode,
                        "name": f"{brand} {color} {title}",
                        "description": description,
                        "brand": brand,
                        "subCategory": sub_category,
                        "color": color,
                        "size": variant_size,
                        "gender": gender,
                        "ageGroup": age_group,
                        "stockQuantity": _stock_level(rng),
                        "price": price,
                        "originalSalesPrice": list_price,
                        "discountRate": discount,
                        "lastModifiedDate": format_instant(modified),
                        "warehouseId": warehouse_id,
                        "imageCount": image_count,
                    }
                )
                if rng.random() < 0.7:
                    ratings.append(_rating(rng, barcode))
    return {
        "warehouses": WAREHOUSES,
        "buyers": DEFAULT_BUYERS,
        "offers": offers,
        "ratings": ratings,
    }


def _unique_ean13(rng: random.Random, taken: set[str]) -> str:
    """An EAN-13 with the Turkish GS1 prefix 868 and a correct check digit."""
    while True:
        body = "868" + f"{rng.randrange(10**9):09d}"
        digits = [int(d) for d in body]
        check = (10 - (sum(digits[0::2]) + 3 * sum(digits[1::2])) % 10) % 10
        barcode = body + str(check)
        if barcode not in taken:
            taken.add(barcode)
            return barcode


def _stock_level(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.12:
        return 0  # sold out
    if roll < 0.3:
        return rng.randint(1, 5)  # nearly gone: partial fills happen
    return rng.randint(6, 300)


def _rating(rng: random.Random, barcode: str) -> dict[str, Any]:
    total = rng.randint(1, 400)
    # skewed towards 4 and 5 stars, as real ratings are
    profile = rng.choice(((1, 1, 3, 8, 15), (2, 2, 5, 10, 12), (1, 2, 4, 6, 20), (5, 4, 6, 8, 9)))
    shares = [w * rng.uniform(0.6, 1.4) for w in profile]
    counts = [int(total * s / sum(shares)) for s in shares]
    counts[4] += total - sum(counts)
    return {
        "barcode": barcode,
        "ratingCounts": [{"rate": r, "count": counts[r - 1]} for r in range(5, 0, -1)],
        "totalCommentCount": rng.randint(0, total),
    }
