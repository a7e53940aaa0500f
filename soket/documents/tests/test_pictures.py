"""A picture never breaks a document: Soket draws every picture again before python-docx
or LibreOffice reads it, and one that cannot be drawn is left out with a note.

The hostile pictures are real pictures that passed the upload check and still broke
documents: python-docx divides by the resolution a picture declares (a PNG of 1 pixel
per metre, a JPEG of density 0) and does not know a JPEG without a JFIF or Exif header
(a CMYK JPEG as Photoshop and Pillow write it).
"""

import io
import struct
import subprocess
import tempfile
import tracemalloc
import zlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from docx import Document
from docx.image.exceptions import UnrecognizedImageError
from docx.shared import Cm
from PIL import Image

from soket.core import clock, filecheck
from soket.documents import content, generate, jobs, pictures
from soket.documents.models import DocumentJob
from soket.documents.tests.tools import open_docx, pdf_text, require_pdf_tools
from soket.reports import services
from soket.reports.models import Attachment
from soket.testing import CampaignTestCase, use_temporary_media

MB = 1024 * 1024


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_one_pixel_per_metre() -> bytes:
    """A 20 × 20 PNG whose pHYs chunk says 1 pixel per metre (about 0.03 dpi)."""
    data = encoded(Image.new("RGB", (20, 20), (200, 30, 30)), "PNG")
    header_end = 8 + 8 + 13 + 4  # the signature, then IHDR
    physical = png_chunk(b"pHYs", struct.pack(">IIB", 1, 1, 1))
    return data[:header_end] + physical + data[header_end:]


def cmyk_jpeg() -> bytes:
    """A CMYK JPEG as Pillow (and Photoshop) write it: an Adobe header, no JFIF."""
    return encoded(Image.new("CMYK", (20, 20), (0, 200, 200, 0)), "JPEG")


def jpeg_of_density_zero() -> bytes:
    """A JPEG whose JFIF header says dots per inch, and zero of them."""
    data = bytearray(encoded(Image.new("RGB", (20, 20), (30, 30, 200)), "JPEG"))
    at = data.index(b"JFIF\x00")
    data[at + 7] = 1  # units: dots per inch
    data[at + 8 : at + 12] = bytes(4)  # horizontal and vertical density: 0
    return bytes(data)


HOSTILE = {
    "mot-diem-moi-met.png": png_of_one_pixel_per_metre,
    "cmyk.jpg": cmyk_jpeg,
    "mat-do-0.jpg": jpeg_of_density_zero,
}


def damaged_png() -> bytes:
    """A PNG whose every CRC is right but whose pixel data are not zlib data: nothing in
    its chunks says it is broken, only inflating it does."""
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"these are not pixels" * 10)
        + png_chunk(b"IEND", b"")
    )


def interlaced_png(width: int, height: int) -> bytes:
    """A grey PNG in Adam7 order (Pillow writes none), rows unfiltered."""
    pixels = [[(x * 7 + y * 13) % 256 for x in range(width)] for y in range(height)]
    raw = b""
    for left, top, across, down in filecheck.ADAM7:
        for y in range(top, height, down):
            row = bytes(pixels[y][left::across])
            if row:
                raw += b"\x00" + row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def with_exif_orientation(data: bytes, orientation: int) -> bytes:
    image = Image.open(io.BytesIO(data))
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encoded(image, "JPEG", exif=exif.tobytes())


def drawn(data: bytes, image_format: str) -> pictures.Picture:
    return pictures.document_picture(io.BytesIO(data), expected=image_format)


def placed_by_python_docx(data: bytes) -> None:
    Document().add_picture(io.BytesIO(data), width=Cm(15))


