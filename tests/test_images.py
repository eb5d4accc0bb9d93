"""Tests for app.media.images on photos it accepts: the position from the GPS tags, all other
metadata dropped, orientation, colour modes and profiles, and sizes. Every input is built here
with Pillow, no binary fixtures."""

from __future__ import annotations

import io
import random
import struct

import pytest
from PIL import Image, ImageCms, TiffImagePlugin

from app.media.images import ProcessedPhoto, process_photo
from tests.image_support import BLUE, RED, WHITE, encode, two_halves

R = TiffImagePlugin.IFDRational
ORIENTATION, MAKE, MODEL, GPS_IFD = 0x0112, 0x010F, 0x0110, 0x8825
# 51° 9' 56.52" N, 7° 4' 1.56" E: a street in Solingen.
SOLINGEN_GPS = {1: "N", 2: (R(51), R(9), R(5652, 100)), 3: "E", 4: (R(7), R(4), R(156, 100))}
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def make_exif(gps: dict | None = None, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[MODEL] = "EOS Geheim"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps is not None:
        exif[GPS_IFD] = gps
    return exif


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def assert_clean_jpeg(data: bytes) -> Image.Image:
    """The stored file is a plain RGB JPEG that tells nothing about the camera or the place."""
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    assert img.mode == "RGB"
    assert len(img.getexif()) == 0
    assert img.getexif().get_ifd(GPS_IFD) == {}
    for key in ("exif", "icc_profile", "xmp", "comment"):
        assert key not in img.info
    assert b"Canon" not in data and b"Geheim" not in data
    img.load()
    return img


def assert_clean(result: ProcessedPhoto) -> Image.Image:
    photo = assert_clean_jpeg(result.data)
    assert photo.size == (result.width, result.height)
    assert_clean_jpeg(result.thumbnail)
    return photo


# With and without a colour profile, because applying the profile takes another code path.
@pytest.mark.parametrize("icc", [{"icc_profile": SRGB_ICC}, {}], ids=["srgb-profile", "no-profile"])
def test_jpeg_with_gps_gives_position_and_loses_all_metadata(icc: dict[str, bytes]) -> None:
    raw = encode(
        two_halves(),
        "JPEG",
        exif=make_exif(SOLINGEN_GPS, orientation=6),
        xmp=b"<x:xmpmeta>Geheim</x:xmpmeta>",
        comment=b"Geheim",
        **icc,
    )

    result = process_photo(raw)

    assert result.gps == pytest.approx((51.1657, 7.0671), abs=1e-6)
    photo = assert_clean(result)
    # Orientation 6 means "turn 90° clockwise to view": the left (red) half ends up on top.
    assert (result.width, result.height) == (100, 200)
    assert close_to(photo.getpixel((50, 20)), RED)
    assert close_to(photo.getpixel((50, 180)), BLUE)


@pytest.mark.parametrize(
    ("lat_ref", "lon_ref", "expected"),
    [
        ("S", "W", (-51.1657, -7.0671)),
        ("N", "W", (51.1657, -7.0671)),
        ("S", "E", (-51.1657, 7.0671)),
    ],
)
def test_southern_and_western_positions_are_negative(
    lat_ref: str, lon_ref: str, expected: tuple[float, float]
) -> None:
    gps = {**SOLINGEN_GPS, 1: lat_ref, 3: lon_ref}
    raw = encode(two_halves(), "JPEG", exif=make_exif(gps))

    assert process_photo(raw).gps == pytest.approx(expected, abs=1e-6)


def test_photo_without_exif_has_no_position() -> None:
    result = process_photo(encode(two_halves(), "JPEG"))

    assert result.gps is None
    assert (result.width, result.height) == (200, 100)


def test_png_transparency_becomes_white() -> None:
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 50, 100))

    photo = assert_clean(process_photo(encode(img, "PNG")))

    assert close_to(photo.getpixel((20, 50)), RED)
    # Transparent pixels are stored as black here; they must not come out black.
    assert close_to(photo.getpixel((80, 50)), WHITE)


