"""The upload check: each refusal with its message, each accepted type, and the shared copy."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from amparo.core import uploads
from amparo.core.tests.samples import (
    GPS_IFD,
    docx,
    gps_tags,
    image,
    jpeg_with_gps,
    odt,
    zipped,
)
from amparo.core.uploads import Refused, content_check, upload_check

NOT_ACCEPTED = "The file is of a type that is not accepted."
MARKUP = "HTML, SVG and XML files are not accepted."
BOMB = "The archive unpacks to too much."
SLIP = "The archive names a path outside itself."
FLOOD = "The image has too many pixels."
MAKE = 0x010F


def refusal(content: bytes) -> str:
    with pytest.raises(Refused) as caught:
        content_check(content)
    return str(caught.value)


class _Counting(io.BytesIO):
    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


class TestSizeAndName:
    def test_oversize_is_refused_reading_at_most_the_limit_plus_one(self, settings):
        settings.AMPARO_MAX_ATTACHMENT_BYTES = 10
        handle = _Counting(b"x" * 1000)
        with pytest.raises(ValidationError) as caught:
            upload_check(handle, "notes.txt", field="file")
        assert caught.value.message_dict == {"file": ["The file is larger than the limit."]}
        assert handle.asked == [11]
        assert handle.tell() == 11

    def test_exactly_the_limit_is_accepted(self, settings):
        settings.AMPARO_MAX_ATTACHMENT_BYTES = 10
        assert upload_check(io.BytesIO(b"x" * 10), "notes.txt", field="file").size == 10

    def test_empty_and_nameless(self):
        with pytest.raises(ValidationError) as caught:
            upload_check(io.BytesIO(b""), " ", field="document")
        assert caught.value.message_dict == {
            "document": ["The file is empty.", "The file has no name."]
        }

    def test_the_message_names_neither_the_file_nor_its_content(self):
        with pytest.raises(ValidationError) as caught:
            upload_check(io.BytesIO(b"<html>Calle 5</html>"), "amenaza-Tomas.html", field="f")
        assert caught.value.message_dict == {"f": [MARKUP]}
        assert "Tomas" not in str(caught.value) and "Calle" not in str(caught.value)


class TestTypes:
    @pytest.mark.parametrize(
        ("content", "content_type"),
        [
            (image("JPEG"), "image/jpeg"),
            (image("PNG"), "image/png"),
            (image("GIF"), "image/gif"),
            (image("WEBP"), "image/webp"),
            (image("TIFF"), "image/tiff"),
            (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj", "application/pdf"),
            ("Llamada a las 22:10: «te vamos a matar»".encode(), "text/plain"),
            (b"OggS\x00\x02" + b"\x00" * 20, "audio/ogg"),
            (b"ID3\x04\x00" + b"\x00" * 20, "audio/mpeg"),
            (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
            (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "video/mp4"),
            (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/mp4"),
            (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "video/webm"),
            (
                docx(),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (odt(), "application/vnd.oasis.opendocument.text"),
        ],
    )
    def test_accepted_by_content(self, content, content_type):
        checked = upload_check(io.BytesIO(content), "evidence", field="file")
        assert checked.content_type == content_type
        assert checked.content == content
        is_image = content_type.startswith("image/")
        assert (checked.shared_copy is not None) == is_image
        assert (checked.shared_sha256 != "") == is_image

    def test_the_declared_type_and_the_name_decide_nothing(self):
        # an executable named like a photo: there is no declared type to pass, by design
        refused = refusal(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
        assert refused == NOT_ACCEPTED

    @pytest.mark.parametrize(
        "content",
        [
            b"\x7fELF\x02\x01\x01\x00",  # executable
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40,  # old Office: macros
            b"\x1f\x8b\x08\x00" + b"\x00" * 20,  # gzip (svgz too)
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",  # HEIC: no shared copy possible
            "texto en latin-1: acción".encode("latin-1"),
            b"text with a \x00 byte",
        ],
    )
    def test_not_on_the_allow_list(self, content):
        assert refusal(content) in {
            NOT_ACCEPTED,
            "HEIC and AVIF images are not accepted; send them as JPEG.",
        }


class TestMarkupAndPolyglots:
    @pytest.mark.parametrize(
        "content",
        [
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            b'<?xml version="1.0"?><svg><foreignObject><iframe src="x"/></foreignObject></svg>',
            b'  <svg><image href="https://tracker.example/p.png"/></svg>',
            b"<!DOCTYPE html><p>hi</p>",
            b"\xef\xbb\xbf<html><body>x</body></html>",
            # a PDF whose first bytes are a page: browsers would render the page
            b"<html><script>alert(1)</script></html>\n%PDF-1.4\n1 0 obj\n",
        ],
    )
    def test_svg_html_and_xml_are_refused(self, content):
        assert refusal(content) == MARKUP

    def test_a_pdf_with_a_page_in_its_head_is_refused(self):
        assert refusal(b"%PDF-1.4\n<html><script>alert(1)</script>") == NOT_ACCEPTED

    def test_a_pdf_with_dictionaries_is_not_taken_for_markup(self):
        content = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        assert content_check(content).content_type == "application/pdf"


class TestArchives:
    def test_a_bare_archive_is_refused(self):
        assert refusal(zipped({"photo.jpg": image("JPEG")})) == (
            "Archives are not accepted; send the files themselves."
        )

    def test_a_zip_bomb_by_ratio_is_refused(self):
        bomb = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * 5_000_000})
        assert len(bomb) < 20_000
        assert refusal(bomb) == BOMB

    def test_a_zip_bomb_by_total_size_is_refused(self, monkeypatch):
        monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 1000)
        entries = {"[Content_Types].xml": b"<Types/>"}
        entries.update({f"word/part{i}.xml": bytes(range(256)) * 2 for i in range(3)})
        assert refusal(zipped(entries, compression=zipfile.ZIP_STORED)) == BOMB

    def test_declared_sizes_that_lie_are_caught_by_unpacking(self, monkeypatch):
        monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 10_000)
        content = bytearray(
            zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"a" * 20_000})
        )
        # rewrite the declared sizes of the second entry (central directory) to 10 bytes
        central = content.rfind(b"PK\x01\x02")
        content[central + 24 : central + 28] = (10).to_bytes(4, "little")
        assert refusal(bytes(content)) in {BOMB, "The file is damaged."}

    def test_too_many_entries_is_refused(self, monkeypatch):
        monkeypatch.setattr(uploads, "MAX_ZIP_ENTRIES", 5)
        entries = {"[Content_Types].xml": b"<Types/>"}
        entries.update({f"word/{i}.xml": b"<x/>" for i in range(5)})
        assert refusal(zipped(entries)) == BOMB

    @pytest.mark.parametrize(
        "name", ["../../etc/cron.d/x", "/etc/passwd", "word/../../x", "C:\\Windows\\x", "..\\x"]
    )
    def test_zip_slip_names_are_refused(self, name):
        entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", name: b"x"}
        assert refusal(zipped(entries)) == SLIP

    def test_macros_are_refused(self):
        entries = {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w/>",
            "word/vbaProject.bin": b"\x00" * 10,
        }
        assert refusal(zipped(entries)) == "Documents with macros are not accepted."

    def test_a_truncated_zip_is_damaged(self):
        assert refusal(docx()[:60]) == "The file is damaged."


class TestImages:
    @pytest.mark.parametrize("side", [8_000, 30_000])  # over our limit; over Pillow's too
    def test_a_pixel_flood_is_refused_before_decoding(self, side):
        # A tiny PNG whose header claims side x side pixels: decoding it would take gigabytes.
        flood = bytearray(image("PNG", (1, 1)))
        header = b"IHDR" + side.to_bytes(4, "big") * 2 + bytes(flood[24:29])
        flood[12:33] = header + zlib.crc32(header).to_bytes(4, "big")
        assert refusal(bytes(flood)) == FLOOD

    def test_pixel_limit_is_ours(self, monkeypatch):
        monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 100)
        assert refusal(image("PNG", (11, 10))) == FLOOD
        assert content_check(image("PNG", (10, 10))).content_type == "image/png"

    def test_an_image_that_does_not_decode_is_refused(self):
        assert refusal(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) == "The image is damaged."
        assert refusal(b"\xff\xd8\xff\xe0 not really") == "The image is damaged."

    def test_the_shared_copy_has_no_gps_no_exif_no_xmp_and_keeps_orientation(self):
        original = jpeg_with_gps(size=(40, 20), orientation=6)
        assert gps_tags(original) == 4

        checked = content_check(original)

        assert checked.content == original
        assert checked.shared_copy is not None
        assert gps_tags(checked.shared_copy) == 0
        with Image.open(io.BytesIO(checked.shared_copy)) as shared:
            assert dict(shared.getexif()) == {}
            assert "xmp" not in shared.info and "exif" not in shared.info
            assert shared.size == (20, 40)  # turned as the phone meant it to be seen
        assert b"Calle 5" not in checked.shared_copy and b"PhoneMaker" not in checked.shared_copy

    @pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
    def test_gps_is_stripped_from_every_image_format_that_carries_it(self, image_format):
        exif = Image.Exif()
        exif[MAKE] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (4.0, 35.0, 12.0)})
        original = image(image_format, (8, 8), exif=exif)
        assert gps_tags(original) == 2
        shared = content_check(original).shared_copy
        assert shared is not None and gps_tags(shared) == 0
        with Image.open(io.BytesIO(shared)) as copy:
            assert dict(copy.getexif()) == {}

    def test_a_tiff_copy_keeps_only_its_structure(self):
        exif = Image.Exif()
        exif[MAKE] = "PhoneMaker"
        original = image("TIFF", (8, 8), exif=exif)
        shared = content_check(original).shared_copy
        assert shared is not None and b"PhoneMaker" in original and b"PhoneMaker" not in shared
        with Image.open(io.BytesIO(shared)) as copy:
            assert MAKE not in copy.getexif() and GPS_IFD not in copy.getexif()

    def test_an_animation_keeps_its_frames_but_not_its_comment(self):
        frames = [Image.new("RGB", (6, 6), colour) for colour in ("red", "green", "blue")]
        out = io.BytesIO()
        frames[0].save(
            out, "GIF", save_all=True, append_images=frames[1:], comment=b"Calle 5", duration=200
        )
        shared = content_check(out.getvalue()).shared_copy
        assert shared is not None and b"Calle 5" not in shared
        with Image.open(io.BytesIO(shared)) as copy:
            assert getattr(copy, "n_frames", 1) == 3
            assert "comment" not in copy.info
