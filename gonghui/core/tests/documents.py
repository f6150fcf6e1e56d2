"""Real small documents for upload tests, built at test time: a one-page PDF, a PNG, a JPEG."""

from __future__ import annotations

import io


def pdf_bytes(pages: int = 1, *, javascript: str = "", fit_first_page: bool = False) -> bytes:
    """A blank PDF; with `javascript`, run on opening; with `fit_first_page`, a view-only /OpenAction."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NullObject, TextStringObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    root = writer.root_object
    if javascript:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(javascript)}
        )
        root[NameObject("/OpenAction")] = action
    if fit_first_page:
        page = writer.pages[0].indirect_reference
        root[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/FitH"), NullObject()])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(out, format=fmt)
    return out.getvalue()
