"""Small product images made with the standard library: a PNG in the variant's colour."""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

# Colour names the catalog uses, with the RGB the images are drawn in.
COLORS: dict[str, tuple[int, int, int]] = {
    "Black": (20, 20, 20),
    "White": (245, 245, 245),
    "Ecru": (234, 224, 200),
    "Beige": (222, 200, 160),
    "Camel": (193, 154, 107),
    "Brown": (110, 70, 40),
    "Khaki": (150, 140, 90),
    "Green": (46, 125, 50),
    "Mint": (170, 230, 200),
    "Navy": (25, 35, 80),
    "Blue": (40, 100, 200),
    "Indigo": (60, 60, 140),
    "Grey": (128, 128, 128),
    "Anthracite": (60, 62, 66),
    "Red": (200, 30, 40),
    "Burgundy": (110, 20, 40),
    "Pink": (240, 160, 180),
    "Lilac": (190, 160, 220),
    "Yellow": (240, 210, 60),
    "Orange": (240, 130, 40),
}
SIZE = 64


@lru_cache(maxsize=256)
def product_png(color: str, index: int) -> bytes:
    """A SIZE x SIZE PNG filled with the colour; image `index` gets a band at a different height
    so a model's images differ from each other."""
    red, green, blue = COLORS.get(color, (128, 128, 128))
    shade = bytes((red // 2, green // 2, blue // 2))
    fill = bytes((red, green, blue))
    band_top = (index * 11) % (SIZE - 8)
    rows = b"".join(
        b"\x00" + (shade if band_top <= y < band_top + 8 else fill) * SIZE for y in range(SIZE)
    )
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows, 9)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