def _palette_with_transparency() -> Image.Image:
    img = Image.new("P", (60, 60), 0)
    img.putpalette([0, 0, 0, 255, 0, 0])
    img.paste(1, (0, 0, 30, 60))
    img.info["transparency"] = 0
    return img


@pytest.mark.parametrize(
    ("img", "fmt", "left", "right"),
    [
        (_palette_with_transparency(), "PNG", RED, WHITE),
        (Image.new("LA", (60, 60), (100, 0)), "PNG", WHITE, WHITE),
        (Image.new("L", (60, 60), 100), "PNG", (100, 100, 100), (100, 100, 100)),
        (Image.new("1", (60, 60), 1), "PNG", WHITE, WHITE),
        # 40000 of 65535 is a mid grey, not the white a naive conversion would clip it to.
        (Image.new("I;16", (60, 60), 40000), "PNG", (156, 156, 156), (156, 156, 156)),
        (Image.new("CMYK", (60, 60), (0, 255, 255, 0)), "JPEG", RED, RED),
    ],
    ids=["palette-transparent", "grey-alpha", "grey", "bilevel", "16-bit-grey", "cmyk"],
)
def test_other_colour_modes_come_out_as_sensible_rgb(
    img: Image.Image, fmt: str, left: tuple[int, ...], right: tuple[int, ...]
) -> None:
    photo = assert_clean(process_photo(encode(img, fmt)))

    assert close_to(photo.getpixel((10, 30)), left)
    assert close_to(photo.getpixel((50, 30)), right)


def test_webp_with_gps() -> None:
    raw = encode(two_halves(), "WEBP", quality=90, exif=make_exif(SOLINGEN_GPS))

    result = process_photo(raw)

    assert result.gps == pytest.approx((51.1657, 7.0671), abs=1e-6)
    photo = assert_clean(result)
    assert close_to(photo.getpixel((20, 50)), RED)


def test_heic_from_an_iphone_is_accepted() -> None:
    raw = encode(two_halves(), "HEIF", quality=80, exif=make_exif(SOLINGEN_GPS))
    assert raw[4:12] == b"ftypheic"

    result = process_photo(raw)

    assert result.gps == pytest.approx((51.1657, 7.0671), abs=1e-6)
    photo = assert_clean(result)
    assert (result.width, result.height) == (200, 100)
    assert close_to(photo.getpixel((20, 50)), RED, tolerance=30)
    assert close_to(photo.getpixel((180, 50)), BLUE, tolerance=30)


def test_large_photo_is_shrunk_and_gets_a_small_thumbnail() -> None:
    raw = encode(two_halves((5000, 3000)), "JPEG", quality=70)

    result = process_photo(raw)

    assert (result.width, result.height) == (2048, 1229)
    thumb = assert_clean_jpeg(result.thumbnail)
    assert max(thumb.size) == 400
    assert thumb.size == (400, 240)


def test_small_photo_is_not_enlarged() -> None:
    result = process_photo(encode(two_halves((300, 200)), "PNG"))

    assert (result.width, result.height) == (300, 200)
    assert assert_clean_jpeg(result.thumbnail).size == (300, 200)


def test_sizes_can_be_configured() -> None:
    result = process_photo(encode(two_halves((1000, 500)), "PNG"), max_size=600, thumb_size=100)

    assert (result.width, result.height) == (600, 300)
    assert assert_clean_jpeg(result.thumbnail).size == (100, 50)


def _big_endian_exif() -> bytes:
    data = make_exif(SOLINGEN_GPS).tobytes()
    assert data[6:8] == b"MM", "the byte patterns below are written for big-endian EXIF"
    return data


def _exif_with_broken_gps_pointer() -> bytes:
    data = _big_endian_exif()
    # IFD0 entry of the GPS block (tag 0x8825, type LONG, count 1), followed by its offset.
    entry = b"\x88\x25\x00\x04\x00\x00\x00\x01"
    at = data.index(entry) + len(entry)
    return data[:at] + b"\x7f\xff\xff\x00" + data[at + 4 :]


