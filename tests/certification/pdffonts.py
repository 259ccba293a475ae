"""What fonts a PDF uses and whether each is embedded (pypdf), for the certificate tests."""

import io

from pypdf import PdfReader

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def pdf_fonts(data: bytes) -> dict[str, bool]:
    """Every font on every page: base font name → embedded (its descriptor carries the file)."""
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get_object().get("/Font") or {}).values():
            font = font.get_object()
            described = font
            if font.get("/Subtype") == "/Type0":
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font["/BaseFont"])] = any(key in descriptor for key in FONT_FILES)
    return fonts


def pdf_text(data: bytes) -> str:
    """The text of every page, as a reader's copy and paste would get it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
