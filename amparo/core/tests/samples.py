"""Files built in the tests for the upload checks: real images (one with GPS), zips, polyglots."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Where the photo says it was taken: what the shared copy must not say.
GPS = {1: "N", 2: (4.0, 35.0, 12.0), 3: "W", 4: (74.0, 4.0, 30.0)}


def image(image_format: str = "PNG", size: tuple[int, int] = (4, 2), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=image_format, **options)
    return out.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG with GPS EXIF, a camera make, XMP and an orientation (6: turn 90° to view)."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update(GPS)
    return image(
        "JPEG", size, exif=exif, xmp=b"<x:xmpmeta><rdf:li>Calle 5 #12</rdf:li></x:xmpmeta>"
    )


def gps_tags(content: bytes) -> int:
    with Image.open(io.BytesIO(content)) as opened:
        return len(opened.getexif().get_ifd(GPS_IFD))


def zipped(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    return zipped(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


def odt() -> bytes:
    return zipped(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
        },
        compression=zipfile.ZIP_STORED,
    )
