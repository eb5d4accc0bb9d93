"""Check uploaded photos and turn them into clean JPEGs.

Everything here works on bytes; the caller stores the result. An upload is untrusted, so it is
identified by decoding it with Pillow, never by its file name or content type. The output is a
freshly encoded JPEG that keeps none of the original metadata (EXIF, GPS, XMP, ICC, comments):
photos of potholes are published, the reporter's camera and home position must not be.
"""

from __future__ import annotations

import contextlib
import io
import math
import numbers
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageOps

# iPhones upload HEIC by default; Pillow can only read it through this plugin.
pillow_heif.register_heif_opener()

UNSUPPORTED = "Die Datei ist kein unterstütztes Bild (JPEG, PNG, WebP oder HEIC)."
DAMAGED = "Das Bild ist beschädigt oder unvollständig."
TOO_MANY_PIXELS = "Das Bild ist zu groß (zu viele Bildpunkte)."
EMPTY = "Die Datei ist leer."

# Passed to Image.open so that no other Pillow plugin (EPS via Ghostscript, TIFF, ...) ever parses
# an upload: less attack surface, and the format check below cannot be fooled by a plugin's guess.
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# The JPEG plugin reports camera JPEGs with extra frames (previews, stereo) as "MPO".
_ACCEPTED = frozenset({*_OPEN_FORMATS, "MPO"})
# Major brands of HEIF files with HEVC images; AVIF ("avif") is deliberately absent.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
_SRGB = ImageCms.createProfile("sRGB")

_GPS_IFD = 0x8825
_GPS_LATITUDE_REF, _GPS_LATITUDE, _GPS_LONGITUDE_REF, _GPS_LONGITUDE = 1, 2, 3, 4

JPEG_QUALITY = 85


class PhotoError(ValueError):
    """Raised with a German, user-facing message."""


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes  # re-encoded JPEG without any metadata
    thumbnail: bytes  # the same, longest side at most thumb_size
    width: int  # of data, after rotation and shrinking
    height: int
    gps: tuple[float, float] | None  # (lat, lon) from the original EXIF, if plausible


def process_photo(
    raw: bytes,
    *,
    max_size: int = 2048,
    thumb_size: int = 400,
    max_pixels: int = 50_000_000,
    max_bytes: int = 10 * 1024 * 1024,
) -> ProcessedPhoto:
    """Validate an upload and return it re-encoded, shrunk, stripped, plus its EXIF position."""
    _check_length(raw, max_bytes)
    with _decode(raw, max_pixels) as image:
        # The position must be read now: the clean image below has no EXIF left.
        gps = _read_gps(image)
        photo = _clean_rgb(image)
    photo.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
    thumb = photo.copy()
    thumb.thumbnail((thumb_size, thumb_size), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        data=encode_jpeg(photo),
        thumbnail=encode_jpeg(thumb),
        width=photo.width,
        height=photo.height,
        gps=gps,
    )


def read_position(raw: bytes, max_bytes: int = 10 * 1024 * 1024) -> tuple[float, float] | None:
    """The (lat, lon) stored in a photo, read from its header without decoding the pixels.

    Raises PhotoError when the file is no supported image."""
    _check_length(raw, max_bytes)
    with _open(raw) as image:
        return _read_gps(image)


def _check_length(raw: bytes, max_bytes: int) -> None:
    if not raw:
        raise PhotoError(EMPTY)
    if len(raw) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):g}".replace(".", ",")
        raise PhotoError(f"Die Datei ist zu groß (höchstens {limit} MB).")


def _decode(raw: bytes, max_pixels: int) -> Image.Image:
    """Open and fully decode the upload, or raise PhotoError."""
    # Pillow only warns between its own limit and twice that; a warning must stop the upload too.
    # Image.MAX_IMAGE_PIXELS is left alone because other code in the process shares it.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(raw)
        # Image.open has read only the header: refuse huge images before any pixel is decoded.
        if image.width * image.height > max_pixels:
            raise PhotoError(TOO_MANY_PIXELS)
        try:
            # A full load is what notices a truncated file (LOAD_TRUNCATED_IMAGES stays off).
            image.load()
        except _BOMB as exc:
            raise PhotoError(TOO_MANY_PIXELS) from exc
        except Exception as exc:
            # Decoders raise OSError, SyntaxError, ValueError, struct.error...: all mean "broken".
            raise PhotoError(DAMAGED) from exc
    return image


