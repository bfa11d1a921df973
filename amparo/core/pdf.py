"""HTML to PDF for printable documents (letters to States, the annual report), with WeasyPrint.

WeasyPrint is imported on first use: it needs the system libraries pango, harfbuzz and
fontconfig, and a machine without them should still serve every page that is not a PDF.
Documents load nothing from the network: a URL that is not a local static file is refused, so a
PDF cannot tell a third party who printed what.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing on this machine."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except ImportError as error:
        raise PdfUnavailable(
            "PDF output needs WeasyPrint and the system libraries pango, harfbuzz and "
            "fontconfig (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            f"libharfbuzz0b fonts-dejavu). Import failed: {type(error).__name__}."
        ) from None
    except OSError as error:
        raise PdfUnavailable(
            "WeasyPrint is installed but cannot load its system libraries (pango, harfbuzz, "
            f"fontconfig): {type(error).__name__}."
        ) from None
    # fontTools logs every subset glyph at INFO: noise, and a trace of the text's characters.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return weasyprint


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render a complete HTML document (with its own print stylesheet) to PDF bytes.

    base_url resolves relative links (a file: URL of the static directory, for example);
    remote resources are refused. Raises PdfUnavailable when the machine cannot render PDF.
    """
    with warnings.catch_warnings():
        # WeasyPrint 70 announces that it will require HarfBuzz-Subset; nothing to act on yet.
        warnings.filterwarnings(
            "ignore", message=".*HarfBuzz-Subset.*", category=DeprecationWarning
        )
        return _render(html, base_url)


def _render(html: str, base_url: str | None) -> bytes:
    weasyprint = _weasyprint()
    # Only file: and data: URLs (static files resolved through base_url) may be fetched.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"file", "data"})
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return bytes(document.write_pdf())