class DrawingTests(SimpleTestCase):
    def test_each_hostile_picture_is_drawn_again_as_one_python_docx_can_place(self):
        for name, make in HOSTILE.items():
            image_format = "PNG" if name.endswith(".png") else "JPEG"
            with self.subTest(name):
                filecheck.check_image(io.BytesIO(make()), expected=image_format)  # passes
                # As it came, it breaks python-docx.
                with self.assertRaises((ZeroDivisionError, UnrecognizedImageError)):
                    placed_by_python_docx(make())
                picture = drawn(make(), image_format)
                placed_by_python_docx(picture.data)
                image = Image.open(io.BytesIO(picture.data))
                self.assertEqual(
                    (image.format, image.mode, image.size), (image_format, "RGB", (20, 20))
                )
                self.assertEqual([round(dpi) for dpi in image.info["dpi"]], [pictures.DPI] * 2)
                self.assertNotIn("exif", image.info)

    def test_the_colours_of_a_cmyk_picture_survive(self):
        picture = drawn(cmyk_jpeg(), "JPEG")
        red, green, blue = Image.open(io.BytesIO(picture.data)).getpixel((10, 10))
        self.assertGreater(red, 200)  # no cyan, full magenta and yellow: red
        self.assertLess(max(green, blue), 90)

    def test_a_large_photo_is_scaled_down_to_what_a_page_needs(self):
        photo = encoded(Image.effect_noise((4500, 300), 40).convert("RGB"), "JPEG")
        picture = drawn(photo, "JPEG")
        self.assertEqual((picture.width, picture.height), (2000, 133))
        self.assertEqual(Image.open(io.BytesIO(picture.data)).size, (2000, 133))

    def test_a_picture_taken_sideways_comes_out_upright(self):
        landscape = encoded(Image.new("RGB", (40, 20), "white"), "JPEG")
        picture = drawn(with_exif_orientation(landscape, 6), "JPEG")  # "rotate 90° clockwise"
        self.assertEqual((picture.width, picture.height), (20, 40))

    def test_transparency_is_kept_and_an_unused_alpha_dropped(self):
        clear = Image.new("RGBA", (30, 10), (0, 0, 0, 0))
        clear.paste((10, 120, 10, 255), (0, 0, 15, 10))
        image = Image.open(io.BytesIO(drawn(encoded(clear, "PNG"), "PNG").data))
        self.assertEqual((image.mode, image.getpixel((20, 5))[3]), ("RGBA", 0))
        opaque = encoded(Image.new("RGBA", (30, 10), (10, 120, 10, 255)), "PNG")
        self.assertEqual(Image.open(io.BytesIO(drawn(opaque, "PNG").data)).mode, "RGB")
        palette = encoded(Image.new("P", (30, 10), 0), "PNG", transparency=0)
        self.assertEqual(Image.open(io.BytesIO(drawn(palette, "PNG").data)).mode, "RGBA")

    def test_a_16_bit_grey_picture_keeps_its_tones(self):
        grey = encoded(Image.new("I;16", (30, 10), 40_000), "PNG")
        image = Image.open(io.BytesIO(drawn(grey, "PNG").data))
        self.assertEqual((image.mode, image.getpixel((5, 5))), ("L", 40_000 // 256))

    def test_a_thin_picture_keeps_at_least_a_pixel(self):
        line = encoded(Image.new("RGB", (1, 9000), "black"), "PNG")
        picture = drawn(line, "PNG")
        self.assertEqual((picture.width, picture.height), (1, pictures.LONGEST_SIDE))

    @override_settings(SOKET_MAX_IMAGE_PIXELS=10_000)
    def test_what_cannot_be_drawn_within_the_limits_is_refused(self):
        for data, image_format in (
            (damaged_png(), "PNG"),
            (encoded(Image.new("RGB", (200, 100)), "PNG"), "PNG"),  # 20,000 pixels
            (cmyk_jpeg()[:200], "JPEG"),
        ):
            with self.subTest(size=len(data)), self.assertRaises(pictures.PictureUnusable):
                drawn(data, image_format)


class PngDataCheckTests(SimpleTestCase):
    """The upload check inflates a PNG's data, so what passes it can be drawn."""

    def test_a_png_whose_data_do_not_decode_is_refused_despite_right_crcs(self):
        rows = b"".join(b"\x00" + b"\x80" * 16 for _ in range(16))
        header = struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0)

        def png(data: bytes) -> bytes:
            return (
                b"\x89PNG\r\n\x1a\n"
                + png_chunk(b"IHDR", header)
                + png_chunk(b"IDAT", data)
                + png_chunk(b"IEND", b"")
            )

        filecheck.check_image(io.BytesIO(png(zlib.compress(rows))), expected="PNG")
        for label, data in (
            ("not zlib", b"these are not pixels" * 10),
            ("rows missing", zlib.compress(rows[:-40])),
            ("unknown filter", zlib.compress(b"\x09" + rows[1:])),
        ):
            with self.subTest(label), self.assertRaises(filecheck.FileDamaged):
                filecheck.check_image(io.BytesIO(png(data)), expected="PNG")
            with self.assertRaises(OSError):  # and Pillow could not have drawn it
                Image.open(io.BytesIO(png(data))).load()

    def test_interlaced_pictures_pass(self):
        for size in ((1, 1), (3, 5), (9, 9), (17, 4)):
            with self.subTest(size=size):
                data = interlaced_png(*size)
                Image.open(io.BytesIO(data)).load()
                self.assertEqual(filecheck.check_image(io.BytesIO(data), expected="PNG"), size)
                drawn(data, "PNG")

    def test_the_data_are_inflated_for_little_memory(self):
        data = encoded(Image.new("RGB", (6000, 4000), (240, 240, 240)), "PNG")  # 96 MB of rows
        tracemalloc.start()
        try:
            filecheck.check_image(io.BytesIO(data), expected="PNG")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertLess(peak, 2 * MB)


class PicturesInDocumentsTests(CampaignTestCase):
    def setUp(self):
        use_temporary_media(self)
        # A grassroots union's report is made as Word at once; its district's (which
        # consolidates the units below) by the background runner.
        self.report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.district_report = services.report_for(campaign=self.campaign, unit=self.district_a1)

    def upload(self, report, user, name: str, data: bytes):
        self.client.force_login(user)
        return self.client.post(
            reverse("attachment_add", args=[report.pk]),
            {"file": SimpleUploadedFile(name, data)},
            follow=True,
        )

    def store(self, report, name: str, data: bytes, content_type: str) -> None:
        """Stored as it was before uploads were checked, or as damage leaves it."""
        attachment = Attachment(
            report=report, name=name, content_type=content_type, size=len(data),
            uploaded_by=self.grassroots_reporter, uploaded_at=clock.now(),
        )  # fmt: skip
        attachment.file.save("upload", ContentFile(data), save=False)
        attachment.save()

    def word_document(self):
        """The report as Word, asked for on its page: with pictures, the background
        runner makes it (each picture is drawn again)."""
        self.client.force_login(self.grassroots_reporter)
        self.assertEqual(
            self.client.get(reverse("report_document", args=[self.report.pk])).status_code, 404
        )
        self.client.post(
            reverse("document_request"),
            {"campaign": self.campaign.pk, "what": "report", "format": "docx",
             "report": self.report.pk},
        )  # fmt: skip
        job = DocumentJob.objects.filter(report=self.report).latest("requested_at")
        jobs.job_run(job_id=str(job.pk))
        job.refresh_from_db()
        self.assertEqual(job.state, DocumentJob.State.READY, job.message)
        with job.file.open("rb") as made:
            return open_docx(made.read())

    def placed_pictures(self, document) -> list[Image.Image]:
        images = []
        for shape in document.inline_shapes:
            part = document.part.related_parts[
                shape._inline.graphic.graphicData.pic.blipFill.blip.embed
            ]
            images.append(Image.open(io.BytesIO(part.blob)))
        return images

    def captions(self, document) -> list[str]:
        return [p.text for p in document.paragraphs if p.text.startswith(("Hình", "(Tệp hình"))]

    def test_each_hostile_picture_uploaded_is_placed_drawn_again_in_the_word_document(self):
        for name, make in HOSTILE.items():
            with self.subTest(name):
                self.report.attachments.all().delete()
                self.upload(self.report, self.grassroots_reporter, name, make())
                self.assertEqual(
                    list(self.report.attachments.values_list("name", flat=True)), [name]
                )
                document = self.word_document()
                self.assertEqual(self.captions(document), [f"Hình 1. {name}"])
                (picture,) = self.placed_pictures(document)
                self.assertEqual(
                    (picture.mode, round(picture.info["dpi"][0])), ("RGB", pictures.DPI)
                )

    def test_an_ordinary_picture_is_still_placed_with_its_caption_the_width_of_the_text(self):
        self.upload(
            self.report,
            self.grassroots_reporter,
            "bieu-do.png",
            encoded(Image.new("RGB", (400, 300), "navy"), "PNG"),
        )
        document = self.word_document()
        self.assertEqual(self.captions(document), ["Hình 1. bieu-do.png"])
        self.assertEqual(round(document.inline_shapes[0].width.cm, 1), content.FIGURE_WIDTH_CM)
        self.assertEqual(self.placed_pictures(document)[0].size, (400, 300))

    def test_a_tall_picture_is_narrowed_to_fit_the_page(self):
        self.upload(
            self.report,
            self.grassroots_reporter,
            "dai.png",
            encoded(Image.new("RGB", (100, 1000), "navy"), "PNG"),
        )
        shape = self.word_document().inline_shapes[0]
        self.assertAlmostEqual(shape.height.cm, content.FIGURE_HEIGHT_CM, places=1)
        self.assertAlmostEqual(shape.width.cm, content.FIGURE_HEIGHT_CM / 10, places=1)

    def test_a_picture_that_cannot_be_drawn_is_left_out_with_a_note_and_the_next_numbered_one(self):
        response = self.upload(self.report, self.grassroots_reporter, "hong.png", damaged_png())
        self.assertContains(response, "Chưa đính kèm “hong.png”: Tệp bị hỏng")
        self.assertFalse(self.report.attachments.exists())
        self.store(self.report, "hong.png", damaged_png(), "image/png")  # from before the check
        self.upload(
            self.report,
            self.grassroots_reporter,
            "anh.jpg",
            encoded(Image.new("RGB", (40, 30)), "JPEG"),
        )
        document = self.word_document()
        self.assertEqual(
            self.captions(document),
            [
                "(Tệp hình “hong.png” không đọc được nên không được đưa vào văn bản.)",
                "Hình 1. anh.jpg",
            ],
        )
        self.assertEqual(len(document.inline_shapes), 1)

    def test_the_consolidated_report_with_hostile_pictures_is_made_in_the_background(self):
        names = list(HOSTILE)
        for name, make in HOSTILE.items():
            self.upload(self.district_report, self.alice, name, make())
        self.client.force_login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("document_request"),
                {
                    "campaign": self.campaign.pk,
                    "what": "report",
                    "format": "docx",
                    "report": self.district_report.pk,
                },
            )
        job = DocumentJob.objects.get(report=self.district_report)
        self.assertEqual(jobs.job_run(job_id=str(job.pk)), "ready")
        job.refresh_from_db()
        with job.file.open("rb") as handle:
            document = open_docx(handle.read())
        self.assertEqual(
            self.captions(document), [f"Hình {n}. {name}" for n, name in enumerate(names, 1)]
        )
        self.assertEqual(len(document.inline_shapes), 3)

    def test_the_pdf_of_a_report_with_hostile_pictures_is_made(self):
        require_pdf_tools()
        for name, make in HOSTILE.items():
            self.upload(self.report, self.grassroots_reporter, name, make())
        self.store(self.report, "hong.png", damaged_png(), "image/png")
        self.upload(
            self.report,
            self.grassroots_reporter,
            "bieu-do.png",
            encoded(Image.new("RGB", (400, 300), "navy"), "PNG"),
        )
        data = generate.document_bytes(content.report_composition(self.report), "pdf")
        text, _pages = pdf_text(data)
        flat = " ".join(text.split())
        for number, name in enumerate([*HOSTILE, "bieu-do.png"], 1):
            self.assertIn(f"Hình {number}. {name}", flat)
        self.assertIn("“hong.png” không đọc được", flat)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(data)
            file.flush()
            listing = subprocess.run(
                ["pdfimages", "-list", file.name], capture_output=True, text=True, check=True
            ).stdout
        self.assertEqual([line.split()[2] for line in listing.splitlines()[2:]], ["image"] * 4)
