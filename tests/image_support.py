"""Helpers for the image tests (no tests here): encoding a Pillow image in any format the app
reads, HEIF included, and a two-coloured test picture."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)

# The tests write HEIF files themselves, whatever the app under test registers.
pillow_heif.register_heif_opener()


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def two_halves(size: tuple[int, int] = (200, 100)) -> Image.Image:
    """Red left half, blue right half: shows which way an image was turned."""
    img = Image.new("RGB", size, RED)
    img.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return img