def _exif_with_text_latitude() -> bytes:
    data = _big_endian_exif()
    # GPSLatitude entry (tag 2, type RATIONAL, count 3) retyped as a 3-byte ASCII string.
    entry = b"\x00\x02\x00\x05\x00\x00\x00\x03"
    assert entry in data
    return data.replace(entry, b"\x00\x02\x00\x02\x00\x00\x00\x03", 1)


# Pillow warns about the corrupt block it skips; that is expected here.
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
@pytest.mark.parametrize(
    "exif",
    [
        make_exif({**SOLINGEN_GPS, 2: (R(51, 0), R(9), R(0))}),
        make_exif({**SOLINGEN_GPS, 2: (R(123), R(0), R(0))}),
        make_exif({**SOLINGEN_GPS, 4: (R(200), R(0), R(0))}),
        make_exif({2: SOLINGEN_GPS[2], 3: "E", 4: SOLINGEN_GPS[4]}),
        make_exif({**SOLINGEN_GPS, 1: "X"}),
        make_exif({1: "N", 2: SOLINGEN_GPS[2]}),
        make_exif({1: "N", 2: (R(0), R(0), R(0)), 3: "E", 4: (R(0), R(0), R(0))}),
        _exif_with_broken_gps_pointer(),
        _exif_with_text_latitude(),
        b"Exif\x00\x00" + random.Random(1).randbytes(300),
    ],
    ids=[
        "zero-denominator",
        "latitude-over-90",
        "longitude-over-180",
        "no-hemisphere",
        "bad-hemisphere",
        "no-longitude",
        "null-island",
        "pointer-past-end",
        "latitude-as-text",
        "random-bytes",
    ],
)
def test_broken_gps_gives_no_position_but_keeps_the_photo(exif: Image.Exif | bytes) -> None:
    raw = encode(two_halves(), "JPEG", exif=exif)

    result = process_photo(raw)

    assert result.gps is None
    assert_clean(result)


def test_broken_colour_profile_does_not_refuse_the_photo() -> None:
    raw = encode(two_halves(), "JPEG", icc_profile=b"kein ICC-Profil" * 20)

    photo = assert_clean(process_photo(raw))

    assert close_to(photo.getpixel((20, 50)), RED)


def linear_light_icc() -> bytes:
    """A minimal ICC v2 profile: sRGB primaries, but linear (gamma 1.0) tone curves."""

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))

    gamma_one = b"curv\0\0\0\0" + struct.pack(">IH", 1, 256) + b"\0\0"
    tags = [
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        *((name, gamma_one) for name in (b"rTRC", b"gTRC", b"bTRC")),
    ]
    table, body = b"", b""
    start = 128 + 4 + 12 * len(tags)
    for name, data in tags:
        table += name + struct.pack(">II", start + len(body), len(data))
        body += data
    # Size, CMM, version 2.1, display class, RGB data, XYZ connection space, date, signature.
    header = struct.pack(
        ">I4sI4s4s4s12s4s",
        start + len(body),
        b"",
        0x02100000,
        b"mntr",
        b"RGB ",
        b"XYZ ",
        b"\0" * 12,
        b"acsp",
    )
    header = header.ljust(68, b"\0") + xyz(0.9642, 1.0, 0.8249)[8:]
    return header.ljust(128, b"\0") + struct.pack(">I", len(tags)) + table + body


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_colour_profile_is_applied_before_it_is_dropped(mode: str) -> None:
    # Phones store wide-gamut photos (Display P3) with a profile; the output has none and is
    # shown as sRGB, so the colours must be converted or they look wrong.
    img = Image.new(mode, (60, 60), (128, 128, 128, 255)[: len(mode)])
    raw = encode(img, "PNG", icc_profile=linear_light_icc())

    photo = assert_clean(process_photo(raw))

    # Linear-light 50 % grey is 188 in sRGB; ignoring the profile would leave 128.
    assert close_to(photo.getpixel((30, 30)), (188, 188, 188), tolerance=4)
