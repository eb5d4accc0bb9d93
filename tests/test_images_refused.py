"""Tests for app.media.images on files it refuses: other formats, damaged and empty files, too
many bytes and too many pixels (decompression bombs). Every input is built here with Pillow, no
binary fixtures."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from app.media.images import PhotoError, process_photo
from tests.image_support import encode, two_halves


def noise(size: tuple[int, int]) -> Image.Image:
    """Incompressible pixels, so that half of the file is also half of the pixel data."""
    data = random.Random(0).randbytes(size[0] * size[1] * 3)
    return Image.frombytes("RGB", size, data)


@pytest.mark.parametrize(
    "raw",
    [
        b"Das ist ein Text, auch wenn die Datei foto.jpg heisst.\n",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>',
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        encode(two_halves(), "GIF"),
        encode(two_halves(), "BMP"),
        encode(two_halves(), "TIFF"),
        encode(two_halves(), "AVIF"),
    ],
    ids=["text", "svg", "pdf", "gif", "bmp", "tiff", "avif"],
)
def test_other_files_are_refused(raw: bytes) -> None:
    with pytest.raises(PhotoError, match="kein unterstütztes Bild") as info:
        process_photo(raw)

    assert "JPEG, PNG, WebP oder HEIC" in str(info.value)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_file_cut_in_half_is_refused_as_damaged(fmt: str) -> None:
    raw = encode(noise((300, 200)), fmt)

    with pytest.raises(PhotoError, match="beschädigt oder unvollständig"):
        process_photo(raw[: len(raw) // 2])


def test_jpeg_with_only_its_header_is_refused_as_damaged() -> None:
    raw = encode(noise((300, 200)), "JPEG")

    with pytest.raises(PhotoError, match="beschädigt"):
        process_photo(raw[:40])


def test_empty_file_is_refused() -> None:
    with pytest.raises(PhotoError, match="leer"):
        process_photo(b"")


def test_file_over_ten_megabytes_is_refused_before_decoding() -> None:
    jpeg = encode(two_halves(), "JPEG")
    # Pillow ignores bytes after the end of a JPEG, so only the size can be the reason here.
    raw = jpeg + b"\0" * (10 * 1024 * 1024 + 1 - len(jpeg))

    with pytest.raises(PhotoError, match="zu groß") as info:
        process_photo(raw)

    assert "10 MB" in str(info.value)
    assert process_photo(raw[:-1]).width == 200


def test_byte_limit_is_configurable_and_named() -> None:
    raw = encode(noise((600, 400)), "PNG")
    assert len(raw) > 512 * 1024

    with pytest.raises(PhotoError, match="höchstens 0,5 MB"):
        process_photo(raw, max_bytes=512 * 1024)
    with pytest.raises(PhotoError, match="zu groß"):
        process_photo(raw, max_bytes=len(raw) - 1)
    assert process_photo(raw, max_bytes=len(raw)).width == 600


@pytest.mark.parametrize(
    ("size", "max_pixels"),
    [
        ((10_000, 6_000), 50_000_000),  # over our limit, under Pillow's own
        ((20_000, 20_000), 50_000_000),  # so large that Pillow itself refuses to open it
        ((10_000, 9_000), 200_000_000),  # Pillow only warns; the warning must not let it through
    ],
    ids=["60-megapixel", "400-megapixel", "pillow-warning"],
)
def test_decompression_bomb_is_refused(size: tuple[int, int], max_pixels: int) -> None:
    # A one-bit blank image of this size compresses to a few kilobytes.
    raw = encode(Image.new("1", size), "PNG")
    assert len(raw) < 100_000
    limit_before = Image.MAX_IMAGE_PIXELS

    with pytest.raises(PhotoError, match="zu viele Bildpunkte"):
        process_photo(raw, max_pixels=max_pixels)

    assert limit_before == Image.MAX_IMAGE_PIXELS


def test_pixel_limit_is_checked_before_any_pixel_is_decoded() -> None:
    raw = encode(noise((100, 100)), "PNG")
    # Only the header is left: decoding would fail as "damaged", so the size was judged first.
    header_only = raw[:64]

    with pytest.raises(PhotoError, match="zu viele Bildpunkte"):
        process_photo(header_only, max_pixels=1000)
    with pytest.raises(PhotoError, match="beschädigt"):
        process_photo(header_only, max_pixels=10_000)
    assert process_photo(raw, max_pixels=10_000).width == 100
