"""Impossible combinations of a member's fields, refused alike by the import, the forms and the API.

One home per rule (`members.validation`): `joined_on_reason` (a join date later than
today, before the birth date, before the 16th birthday) and `status_reason_missing`
(a retained membership names its reason). A row of a file is refused on its own
cell, with the row and the column; a form shows the reason under its field; the API
answers 400 with the field in `details`. Nothing is changed by a refusal.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.tests.factories import Api, assert_error, id_number, register, reload
from gonghui.members.validation import joined_on_reason, status_reason_missing

pytestmark = pytest.mark.django_db

NUMBER = id_number(123)  # born 1990-03-07, male
FUTURE_REASON = "入会日期不能晚于今天，请核对入会日期"


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def officer(tree, make_user, bearer) -> Api:
    return Api(bearer(make_user("lps_officer", ("officer", "520200"))))


def cli(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def reasons(report: object) -> dict[int, str]:
    ws = load_workbook(str(report)).active
    assert ws is not None
    return {int(r[0]): str(r[-1]) for r in ws.iter_rows(min_row=2, values_only=True)}


# --- the rules themselves -------------------------------------------------------------------------


def test_the_join_date_rules() -> None:
    born = date(1990, 3, 7)
    today = date(2026, 12, 7)
    assert joined_on_reason(date(2026, 12, 8), born, today=today) == FUTURE_REASON
    assert joined_on_reason(date(2026, 12, 8), None, today=today) == FUTURE_REASON  # no birth date known
    assert joined_on_reason(date(2026, 12, 7), born, today=today) is None
    assert joined_on_reason(date(1989, 1, 1), born, today=today) == "入会日期早于出生日期，请核对入会日期或证件号码"
    assert joined_on_reason(date(2006, 3, 6), born, today=today) == (
        "入会时未满 16 周岁（最低就业年龄），请核对入会日期或证件号码"
    )
    assert joined_on_reason(date(2006, 3, 7), born, today=today) is None
    assert joined_on_reason(None, born, today=today) is None


def test_a_retained_membership_must_name_its_reason() -> None:
    assert status_reason_missing("retained", "") == "保留会籍原因"
    assert status_reason_missing("retained", "  ") == "保留会籍原因"
    assert status_reason_missing("retained", "失业") is None
    assert status_reason_missing("active", "") is None


# --- a join date later than today: the API, the form, the import ----------------------------------


def test_the_api_refuses_a_join_date_later_than_today(tree, officer: Api) -> None:
    body = {"org_code": "520201G001", "id_number": NUMBER, "name": "王小明", "joined_on": tomorrow().isoformat()}
    refused = assert_error(officer.post("/api/v1/members", body), 400, "member.fields_invalid")
    assert refused["details"] == {"joined_on": FUTURE_REASON}
    with unscoped():
        assert not Person.objects.exists()

    ms = register(tree.courier_union, NUMBER, joined_on=date(2020, 5, 1))
    refused = assert_error(
        officer.patch(f"/api/v1/members/{ms.pk}", {"joined_on": tomorrow().isoformat()}), 400, "member.fields_invalid"
    )
    assert refused["details"] == {"joined_on": FUTURE_REASON}
    refused = assert_error(officer.patch(f"/api/v1/members/{ms.pk}", {"joined_on": None}), 400, "member.fields_invalid")
    assert refused["details"] == {"joined_on": "不能为空"}
    assert reload(ms).person.joined_on == date(2020, 5, 1)
    # A correction that can be is made.
    assert officer.patch(f"/api/v1/members/{ms.pk}", {"joined_on": "2019-10-08"}).json()["joined_on"] == "2019-10-08"


def test_the_register_form_refuses_a_join_date_later_than_today(tree, make_user, login) -> None:
    page = login(make_user("lps_officer", ("officer", "520200"))).post(
        "/members/new/",
        {"org_code": "520201G001", "id_type": "1", "id_number": NUMBER, "name": "王小明", "joined_on": tomorrow()},
    )
    assert page.status_code in (200, 400)
    assert FUTURE_REASON in page.content.decode()
    with unscoped():
        assert not Person.objects.exists()


def test_the_import_refuses_a_join_date_later_than_today_on_its_cell(tree, tmp_path: Path) -> None:
    path = tmp_path / "花名册.csv"
    path.write_text(f"姓名,身份证号码,入会时间\n王小明,{NUMBER},{tomorrow():%Y.%m.%d}\n", encoding="utf-8")
    summary = cli("import", "members", str(path), "--org", "520201G001")
    assert (summary["created"], summary["rejected"]) == (0, 1)
    assert reasons(summary["report"]) == {2: f"入会时间（入会日期）：{FUTURE_REASON}"}


# --- the members export, edited: a masked row is checked against the registry's record ------------


@pytest.fixture
def exported(tree, tmp_path: Path) -> Path:
    register(tree.courier_union, NUMBER, joined_on=date(2020, 5, 1), mobile="13800138000")
    path = tmp_path / "会员名册.xlsx"
    cli("export", "members", str(path), "--org", "520201G001")
    return path


def edit(path: Path, header: str, value: object) -> None:
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    column = [c.value for c in ws[1]].index(header)
    ws.cell(row=2, column=column + 1, value=value)
    wb.save(path)


def test_an_edited_join_date_of_a_masked_row_is_applied(exported: Path) -> None:
    edit(exported, "入会日期", "2019-10-08")
    summary = cli("import", "members", str(exported))
    assert (summary["updated"], summary["unchanged"], summary["rejected"]) == (1, 0, 0)
    with unscoped():
        person = Person.objects.get()
    assert (person.joined_on, person.mobile, person.name) == (date(2019, 10, 8), "13800138000", "王小明")


def test_a_join_date_given_as_its_month_keeps_the_registrys_day(exported: Path) -> None:
    edit(exported, "入会日期", "2020.5")
    summary = cli("import", "members", str(exported))
    assert (summary["updated"], summary["unchanged"], summary["rejected"]) == (0, 1, 0)
    with unscoped():
        assert Person.objects.get().joined_on == date(2020, 5, 1)


def test_an_impossible_join_date_on_a_masked_row_is_refused(exported: Path) -> None:
    edit(exported, "入会日期", "1980-01-01")  # born 1990: the masked row's birth date is the registry's
    summary = cli("import", "members", str(exported))
    assert (summary["updated"], summary["rejected"]) == (0, 1)
    assert reasons(summary["report"])[2] == "入会日期：入会日期早于出生日期，请核对入会日期或证件号码"
    with unscoped():
        assert Person.objects.get().joined_on == date(2020, 5, 1)


def test_a_gender_edited_against_the_id_number_of_a_masked_row_is_refused(exported: Path) -> None:
    edit(exported, "性别", "女")
    summary = cli("import", "members", str(exported))
    assert summary["rejected"] == 1
    assert reasons(summary["report"])[2] == "性别：与证件号码不符（证件号码为男性），请核对性别或证件号码"


# --- 保留会籍 names its reason --------------------------------------------------------------------


def test_the_api_and_the_page_refuse_to_retain_without_a_reason(tree, officer: Api, make_user, login) -> None:
    ms = register(tree.courier_union, NUMBER)
    assert_error(
        officer.post(f"/api/v1/members/{ms.pk}/retain", {"reason": ""}),
        400,
        "member.reason_required",
        "请填写保留会籍原因。",
    )
    page = login(make_user("lps_clerk", ("officer", "520200"))).post(f"/members/{ms.pk}/retain/", {"reason": ""})
    assert page.status_code in (200, 400)
    assert reload(ms).status == MembershipStatus.ACTIVE


def test_a_retained_membership_cannot_be_written_without_its_reason(tree) -> None:
    from gonghui.core.errors import DomainError
    from gonghui.members.services import _insert_membership

    ms = register(tree.courier_union, NUMBER)
    with pytest.raises(DomainError) as exc:
        _insert_membership(
            Membership(person=ms.person, org=tree.nanming, org_path=tree.nanming.path, status="retained")
        )
    assert exc.value.message == "请填写保留会籍原因。"
