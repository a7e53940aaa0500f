"""Checking what people upload, by size and by content, before anything reads it.

Every upload passes here first: its size while it streams in (no file larger than the
largest limit is ever kept), then what it really is. Office files are ZIP archives,
so their central directory is read and every member is unpacked in small chunks and
counted, never kept, before python-docx or openpyxl opens them: an archive that weighs
little and unpacks to a lot (a "zip bomb") is refused at the limit. Images are opened
by Pillow, which reads their size from the header, so a picture of too many pixels is
refused before it is decoded, and a file that only starts like a PNG or a JPEG is
refused because its data do not decode.
"""

from __future__ import annotations

import io
import lzma
import struct
import warnings
import zipfile
import zlib
from typing import IO
from xml.parsers import expat

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

CHUNK = 64 * 1024
MAX_ZIP_MEMBERS = 10_000
# An Office file's parts are XML, which packs well; far beyond this, it is a bomb.
MAX_ZIP_RATIO = 200
RATIO_FREE = 10 * 1024 * 1024


class FileRefused(Exception):
    """An upload that cannot be used; the message says why, for the person uploading."""

    @staticmethod
    def too_large(limit: int) -> str:
        return _("The file is larger than the %s MB allowed.") % megabytes(limit)


class FileDamaged(FileRefused):
    """The file is not what its name says, or is damaged."""

    def __init__(self) -> None:
        super().__init__(_("The file is damaged or is not the kind of file it claims to be."))


def largest_upload() -> int:
    return max(settings.SOKET_MAX_UPLOAD_BYTES, settings.SOKET_MAX_ATTACHMENT_BYTES)


def megabytes(size: int) -> str:
    """A size in MB as Vietnamese writes it: "10", or "0,5" below one."""
    value = size / 2**20
    return f"{value:.0f}" if value >= 1 else f"{value:.2f}".replace(".", ",")


class LimitedUploadHandler(FileUploadHandler):
    """Stops keeping a file once it passes the largest size any upload may have.

    The rest of the request is read and thrown away, so the person gets a page that
    says the file was too large rather than a broken connection; `received_file` tells
    the view which fields were dropped.
    """

    def new_file(self, field_name, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > largest_upload():
            refused: set[str] = getattr(self.request, "refused_uploads", set())
            refused.add(self.field_name)
            # A mark on the request that the views read back with getattr(); HttpRequest
            # declares no such attribute, so it is set the same dynamic way.
            setattr(self.request, "refused_uploads", refused)  # noqa: B010
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def received_file(request: HttpRequest, field: str, *, limit: int) -> UploadedFile | None:
    """The file sent in `field`, or None if none was chosen; FileRefused if it is larger
    than `limit` (whether the upload handler dropped it on the way or not)."""
    upload = request.FILES.get(field)
    too_large = field in getattr(request, "refused_uploads", ())
    # Django gives every file it receives its size; only a hand-made UploadedFile lacks one.
    if too_large or (upload is not None and upload.size is not None and upload.size > limit):
        raise FileRefused(FileRefused.too_large(limit))
    return upload


def check_size(size: int, *, limit: int) -> None:
    if size > limit:
        raise FileRefused(FileRefused.too_large(limit))


def _zip_member_count(data: IO[bytes]) -> int | None:
    """The number of members the archive's end record announces, read before zipfile
    builds an object for each of them; None when there is no plain end record."""
    data.seek(0, io.SEEK_END)
    size = data.tell()
    tail_size = min(size, 22 + 65535)
    data.seek(size - tail_size)
    tail = data.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    (count,) = struct.unpack("<H", tail[at + 10 : at + 12])
    return None if count == 0xFFFF else count  # 0xFFFF: a ZIP64 archive


def check_zip(data: IO[bytes], *, members: tuple[str, ...] = ()) -> None:
    """Refuse a ZIP archive (an Office file) that is damaged, lacks one of `members`,
    or unpacks to more than SOKET_MAX_UNPACKED_BYTES or a suspicious ratio. Members are
    unpacked chunk by chunk and counted, so the check itself needs little memory."""
    invalid = FileDamaged()
    bomb = FileRefused(_("The file unpacks to an unsafe size and was refused."))
    count = _zip_member_count(data)
    if count is None:
        raise invalid
    if count > MAX_ZIP_MEMBERS:
        raise bomb
    data.seek(0, io.SEEK_END)
    packed = max(data.tell(), 1)
    # A small archive may pack very well; past RATIO_FREE, the ratio is a bomb's mark.
    limit = min(settings.SOKET_MAX_UNPACKED_BYTES, max(MAX_ZIP_RATIO * packed, RATIO_FREE))
    data.seek(0)
    try:
        with zipfile.ZipFile(data) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > limit:
                raise bomb
            names = {info.filename for info in infos}
            if any(member not in names for member in members):
                raise invalid
            unpacked = 0
            for info in infos:  # the declared sizes may lie: count what comes out
                prolog = _Prolog()
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise bomb
                        prolog.feed(chunk)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
        zlib.error,  # damaged deflate data
        lzma.LZMAError,
    ):
        raise invalid from None
    except RuntimeError:  # an encrypted member
        raise invalid from None
    finally:
        data.seek(0)


class _Doctype(Exception):
    pass


class _Root(Exception):
    pass


