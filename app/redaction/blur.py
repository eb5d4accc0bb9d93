"""Make regions of a photo unrecognisable, for good: the published file is written anew from
coarse blocks smoothed over, so no pixel of a face or plate survives to be sharpened back."""

from __future__ import annotations

import io
from collections.abc import Iterable

from PIL import Image, ImageFilter

from app.media.images import encode_jpeg
from app.redaction.detect import Region

# About five blocks across the short side of a region, and at most eight along the long side:
# a face becomes a blur of skin tone, a plate (wide and low) a bar without letters.
BLOCKS = 5
LONG_BLOCKS = 8


def blurred(jpeg: bytes, regions: Iterable[Region], thumb_size: int) -> tuple[bytes, bytes]:
    """The photo and its thumbnail with every region that is on made unrecognisable."""
    with Image.open(io.BytesIO(jpeg)) as image:
        photo = image.convert("RGB")
    for region in regions:
        if region.on:
            _blur(photo, region)
    thumb = photo.copy()
    thumb.thumbnail((thumb_size, thumb_size), Image.Resampling.LANCZOS)
    return encode_jpeg(photo), encode_jpeg(thumb)


def _blur(photo: Image.Image, region: Region) -> None:
    box = (
        max(0, region.x),
        max(0, region.y),
        min(photo.width, region.x + region.w),
        min(photo.height, region.y + region.h),
    )
    width, height = box[2] - box[0], box[3] - box[1]
    if width <= 0 or height <= 0:
        return
    block = max(2, min(width, height) // BLOCKS, max(width, height) // LONG_BLOCKS)
    patch = photo.crop(box)
    coarse = patch.resize((max(1, width // block), max(1, height // block)), Image.Resampling.BOX)
    patch = coarse.resize((width, height), Image.Resampling.NEAREST)
    photo.paste(patch.filter(ImageFilter.GaussianBlur(block / 2)), box)
