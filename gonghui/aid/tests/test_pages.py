"""The hardship-file, yearly-review and relief pages: the whole path by hand, refusals, and who may.

Users are those of the aid `world` (officer and unit reviewer of 520201G001 钟山区快递员联合工会,
reviewer of 520201 钟山区 as the higher union, the 帮扶中心 of 520200 六盘水 holding a custom role
with aid.file.approve, and an officer of 520102 南明区 as the foreign caller) plus a viewer of
520201. Every page rendered here is checked for ID numbers in clear: none may appear, but in the
inputs of a refused form that hold what its poster has just typed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gonghui.aid.models import (
    FamilyMember,
    FileReview,
    FileStatus,
    HardshipFile,
    MonthlyIncome,
    ReliefVisit,
    WelfareRule,
)
from gonghui.aid.services import FamilyIn, file_apply, file_authorize, file_decide
from gonghui.aid.tests.test_files import world  # noqa: F401  (the fixture)
from gonghui.aid.upkeep import review_year_open
from gonghui.conftest import gb11643_numbers_in
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.documents import image_bytes, pdf_bytes
from gonghui.core.tests.forms import field_values
from gonghui.members.models import Membership
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db

SON = id_number(601, birth="20080301")
WORKER = id_number(600)


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


class Checked:
    """A logged-in (or anonymous) client whose every rendered page is checked for clear ID numbers."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, url: str, data: Any = None, **kw: Any) -> Any:
        return self._checked(self.client.get(url, data, **kw))

    def post(self, url: str, data: Any = None, **kw: Any) -> Any:
        return self._checked(self.client.post(url, data or {}, **kw), typed=data or {})

    @staticmethod
    def _checked(resp: Any, typed: dict[str, Any] | None = None) -> Any:
        if resp.get("Content-Type", "").startswith("text/html"):
            page = resp.content.decode()
            # A refused form gives the poster back what they typed, as the inputs' values; nowhere else.
            for name, value in (typed or {}).items():
                if isinstance(value, str) and value:
                    page = page.replace(f'name="{name}" value="{value}"', f'name="{name}"')
            assert gb11643_numbers_in(page) == [], "an ID number in clear on a page"
        return resp


