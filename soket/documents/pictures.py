"""Pictures as documents take them: Soket hands python-docx and LibreOffice only
pictures it has drawn itself.

A stored picture passed the upload check (`soket.core.filecheck.check_image`), but what
it declares may still break the programs that place it: python-docx sizes a picture by
the resolution its header declares and divides by zero on a PNG of 1 pixel per metre
or a JPEG of density 0, and it does not recognise a JPEG without a JFIF or Exif header
(as Photoshop and Pillow write CMYK). Rather than chase each quirk, the picture is
decoded and drawn again: upright (its Exif orientation applied, since the copy has
none), in RGB or grey (with its transparency, if any), at most LONGEST_SIDE pixels
long, as a plain PNG (from a PNG) or JPEG (from a JPEG) of DPI dots per inch.

Memory stays bounded. The upload check's pixel limit is applied again before anything
is decoded. A JPEG is decoded by libjpeg at the smallest scale (1/2, 1/4 or 1/8) that
still gives LONGEST_SIDE, so fewer than (2 × LONGEST_SIDE)² pixels are ever held; a PNG
is decoded whole in its own mode (at most 4 bytes a pixel: SOKET_MAX_IMAGE_PIXELS × 4
bytes), then converted and box-reduced a tile at a time.
bench/pictures.py measures it: about +70 MB for a 40-megapixel JPEG, +210 MB for a
40-megapixel RGBA PNG. Colour profiles are not carried over (CMYK is converted plainly):
near enough for a report's photographs, and one parser fewer for hostile files.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import ExifTags, Image

from soket.core import filecheck

# 15 cm wide at 340 dpi, a full A4 page's 22 cm at 230 dpi: more than print shows.
LONGEST_SIDE = 2000
DPI = 150
JPEG_QUALITY = 85
# zlib's level 3: a photograph saved as PNG packs 4 times faster than at 6, 13 % larger.
PNG_COMPRESSION = 3
TILE = 1024  # pixels a side converted at a time

ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# What Pillow may raise on a damaged or hostile file, beyond the upload check's refusal.
DECODING_ERRORS = (*filecheck.PICTURE_ERRORS, Image.DecompressionBombError)


class PictureUnusable(Exception):
    """The stored picture cannot be decoded within the limits; it is left out."""


@dataclass(frozen=True)
class Picture:
    """A picture drawn by Soket: `data` is a PNG or a JPEG of `width` × `height` pixels."""

    data: bytes
    width: int
    height: int


def document_picture(source: IO[bytes], *, expected: str) -> Picture:
    """The stored picture in `source` (of Pillow's format `expected`, "PNG" or "JPEG")
    drawn again for a document; PictureUnusable if it cannot be."""
    try:
        filecheck.check_image(source, expected=expected)
    except filecheck.FileRefused as refused:
        raise PictureUnusable(str(refused)) from None
    try:
        with warnings.catch_warnings():  # size and palette notices: our limits rule here
            warnings.simplefilter("ignore")
            with Image.open(source, formats=[expected]) as image:
                if expected == "JPEG":
                    image.draft(None, _needed(image.size))
                image.load()
                drawn = _upright(_reduced(image), _orientation(image))
        return _encoded(drawn, as_jpeg=expected == "JPEG")
    except DECODING_ERRORS as error:
        raise PictureUnusable(str(error)) from None
    finally:
        source.seek(0)


def _needed(size: tuple[int, int]) -> tuple[int, int]:
    """The smallest size that still gives LONGEST_SIDE, to ask libjpeg for."""
    scale = min(1.0, LONGEST_SIDE / max(size))
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def _working_mode(image: Image.Image) -> str:
    """The mode the picture is reduced and written in: grey or RGB, with alpha when it
    has transparency. (Pillow reduces and resamples alpha premultiplied, so transparent
    pixels never bleed their colour.)"""
    mode = image.mode
    if mode.startswith("I"):
        return "L"
    if mode in ("LA", "La"):
        return "LA"
    if mode in ("RGBA", "RGBa", "PA") or "transparency" in image.info:
        return "RGBA"
    return "L" if mode in ("1", "L") else "RGB"


def _converted(tile: Image.Image, mode: str) -> Image.Image:
    if tile.mode == mode:
        return tile
    if mode == "L" and tile.mode.startswith("I"):  # 16 bits a sample: keep the top 8
        return tile.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return tile.convert(mode)


def _reduced(image: Image.Image) -> Image.Image:
    """The picture in its working mode, at most LONGEST_SIDE long: converted and
    box-reduced a tile at a time (tiles a whole number of boxes wide), then resampled."""
    mode = _working_mode(image)
    width, height = image.size
    factor = max(1, max(width, height) // LONGEST_SIDE)
    if factor == 1 and image.mode == mode:
        return _resampled(image)  # nothing to convert or box: no copy
    side = factor * max(1, TILE // factor)
    reduced = Image.new(mode, (math.ceil(width / factor), math.ceil(height / factor)))
    for top in range(0, height, side):
        for left in range(0, width, side):
            tile = image.crop((left, top, min(width, left + side), min(height, top + side)))
            tile = _converted(tile, mode)
            reduced.paste(
                tile.reduce(factor) if factor > 1 else tile, (left // factor, top // factor)
            )
    return _resampled(reduced)


def _resampled(image: Image.Image) -> Image.Image:
    scale = LONGEST_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _orientation(image: Image.Image) -> int:
    """The Exif orientation; 1 (as it is) when the Exif data cannot be read."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except DECODING_ERRORS:
        return 1
    return value if isinstance(value, int) else 1


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    method = ORIENTATIONS.get(orientation)
    return image.transpose(method) if method is not None else image


def _encoded(image: Image.Image, *, as_jpeg: bool) -> Picture:
    if image.mode in ("LA", "RGBA") and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert(image.mode[:-1])  # transparency never used
    output = io.BytesIO()
    if as_jpeg and image.mode in ("L", "RGB"):
        image.save(output, "JPEG", quality=JPEG_QUALITY, dpi=(DPI, DPI))
    else:
        image.save(output, "PNG", dpi=(DPI, DPI), compress_level=PNG_COMPRESSION)
    return Picture(output.getvalue(), image.width, image.height)
