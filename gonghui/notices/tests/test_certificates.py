"""Certificates: numbered per union and year, one or a batch as PDF (WeasyPrint) with a QR code to the
public verification page, which shows the name, the honor and the year only; downloads in scope."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from gonghui.core.errors import DomainError
from gonghui.core.scoping import unscoped
from gonghui.notices.certificates import (
    CertificateIn,
    certificates_html,
    certificates_issue,
    certificates_pdf,
    qr_data_uri,
    verification_url,
)
from gonghui.notices.models import Certificate
from gonghui.notices.tests.conftest import NoticeWorld

pytestmark = pytest.mark.django_db


HONOR = {"title": "最美劳动者", "level": "区级", "awarding_body": "钟山区总工会", "year": 2026}


def issue(nw: NoticeWorld, who: str = "officer") -> list[Certificate]:
    return certificates_issue(
        **nw.as_(who),
        kind="notices_test",
        org=nw.tree.zhongshan,
        items=[
            CertificateIn(holder_name="王师傅", **HONOR),
            CertificateIn(holder_name="张师傅", **HONOR, subject=nw.members[1]),
        ],
    )


def test_a_batch_is_numbered_per_union_and_year(nw: NoticeWorld) -> None:
    first = issue(nw)
    assert [c.serial for c in first] == ["520201-2026-00001", "520201-2026-00002"]
    assert first[1].subject_id == nw.members[1].pk and len({c.token for c in first}) == 2
    assert [c.serial for c in issue(nw)] == ["520201-2026-00003", "520201-2026-00004"]
    with pytest.raises(DomainError) as foreign:
        issue(nw, "foreign")
    assert foreign.value.code == "permission_denied"
    with unscoped():
        assert Certificate.all_objects.count() == 4


def test_the_pdf_has_a_page_each_with_the_name_and_a_qr_code_to_the_verification_page(nw: NoticeWorld) -> None:
    certificates = issue(nw)
    base = "https://gonghui.example.cn"
    html = certificates_html(certificates, base_url=base)
    for c in certificates:
        assert qr_data_uri(f"{base}/notices/certificates/verify/{c.token}/") in html
        assert verification_url(c, base) == f"{base}/notices/certificates/verify/{c.token}/"
    reader = PdfReader(io.BytesIO(certificates_pdf(certificates, base_url=base)))
    assert len(reader.pages) == 2
    first, second = (page.extract_text().replace(" ", "") for page in reader.pages)
    assert "王师傅" in first and "520201-2026-00001" in first and "荣誉证书" in first
    assert "张师傅" in second and "最美劳动者" in second


def test_the_verification_page_shows_name_honor_and_year_only(nw: NoticeWorld) -> None:
    certificate = issue(nw)[0]
    page = Client().get(f"/notices/certificates/verify/{certificate.token}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert (page.context["name"], page.context["honor"], page.context["year"]) == ("王师傅", "区级最美劳动者", 2026)
    assert certificate.serial not in body and "钟山区" not in body and certificate.token not in body.split("<main")[1]
    assert Client().get("/notices/certificates/verify/forged-token/").status_code == 404


def test_downloads_in_scope_only(nw: NoticeWorld, login) -> None:  # type: ignore[no-untyped-def]
    a, b = issue(nw)
    url = f"/notices/certificates/pdf/?id={a.pk}&id={b.pk}"
    viewer = login(nw.users["viewer"])
    resp = viewer.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(resp.content)).pages) == 2
    assert viewer.get(f"/notices/certificates/pdf/?id={a.pk}")["Content-Disposition"].endswith('00001.pdf"')
    assert login(nw.users["foreign"]).get(url).status_code == 404
    assert viewer.get(f"/notices/certificates/pdf/?id={a.pk}&id=999999").status_code == 404
    assert viewer.get("/notices/certificates/pdf/?id=x").status_code == 404
    assert Client().get(url).status_code == 302
