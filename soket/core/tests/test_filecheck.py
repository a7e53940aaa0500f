"""Uploads are checked by size and content before anything reads them, for little memory."""

import functools
import io
import tracemalloc
import zipfile

from django.test import SimpleTestCase, override_settings
from PIL import Image

from soket.core import filecheck

MB = 1024 * 1024


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.cache
def docx_bomb() -> bytes:
    """A Word file of about 0,3 MB that unpacks to 300 MB."""
    return zipped({"word/document.xml": b"<w:document/>", "word/media/x.bin": bytes(300 * MB)})


def picture(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, fmt)
    return buffer.getvalue()


@functools.cache
def pixel_bomb() -> bytes:
    """A 12000 x 12000 PNG of a few hundred KB: 144 megapixels once decoded."""
    return picture((12000, 12000), "PNG", mode="1")


def peak_memory(check, *args, **kwargs) -> tuple[int, Exception | None]:
    tracemalloc.start()
    try:
        check(*args, **kwargs)
        refused = None
    except filecheck.FileRefused as error:
        refused = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, refused


class ZipCheckTests(SimpleTestCase):
    def test_a_docx_that_unpacks_to_300_mb_is_refused_using_little_memory(self):
        self.assertLess(len(docx_bomb()), MB)
        peak, refused = peak_memory(
            filecheck.check_zip, io.BytesIO(docx_bomb()), members=("word/document.xml",)
        )
        self.assertIsNotNone(refused)
        self.assertIn("giải nén", str(refused))
        self.assertLess(peak, 50 * MB)

    @override_settings(SOKET_MAX_UNPACKED_BYTES=10 * MB)
    def test_an_archive_whose_headers_understate_its_size_is_refused(self):
        data = bytearray(zipped({"word/document.xml": bytes(20 * MB)}))
        # Claim 100 bytes unpacked in both the local and the central header.
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = data.find(signature)
            data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
        peak, refused = peak_memory(
            filecheck.check_zip, io.BytesIO(bytes(data)), members=("word/document.xml",)
        )
        self.assertIsNotNone(refused)
        self.assertLess(peak, 50 * MB)

    def test_an_archive_of_too_many_members_is_refused_before_they_are_listed(self):
        data = zipped({f"m{index}": b"" for index in range(filecheck.MAX_ZIP_MEMBERS + 1)})
        with self.assertRaises(filecheck.FileRefused):
            filecheck.check_zip(io.BytesIO(data))

    def test_a_damaged_archive_or_one_that_lacks_its_main_part_is_refused(self):
        for data in (b"PK\x03\x04 junk", b"", zipped({"other.xml": b"<x/>"})):
            with self.subTest(data=data[:10]), self.assertRaises(filecheck.FileDamaged):
                filecheck.check_zip(io.BytesIO(data), members=("word/document.xml",))

    def test_damaged_packed_data_is_refused_as_damage_not_a_server_error(self):
        data = bytearray(zipped({"word/document.xml": b"<w:document>" + b"<w:p/>" * 5000}))
        start = data.find(b"word/document.xml") + len("word/document.xml")
        data[start + 5 : start + 40] = bytes(35)  # inside the deflate stream
        with self.assertRaises(filecheck.FileDamaged):
            filecheck.check_zip(io.BytesIO(bytes(data)), members=("word/document.xml",))

    def test_a_doctype_in_any_part_whatever_its_name_is_refused(self):
        evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x/>'
        for name in ("word/document.xml", "customXml/item1.bin", "word/media/image1.png"):
            data = zipped({"word/document.xml": b"<w:document/>", name: evil})
            with self.subTest(name=name), self.assertRaises(filecheck.FileRefused) as refused:
                filecheck.check_zip(io.BytesIO(data), members=("word/document.xml",))
            self.assertIn("DOCTYPE", str(refused.exception))

    def test_an_ordinary_office_file_passes(self):
        data = zipped({"word/document.xml": b"<w:document>" + b"<w:p/>" * 10_000 + b"</w>"})
        filecheck.check_zip(io.BytesIO(data), members=("word/document.xml",))


class ImageCheckTests(SimpleTestCase):
    def test_a_file_that_only_starts_like_a_png_is_refused(self):
        fake = b"\x89PNG\r\n\x1a\n" + b"junk" * 1000
        with self.assertRaises(filecheck.FileDamaged):
            filecheck.check_image(io.BytesIO(fake), expected="PNG")

    def test_a_png_with_a_damaged_chunk_is_refused(self):
        data = bytearray(picture((64, 64), "PNG"))
        data[-20] ^= 0xFF  # inside the image data: its CRC no longer matches
        with self.assertRaises(filecheck.FileDamaged):
            filecheck.check_image(io.BytesIO(bytes(data)), expected="PNG")

    def test_a_truncated_jpeg_is_refused(self):
        data = picture((800, 600), "JPEG")
        with self.assertRaises(filecheck.FileDamaged):
            filecheck.check_image(io.BytesIO(data[: len(data) // 3]), expected="JPEG")

    def test_a_pixel_bomb_is_refused_from_its_header_using_little_memory(self):
        self.assertLess(len(pixel_bomb()), MB)
        peak, refused = peak_memory(filecheck.check_image, io.BytesIO(pixel_bomb()), expected="PNG")
        self.assertIn("144", str(refused))
        self.assertLess(peak, 50 * MB)

    def test_a_png_named_jpeg_is_refused(self):
        with self.assertRaises(filecheck.FileDamaged):
            filecheck.check_image(io.BytesIO(picture((10, 10), "PNG")), expected="JPEG")

    def test_real_pictures_pass(self):
        for fmt in ("PNG", "JPEG"):
            with self.subTest(fmt=fmt):
                size = filecheck.check_image(io.BytesIO(picture((320, 200), fmt)), expected=fmt)
                self.assertEqual(size, (320, 200))
