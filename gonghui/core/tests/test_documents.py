"""Uploaded documents are checked by decoding them: a PDF by its page tree, an image by its pixels."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonghui.core.documents import DocumentInvalid, verify_document
from gonghui.core.tests.documents import image_bytes, pdf_bytes


def _file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", pdf_bytes(3)),
        ("a.pdf", pdf_bytes(1, fit_first_page=True)),  # as scanners write: open at page 1, fit width
        ("a.png", image_bytes("PNG")),
        ("a.jpg", image_bytes("JPEG", (1600, 1200))),
        ("a.jpeg", image_bytes("JPEG")),
    ],
)
def test_real_documents_pass(tmp_path: Path, name: str, content: bytes) -> None:
    path = _file(tmp_path, name, content)
    verify_document(path, path.suffix)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        # The magic number of a PDF in front of a web page: the finding of the issue.
        ("a.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "不是完整的 PDF"),
        ("a.pdf", pdf_bytes(1, javascript="app.alert('x')"), "含有自动运行的脚本"),
        ("a.pdf", pdf_bytes(1)[:200], "不是完整的 PDF"),
        ("a.png", b"\x89PNG\r\n\x1a\n" + b"<script>", "不是完整的 PNG"),
        ("a.png", image_bytes("PNG")[:-30], "不是完整的 PNG"),
        ("a.jpg", image_bytes("JPEG", (400, 300))[:300], "不是完整的 JPEG"),
        ("a.jpg", image_bytes("PNG"), "不是完整的 JPEG"),  # a PNG named .jpg
        ("a.gif", b"GIF89a", "只接受 PDF、JPG 或 PNG"),
    ],
)
def test_broken_or_disguised_documents_are_refused_with_the_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = _file(tmp_path, name, content)
    with pytest.raises(DocumentInvalid, match=reason):
        verify_document(path, path.suffix)


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    # A PNG of 10,000 × 9,000 single-colour pixels compresses to a few hundred KB.
    from PIL import Image

    path = tmp_path / "big.png"
    Image.new("1", (10_000, 9_000)).save(path)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(DocumentInvalid, match="图片过大"):
        verify_document(path, ".png")


def test_a_truncated_image_is_refused_even_after_weasyprint_is_loaded(tmp_path: Path) -> None:
    import weasyprint  # noqa: F401  (its import sets Pillow's LOAD_TRUNCATED_IMAGES process-wide)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it, whichever test imported it first
    path = tmp_path / "cut.png"
    path.write_bytes(image_bytes("PNG")[:-30])
    with pytest.raises(DocumentInvalid, match="不是完整的 PNG"):
        verify_document(path, ".png")