def _open(raw: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(raw), formats=_OPEN_FORMATS)
    except _BOMB as exc:
        raise PhotoError(TOO_MANY_PIXELS) from exc
    except Exception as exc:
        raise PhotoError(DAMAGED if _has_known_signature(raw) else UNSUPPORTED) from exc
    if image.format not in _ACCEPTED:
        raise PhotoError(UNSUPPORTED)
    return image


def _has_known_signature(raw: bytes) -> bool:
    """True if the file starts like an accepted format, so a failure means it is broken."""
    return (
        raw.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
        or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP")
        or (raw[4:8] == b"ftyp" and raw[8:12] in _HEIC_BRANDS)
    )


def _read_gps(image: Image.Image) -> tuple[float, float] | None:
    """Return (lat, lon) from the EXIF GPS block, or None if it is missing or implausible."""
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
        lat = _coordinate(gps.get(_GPS_LATITUDE), gps.get(_GPS_LATITUDE_REF), "N", "S")
        lon = _coordinate(gps.get(_GPS_LONGITUDE), gps.get(_GPS_LONGITUDE_REF), "E", "W")
    except Exception:
        # EXIF is written by any device or tool; a broken block only means "no position".
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    # 0/0 is what devices write before they have a fix, not a place anyone reports from.
    if lat == 0 and lon == 0:
        return None
    return (lat, lon)


def _coordinate(value: object, ref: object, positive: str, negative: str) -> float | None:
    """Convert EXIF degrees/minutes/seconds and a hemisphere letter to signed degrees."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    hemisphere = ref.strip("\x00 ").upper() if isinstance(ref, str) else ""
    if hemisphere not in (positive, negative):
        # Without a valid hemisphere the sign is a guess, and a wrong sign is a wrong continent.
        return None
    parts = value if isinstance(value, tuple) else (value,)
    if not 1 <= len(parts) <= 3 or not all(isinstance(p, numbers.Real) for p in parts):
        return None
    values = [float(p) for p in parts]
    # A zero denominator turns into NaN; negative parts are not valid EXIF.
    if not all(math.isfinite(v) and v >= 0 for v in values):
        return None
    degrees = sum(v / 60**i for i, v in enumerate(values))
    return -degrees if hemisphere == negative else degrees


def _clean_rgb(image: Image.Image) -> Image.Image:
    """Return an upright RGB image, a new one without any metadata to travel along."""
    image = _upright(image)
    image = _to_srgb(image)
    if image.mode in _SIXTEEN_BIT_MODES:
        # Converting 16-bit grey straight to RGB clips everything above 255 to white.
        image = image.convert("I").point(lambda v: v / 257).convert("L")
    if not image.has_transparency_data:
        # convert() always makes a new image (a copy when already RGB); of the original it
        # keeps only .info (EXIF, ICC profile, comments...), which is dropped here. No second
        # canvas: another full copy of a 12-megapixel photo costs a tenth of the processing.
        clean = image.convert("RGB")
        clean.info = {}
        return clean
    source = image.convert("RGBA")
    # Transparent areas become white (as on the page), not the black JPEG would make of them.
    canvas = Image.new("RGB", source.size, "white")
    canvas.paste(source, mask=source)
    return canvas


def _upright(image: Image.Image) -> Image.Image:
    # Odd EXIF that Pillow cannot rewrite: a sideways photo is better than a refused one.
    with contextlib.suppress(Exception):
        # In place: a copy of a 50-megapixel photo is 150 MB that nobody needs.
        ImageOps.exif_transpose(image, in_place=True)
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded colour profile, because the output carries none and is shown as sRGB."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode=mode)
        return converted if converted is not None else image
    except Exception:
        # A broken or mismatched profile is no reason to refuse the photo.
        return image


def encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif/icc_profile/comment arguments, and the clean image has an empty .info to copy from.
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()
