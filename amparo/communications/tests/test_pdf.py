"""amparo.core.pdf: HTML to PDF with WeasyPrint, nothing fetched from the network."""

from __future__ import annotations

import pytest

from amparo.core import pdf


def test_html_to_pdf_renders_a_document():
    out = pdf.html_to_pdf("<!doctype html><html><body><p>Carta — رسالة</p></body></html>")
    assert out.startswith(b"%PDF-")
    assert out.rstrip().endswith(b"%%EOF")


def test_remote_resources_are_not_fetched(monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    out = pdf.html_to_pdf('<html><body><img src="https://example.org/pixel.png"></body></html>')
    assert out.startswith(b"%PDF-")


def test_a_missing_library_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_weasyprint)
    with pytest.raises(pdf.PdfUnavailable) as error:
        pdf.html_to_pdf("<p>x</p>")
    assert "system libraries (pango, harfbuzz, fontconfig)" in str(error.value)
    assert pdf.pdf_available() is False
