"""Uploaded documents (signed authorizations, certificates) checked by decoding them.

A file's first bytes say little: `%PDF` followed by an HTML page passes a magic-number
check. So an image is decoded by Pillow (a JPEG at an eighth of its size through the
decoder's DCT scaling, which still reads every coded block) and a PDF is parsed by pypdf
down to its page tree. Both are bounded before they allocate: the caller caps the file's
bytes, and here the image's pixels and the PDF's pages. A PDF that runs something on
opening (a script or a launch in /OpenAction or /AA, a /JavaScript name tree) is refused:
no scan needs one. An /OpenAction that only sets the first view, as scanners write, passes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

# A 600 dpi A3 page is about 70 million pixels; a phone photo 12 to 50 million.
MAX_PIXELS = 80_000_000
MAX_PDF_PAGES = 200

IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
DOCUMENT_SUFFIXES = (".pdf", *IMAGE_FORMATS)


class DocumentInvalid(ValueError):
    """The reason a document was refused, in Chinese, for the user."""


def verify_document(path: Path, suffix: str) -> None:
    """Raise `DocumentInvalid` unless `path` decodes as the kind its suffix names."""
    suffix = suffix.lower()
    if suffix == ".pdf":
        _verify_pdf(path)
    elif suffix in IMAGE_FORMATS:
        _verify_image(path, IMAGE_FORMATS[suffix])
    else:
        raise DocumentInvalid("只接受 PDF、JPG 或 PNG 文件")


def _verify_image(path: Path, fmt: str) -> None:
    from PIL import Image, ImageFile, UnidentifiedImageError

    # WeasyPrint (the certificates' PDFs) sets this process-wide flag when it is imported, after
    # which Pillow pads a truncated image instead of refusing it: a cut-off upload would pass.
    # Nothing here wants a truncated image, so the check puts the flag back every time.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 million pixels on opening; the size is checked here, in words.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path, formats=[fmt])
        with image:
            if image.width * image.height > MAX_PIXELS:
                raise DocumentInvalid(f"图片过大（{image.width}×{image.height} 像素），请调低扫描分辨率")
            if fmt == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except DocumentInvalid:
        raise
    except Image.DecompressionBombError as exc:
        raise DocumentInvalid("图片过大，请调低扫描分辨率") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentInvalid(f"文件不是完整的 {fmt} 图片，请重新扫描后上传") from exc


def _verify_pdf(path: Path) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import DictionaryObject

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise DocumentInvalid("PDF 已加密，请上传未加密的扫描件")
        pages = len(reader.pages)
        root = reader.root_object
        names = root.get("/Names")
        names = names.get_object() if names is not None else None
        scripted = (isinstance(names, DictionaryObject) and "/JavaScript" in names) or any(
            _runs_something(root.get(key)) for key in ("/OpenAction", "/AA")
        )
    except DocumentInvalid:
        raise
    except (PyPdfError, KeyError, TypeError, ValueError, AttributeError, OSError, RecursionError) as exc:
        raise DocumentInvalid("文件不是完整的 PDF，请重新扫描后上传") from exc
    if pages == 0:
        raise DocumentInvalid("PDF 没有页面")
    if pages > MAX_PDF_PAGES:
        raise DocumentInvalid(f"PDF 页数过多（{pages} 页，最多 {MAX_PDF_PAGES} 页）")
    if scripted:
        raise DocumentInvalid("PDF 含有自动运行的脚本或动作，请重新扫描后上传")


# Actions that run code, open another program or send data somewhere.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition"}


def _runs_something(value: object, depth: int = 0) -> bool:
    """Whether an action (or a dictionary of them, as /AA is) does more than show a page."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 8 or value is None:
        return False
    if isinstance(value, IndirectObject):
        value = value.get_object()
    if isinstance(value, DictionaryObject):
        if value.get("/S") in _ACTIVE_ACTIONS or "/JS" in value:
            return True
        return any(
            _runs_something(v, depth + 1)
            for k, v in value.items()
            if k in ("/Next", "/O", "/C", "/WC", "/WS", "/DS", "/WP", "/DP")
        )
    if isinstance(value, ArrayObject):
        # /Next may chain several actions; a destination array holds a page and names.
        return any(_runs_something(v, depth + 1) for v in value)
    return False
