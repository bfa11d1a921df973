"""The one check every uploaded file passes: size, type by content, archives, images.

Used by incident evidence, replies' documents and the portal's self-reported files. The
declared content type and the file name never decide anything: the first bytes do, against an
allow-list suited to evidence. What is refused, and why:

- more than AMPARO_MAX_ATTACHMENT_BYTES (at most that plus one byte is ever read), or empty;
- HTML, SVG and XML (SVG can carry script, event handlers, foreignObject and external
  references; refusing it is simpler and safer than cleaning it), and a PDF whose first KiB
  holds HTML (a polyglot);
- anything not on the allow-list: executables, old binary Office files (macros), HEIC (it
  cannot be decoded here, so no shared copy could be made), bare archives (send the files
  themselves, so that each is checked);
- zip-based documents (docx, xlsx, pptx, odt, ods, odp) that are encrypted, carry macros,
  name a path outside the document (absolute, drive letter, `..`), have too many entries, or
  unpack to too much or at too high a ratio (a zip bomb); they are inspected in memory,
  never extracted to disk;
- images larger than MAX_IMAGE_PIXELS (a pixel flood), or that do not decode.

An accepted image also gets its shared copy: re-encoded from its pixels, its orientation
applied, without EXIF, XMP, GPS, ICC or comments.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence

from amparo.core.validation import Errors

MAX_IMAGE_PIXELS = 50_000_000  # per frame: 50 megapixels, above any phone camera's default
MAX_ANIMATION_PIXELS = 200_000_000  # all frames of an animated image together
MAX_ZIP_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ZIP_RATIO = 100  # for entries over ZIP_RATIO_FLOOR; office XML compresses 5 to 30 times
ZIP_RATIO_FLOOR = 1024 * 1024
HEAD = 1024  # how far browsers (and PDF readers) look for a signature

# Image formats: the signature, Pillow's format name, and the content type.
IMAGE_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "JPEG", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "PNG", "image/png"),
    (b"GIF87a", "GIF", "image/gif"),
    (b"GIF89a", "GIF", "image/gif"),
    (b"II*\x00", "TIFF", "image/tiff"),
    (b"MM\x00*", "TIFF", "image/tiff"),
)
OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"\xff\xf2", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"#!AMR\n", "audio/amr"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),  # WebM and Matroska
)
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# What browsers sniff as HTML or XML, and the tags that make a page run or load something.
MARKUP = re.compile(
    rb"<(?:!doctype|\?xml|html|head|body|script|svg|iframe|frame|object|embed|meta|"
    rb"foreignobject|img|style|link|form|a\s|div|title|base)[\s>/]",
    re.IGNORECASE,
)
PDF_POLYGLOT = re.compile(rb"<(?:!doctype|html|head|body|script|svg|iframe)[\s>/]", re.IGNORECASE)
SLIP = re.compile(r"^(?:[/\\]|[A-Za-z]:)|(?:^|[/\\])\.\.(?:[/\\]|$)")


class Refused(Exception):
    """Why a file was refused: a message safe to show (it names neither the file nor its
    content)."""


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted file: its content, its type by content and, for images, the shared copy."""

    content: bytes = field(repr=False)
    content_type: str
    shared_copy: bytes | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def shared_sha256(self) -> str:
        return hashlib.sha256(self.shared_copy).hexdigest() if self.shared_copy else ""


def upload_check(upload: IO[bytes], filename: str, *, field: str) -> CheckedUpload:
    """Read and check one uploaded file; refused on `field` with every reason found."""
    limit = settings.AMPARO_MAX_ATTACHMENT_BYTES
    content = upload.read(limit + 1)
    errors = Errors()
    if len(content) > limit:
        errors.add(field, _("The file is larger than the limit."))
    elif not content:
        errors.add(field, _("The file is empty."))
    if not filename.strip():
        errors.add(field, _("The file has no name."))
    errors.raise_if_any()
    try:
        return content_check(content)
    except Refused as refused:
        raise ValidationError({field: [str(refused)]}) from None


