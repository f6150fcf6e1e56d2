"""The 金秋助学 pages: the whole flow by hand over HTTP, the cross-check refusals, the 公示 list, and who may what.

The flow goes the real path: the courier union's officer registers, its
reviewer reviews, 钟山区's reviewer approves, 钟山区's officer publishes, records
an objection, which the county's reviewer dismisses, closes the 公示 and creates
the payout batch. The authorization matrix uses callers at 520201 (viewer,
officer, reviewer) and an officer-reviewer of 520102 南明区; a refused request
changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.crosscheck.models import CrossCheckReview
from gonghui.crosscheck.services import crosscheck_decide
from gonghui.members.tests.factories import id_number
from gonghui.payouts.models import PayoutBatch, PayoutItem, PayoutPurpose
from gonghui.student_aid.applications import application_continue, application_decide
from gonghui.student_aid.models import (
    AidStandard,
    ApplicationStatus,
    Objection,
    ObjectionStatus,
    Publication,
    PublicationStatus,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.publication import objection_record, objection_resolve, publication_create
from gonghui.student_aid.tests.factories import SON, World, apply, approve, reload
from gonghui.student_aid.tests.test_crosscheck import youth_league_list

pytestmark = pytest.mark.django_db

MASKED_SON = f"{SON[:6]}********{SON[-4:]}"


@pytest.fixture
def clients(world: World, make_user: Any) -> dict[str, Client]:
    world.users["viewer"] = make_user("zs_viewer", ("viewer", "520201"))
    world.users["admin"] = make_user("zs_admin", ("admin", "520201"))
    out = {"anonymous": new_client()}
    for who, user in world.users.items():
        c = new_client()
        c.force_login(user)
        out[who] = c
    return out


def messages_of(resp: Any) -> list[str]:
    return [str(m) for m in resp.context["messages"]] if resp.context else []


def state() -> tuple[Any, ...]:
    """Every row a 金秋助学 page may write, and the audit trail."""
    with unscoped():
        return (
            list(StudentAidApplication.all_objects.order_by("pk").values_list("pk", "status", "status_note")),
            list(Publication.all_objects.order_by("pk").values_list("pk", "status")),
            list(Objection.all_objects.order_by("pk").values_list("pk", "status", "resolution")),
            list(AidStandard.objects.order_by("pk").values_list("pk", "amount_fen")),
            list(PayoutBatch.all_objects.order_by("pk").values_list("pk", "status")),
            AuditEvent.all_objects.count(),
        )


def form_of(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "member": world.worker.person.member_no,
        "school_year": "2026",
        "name": "李小龙",
        "id_number": SON,
        "relation": "子",
        "school": "贵州大学",
        "major": "计算机科学与技术",
        "level": StudentLevel.UNDERGRADUATE,
        "enrolment_kind": "regular",
        "enrolment_year": "2026",
        "graduation_year": "2030",
        "tuition": "5,200",
        "loan": "",
        "promise_signed": "on",
        **overrides,
    }


def test_register_review_approve_publish_object_close_and_pay(world: World, clients: dict[str, Client]) -> None:
    officer, unit, county, county_officer = (clients[k] for k in ("officer", "unit", "county", "county_officer"))

    # The courier union's officer registers the application; the form is offered first.
    assert officer.get("/student-aid/new/").status_code == 200
    resp = officer.post("/student-aid/new/", form_of(world))
    assert resp.status_code == 302, resp.content.decode()
    application = StudentAidApplication.all_objects.get()
    assert resp["Location"] == f"/student-aid/{application.pk}/"
    assert (application.amount_fen, application.tuition_fen, application.status) == (
        4000_00,
        5200_00,
        ApplicationStatus.APPLIED,
    )
    url = f"/student-aid/{application.pk}/"
    page = officer.get(url).content.decode()
    assert MASKED_SON in page and SON not in page
    assert "4,000.00" in page and "贵州省六盘水市 2026 学年本科（非建档职工子女）资助标准 4,000.00 元" in page
    assert 'data-testid="review"' not in page and 'data-testid="withdraw"' in page

    # The unit's reviewer sees the review buttons and passes it.
    page = unit.get(url).content.decode()
    assert 'data-testid="review"' in page and 'data-testid="approve"' not in page
    resp = unit.post(f"{url}review/", {"note": "材料齐全"}, follow=True)
    assert "已办理：基层工会审核通过。" in messages_of(resp)
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED

    # The county's reviewer approves (no agency list names the student).
    page = county.get(url).content.decode()
    assert 'data-testid="approve"' in page
    resp = county.post(f"{url}approve/", {"note": "同意资助"}, follow=True)
    assert "已办理：县级总工会审批通过。" in messages_of(resp)
    assert reload(application).status == ApplicationStatus.APPROVED

    # The county's officer publishes it, backdated so the window is over by the end of this test.
    page = county_officer.get("/student-aid/publications/new/?org_code=520201&school_year=2026").content.decode()
    assert "李小龙" in page and "贵州大学" in page
    starts = timezone.localdate() - timedelta(days=10)
    before = state()
    resp = county_officer.post(
        "/student-aid/publications/new/",
        {"org_code": "520201", "school_year": "2025", "days": "7", "applications": [str(application.pk)]},
    )
    assert "所选申请中有不属于该工会或该学年的，请重新筛选" in resp.content.decode() and state() == before
    resp = county_officer.post(
        "/student-aid/publications/new/",
        {
            "org_code": "520201",
            "school_year": "2026",
            "days": "7",
            "starts_on": starts.isoformat(),
            "title": "",
            "applications": [str(application.pk)],
        },
    )
    assert resp.status_code == 302, resp.content.decode()
    publication = Publication.all_objects.get()
    assert resp["Location"] == f"/student-aid/publications/{publication.pk}/"
    assert (publication.starts_on, publication.ends_on) == (starts, starts + timedelta(days=6))
    assert reload(application).status == ApplicationStatus.PUBLISHED
    pub_url = f"/student-aid/publications/{publication.pk}/"
    page = county_officer.get(pub_url).content.decode()
    assert "李小龙" in page and "贵州大学" in page and "4,000.00" in page
    assert SON not in page and MASKED_SON not in page and SON[:6] + "*" not in page

    # An objection (received during the window), dismissed by the county's reviewer.
    resp = county_officer.post(
        f"{pub_url}objections/",
        {
            "application": str(application.pk),
            "raised_by": "",
            "reason": "其家庭收入较高",
            "received_on": (starts + timedelta(days=2)).isoformat(),
        },
        follow=True,
    )
    assert "已登记对李小龙的异议，待县级总工会处理。" in messages_of(resp)
    objection = Objection.all_objects.get()
    # Closing with an open objection is refused with the reason.
    resp = county_officer.post(f"{pub_url}close/", follow=True)
    assert "还有 1 条异议未处理，请处理后再结束公示。" in messages_of(resp)
    assert Publication.all_objects.get().status == PublicationStatus.OPEN
    page = county.get(pub_url).content.decode()
    assert f'data-testid="resolve-{objection.pk}"' in page and "其家庭收入较高" in page
    resp = county.post(
        f"{pub_url}objections/{objection.pk}/resolve/",
        {"decision": "dismissed", "note": "经核实收入符合条件"},
        follow=True,
    )
    assert "已处理异议：异议不成立，该学生保留在名单中。" in messages_of(resp)
    objection.refresh_from_db()
    assert (objection.status, objection.resolution) == (ObjectionStatus.DISMISSED, "经核实收入符合条件")
    assert reload(application).status == ApplicationStatus.PUBLISHED

    # Closed, then the payout batch of the cards app.
    resp = county_officer.post(f"{pub_url}close/", follow=True)
    assert "公示已结束，名单上的学生可以发放助学金。" in messages_of(resp)
    assert Publication.all_objects.get().status == PublicationStatus.CLOSED
    page = county_officer.get(pub_url).content.decode()
    assert 'data-testid="disburse"' in page and 'data-testid="close"' not in page
    resp = county_officer.post(f"{pub_url}payout/", {"bank": "GZB"})
    batch = PayoutBatch.all_objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/payouts/{batch.pk}/"
    assert batch.purpose == PayoutPurpose.STUDENT_AID
    item = PayoutItem.all_objects.get(batch=batch)
    assert (item.person_id, item.amount_fen) == (world.worker.person_id, 4000_00)
    assert reload(application).payout_item_id == item.pk
    assert county_officer.get(f"/payouts/{batch.pk}/").status_code == 200
    page = county_officer.get(pub_url).content.decode()
    assert f'href="/payouts/{batch.pk}/"' in page and 'data-testid="disburse"' not in page  # nobody left to pay
    assert MASKED_SON not in page
    # The application's page shows its course so far and the batch.
    page = officer.get(url).content.decode()
    assert "公示中" in page and f"/payouts/{batch.pk}/" in page


def test_list_filters_and_continuation(world: World, clients: dict[str, Client]) -> None:
    last_year = apply(world, school_year=2025, enrolment_year=2025, graduation_year=2029)
    approve(world, last_year)
    officer = clients["officer"]
    listing = officer.get("/student-aid/?status=approved&school_year=2025")
    assert [a.pk for a in listing.context["rows"]] == [last_year.pk]
    assert officer.get("/student-aid/?status=applied").context["rows"] == []
    assert officer.get("/student-aid/?school_year=2024").context["rows"] == []

    url = f"/student-aid/{last_year.pk}/continue/"
    assert officer.get(f"/student-aid/new/?from={last_year.pk}")["Location"] == url
    page = officer.get(url).content.decode()
    assert "2026 学年" in page and MASKED_SON in page and SON not in page and "5200.00" in page
    before = state()
    resp = officer.post(url, {"major": "软件工程", "tuition": "5800", "loan": "0"})
    assert resp.status_code == 200 and "请先由职工签署未获得其他同类资助的承诺书。" in resp.content.decode()
    assert state() == before
    resp = officer.post(url, {"major": "软件工程", "tuition": "5800", "loan": "0", "promise_signed": "on"})
    nxt = StudentAidApplication.all_objects.get(school_year=2026)
    assert resp["Location"] == f"/student-aid/{nxt.pk}/"
    assert (nxt.continued_from_id, nxt.tuition_fen, nxt.major, nxt.student_id_index) == (
        last_year.pk,
        5800_00,
        "软件工程",
        last_year.student_id_index,
    )
    page = officer.get(f"/student-aid/{nxt.pk}/").content.decode()
    assert "2025" in page and "2026" in page and 'data-testid="course"' in page
    # A second application for the same student and year is refused with the reason.
    resp = officer.post("/student-aid/new/", form_of(world))
    assert resp.status_code == 200 and "同一学年只能资助一次" in resp.content.decode()
    # An excluded student, an unknown member: refused, nothing written.
    before = state()
    resp = officer.post("/student-aid/new/", form_of(world, enrolment_kind="military", school_year="2025"))
    assert "军事院校" in resp.content.decode()
    resp = officer.post("/student-aid/new/", form_of(world, member="0000999999"))
    assert "您管理的工会中没有这名在册会员" in resp.content.decode()
    assert state() == before


def reviewed(world: World) -> StudentAidApplication:
    application = apply(world)
    return application_decide(**world.as_("unit"), application=application, approve=True)


def test_a_pending_crosscheck_stops_the_approval_with_a_clear_message(world: World, clients: dict[str, Client]) -> None:
    youth_league_list(world)
    application = reviewed(world)
    url = f"/student-aid/{application.pk}/"
    resp = clients["county"].post(f"{url}approve/", {"note": ""}, follow=True)
    assert resp.status_code == 200
    assert "该学生在其他部门的资助名单中有记录，请先在名单比对中复核后再审批。" in messages_of(resp)
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED
    review = CrossCheckReview.all_objects.get(subject_id=str(application.pk))
    page = resp.content.decode()
    assert 'data-testid="crosscheck"' in page and "共青团" in page and "希望工程" in page
    assert f'href="/crosscheck/reviews/{review.pk}/"' in page and SON not in page
    # The viewer sees the evidence too, but no button.
    page = clients["viewer"].get(url).content.decode()
    assert "希望工程" in page and 'data-testid="approve"' not in page


def test_a_confirmed_duplicate_is_refused(world: World, clients: dict[str, Client]) -> None:
    youth_league_list(world)
    application = reviewed(world)
    url = f"/student-aid/{application.pk}/"
    clients["county"].post(f"{url}approve/")
    review = CrossCheckReview.all_objects.get(subject_id=str(application.pk))
    crosscheck_decide(**world.as_("checker"), review_id=review.pk, decision="confirmed", reason="同年已获共青团助学金")
    resp = clients["county"].post(f"{url}approve/", follow=True)
    assert "经名单比对复核，该学生已获其他资助（同年已获共青团助学金），不能重复资助。" in messages_of(resp)
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED
    assert "确认重复受助" in resp.content.decode()
    # It can still be refused, with a note.
    resp = clients["county"].post(f"{url}reject/", {"note": ""}, follow=True)
    assert "不予通过时请填写审核意见" in messages_of(resp)
    resp = clients["county"].post(f"{url}reject/", {"note": "已获共青团资助"}, follow=True)
    assert (reload(application).status, reload(application).status_note) == (
        ApplicationStatus.REJECTED,
        "已获共青团资助",
    )


def test_the_county_returns_an_application_to_the_grassroots_review(world: World, clients: dict[str, Client]) -> None:
    application = apply(world)
    url = f"/student-aid/{application.pk}/"
    assert 'data-testid="return"' not in clients["unit"].get(url).content.decode()  # the unit refuses instead
    clients["unit"].post(f"{url}review/", {"note": ""})
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED
    assert 'data-testid="return"' in clients["county"].get(url).content.decode()
    resp = clients["county"].post(f"{url}return/", {"note": "  "}, follow=True)
    assert "退回时请写明需补正的内容" in messages_of(resp)
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED
    clients["county"].post(f"{url}return/", {"note": "缺录取通知书"})
    returned = reload(application)
    assert (returned.status, returned.status_note, returned.reviewed_by) == (
        ApplicationStatus.APPLIED,
        "退回补正：缺录取通知书",
        None,
    )
    assert "退回补正：缺录取通知书" in clients["unit"].get(url).content.decode()
    # Reviewed again by the unit, it comes back to the county.
    clients["unit"].post(f"{url}review/", {"note": "已补录取通知书"})
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED


def test_standards_table_and_setting_an_amount(world: World, clients: dict[str, Client]) -> None:
    page = clients["viewer"].get("/student-aid/standards/?year=2026").content.decode()
    assert "六盘水市" in page and "5,000.00" in page and "4,000.00" in page
    assert 'data-testid="standard-form"' not in page
    body = {"org_code": "520201", "year": "2026", "level": "undergraduate", "on_file": "0", "amount": "4500"}
    before = state()
    for who in ("viewer", "officer", "county_officer", "county", "foreign"):
        assert clients[who].post("/student-aid/standards/", body).status_code == 403, who
    assert clients["anonymous"].post("/student-aid/standards/", body).status_code == 302
    assert state() == before
    admin = clients["admin"]
    assert 'data-testid="standard-form"' in admin.get("/student-aid/standards/").content.decode()
    resp = admin.post("/student-aid/standards/", body | {"amount": "四千"})
    assert resp.status_code == 200 and "金额（元）" in resp.content.decode() and state() == before
    resp = admin.post("/student-aid/standards/", body | {"org_code": "520102"})
    assert "不在您的管理范围内" in resp.content.decode() and state() == before
    resp = admin.post("/student-aid/standards/", body, follow=True)
    assert any("4500.00 元" in m for m in messages_of(resp))
    assert AidStandard.objects.get(
        region_code="520201", year=2026, level="undergraduate", on_file=False
    ).amount_fen == (4500_00)
    # The county's own standard now applies to its union's new applications.
    assert apply(world).amount_fen == 4500_00


# --- the authorization matrix ----------------------------------------------------------------------

LOGIN = "login"  # an anonymous caller is sent to the login page


@pytest.fixture
def records(world: World) -> dict[str, Any]:
    """An application waiting for review, and an open 公示 of another student, with an open objection."""
    applied = apply(world)
    published = approve(
        world, apply(world, id_number=id_number(711, birth="20080301"), name="李小红", school="钟山区第一中学",
                     level=StudentLevel.HIGH_SCHOOL, enrolment_year=2025, graduation_year=2028)
    )  # fmt: skip
    publication = publication_create(**world.as_("county_officer"), org=world.tree.zhongshan, school_year=2026, days=7)
    objection = objection_record(
        **world.as_("county_officer"), application=reload(published), reason="有人反映其已获资助"
    )
    return {"applied": applied, "publication": publication, "objection": objection}


def expect(resp: Any, expected: int | str, who: str, url: str) -> None:
    if expected == LOGIN:
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), (who, url)
    else:
        assert resp.status_code == expected, (who, url, resp.status_code)


def test_every_page_answers_each_caller_as_it_should(
    world: World, clients: dict[str, Client], records: dict[str, Any]
) -> None:
    a, p = records["applied"].pk, records["publication"].pk
    # The 2027 standard, so the 2026 application may be continued (without it the form is not offered).
    AidStandard.objects.create(
        region_code="520200", year=2027, level=StudentLevel.UNDERGRADUATE, on_file=False, amount_fen=4000_00
    )
    # caller → status, for anonymous, viewer, officer, reviewer, foreign (all but foreign at 520201).
    gets = {
        "/student-aid/": (LOGIN, 200, 200, 200, 200),
        "/student-aid/new/": (LOGIN, 403, 200, 403, 200),
        f"/student-aid/{a}/": (LOGIN, 200, 200, 200, 404),
        f"/student-aid/{a}/continue/": (LOGIN, 403, 200, 403, 404),
        "/student-aid/publications/": (LOGIN, 200, 200, 200, 200),
        "/student-aid/publications/new/": (LOGIN, 403, 200, 403, 200),
        f"/student-aid/publications/{p}/": (LOGIN, 200, 200, 200, 404),
        "/student-aid/standards/": (LOGIN, 200, 200, 200, 200),
    }
    callers = ("anonymous", "viewer", "county_officer", "county", "foreign")
    for url, statuses in gets.items():
        for who, expected in zip(callers, statuses, strict=True):
            expect(clients[who].get(url), expected, who, url)
    # What the foreign union sees in the lists: nothing of 钟山区's.
    assert clients["foreign"].get("/student-aid/").context["rows"] == []
    assert list(clients["foreign"].get("/student-aid/publications/").context["rows"]) == []
    assert "李小红" not in clients["foreign"].get("/student-aid/publications/new/").content.decode()


def test_every_refused_post_changes_nothing(world: World, clients: dict[str, Client], records: dict[str, Any]) -> None:
    a, p, o = records["applied"].pk, records["publication"].pk, records["objection"].pk
    posts = {
        f"/student-aid/{a}/review/": ({"note": "x"}, (LOGIN, 403, 403, None, 404)),
        f"/student-aid/{a}/approve/": ({"note": "x"}, (LOGIN, 403, 403, None, 404)),
        f"/student-aid/{a}/return/": ({"note": "x"}, (LOGIN, 403, 403, None, 404)),
        f"/student-aid/{a}/reject/": ({"note": "x"}, (LOGIN, 403, 403, None, 404)),
        f"/student-aid/{a}/withdraw/": ({"note": "x"}, (LOGIN, 403, None, 403, 404)),
        f"/student-aid/{a}/continue/": ({"promise_signed": "on"}, (LOGIN, 403, None, 403, 404)),
        "/student-aid/new/": (form_of(world, school_year="2025"), (LOGIN, 403, None, 403, 200)),
        "/student-aid/publications/new/": (
            {"org_code": "520201", "school_year": "2026", "days": "7", "applications": []},
            (LOGIN, 403, None, 403, 200),
        ),
        f"/student-aid/publications/{p}/objections/": (
            {"application": "1", "reason": "x"},
            (LOGIN, 403, None, 403, 404),
        ),
        f"/student-aid/publications/{p}/objections/{o}/resolve/": (
            {"decision": "upheld", "note": "x"},
            (LOGIN, 403, 403, None, 404),
        ),
        f"/student-aid/publications/{p}/close/": ({}, (LOGIN, 403, None, 403, 404)),
        f"/student-aid/publications/{p}/payout/": ({"bank": "GZB"}, (LOGIN, 403, None, 403, 404)),
    }
    callers = ("anonymous", "viewer", "county_officer", "county", "foreign")
    before = state()
    for url, (data, statuses) in posts.items():
        for who, expected in zip(callers, statuses, strict=True):
            if expected is None:  # the caller this step belongs to: the flow test covers it
                continue
            expect(clients[who].post(url, data), expected, who, url)
            assert state() == before, (who, url)
    # GET on a step is not a way in either.
    assert clients["county"].get(f"/student-aid/{a}/review/").status_code == 405
    assert clients["county"].post(f"/student-aid/{a}/explode/").status_code == 404
    # The foreign officer's new application for 钟山区's member: not found in their unions.
    resp = clients["foreign"].post("/student-aid/new/", form_of(world, school_year="2025"))
    assert "您管理的工会中没有这名在册会员" in resp.content.decode()
    # The unit's officer registers but never reviews; the unit's reviewer cannot approve what the county approves.
    assert clients["officer"].post(f"/student-aid/{a}/review/", {"note": ""}).status_code == 403
    application_decide(**world.as_("unit"), application=records["applied"], approve=True)
    before = state()
    assert clients["unit"].post(f"/student-aid/{a}/approve/").status_code == 403
    assert state() == before


def test_the_notice_to_print_lists_the_public_entries_and_never_an_id(world: World, clients: dict[str, Client]) -> None:
    from gonghui.student_aid.tests.factories import publish

    first = apply(world)
    second = apply(world, name="李小红", id_number=id_number(702, birth="20050301"), school="贵州师范大学")
    for application in (first, second):
        approve(world, application)
    publication = publish(world)
    url = f"/student-aid/publications/{publication.pk}/notice/"
    page = clients["viewer"].get(url)
    body = page.content.decode()
    assert page.status_code == 200 and publication.title in body
    assert "李小龙" in body and "李小红" in body and "贵州师范大学" in body
    assert page.context["total_yuan"] == "8000.00" and 'data-testid="print"' in body
    for number in (SON, id_number(702, birth="20050301")):
        assert number not in body and number[-4:] not in body
    assert f'href="{url}"' in clients["viewer"].get(f"/student-aid/publications/{publication.pk}/").content.decode()
    assert clients["foreign"].get(url).status_code == 404
    assert clients["anonymous"].get(url).status_code == 302


def test_continue_is_offered_only_when_the_service_would_take_it(world: World, clients: dict[str, Client]) -> None:
    officer = clients["officer"]
    last_year = approve(world, apply(world, school_year=2025, enrolment_year=2025, graduation_year=2029))
    page = officer.get(f"/student-aid/{last_year.pk}/").content.decode()
    assert 'data-testid="continue"' in page and 'data-testid="continue-refusal"' not in page
    officer.post(
        f"/student-aid/{last_year.pk}/continue/",
        {"major": "软件工程", "tuition": "5800", "loan": "0", "promise_signed": "on"},
    )
    nxt = StudentAidApplication.all_objects.get(school_year=2026)

    # 2026 is applied for now: last year's page no longer offers it, and says why.
    page = officer.get(f"/student-aid/{last_year.pk}/").content.decode()
    assert 'data-testid="continue"' not in page
    assert "不能续报下一学年：" in page and "2026 学年" in page
    # The form is not shown either: back to the application, with the same reason.
    resp = officer.get(f"/student-aid/{last_year.pk}/continue/", follow=True)
    assert resp.redirect_chain == [(f"/student-aid/{last_year.pk}/", 302)]
    assert any("2026 学年" in m for m in messages_of(resp))

    # 2026's own page: no 2027 standard is set, so the button is not offered; the reason is shown.
    page = officer.get(f"/student-aid/{nxt.pk}/").content.decode()
    assert 'data-testid="continue"' not in page and "尚未设置 2027 学年本科的金秋助学资助标准" in page
    before = state()
    with pytest.raises(DomainError, match="尚未设置 2027 学年"):
        application_continue(**world.as_("officer"), application=nxt, promise_signed=True)
    assert state() == before
    # Once the standard is set, it is offered.
    AidStandard.objects.create(
        region_code="520200", year=2027, level=StudentLevel.UNDERGRADUATE, on_file=False, amount_fen=4000_00
    )
    assert 'data-testid="continue"' in officer.get(f"/student-aid/{nxt.pk}/").content.decode()

    # A rejected application is not continued from: neither offered nor taken by the service.
    application_decide(**world.as_("unit"), application=nxt, approve=False, note="材料不实")
    page = officer.get(f"/student-aid/{nxt.pk}/").content.decode()
    assert 'data-testid="continue"' not in page and 'data-testid="continue-refusal"' not in page
    before = state()
    with pytest.raises(DomainError, match="不能续报下一学年"):
        application_continue(**world.as_("officer"), application=reload(nxt), promise_signed=True)
    assert state() == before


def test_end_publication_is_offered_only_when_the_service_would_take_it(
    world: World, clients: dict[str, Client]
) -> None:
    county = clients["county_officer"]
    published = approve(world, apply(world))
    publication = publication_create(**world.as_("county_officer"), org=world.tree.zhongshan, school_year=2026, days=7)
    url = f"/student-aid/publications/{publication.pk}/"
    # The window is still running: no button, the reason instead.
    page = county.get(url).content.decode()
    assert 'data-testid="close"' not in page and "才结束，不能提前结束公示" in page
    objection = objection_record(**world.as_("county_officer"), application=reload(published), reason="有人反映")
    # The window is over but an objection is open: still not offered, and the badge does not say it may end.
    Publication.all_objects.filter(pk=publication.pk).update(
        starts_on=timezone.localdate() - timedelta(days=8), ends_on=timezone.localdate() - timedelta(days=1)
    )
    page = county.get(url).content.decode()
    assert 'data-testid="close"' not in page and "还有 1 条异议未处理" in page
    assert "公示期已满</span>" in page and "可结束公示" not in page
    before = state()
    assert "还有 1 条异议未处理" in " ".join(messages_of(county.post(f"{url}close/", follow=True)))
    assert state() == before
    # The objection resolved: offered, and the service takes it.
    objection_resolve(**world.as_("county"), objection=objection, upheld=False, note="核实无误")
    page = county.get(url).content.decode()
    assert 'data-testid="close"' in page and "公示期已满，可结束公示" in page
    assert 'data-testid="close-refusal"' not in page
    county.post(f"{url}close/")
    assert Publication.all_objects.get(pk=publication.pk).status == PublicationStatus.CLOSED
    assert 'data-testid="close"' not in county.get(url).content.decode()