class _Prolog:
    """Watches the start of an archive member for a DOCTYPE. Word, Excel and LibreOffice
    never write one; a hand-made file uses it to declare entities (XXE, "billion
    laughs"), and the libraries that read Office files follow relationships to parts of
    any name. Parsing stops at the root element, or at the first error (a picture, or
    any part that is not XML)."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._root
        self.done = False

    @staticmethod
    def _doctype(*args) -> None:
        raise _Doctype

    @staticmethod
    def _root(*args) -> None:
        raise _Root

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        try:
            self.parser.Parse(chunk, False)
        except _Doctype:
            raise FileRefused(
                _("The file declares a document type (DOCTYPE), which no Office file "
                  "holds; it was refused.")
            ) from None  # fmt: skip
        except (_Root, expat.ExpatError):
            self.done = True


# What Pillow (and zlib, under it) may raise on a damaged or hostile picture.
PICTURE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    EOFError,
    struct.error,
    zlib.error,
    MemoryError,
)

# The pictures Soket takes, by content type, with the name Pillow gives their format.
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def check_image(data: IO[bytes], *, expected: str) -> tuple[int, int]:
    """Refuse anything but a real PNG or JPEG (`expected` is Pillow's format name) of at
    most SOKET_MAX_IMAGE_PIXELS; returns its width and height.

    The header gives the size, so a picture of too many pixels is refused before it is
    decoded. A PNG's chunks are then checked (their CRCs) and its pixel data inflated a
    piece at a time, and a JPEG is decoded at an eighth of its size: either way all of
    its data are read for little memory, so a picture that passes can be drawn.
    """
    invalid = FileDamaged()
    limit = settings.SOKET_MAX_IMAGE_PIXELS

    def too_many(pixels: int) -> FileRefused:
        return FileRefused(
            _("The picture has %(pixels)s megapixels; at most %(limit)s are allowed.")
            % {"pixels": f"{pixels / 1e6:.0f}", "limit": f"{limit / 1e6:.0f}"}
        )

    try:
        with warnings.catch_warnings():  # Pillow warns of big pictures; we refuse them
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(data, formats=[expected]) as image:
                width, height = image.size
                if width * height > limit:
                    raise too_many(width * height)
                image.verify()
        if expected == "PNG":
            _check_png_data(data)
        elif expected == "JPEG":
            data.seek(0)
            with Image.open(data, formats=[expected]) as image:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except FileRefused:
        raise
    except Image.DecompressionBombError:  # so large that Pillow would not even open it
        # Pillow raises this only while MAX_IMAGE_PIXELS is set, beyond twice its value.
        raise too_many(2 * (Image.MAX_IMAGE_PIXELS or limit)) from None
    except PICTURE_ERRORS:
        raise invalid from None
    finally:
        data.seek(0)
    return width, height


# Samples a pixel by PNG colour type: grey, RGB, palette, grey and alpha, RGBA.
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7's seven passes: first column, first row, column step, row step.
ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
PNG_FILTERS = 4  # none, sub, up, average, Paeth


def _png_rows(header: bytes) -> list[tuple[int, int]]:
    """(row length in bytes with its filter byte, row count) of each pass of the data."""
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    if colour not in PNG_CHANNELS:
        raise ValueError("unknown colour type")
    bits = depth * PNG_CHANNELS[colour]
    passes = ADAM7 if interlace else ((0, 0, 1, 1),)
    rows = []
    for left, top, across, down in passes:
        columns = (width - left + across - 1) // across
        count = (height - top + down - 1) // down
        if columns > 0 and count > 0:
            rows.append((1 + (columns * bits + 7) // 8, count))
    return rows


def _check_png_data(data: IO[bytes]) -> None:
    """Inflate a PNG's pixel data as Pillow will when it draws the picture, keeping
    none of it: the consecutive IDAT chunks must inflate without error to every row of
    the picture, each row starting with a filter PNG knows. A stream that lies about
    itself behind correct CRCs (damaged before its CRCs were written, or made so) is
    refused at the door rather than left out of every document later."""
    data.seek(8)
    length, kind = struct.unpack(">I4s", data.read(8))
    if kind != b"IHDR" or length != 13:
        raise ValueError("no header")
    segments = []  # (start, end, row length) of each pass in the inflated stream
    start = 0
    for row_length, count in _png_rows(data.read(13)):
        segments.append((start, start + row_length * count, row_length))
        start += row_length * count
    expected = start
    data.seek(4, io.SEEK_CUR)  # the header's CRC, checked by verify()
    inflater = zlib.decompressobj()
    inflated = 0
    seen_data = False
    while inflated < expected:
        head = data.read(8)
        if len(head) < 8:
            raise ValueError("the file ends before its data")
        length, kind = struct.unpack(">I4s", head)
        if kind != b"IDAT":
            if seen_data or kind == b"IEND":  # the pixel data ended short
                raise ValueError("the data end short")
            data.seek(length + 4, io.SEEK_CUR)
            continue
        seen_data = True
        remaining = length
        while remaining and inflated < expected:
            pending = data.read(min(CHUNK, remaining))
            if not pending:
                raise ValueError("the data end short")
            remaining -= len(pending)
            while pending and inflated < expected:
                piece = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                _check_filters(piece, inflated, segments)
                inflated += len(piece)
                if inflater.eof and inflated < expected:
                    raise ValueError("the data end short")
        data.seek(remaining + 4, io.SEEK_CUR)


def _check_filters(piece: bytes, at: int, segments: list[tuple[int, int, int]]) -> None:
    """Every row that starts within `piece` (which begins `at` bytes into the inflated
    stream) starts with a known filter; sliced, not looped, so it costs little."""
    end = at + len(piece)
    for start, stop, row_length in segments:
        if stop <= at or start >= end:
            continue
        first = start + -(-(max(at, start) - start) // row_length) * row_length
        filters = piece[first - at : min(end, stop) - at : row_length]
        if filters and max(filters) > PNG_FILTERS:
            raise ValueError("unknown filter")