def content_check(content: bytes) -> CheckedUpload:
    """The type of `content` by its bytes, and its shared copy; raises Refused."""
    for signature, image_format, content_type in IMAGE_SIGNATURES:
        if content.startswith(signature):
            return CheckedUpload(content, content_type, shared_copy(content, image_format))
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return CheckedUpload(content, "image/webp", shared_copy(content, "WEBP"))
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        return CheckedUpload(content, "audio/wav")
    if content[4:8] == b"ftyp":
        if content[8:12] in {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif"}:
            raise Refused(_("HEIC and AVIF images are not accepted; send them as JPEG."))
        return CheckedUpload(content, "video/mp4")  # MP4, M4A, MOV, 3GP
    head = content[:HEAD]
    if content.startswith(b"%PDF-"):
        if PDF_POLYGLOT.search(head):
            raise Refused(_("The file is of a type that is not accepted."))
        return CheckedUpload(content, "application/pdf")
    for signature, content_type in OTHER_SIGNATURES:
        if content.startswith(signature):
            return CheckedUpload(content, content_type)
    if content.startswith(b"PK\x03\x04"):
        return CheckedUpload(content, zip_document_type(content))
    if MARKUP.search(head):
        raise Refused(_("HTML, SVG and XML files are not accepted."))
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return CheckedUpload(content, "text/plain")
    raise Refused(_("The file is of a type that is not accepted."))


def zip_document_type(content: bytes) -> str:
    """The office document type of a zip, inspected in memory; raises Refused for a bare
    archive, a zip bomb, a zip slip name, an encrypted entry or macros."""
    bomb = _("The archive unpacks to too much.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise Refused(_("The file is damaged.")) from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Refused(bomb)
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise Refused(bomb)
    for entry in entries:
        if SLIP.search(entry.filename) or "\x00" in entry.filename:
            raise Refused(_("The archive names a path outside itself."))
        if entry.flag_bits & 0x1:
            raise Refused(_("Encrypted documents are not accepted."))
        if entry.file_size > ZIP_RATIO_FLOOR and entry.file_size > MAX_ZIP_RATIO * max(
            entry.compress_size, 1
        ):
            raise Refused(bomb)
        if entry.filename.lower().endswith("vbaproject.bin"):
            raise Refused(_("Documents with macros are not accepted."))
    _unpack_within_budget(archive, entries, bomb)
    names = {entry.filename for entry in entries}
    if "mimetype" in names:
        declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        if declared in ODF_TYPES:
            return declared
    if "[Content_Types].xml" in names:
        for prefix, content_type in OOXML_TYPES.items():
            if any(name.startswith(prefix) for name in names):
                return content_type
    raise Refused(_("Archives are not accepted; send the files themselves."))


def _unpack_within_budget(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], message: str
) -> None:
    """Decompress every entry in memory, counting, since the declared sizes can lie."""
    budget = MAX_UNPACKED_BYTES
    try:
        for entry in entries:
            with archive.open(entry) as member:
                while chunk := member.read(1024 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise Refused(message)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as error:
        raise Refused(_("The file is damaged.")) from error


def shared_copy(content: bytes, image_format: str) -> bytes:
    """The image re-encoded from its pixels, orientation applied, with no metadata at all;
    raises Refused for a pixel flood or an image that does not decode."""
    flood = _("The image has too many pixels.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=[image_format]) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise Refused(flood)
                frames = getattr(image, "n_frames", 1)
                if frames * image.width * image.height > MAX_ANIMATION_PIXELS:
                    raise Refused(flood)
                return _reencode(image, image_format, frames)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise Refused(flood) from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise Refused(_("The image is damaged.")) from error


def _bare(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no info, no EXIF, no palette tricks."""
    if image.mode in {"P", "PA"}:
        image = image.convert("RGBA")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _reencode(image: Image.Image, image_format: str, frames: int) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {}
    if image_format in {"JPEG", "WEBP"}:
        options["quality"] = 90
    if image_format == "TIFF":
        options["compression"] = "tiff_deflate"
    if frames > 1:
        durations = []
        pictures = []
        for frame in ImageSequence.Iterator(image):
            durations.append(int(frame.info.get("duration", 100)))
            pictures.append(_bare(frame))
        if image_format in {"GIF", "WEBP", "PNG"}:
            options.update(duration=durations, loop=int(image.info.get("loop", 0)))
        pictures[0].save(
            out, format=image_format, save_all=True, append_images=pictures[1:], **options
        )
    else:
        oriented = ImageOps.exif_transpose(image)
        _bare(oriented).save(out, format=image_format, **options)
    return out.getvalue()
