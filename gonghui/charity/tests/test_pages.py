"""The charity pages through real HTTP: funds and their ledger, the donation form, refunds, projects, payments."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from gonghui.charity.models import Disbursement, Donation, Fund, FundEntry, Project
from gonghui.charity.receipts import receipt_html
from gonghui.charity.tests.factories import enterprise_uscc, give, make_fund, make_project
from gonghui.core.tests.documents import image_bytes, pdf_bytes
from gonghui.members.tests.factories import id_number, register
from gonghui.notices.certificates import qr_data_uri

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def w(tree, make_user, login) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    fund = make_fund(tree.lps, opening_fen=1000_00)
    return {
        "fund": fund,
        "admin": login(make_user("lps_admin", ("admin", "520200"))),
        "officer": login(make_user("lps_officer", ("officer", "520200"))),
        "reviewer": login(make_user("lps_reviewer", ("reviewer", "520200"))),
        "viewer": login(make_user("lps_viewer", ("viewer", "520200"))),
        "foreign": login(make_user("nm_admin", ("admin", "520102"))),
    }


def agreements(settings: Any) -> list[str]:
    folder = Path(settings.DATA_DIR) / "charity" / "agreements"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def text(resp: Any) -> str:
    return resp.content.decode()


def test_the_fund_list_and_the_navigation(w) -> None:
    resp = w["viewer"].get("/charity/")
    assert resp.status_code == 200
    assert "六盘水市职工爱心基金" in text(resp) and "1,000.00" in text(resp)
    assert 'href="/charity/"' in text(w["viewer"].get("/"))  # under 帮扶 in the navigation
    assert "六盘水市职工爱心基金" not in text(w["foreign"].get("/charity/"))
    assert w["foreign"].get(f"/charity/funds/{w['fund'].pk}/").status_code == 404
    assert Client().get("/charity/").status_code == 302
    give(w["fund"], 500_00)
    dashboard = text(w["viewer"].get("/"))
    assert 'data-testid="stat-charity"' in dashboard and "慈善基金捐赠" in dashboard


def test_setting_up_a_fund_keeps_what_was_typed(w) -> None:
    assert w["officer"].get("/charity/funds/new/").status_code == 403
    form = {
        "org": "520200",
        "name": "金秋助学专项基金",
        "kind": "special",
        "foundation": "",
        "restricted": "on",
        "purpose": "",
        "opened_on": "2025-01-01",
        "opening_balance": "3,000",
    }
    refused = w["admin"].post("/charity/funds/new/", form)
    assert refused.status_code == 200
    body = text(refused)
    assert 'value="金秋助学专项基金"' in body and 'value="3,000"' in body
    assert 'data-testid="error-foundation"' in body and 'data-testid="error-purpose"' in body
    assert Fund.all_objects.count() == 1
    done = w["admin"].post(
        "/charity/funds/new/", {**form, "foundation": "中国职工发展基金会", "purpose": "student_aid"}
    )
    fund = Fund.all_objects.get(name="金秋助学专项基金")
    assert done.status_code == 302 and done["Location"] == f"/charity/funds/{fund.pk}/"
    assert (fund.balance_fen, fund.restricted, fund.purpose) == (3000_00, True, "student_aid")
    foreign = w["admin"].post("/charity/funds/new/", {**form, "org": "520102", "name": "别处"})
    assert 'data-testid="error-org"' in text(foreign)
    assert not Fund.all_objects.filter(name="别处").exists()


def test_the_donation_form_shows_every_error_and_keeps_the_input(w, settings) -> None:
    url = f"/charity/funds/{w['fund'].pk}/donations/new/"
    assert w["viewer"].get(url).status_code == 403
    assert w["foreign"].get(url).status_code == 404
    form = {
        "donor_kind": "enterprise",
        "donor_name": "六盘水某某煤业有限公司",
        "uscc": "91520200MA0000001Y",
        "channel": "one_off",
        "amount": "12.345",
        "received_on": "2025-03-01",
    }
    refused = w["officer"].post(url, form)
    body = text(refused)
    assert 'data-testid="error-uscc"' in body and 'data-testid="error-amount"' in body
    assert 'value="六盘水某某煤业有限公司"' in body and 'value="12.345"' in body
    disguised = SimpleUploadedFile("协议.pdf", b"%PDF-1.7\n<script>alert(1)</script>")
    unreadable = w["officer"].post(url, {**form, "uscc": enterprise_uscc(), "amount": "50,000", "agreement": disguised})
    assert 'data-testid="error-agreement"' in text(unreadable)
    assert not Donation.all_objects.exists() and agreements(settings) == []
    agreement = SimpleUploadedFile("协议.pdf", pdf_bytes())
    done = w["officer"].post(url, {**form, "uscc": enterprise_uscc(), "amount": "50,000", "agreement": agreement})
    assert done.status_code == 302
    donation = Donation.all_objects.get()
    assert (donation.amount_fen, donation.uscc, donation.created_by.username) == (
        50_000_00,
        enterprise_uscc(),
        "lps_officer",
    )
    assert agreements(settings) == [donation.agreement_file]
    assert Fund.all_objects.get(pk=w["fund"].pk).balance_fen == 51_000_00
    assert "已上传" in text(w["viewer"].get(f"/charity/donations/{donation.pk}/"))


def test_a_refused_donation_removes_its_agreement(w, settings) -> None:
    url = f"/charity/funds/{w['fund'].pk}/donations/new/"
    form = {
        "donor_kind": "enterprise",
        "donor_name": "某公司",
        "uscc": enterprise_uscc(),
        "channel": "one_off",
        "amount": "100",
        "received_on": "2024-12-31",  # before the fund was set up: the service refuses
        "agreement": SimpleUploadedFile("a.png", image_bytes("PNG")),
    }
    refused = w["officer"].post(url, form)
    assert 'data-testid="error-received_on"' in text(refused)
    assert not Donation.all_objects.exists() and agreements(settings) == []


def test_anonymous_and_sealed_donors_on_the_pages(w, tree) -> None:
    url = f"/charity/funds/{w['fund'].pk}/donations/new/"
    number = id_number(21, area="110101")
    base = {"donor_kind": "individual", "channel": "one_off", "received_on": "2025-03-01"}
    w["officer"].post(url, {**base, "donor_name": "王大爷", "anonymous": "on", "amount": "200"})
    w["officer"].post(url, {**base, "donor_name": "李女士", "id_number": number, "amount": "300"})
    member = register(tree.courier_union, id_number(22), name="张师傅")
    w["officer"].post(url, {**base, "id_number": id_number(22), "amount": "100"})
    assert Donation.all_objects.count() == 3
    assert Donation.all_objects.get(person=member.person).donor_name == "张师傅"
    ledger = text(w["viewer"].get(f"/charity/funds/{w['fund'].pk}/"))
    assert "爱心人士" in ledger and "王大爷" not in ledger and "李女士" in ledger
    listing = text(w["viewer"].get("/charity/donations/"))
    assert "爱心人士" in listing and "王大爷" not in listing
    sealed = Donation.all_objects.get(donor_name="李女士")
    detail = text(w["viewer"].get(f"/charity/donations/{sealed.pk}/"))
    assert sealed.id_masked in detail and number not in detail and number not in ledger


def test_refunds_from_the_donation_page(w) -> None:
    gift = give(w["fund"], 500_00)
    url = f"/charity/donations/{gift.pk}/"
    assert 'data-testid="refund-form"' not in text(w["officer"].get(url))
    assert w["officer"].post(url, {"amount": "100", "on": "2025-03-02", "note": "多捐"}).status_code == 403
    assert w["foreign"].post(url, {"amount": "100", "on": "2025-03-02", "note": "多捐"}).status_code == 404
    too_much = w["reviewer"].post(url, {"amount": "600", "on": "2025-03-02", "note": "多捐"})
    assert "还可退还 500.00 元" in text(too_much) and 'value="600"' in text(too_much)
    done = w["reviewer"].post(url, {"amount": "100", "on": "2025-03-02", "note": "多捐"})
    assert done.status_code == 302
    assert Donation.all_objects.get(pk=gift.pk).refunded_fen == 100_00
    assert Fund.all_objects.get(pk=w["fund"].pk).balance_fen == 1400_00


def test_projects_and_payments_from_the_pages(w, tree) -> None:
    fund = w["fund"]
    new = f"/charity/funds/{fund.pk}/projects/new/"
    assert w["officer"].get(new).status_code == 403
    form = {
        "name": "2025 年金秋助学",
        "purpose": "student_aid",
        "budget": "800",
        "industry": "B",
        "region_code": "520200",
        "starts_on": "2025-01-01",
        "ends_on": "2024-12-31",
    }
    refused = w["admin"].post(new, form)
    assert 'data-testid="error-ends_on"' in text(refused) and 'value="2025 年金秋助学"' in text(refused)
    assert w["admin"].post(new, {**form, "ends_on": "2025-12-31"}).status_code == 302
    project = Project.all_objects.get()
    pay_url = f"/charity/projects/{project.pk}/disburse/"
    member = register(tree.courier_union, id_number(31), name="赵小明")
    paid = {"recipient_kind": "member", "member": id_number(31), "amount": "300", "paid_on": "2025-09-01"}
    assert w["officer"].post(pay_url, paid).status_code == 302
    over = w["officer"].post(pay_url, {**paid, "amount": "600"})
    assert over.status_code == 400 and "将超出预算" in text(over) and 'value="600"' in text(over)
    nobody = w["officer"].post(pay_url, {**paid, "member": id_number(32)})
    assert 'data-testid="error-member"' in text(nobody)
    school = {"recipient_kind": "org", "recipient_name": "钟山区第一中学", "amount": "200", "paid_on": "2025-09-01"}
    assert w["officer"].post(pay_url, school).status_code == 302
    assert w["viewer"].post(pay_url, school).status_code == 403
    assert w["foreign"].post(pay_url, school).status_code == 404
    assert w["foreign"].get(f"/charity/projects/{project.pk}/").status_code == 404
    assert Disbursement.all_objects.count() == 2
    assert Disbursement.all_objects.get(recipient_kind="member").person_id == member.person_id
    page = text(w["viewer"].get(f"/charity/projects/{project.pk}/"))
    assert "钟山区第一中学" in page and "赵小明" not in page and "赵*" in page  # a member is shown masked
    ledger = text(w["viewer"].get(f"/charity/funds/{fund.pk}/?year=2025"))
    assert "2025 年金秋助学" in ledger and 'data-testid="year-closing">500.00' in ledger
    assert FundEntry.all_objects.filter(fund=fund).count() == 3
    assert "2025 年金秋助学" in text(w["viewer"].get("/charity/projects/"))


def test_a_restricted_fund_offers_its_purpose(w, tree) -> None:
    fund = make_fund(tree.lps, name="助学基金", restricted=True, purpose="student_aid")
    resp = w["admin"].post(
        f"/charity/funds/{fund.pk}/projects/new/",
        {"name": "大病", "purpose": "medical", "budget": "100", "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
    )
    assert "限定用于金秋助学" in text(resp)
    assert not Project.all_objects.filter(fund=fund).exists()
    make_project(fund)
    assert date(2025, 1, 1) == Project.all_objects.get(fund=fund).starts_on


def test_activities_under_a_project(w) -> None:
    project = make_project(w["fund"])
    url = f"/charity/projects/{project.pk}/activities/"
    form = {"activity-name": "金秋助学金发放仪式", "activity-held_on": "2026-01-01", "activity-participants": "120"}
    refused = w["officer"].post(url, form)  # after the project's period
    assert refused.status_code == 400
    assert 'data-testid="error-held_on"' in text(refused) and 'value="金秋助学金发放仪式"' in text(refused)
    assert w["viewer"].post(url, {**form, "activity-held_on": "2025-09-10"}).status_code == 403
    assert w["foreign"].post(url, {**form, "activity-held_on": "2025-09-10"}).status_code == 404
    assert w["officer"].post(url, {**form, "activity-held_on": "2025-09-10"}).status_code == 302
    page = text(w["viewer"].get(f"/charity/projects/{project.pk}/"))
    assert "金秋助学金发放仪式" in page and "120 人参与" in page
    from gonghui.charity.models import Activity

    assert Activity.all_objects.get().org_path == w["fund"].org_path


def test_receipts_are_numbered_once_and_verified_by_their_qr_code(w) -> None:
    import re

    from django.utils import timezone

    from gonghui.charity.models import Receipt

    gift = give(w["fund"], 500_00, kind="individual", uscc="", name="王大爷", anonymous=True)
    second = give(w["fund"], 100_00)
    issue = f"/charity/donations/{gift.pk}/receipt/issue/"
    assert w["viewer"].post(issue).status_code == 403
    assert w["foreign"].post(issue).status_code == 404
    assert w["officer"].get(f"/charity/donations/{gift.pk}/receipt/").status_code == 404  # not issued yet
    assert w["officer"].post(issue).status_code == 302
    assert w["officer"].post(issue).status_code == 302  # twice: the same receipt
    w["officer"].post(f"/charity/donations/{second.pk}/receipt/issue/")
    year = timezone.localdate().year
    serials = list(Receipt.all_objects.order_by("pk").values_list("serial", flat=True))
    assert serials == [f"CS{year}-{w['fund'].pk:05d}-000001", f"CS{year}-{w['fund'].pk:05d}-000002"]
    page = text(w["viewer"].get(f"/charity/donations/{gift.pk}/receipt/"))
    assert serials[0] in page and "<svg" in page and "王大爷" in page  # the donor's own receipt names them
    assert w["foreign"].get(f"/charity/donations/{gift.pk}/receipt/").status_code == 404
    link = re.search(r"/charity/receipts/[^\"<]+/", text(w["viewer"].get(f"/charity/donations/{gift.pk}/")))
    assert link is None  # the verification link is only in the QR code
    from gonghui.charity.receipts import receipt_signature

    verify = f"/charity/receipts/{serials[0]}/{receipt_signature(serials[0])}/"
    public = Client().get(verify)
    assert public.status_code == 200
    assert "真实有效" in text(public) and "爱心人士" in text(public) and "王大爷" not in text(public)
    assert Client().get(f"/charity/receipts/{serials[0]}/forged/").status_code == 404
    assert Client().get(f"/charity/receipts/{serials[1]}/{receipt_signature(serials[0])}/").status_code == 404
    # The PDF: the same serial, the donor, the amount, and the QR code of the same verification page.
    pdf = w["viewer"].get(f"/charity/donations/{gift.pk}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].endswith(f'{serials[0]}.pdf"')
    words = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace(" ", "")
    assert serials[0] in words and "王大爷" in words and "捐赠收据" in words
    donation, issued = Donation.all_objects.get(pk=gift.pk), Receipt.all_objects.get(serial=serials[0])
    html = receipt_html(donation, issued, base_url="http://testserver/")
    assert qr_data_uri(f"http://testserver{verify}") in html
    assert w["foreign"].get(f"/charity/donations/{gift.pk}/receipt.pdf").status_code == 404
    assert w["officer"].get(f"/charity/donations/{second.pk}/receipt.pdf").status_code == 200


def test_an_agreement_uploaded_after_the_donation(w, settings) -> None:
    gift = give(w["fund"], 500_00)
    url = f"/charity/donations/{gift.pk}/agreement/"
    assert w["viewer"].post(url, {"agreement": SimpleUploadedFile("a.pdf", pdf_bytes())}).status_code == 403
    assert w["foreign"].post(url, {"agreement": SimpleUploadedFile("a.pdf", pdf_bytes())}).status_code == 404
    bad = w["officer"].post(url, {"agreement": SimpleUploadedFile("a.pdf", b"%PDF-1.7 not really")}, follow=True)
    assert "捐赠协议文件无法读取" in text(bad) and agreements(settings) == []
    w["officer"].post(url, {"agreement": SimpleUploadedFile("a.png", image_bytes("PNG"))})
    first = Donation.all_objects.get(pk=gift.pk).agreement_file
    assert agreements(settings) == [first]
    w["officer"].post(url, {"agreement": SimpleUploadedFile("b.pdf", pdf_bytes())})
    second = Donation.all_objects.get(pk=gift.pk).agreement_file
    assert second != first and agreements(settings) == [second]  # the replaced scan is removed


def test_any_year_in_the_url_shows_a_page(w) -> None:
    for year in ("99999", "0", "abc", "２０２５", "-1"):
        assert w["viewer"].get(f"/charity/funds/{w['fund'].pk}/?year={year}").status_code == 200
        assert w["viewer"].get(f"/charity/funds/{w['fund'].pk}/disclosure/?year={year}").status_code == 200
