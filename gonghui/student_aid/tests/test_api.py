"""`/api/v1/student-aid` over HTTP: register → review → approve → 公示 list, the cross-check 409s, and who may."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.crosscheck.models import CrossCheckReview
from gonghui.crosscheck.services import crosscheck_decide
from gonghui.members.tests.factories import Api, assert_error, id_number
from gonghui.student_aid.applications import application_decide
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication
from gonghui.student_aid.publication import publication_create
from gonghui.student_aid.tests.factories import SON, World, apply, approve, reload
from gonghui.student_aid.tests.test_crosscheck import youth_league_list
from gonghui.student_aid.tests.test_pages import MASKED_SON, state

pytestmark = pytest.mark.django_db

BASE = "/api/v1/student-aid"


@pytest.fixture
def apis(world: World, make_user: Any, bearer: Any) -> dict[str, Api]:
    world.users["viewer"] = make_user("zs_viewer", ("viewer", "520201"))
    return {who: Api(bearer(user)) for who, user in world.users.items()} | {"anonymous": Api({})}


def body(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "member_id": world.worker.pk,
        "school_year": 2026,
        "name": "李小龙",
        "id_number": SON,
        "relation": "子",
        "school": "贵州大学",
        "major": "计算机科学与技术",
        "level": "undergraduate",
        "enrolment_year": 2026,
        "graduation_year": 2030,
        "tuition": "5200.00",
        "promise_signed": True,
        **overrides,
    }


def test_register_review_approve_and_the_public_list(world: World, apis: dict[str, Api]) -> None:
    created = apis["officer"].post(f"{BASE}/applications", body(world))
    assert created.status_code == 201, created.content.decode()
    a = created.json()
    assert (a["amount"], a["tuition"], a["status"], a["student_id_masked"]) == (
        "4000.00",
        "5200.00",
        "applied",
        MASKED_SON,
    )
    assert SON not in created.content.decode()
    url = f"{BASE}/applications/{a['id']}"
    assert apis["viewer"].get(url).json()["status_label"] == "待基层工会审核"
    assert apis["unit"].post(f"{url}/review", {"note": "材料齐全"}).json()["status"] == "unit_reviewed"
    # A stale "review" on a reviewed application does not approve it.
    assert_error(apis["county"].post(f"{url}/review", {}), 400, "student_aid.wrong_status")
    approved = apis["county"].post(f"{url}/approve", {"note": "同意"}).json()
    assert (approved["status"], approved["status_note"]) == ("approved", "同意")

    listed = apis["viewer"].get(f"{BASE}/applications", status="approved", school_year=2026).json()
    assert set(listed) == {"items", "count", "page"}
    assert ([x["id"] for x in listed["items"]], listed["count"], listed["page"]) == ([a["id"]], 1, 1)
    assert apis["viewer"].get(f"{BASE}/applications", status="applied").json()["count"] == 0
    assert apis["viewer"].get(f"{BASE}/applications", school_year=2025).json()["items"] == []

    publication = publication_create(**world.as_("county_officer"), org=world.tree.zhongshan, school_year=2026, days=7)
    resp = apis["viewer"].get(f"{BASE}/publications/{publication.pk}")
    assert resp.status_code == 200
    p = resp.json()
    assert (p["status"], p["school_year"], (p["ends_on"] > p["starts_on"])) == ("open", 2026, True)
    assert p["entries"] == [
        {"name": "李小龙", "school": "贵州大学", "level": "本科", "union": "钟山区快递员联合工会", "amount": "4000.00"}
    ]
    text = resp.content.decode()
    assert SON not in text and MASKED_SON not in text and SON[:6] + "*" not in text


def test_refusals_are_one_error_shape(world: World, apis: dict[str, Api]) -> None:
    officer = apis["officer"]
    before = state()
    assert_error(
        officer.post(f"{BASE}/applications", body(world, promise_signed=False)), 400, "student_aid.promise_required"
    )
    bad = assert_error(
        officer.post(f"{BASE}/applications", body(world, tuition="五千")), 400, "student_aid.amount_invalid"
    )
    assert bad["details"] == {"tuition": "应为不小于 0 的金额（元），最多两位小数"}
    assert_error(
        officer.post(f"{BASE}/applications", body(world, enrolment_kind="directed")), 400, "student_aid.excluded"
    )
    assert_error(officer.post(f"{BASE}/applications", body(world, school_year=2031)), 400, "student_aid.out_of_course")
    assert_error(officer.post(f"{BASE}/applications", {"member_id": world.worker.pk}), 422, "invalid")
    assert state() == before
    a = officer.post(f"{BASE}/applications", body(world)).json()
    assert_error(officer.post(f"{BASE}/applications", body(world)), 409, "student_aid.already_applied")
    url = f"{BASE}/applications/{a['id']}"
    assert_error(apis["unit"].post(f"{url}/return", {"note": "x"}), 403, "permission_denied")  # the county's step
    assert_error(
        apis["unit"].post(f"{url}/reject", {}), 400, "student_aid.reject_note_required", "不予通过时请填写审核意见"
    )
    assert apis["unit"].post(f"{url}/review", {"note": ""}).json()["status"] == "unit_reviewed"
    assert_error(apis["county"].post(f"{url}/return", {"note": " "}), 400, "student_aid.return_note_required")
    returned = apis["county"].post(f"{url}/return", {"note": "缺录取通知书"}).json()
    assert (returned["status"], returned["status_note"]) == ("applied", "退回补正：缺录取通知书")
    refused = apis["unit"].post(f"{url}/reject", {"note": "材料不实"}).json()
    assert refused["status"] == "rejected"
    # Refused: registered again for the same year, continuing nothing.
    again = officer.post(f"{BASE}/applications", body(world))
    assert again.status_code == 201 and again.json()["id"] != a["id"]


def test_the_crosscheck_answers_409(world: World, apis: dict[str, Api]) -> None:
    youth_league_list(world)
    application = apply(world)
    application_decide(**world.as_("unit"), application=application, approve=True)
    url = f"{BASE}/applications/{application.pk}"
    pending = assert_error(apis["county"].post(f"{url}/approve", {}), 409, "student_aid.crosscheck_pending")
    assert pending["message"] == "该学生在其他部门的资助名单中有记录，请先在名单比对中复核后再审批。"
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED
    review = CrossCheckReview.all_objects.get(subject_id=str(application.pk))
    crosscheck_decide(**world.as_("checker"), review_id=review.pk, decision="confirmed", reason="同年已获共青团助学金")
    duplicate = assert_error(apis["county"].post(f"{url}/approve", {}), 409, "student_aid.crosscheck_duplicate")
    assert "不能重复资助" in duplicate["message"] and "共青团" in duplicate["message"]
    assert reload(application).status == ApplicationStatus.UNIT_REVIEWED
    assert apis["county"].post(f"{url}/reject", {"note": "重复资助"}).json()["status"] == "rejected"


def test_every_endpoint_answers_each_caller_as_it_should(world: World, apis: dict[str, Api]) -> None:
    applied = apply(world)
    published = approve(world, apply(world, id_number=id_number(711, birth="20080301"), name="李小红"))
    publication = publication_create(**world.as_("county_officer"), org=world.tree.zhongshan, school_year=2026, days=7)
    assert reload(published).publication_id == publication.pk
    a = f"{BASE}/applications/{applied.pk}"
    callers = ("anonymous", "viewer", "county_officer", "county", "foreign")
    # caller → status, for anonymous, viewer, officer, reviewer (all at 520201) and 南明区's officer-reviewer.
    gets = {
        f"{BASE}/applications": (401, 200, 200, 200, 200),
        a: (401, 200, 200, 200, 404),
        f"{BASE}/publications/{publication.pk}": (401, 200, 200, 200, 404),
    }
    for url, statuses in gets.items():
        for who, expected in zip(callers, statuses, strict=True):
            resp = apis[who].get(url)
            assert resp.status_code == expected, (who, url, resp.content.decode())
            if expected != 200:
                assert_error(resp, expected, "unauthenticated" if expected == 401 else "not_found")
    assert apis["foreign"].get(f"{BASE}/applications").json() == {"items": [], "count": 0, "page": 1}

    before = state()
    posts = {
        f"{BASE}/applications": (body(world, school_year=2025, enrolment_year=2025), (401, 403, None, 403, 404)),
        f"{a}/review": ({"note": "x"}, (401, 403, 403, None, 404)),
        f"{a}/approve": ({"note": "x"}, (401, 403, 403, None, 404)),
        f"{a}/return": ({"note": "x"}, (401, 403, 403, None, 404)),
        f"{a}/reject": ({"note": "x"}, (401, 403, 403, None, 404)),
    }
    codes = {401: "unauthenticated", 403: "permission_denied", 404: "not_found"}
    for url, (data, statuses) in posts.items():
        for who, expected in zip(callers, statuses, strict=True):
            if expected is None:  # the caller whose step it is: below and in the flow test
                continue
            assert_error(apis[who].post(url, data), expected, codes[expected])
            assert state() == before, (who, url)
    # The unit's officer registers but never reviews; the unit's reviewer never approves for the county.
    assert_error(apis["officer"].post(f"{a}/review", {}), 403, "permission_denied")
    assert (
        apis["county_officer"]
        .post(f"{BASE}/applications", body(world, school_year=2025, enrolment_year=2025))
        .status_code
        == 201
    )
    application_decide(**world.as_("unit"), application=applied, approve=True)
    before = state()
    assert_error(apis["unit"].post(f"{a}/approve", {}), 403, "permission_denied")
    # The same person never reviews and approves.
    assert state() == before
    assert StudentAidApplication.all_objects.count() == 3
