"""A donation's receipt as PDF (WeasyPrint, Noto CJK fonts, one A5 page) with its serial and a QR code
to the public verification page, as the 公示's certificates are made (`notices.certificates`).

    from gonghui.charity.receipts import receipt_pdf
"""

from __future__ import annotations

from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from gonghui.charity.models import Donation, Receipt
from gonghui.notices.certificates import qr_data_uri

RECEIPT_SALT = "gonghui.charity.receipt"


def receipt_signature(serial: str) -> str:
    """What the receipt's QR code carries besides its number, so numbers cannot be tried one by one."""
    return signing.Signer(salt=RECEIPT_SALT).signature(serial)


def verification_url(receipt: Receipt, base_url: str) -> str:
    path = reverse("charity:receipt_verify", args=[receipt.serial, receipt_signature(receipt.serial)])
    return base_url.rstrip("/") + path


def receipt_html(donation: Donation, receipt: Receipt, *, base_url: str) -> str:
    """The HTML the PDF is made from, the QR code embedded (no request leaves the server)."""
    return render_to_string(
        "charity/receipt_pdf.html",
        {"donation": donation, "receipt": receipt, "qr": qr_data_uri(verification_url(receipt, base_url))},
    )


def receipt_pdf(donation: Donation, receipt: Receipt, *, base_url: str) -> bytes:
    from weasyprint import HTML  # imported on use: pango is loaded by the processes that render

    return bytes(HTML(string=receipt_html(donation, receipt, base_url=base_url), base_url=base_url).write_pdf())


DISCLOSURE_SALT = "gonghui.charity.disclosure"


def disclosure_signature(fund_id: int, year: int) -> str:
    """The public disclosure's link carries this: a fund's year is public once its union hands out the link."""
    return signing.Signer(salt=DISCLOSURE_SALT).signature(f"{fund_id}-{year}")


def disclosure_path(fund_id: int, year: int) -> str:
    return reverse("charity:public_disclosure", args=[fund_id, year, disclosure_signature(fund_id, year)])