@pytest.fixture
def pages(world, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    world["users"]["viewer"] = make_user("zs_viewer", ("viewer", "520201"))
    clients: dict[str, Checked] = {"anonymous": Checked(new_client())}
    for who, user in world["users"].items():
        c = new_client()
        c.force_login(user)
        clients[who] = Checked(c)
    return {**world, "c": clients}


def scans(settings: Any) -> list[str]:
    folder = Path(settings.DATA_DIR) / "aid" / "authorizations"
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def state() -> tuple[Any, ...]:
    with unscoped():
        return (
            list(
                HardshipFile.all_objects.order_by("pk").values_list(
                    "pk", "status", "status_note", "authorized_at", "closed_on"
                )
            ),
            FamilyMember.objects.count(),
            list(FileReview.objects.order_by("pk").values_list("pk", "still_eligible", "note", "done_on")),
            list(MonthlyIncome.objects.order_by("pk").values_list("file_id", "month", "per_capita_fen")),
            ReliefVisit.all_objects.count(),
            AuditEvent.all_objects.count(),
        )


def messages_of(resp: Any) -> list[str]:
    return [str(m) for m in resp.context["messages"]] if resp.context else []


def form_data(w: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The new-file form as a cadre fills it: the worker by ID number, two family rows of four."""
    data: dict[str, Any] = {
        "member": WORKER,
        "level": "county",
        "region_code": "520201",
        "year": "2026",
        "household_size": "3",
        "worker_monthly_income": "2000",
        "other_income_year": "",
        "necessary_expense_year": "",
        "hardship_cost_year": "",
        "main_cause": "family_illness",
        "causes": ["schooling", "family_illness"],
        "housing_type": "rented",
        "housing_area": "42.5",
        "health": "良好",
        "family-TOTAL_FORMS": "4",
        "family-INITIAL_FORMS": "0",
        "family-MIN_NUM_FORMS": "0",
        "family-MAX_NUM_FORMS": "12",
        "family-0-relation": "子",
        "family-0-name": "王小明",
        "family-0-id_number": SON,
        "family-0-health": "白血病",
        "family-0-school_or_unit": "六盘水一中",
        "family-1-relation": "妻",
        "family-1-name": "李芳",
        "family-1-monthly_income": "0",
    }
    data.update(overrides)
    return data


def applied(w: dict[str, Any], ms: Membership | None = None) -> HardshipFile:
    return file_apply(
        actor=w["users"]["officer"],
        scope=w["officer"],
        membership=ms or w["worker"],
        level="county",
        region_code="520201",
        year=2026,
        figures={"household_size": 3, "worker_monthly_income_fen": 2000_00},
        causes=["family_illness"],
        family=[FamilyIn("子", "王小明", SON)] if ms is None else [],
    )


def filed(w: dict[str, Any], n: int) -> list[HardshipFile]:
    """`n` households taken up the whole path by the services."""
    files = []
    for i in range(n):
        ms = register(w["tree"].courier_union, id_number(700 + i), name=f"职工{chr(0x4E00 + i)}")
        file = applied(w, ms)
        file_decide(actor=w["users"]["unit"], scope=w["unit"], file=file, decision="approve")
        file_authorize(actor=w["users"]["officer"], scope=w["officer"], file=file, stored_name="scan.pdf")
        file_decide(actor=w["users"]["higher"], scope=w["higher"], file=file, decision="approve")
        files.append(file_decide(actor=w["users"]["center"], scope=w["center"], file=file, decision="approve"))
    return files


# --- the whole path by hand -----------------------------------------------------------------------


def test_a_file_from_the_officers_form_to_the_centre_and_closed(pages, settings) -> None:
    c = pages["c"]
    officer, unit, higher, center = c["officer"], c["unit"], c["higher"], c["center"]
    assert officer.get("/aid/files/new/").status_code == 200

    # A trial computation first: the category is shown, nothing is saved.
    before = state()
    resp = officer.post("/aid/files/new/", form_data(pages, preview="1"))
    assert resp.status_code == 200
    assert resp.context["preview"] == {
        "category": "深度困难",
        "per_capita": "666.66",
        "standard": "700.00",
        "twice": "1400.00",
    }
    assert state() == before
    typed = field_values(resp.content.decode())  # the form comes back as typed, ID numbers too
    assert (typed["member"], typed["family-0-id_number"], typed["family-0-name"]) == (WORKER, SON, "王小明")

    resp = officer.post("/aid/files/new/", form_data(pages), follow=True)
    file = HardshipFile.all_objects.get()
    assert resp.redirect_chain == [(f"/aid/files/{file.pk}/", 302)]
    assert messages_of(resp) == [
        "已登记王师傅的建档申请：深度困难（人均月收入 666.66 元，低保标准 700.00 元），待本单位工会审核。"
    ]
    assert (file.status, file.category, file.causes, file.housing_type) == (
        FileStatus.APPLIED,
        "deep",
        ["family_illness", "schooling"],
        "rented",
    )
    assert list(file.family.order_by("pk").values_list("relation", "name", "id_masked")) == [
        ("子", "王小明", f"{SON[:6]}********{SON[-4:]}"),
        ("妻", "李芳", ""),
    ]
    url = f"/aid/files/{file.pk}/"
    page = resp.content.decode()
    assert f"{SON[:6]}********{SON[-4:]}" in page and f"{WORKER[:6]}********{WORKER[-4:]}" in page
    assert "深度困难" in page and "666.66" in page and "本单位工会审核" in page
    assert 'data-testid="approve"' not in page  # the officer applies, never reviews
    assert 'data-testid="scan-form"' in page

    # The unit union's reviewer approves.
    page = unit.get(url).content.decode()
    assert "待您办理：本单位工会审核" in page
    resp = unit.post(f"{url}approve/", {"note": "情况属实"}, follow=True)
    assert resp.context["file"].status == FileStatus.UNIT_APPROVED
    assert 'data-testid="approve"' not in resp.content.decode()  # the next step is the higher union's

    # The higher union cannot approve before the signed authorization is on file: not offered, and says why.
    page = higher.get(url).content.decode()
    assert "待您办理：上级工会审核" in page and 'data-testid="approve"' not in page
    assert "暂不能审核通过：请先上传职工签字的家庭经济状况核对授权委托书。" in page
    before = state()
    resp = higher.post(f"{url}approve/", {"note": ""}, follow=True)
    assert messages_of(resp) == ["请先上传职工签字的家庭经济状况核对授权委托书。"]
    assert state() == before

    # The scan: a GIF named .pdf is refused and nothing is stored; a PDF is taken.
    resp = officer.post(f"{url}authorization/", {"scan": SimpleUploadedFile("auth.gif", b"GIF89a fake")}, follow=True)
    assert messages_of(resp) == ["请上传 10 MB 以内的 PDF、JPG 或 PNG 扫描件"]
    assert scans(settings) == [] and state() == before
    # `%PDF` in front of a web page is not a PDF: it is decoded, not sniffed.
    disguised = SimpleUploadedFile("auth.pdf", b"%PDF-1.7\n<script>alert(1)</script>")
    resp = officer.post(f"{url}authorization/", {"scan": disguised}, follow=True)
    assert messages_of(resp) == ["授权委托书扫描件无法读取：文件不是完整的 PDF，请重新扫描后上传"]
    assert scans(settings) == [] and state() == before
    resp = officer.post(f"{url}authorization/", {"scan": SimpleUploadedFile("auth.pdf", pdf_bytes())}, follow=True)
    assert messages_of(resp) == ["已上传家庭经济状况核对授权委托书。"]
    assert len(scans(settings)) == 1 and resp.context["file"].authorized_at is not None
    page = higher.get(url).content.decode()
    assert 'data-testid="approve"' in page and 'data-testid="approve-refusal"' not in page

    resp = higher.post(f"{url}approve/", {"note": "同意"}, follow=True)
    assert resp.context["file"].status == FileStatus.HIGHER_APPROVED
    # The 帮扶中心 (a custom role with aid.file.approve) files it.
    assert "待您办理：帮扶中心审定" in center.get(url).content.decode()
    resp = center.post(f"{url}approve/", follow=True)
    file.refresh_from_db()
    assert file.status == FileStatus.FILED and file.filed_on is not None
    page = resp.content.decode()
    assert 'data-testid="close-form"' in page and 'data-testid="decide-form"' not in page
    history = [(h["what"], h["who"]) for h in resp.context["history"]]
    assert history == [
        ("登记建档申请", "unit_officer"),
        ("审核通过", "unit_reviewer"),
        ("上传授权委托书", "unit_officer"),
        ("审核通过", "zs_reviewer"),
        ("审核通过", "lps_center"),
    ]
    assert 'data-testid="close-form"' not in higher.get(url).content.decode()

    # Closing needs a reason.
    before = state()
    resp = center.post(f"{url}close/", {"reason": "  "}, follow=True)
    assert messages_of(resp) == ["请填写撤档原因"] and state() == before
    resp = center.post(f"{url}close/", {"reason": "连续6个月人均收入高于低保标准，已脱困"}, follow=True)
    file.refresh_from_db()
    assert (file.status, file.status_note, file.closed_on) == (
        FileStatus.CLOSED,
        "连续6个月人均收入高于低保标准，已脱困",
        timezone.localdate(),
    )
    assert "已撤档" in resp.content.decode()

    # The list: filters by status and category.
    listing = c["viewer"].get("/aid/files/", {"status": "closed"})
    assert [f.pk for f in listing.context["rows"]] == [file.pk]
    assert c["viewer"].get("/aid/files/", {"status": "filed"}).context["rows"] == []
    assert c["viewer"].get("/aid/files/", {"category": "relative"}).context["rows"] == []
    assert "王师傅" in listing.content.decode() and "钟山区快递员联合工会" in listing.content.decode()


def test_return_and_reject_need_a_note(pages) -> None:
    c = pages["c"]
    file = applied(pages)
    url = f"/aid/files/{file.pk}/"
    before = state()
    for decision in ("return", "reject"):
        resp = c["unit"].post(f"{url}{decision}/", {"note": " "}, follow=True)
        assert messages_of(resp) == ["退回或不予建档时请填写审核意见"]
        assert state() == before
    resp = c["unit"].post(f"{url}return/", {"note": "缺少医疗费用票据"}, follow=True)
    file.refresh_from_db()
    assert (file.status, file.status_note) == (FileStatus.RETURNED, "缺少医疗费用票据")
    assert "退回补充" in resp.content.decode() and "缺少医疗费用票据" in resp.content.decode()
    # Back at the unit: the same reviewer may approve it again, or refuse it.
    assert "待您办理：本单位工会审核" in resp.content.decode()
    c["unit"].post(f"{url}reject/", {"note": "家庭收入已超标准"})
    file.refresh_from_db()
    assert (file.status, file.status_note) == (FileStatus.REJECTED, "家庭收入已超标准")
    page = c["unit"].get(url).content.decode()
    assert 'data-testid="decide-form"' not in page and 'data-testid="scan-form"' not in page
    # A hand-made POST on a rejected file is refused by the service, in Chinese.
    before = state()
    resp = c["unit"].post(f"{url}approve/", follow=True)
    assert messages_of(resp) == ["档案当前状态为“不予建档”，不能审核。"] and state() == before
    assert c["unit"].post(f"{url}promote/").status_code == 404


def test_the_new_file_form_refuses_in_chinese_and_saves_nothing(pages) -> None:
    c = pages["c"]
    officer = c["officer"]
    before = state()
    # Well off: the refusal names the figures.
    resp = officer.post("/aid/files/new/", form_data(pages, worker_monthly_income="6000"))
    assert resp.status_code == 200
    assert resp.context["form"].non_field_errors() == [
        "人均月收入 2000.00 元，不低于当地低保标准的两倍（1400.00 元），且不属于意外致困，不符合建档条件。"
    ]
    # A mistyped family ID number lands on its row, shown back as typed for correction.
    bad = SON[:-1] + ("0" if SON[-1] != "0" else "1")
    resp = officer.post("/aid/files/new/", form_data(pages, **{"family-0-id_number": bad}))
    assert resp.context["family"].forms[0].errors["id_number"]
    assert field_values(resp.content.decode())["family-0-id_number"] == bad
    # A row with a name but no relation, no causes, a bad amount: form errors.
    resp = officer.post(
        "/aid/files/new/",
        form_data(pages, main_cause="", worker_monthly_income="两千", **{"family-2-name": "王小红"}),
    )
    form = resp.context["form"]
    assert set(form.errors) == {"main_cause", "worker_monthly_income"}
    assert resp.context["family"].forms[2].non_field_errors() == ["家庭成员须填写关系和姓名"]
    resp = officer.post("/aid/files/new/", form_data(pages, worker_monthly_income=""))
    assert resp.context["form"].errors["worker_monthly_income"] == ["这个字段是必填项。"]
    # No 低保 standard for the year.
    resp = officer.post("/aid/files/new/", form_data(pages, year="2024"))
    assert "尚未设置 2024 年的城乡低保标准" in resp.content.decode()
    # The foreign officer cannot reach a member of 钟山 by number or ID.
    for key in (WORKER, pages["worker"].person.member_no):
        resp = c["foreign"].post("/aid/files/new/", form_data(pages, member=key))
        assert resp.context["form"].errors["member"] == ["本工会范围内没有这名在册会员，请核对会员编号或证件号码。"]
    assert state() == before
    # By member number it works, with rows added on the page (the sixth here), and not twice.
    page = officer.get("/aid/files/new/").content.decode()
    assert 'data-testid="family-add"' in page and 'name="family-__prefix__-name"' in page
    six = {"family-TOTAL_FORMS": "6", "family-5-relation": "母", "family-5-name": "张秀英"}
    resp = officer.post("/aid/files/new/", form_data(pages, member=pages["worker"].person.member_no, **six))
    assert resp.status_code == 302
    assert list(FamilyMember.objects.order_by("pk").values_list("name", flat=True)) == ["王小明", "李芳", "张秀英"]
    resp = officer.post("/aid/files/new/", form_data(pages, **{"family-0-id_number": ""}))
    assert "该家庭已有困难职工档案" in resp.content.decode()
    assert HardshipFile.all_objects.count() == 1


# --- monthly incomes and the yearly review ---------------------------------------------------------


def test_the_monthly_income_form_and_the_exit_flag(pages) -> None:
    c = pages["c"]
    (file,) = filed(pages, 1)
    url = f"/aid/files/{file.pk}/"
    page = c["higher"].get(url).content.decode()
    assert 'data-testid="income-form"' in page and 'data-testid="exit-due"' not in page
    assert 'data-testid="income-form"' not in c["officer"].get(url).content.decode()
    for m in range(1, 7):
        resp = c["higher"].post(f"{url}incomes/", {"month": f"2026-{m:02d}", "per_capita": "800"}, follow=True)
        assert messages_of(resp) == [f"已记录 2026 年 {m:02d} 月的人均月收入。"]
    assert list(MonthlyIncome.objects.filter(file=file).values_list("per_capita_fen", flat=True)) == [80000] * 6
    page = c["higher"].get(url).content.decode()
    assert 'data-testid="exit-due"' in page and "800.00" in page
    # The same month again replaces it: below the standard, the flag goes.
    c["higher"].post(f"{url}incomes/", {"month": "2026-06", "per_capita": "650.50"})
    assert MonthlyIncome.objects.get(file=file, month=date(2026, 6, 1)).per_capita_fen == 65050
    assert 'data-testid="exit-due"' not in c["higher"].get(url).content.decode()
    before = state()
    # Refused: the file's page again, both fields as typed and every error beside its field.
    resp = c["higher"].post(f"{url}incomes/", {"month": "2026-13", "per_capita": "-5"})
    assert resp.status_code == 200 and state() == before
    html = resp.content.decode()
    assert 'data-testid="error-month"' in html and "金额不能为负数" in html
    assert (field_values(html)["month"], field_values(html)["per_capita"]) == ("2026-13", "-5")


def test_the_yearly_review_page_opens_the_draw_and_records_results(pages) -> None:
    c = pages["c"]
    files = filed(pages, 4)
    center, higher = c["center"], c["higher"]
    page = center.get("/aid/reviews/", {"org": "520200", "year": "2026"})
    assert page.status_code == 200 and 'data-testid="open-review"' in page.content.decode()
    assert 'data-testid="open-review"' not in higher.get("/aid/reviews/", {"org": "520201"}).content.decode()
    resp = center.post("/aid/reviews/open/", {"org": "520200", "year": "2026"}, follow=True)
    assert resp.redirect_chain == [("/aid/reviews/?org=520200&year=2026", 302)]
    assert messages_of(resp) == ["已开启六盘水市总工会 2026 年度复核：新纳入 4 户，其中系统抽取 2 户抽查。"]
    assert resp.context["summary"] == {"files": 4, "spot_checks": 2, "done": 0} and resp.context["share"] == 50
    assert resp.content.decode().count('data-testid="spot-check"') == 2
    # Opening again adds nothing and draws nothing new.
    resp = center.post("/aid/reviews/open/", {"org": "520200", "year": "2026"}, follow=True)
    assert messages_of(resp) == ["六盘水市总工会 2026 年度复核已开启，没有新建档的家庭需要纳入。"]
    assert FileReview.objects.count() == 4

    # The higher union's reviewer records results; "no longer eligible" needs a note.
    page = higher.get("/aid/reviews/", {"org": "520201", "year": "2026", "spot": "1"})
    rows = page.context["rows"]
    assert len(rows) == 2 and all(r["can_record"] and r["review"].spot_check for r in rows)
    review = rows[0]["review"]
    before = state()
    resp = higher.post(f"/aid/reviews/{review.pk}/", {"still_eligible": "0", "note": "", "back_org": "520201"})
    assert messages_of(resp) == ["不再符合建档条件时请说明情况"] and state() == before
    assert resp.status_code == 200 and resp.context["org"].code == "520201"  # the page again, the choice kept
    assert field_values(resp.content.decode())["still_eligible"] == "0"
    # A note typed but no conclusion chosen: said beside the row, the note kept.
    resp = higher.post(f"/aid/reviews/{review.pk}/", {"note": "已再就业", "back_org": "520201"})
    assert 'data-testid="error-still_eligible"' in resp.content.decode() and state() == before
    assert field_values(resp.content.decode())["note"].split("|").count("已再就业") == 1  # its row only
    resp = higher.post(f"/aid/reviews/{review.pk}/", {"still_eligible": "0", "note": "已再就业，收入超标"}, follow=True)
    review.refresh_from_db()
    assert (review.still_eligible, review.note, review.reviewed_by_id) == (
        False,
        "已再就业，收入超标",
        pages["users"]["higher"].pk,
    )
    assert resp.context["summary"]["done"] == 1
    # The review shows on the file's own page.
    assert "已再就业，收入超标" in higher.get(f"/aid/files/{review.file_id}/").content.decode()
    # The officer sees the page with no buttons; an org outside the scope is unknown.
    page = c["officer"].get("/aid/reviews/", {"org": "520201G001", "year": "2026"}).content.decode()
    assert 'data-testid="open-review"' not in page and 'data-testid="record-' not in page
    assert len(c["officer"].get("/aid/reviews/", {"org": "520201G001", "year": "2026"}).context["rows"]) == 4
    assert "不在您的管理范围内" in c["foreign"].get("/aid/reviews/", {"org": "520200"}).content.decode()
    assert {f.pk for f in files} == set(FileReview.objects.values_list("file_id", flat=True))


# --- relief ---------------------------------------------------------------------------------------


def test_a_relief_visit_over_the_cap_is_refused_in_chinese_and_nothing_is_written(pages) -> None:
    WelfareRule.objects.create(region_code="520000", event="spring_festival", cap_fen=500_00, note="黔工发")
    officer = pages["c"]["officer"]
    visit = {
        "member": pages["worker"].person.member_no,
        "event": "spring_festival",
        "visited_on": "2026-02-10",
        "cash": "300",
        "goods": "",
        "goods_note": "",
        "insurance_policies": "",
        "note": "",
    }
    resp = officer.post("/aid/relief/new/", visit, follow=True)
    assert resp.redirect_chain == [("/aid/relief/?year=2026", 302)]
    assert messages_of(resp) == ["已登记对王师傅的春节慰问（2026-02-10）。"]
    before = state()
    resp = officer.post("/aid/relief/new/", {**visit, "cash": "150", "goods": "100", "goods_note": "米、油"})
    assert resp.status_code == 200
    assert resp.context["form"].non_field_errors() == [
        "春节慰问每人每年不超过 500.00 元：王师傅今年已领 300.00 元，本次 250.00 元将超出上限。"
    ]
    assert state() == before
    # Nothing given at all is refused; a policy alone is no money and passes the cap.
    resp = officer.post("/aid/relief/new/", {**visit, "cash": ""})
    assert resp.context["form"].non_field_errors() == ["请填写慰问金、慰问品、保险或住房帮扶中的至少一项。"]
    assert state() == before
    resp = officer.post("/aid/relief/new/", {**visit, "cash": "", "insurance_policies": "2", "housing": "on"})
    assert resp.status_code == 302
    # By ID number, another event, another year.
    resp = officer.post(
        "/aid/relief/new/", {**visit, "member": WORKER, "event": "hospital", "visited_on": "2025-06-01", "cash": "800"}
    )
    assert resp.status_code == 302
    assert ReliefVisit.all_objects.count() == 3

    viewer = pages["c"]["viewer"]
    listing = viewer.get("/aid/relief/")
    assert listing.context["count"] == 3 and 'data-testid="new-visit"' not in listing.content.decode()
    spring = viewer.get("/aid/relief/", {"event": "spring_festival", "year": "2026"})
    assert [(v.cash_fen, v.insurance_policies, v.housing) for v in spring.context["rows"]] == [
        (0, 2, True),
        (300_00, 0, False),
    ]
    assert [v.event for v in viewer.get("/aid/relief/", {"year": "2025"}).context["rows"]] == ["hospital"]
    assert "300.00" in spring.content.decode() and "住院慰问" not in spring.content.decode().split("<tbody>")[1]
    assert pages["c"]["foreign"].get("/aid/relief/").context["count"] == 0


# --- who may: each page × caller ------------------------------------------------------------------

LOGIN = "/accounts/login/"


def _matrix_objects(w: dict[str, Any]) -> dict[str, Any]:
    file = applied(w)
    (done,) = filed(w, 1)
    w["spare"] = register(w["tree"].courier_union, id_number(720), name="赵师傅").person.member_no
    with unscoped():
        (review,) = review_year_open(actor=None, scope=None, org=w["tree"].zhongshan, year=2026)
    return {"file": file.pk, "filed": done.pk, "review": review.pk}


def _visit(w: dict[str, Any]) -> dict[str, str]:
    return {"member": w["worker"].person.member_no, "event": "birthday", "visited_on": "2026-03-01", "cash": "100"}


# (method, url, data, {caller: expected status}); callers are tried in this order, the one allowed last.
# 302 for "anonymous" is the login redirect; elsewhere a 302 is the service having acted.
MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    ("get", "/aid/files/", None, {"anonymous": 302, "viewer": 200, "officer": 200, "higher": 200, "foreign": 200}),
    ("get", "/aid/files/new/", None, {"anonymous": 302, "viewer": 403, "higher": 403, "foreign": 200, "officer": 200}),
    (
        "post",
        "/aid/files/new/",
        lambda w: form_data(w, member=w["spare"], **{"family-0-id_number": ""}),
        {"anonymous": 302, "viewer": 403, "higher": 403, "foreign": 200, "officer": 302},
    ),
    (
        "get",
        "/aid/files/{file}/",
        None,
        {"anonymous": 302, "foreign": 404, "viewer": 200, "officer": 200, "higher": 200},
    ),
    (
        "post",
        "/aid/files/{file}/approve/",
        {"note": ""},
        {"anonymous": 302, "foreign": 404, "viewer": 403, "officer": 403, "higher": 302},
    ),
    (
        "post",
        "/aid/files/{file}/reject/",
        {"note": "不符合"},
        {"anonymous": 302, "foreign": 404, "viewer": 403, "officer": 403, "higher": 302},
    ),
    (
        "post",
        "/aid/files/{file}/authorization/",
        lambda w: {"scan": SimpleUploadedFile("a.png", image_bytes("PNG"))},
        {"anonymous": 302, "foreign": 404, "viewer": 403, "higher": 403, "officer": 302},
    ),
    (
        "post",
        "/aid/files/{filed}/close/",
        {"reason": "脱困"},
        {"anonymous": 302, "foreign": 404, "viewer": 403, "officer": 403, "higher": 403},
    ),
    (
        "post",
        "/aid/files/{filed}/incomes/",
        {"month": "2026-05", "per_capita": "900"},
        {"anonymous": 302, "foreign": 404, "viewer": 403, "officer": 403, "higher": 302},
    ),
    ("get", "/aid/reviews/", None, {"anonymous": 302, "foreign": 200, "viewer": 200, "officer": 200, "higher": 200}),
    (
        "post",
        "/aid/reviews/open/",
        {"org": "520201G001", "year": "2026"},
        {"anonymous": 302, "foreign": 404, "viewer": 403, "officer": 403, "higher": 403},
    ),
    (
        "post",
        "/aid/reviews/{review}/",
        {"still_eligible": "1", "note": ""},
        {"anonymous": 302, "foreign": 404, "viewer": 403, "officer": 403, "higher": 302},
    ),
    ("get", "/aid/relief/", None, {"anonymous": 302, "foreign": 200, "viewer": 200, "officer": 200, "higher": 200}),
    ("get", "/aid/relief/new/", None, {"anonymous": 302, "viewer": 403, "higher": 403, "foreign": 200, "officer": 200}),
    (
        "post",
        "/aid/relief/new/",
        _visit,
        {"anonymous": 302, "viewer": 403, "higher": 403, "foreign": 200, "officer": 302},
    ),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _d, _e in MATRIX])
def test_authorization_matrix(pages, settings, method: str, url: str, data: Any, expected: dict[str, int]) -> None:
    ids = _matrix_objects(pages)
    target = url.format(**ids)
    writes = method == "post"
    for who, status in expected.items():
        before, stored = state(), scans(settings)
        body = data(pages) if callable(data) else data
        resp = getattr(pages["c"][who], method)(target, body)
        assert resp.status_code == status, (who, resp.status_code)
        if who == "anonymous":
            assert resp["Location"].startswith(f"{LOGIN}?next=")
        acted = writes and status == 302 and who != "anonymous"
        if writes and not acted:
            assert state() == before, who
            assert scans(settings) == stored, who
        if acted:
            assert state() != before, who
            assert not resp["Location"].startswith(LOGIN)
        if status == 200 and not writes:
            page = resp.content.decode()
            if "/aid/files/{" in url:
                assert "王师傅" in page and f"{SON[:6]}********{SON[-4:]}" in page
            if who == "foreign" and url in ("/aid/files/", "/aid/relief/"):
                assert "王师傅" not in page and "职工一" not in page
